"""Words for the lexical index: tokens, lemmas per language, diacritics folded, question words dropped."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import simplemma
import stopwordsiso

SIMPLEMMA_CODE = {"sl": "sl", "hr": "hbs", "pl": "pl", "cs": "cs", "hu": "hu", "en": "en"}
PREFIX = 5
WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*", re.UNICODE)


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Function and question words that say nothing about what a person looks for; folded, per language.
STOPWORDS: dict[str, frozenset[str]] = {
    "en": _wordset(
        "a an the of and or to in on at for with by from as is are be am was i me my we you your do does did "
        "what which who how where when why can could would should want like work works working job jobs "
        "become need needs skills skill about there this that it near any some course courses training "
        "trainings looking learn learning"
    ),
    "sl": _wordset(
        "in ali je so sem si smo ste biti bi da ne na v za z s od do po pri kot kaj kdo kako kje kdaj zakaj "
        "ki ta to tega moj moja rad rada bi želim zelim delam dela delati delo postati kateri katere "
        "potrebujem rabim znanja znanje spretnosti veščine vescine tečaj tecaj se me mi tečaja tečaji tečajev "
        "tečaje tečajih usposabljanje usposabljanja izobraževanje izobraževanja iščem iscem kakšen kaksen "
        "naučim naucim naučiti nauciti naučil naucil naučila naucila sam kej kaj čist cist čisto cisto mal tud tut "
        "al ma sej zdej kok kolk kaki kake kak kaka kakšne kaksne ktera ktere kteri ktero"
    ),
    "hr": _wordset(
        "i ili je su sam si smo ste biti bih bi da ne na u za s sa od do po pri kao što sto tko kako gdje kada "
        "zašto zasto koji koja koje moj moja želim zelim radim radi raditi posao postati trebam treba "
        "vještine vjestine znanja tečaj tecaj se me mi tečaja tečajevi tečajeva tečajeve tražim trazim "
        "obuka obuke obuku edukacija edukacije naučiti nauciti naučim naucim naučit naucit kolko di šta sta jel "
        "nešto nesto neki neku nekog završit zavrsit završiti zavrsiti završim zavrsim"
    ),
    "pl": _wordset(
        "i lub albo jest są jestem być by że nie na w we za z ze od do po przy jako co kto jak gdzie kiedy "
        "dlaczego który która które mój moja chcę chce chciałbym chcialbym chciałabym pracuję pracuje "
        "robi praca pracować pracowac zostać zostac potrzebuję potrzebuje umiejętności umiejetnosci "
        "kurs się sie mi mnie kursu kursy kursów kursow kursie kursach szkolenie szkolenia szkoleń szukam "
        "nauczyć nauczyc nauczę naucze"
    ),
    "cs": _wordset(
        "a i nebo je jsou jsem být byl že ne na v ve za z ze od do po při pri jako co kdo jak kde kdy proč "
        "proc který která které můj moje chci chtěl chtel pracuji pracuju dělá dela práce prace pracovat "
        "stát stat potřebuji potrebuji dovednosti kurz se mi mě kurzu kurzy kurzů kurzech hledám hledam "
        "školení skoleni naučit naucit naučím naucim"
    ),
    "hu": _wordset(
        "a az és es vagy van vagyok lenni hogy nem mit ki hogyan hol mikor miért miert melyik szeretnék "
        "szeretnek dolgozom dolgozni munka csinál csinal lehetek lenni kell kellenek készségek keszsegek "
        "tanfolyam mi egy én en is tanfolyamot tanfolyamok tanfolyamra képzés kepzes képzést kepzest képzések "
        "keresek szakma szakmák szakmát szakmakat szakmákat érdekel érdekelne érdekelnének érdekelnek képzések "
        "képzésre megtanulni tanulni tanulhatom tanulhatnek tanulhatnék akarok akarnék akarnek "
        "tanulhatok tanulhatunk tanulhat tanulok megtanulhatom megtanulhatok megtanulhatnám megtanulhatnam "
        "munkát munkat munkára munkara munkában munkaban munkám munkam bocs bocsi bocsánat bocsanat "
        "költöztem koltoztem átköltöztem atkoltoztem elköltöztem elkoltoztem költözöm koltozom költözök koltozok"
    ),
}


# The stopwords-iso lists for the five languages, less the words that name what people learn; English's
# list there holds 'computer', 'home' and 'free', so English keeps the function words below instead.
_ISO_KEEP = _wordset("design email srednja srednji srednje odprt odprta odprti teljes külön különböző")
_ENGLISH_FUNCTION_WORDS = _wordset(
    "he she they them their his her its our us ours it's i'm im i've ive i'd id don't dont doesn't isn't "
    "has have had having been being will would shall may might must also just only very too so then than "
    "but if because while into onto over under after before again once here all both each few more most "
    "other such no nor not own same any anything something someone somewhere please thanks thank hi hello "
    "get got go going know think maybe really still already yet now also much many lot lots kind sort "
    "there's what's where's how's"
)
for _lang in ("sl", "hr", "pl", "cs", "hu"):
    STOPWORDS[_lang] |= frozenset(stopwordsiso.stopwords(_lang)) - _ISO_KEEP
STOPWORDS["en"] |= _ENGLISH_FUNCTION_WORDS


# Words for "course" or "training": a message with one asks for an offering, even if it names a language.
_COURSE_WORDS = _wordset(
    "course courses training trainings class classes lessons tečaj tecaj tečaja tecaja tečaji tecaji tečajev "
    "tecajev tečaje tecaje tečajevi tecajevi tečajeva tecajeva usposabljanje obuka obuke kurs kursu kursy "
    "kursów kursow kursie kurz kurzu kurzy kurzů kurzu školení skoleni tanfolyam tanfolyamot tanfolyamok "
    "nyelvtanfolyam nyelvtanfolyamot képzés kepzes képzést kepzest képzések kepzesek képzésre kepzesre learn learning naučim naučiti naučit "
    "nauczyć nauczę naučím megtanulni tanulni"
)


@lru_cache(maxsize=65_536)  # the same words are folded many times a message
def fold(text: str) -> str:
    """Lower-case and strip diacritics, so 'Zavarivač' and 'zavarivac' meet."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return (
        "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace("ł", "l").replace("đ", "d")
    )


def words(text: str) -> list[str]:
    return WORD.findall(text.lower())


@lru_cache(maxsize=200_000)
def lemma(word: str, lang: str) -> str:
    # low_memory reads simplemma's compressed dictionaries in place: ~90 MB instead of ~700 MB for six languages.
    return simplemma.lemmatize(word, lang=SIMPLEMMA_CODE.get(lang, "en"), low_memory=True).lower()


COURSE_WORDS: frozenset[str] = frozenset(fold(word) for word in _COURSE_WORDS)
_FOLDED_STOPWORDS = {lang: frozenset(fold(w) for w in ws) for lang, ws in STOPWORDS.items()}


def terms(text: str, langs: tuple[str, ...]) -> list[str]:
    """Index terms of `text` read as each of `langs`: folded surface forms and lemmas, stopwords dropped."""
    found: list[str] = []
    for word in words(text):
        folded = fold(word)
        if any(folded in _FOLDED_STOPWORDS[lang] for lang in langs):
            continue
        variants = {folded}
        for lang in langs:
            variants.add(fold(lemma(word, lang)))
        if len(folded) >= PREFIX:
            # Inflected forms the lemmatiser does not know ('zavarivaca') still share a prefix.
            variants.add("~" + folded[:PREFIX])
        found.extend(sorted(variants))
    return found


def topic_words(text: str, langs: tuple[str, ...]) -> list[str]:
    """The words of `text` that are not question or function words in any of `langs`."""
    return [w for w in WORD.findall(text) if not any(fold(w) in _FOLDED_STOPWORDS[lang] for lang in langs)]


def content_words(text: str, langs: tuple[str, ...]) -> str:
    """`text` without its question and function words: what an embedding of a short label should meet."""
    return " ".join(topic_words(text, langs)) or text
