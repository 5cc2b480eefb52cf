"""Word lists that turn a message into slots: phrase patterns per language, folded, with `*` for endings."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from assistant.text import fold

LEXICON_DIR = Path(__file__).parent / "lexicon"


def _phrase_pattern(phrase: str) -> str:
    parts = []
    for word in fold(str(phrase)).split():
        parts.append(re.escape(word[:-1]) + r"[\w-]*" if word.endswith("*") else re.escape(word))
    return r"[\s-]+".join(parts)


@dataclass(frozen=True)
class Phrases:
    """Any of a list of phrases, matched as whole words in folded text."""

    pattern: re.Pattern[str] | None

    @classmethod
    def of(cls, phrases: list[Any]) -> Phrases:
        alternatives = sorted({_phrase_pattern(p) for p in phrases if str(p).strip()}, key=len, reverse=True)
        if not alternatives:
            return cls(None)
        return cls(re.compile(r"(?<![\w])(?:" + "|".join(alternatives) + r")(?![\w])"))

    def spans(self, folded: str) -> list[tuple[int, int]]:
        return [] if self.pattern is None else [m.span() for m in self.pattern.finditer(folded)]

    def found(self, folded: str) -> bool:
        return self.pattern is not None and self.pattern.search(folded) is not None


@dataclass(frozen=True)
class Lexicon:
    """One language's intent examples and slot phrases."""

    lang: str
    intents: dict[str, list[str]]
    slots: dict[str, Phrases]
    months: dict[int, Phrases]
    target_groups: dict[str, Phrases]
    ordinals: dict[str, Phrases]
    facets: dict[str, Phrases]
    chatter: Phrases  # words that are never a topic: 'hello', 'thanks', 'can', 'please'


SMALL_TALK_INTENTS = ("greeting", "thanks", "help")
TOPICAL_INTENTS = ("find_training", "learn_skill", "occupation", "course_details")


WIDESPREAD = 5  # a word in the examples of this many intents says how, never what ('mogu', 'lahko', 'kolko')


def chatter_words(intents: dict[str, list[str]]) -> set[str]:
    """Folded words that are never a topic: those only greetings, thanks and 'what can you do' use, and
    those spread over the examples of many intents."""

    def vocabulary(names: tuple[str, ...]) -> set[str]:
        return {w for name in names for example in intents.get(name, ()) for w in _words(example)}

    spread: dict[str, set[str]] = {}
    for name, examples in intents.items():
        for example in examples:
            for word in _words(example):
                spread.setdefault(word, set()).add(name)
    widespread = {word for word, names in spread.items() if len(names) >= WIDESPREAD}
    return (vocabulary(SMALL_TALK_INTENTS) - vocabulary(TOPICAL_INTENTS)) | widespread


def _words(example: str) -> list[str]:
    return [w for w in (w.strip("?!.,;:'\"()") for w in fold(example).split()) if w]


@dataclass(frozen=True)
class Common:
    """Names that mean the same in every language: regions with their towns, and language names."""

    regions: dict[str, Phrases]
    languages: dict[str, Phrases]
    towns: dict[str, Phrases]  # town as the catalogues write it -> its forms
    # Any region's or town's name, in one pattern: most messages name none, and one scan says so.
    any_place: Phrases = Phrases(None)
    any_town: Phrases = Phrases(None)


def _read(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as file:
        return yaml.safe_load(file)


@cache
def lexicon(lang: str) -> Lexicon:
    data = _read(LEXICON_DIR / f"{lang}.yaml")
    slots = data["slots"]
    simple = {
        name: Phrases.of(values)
        for name, values in slots.items()
        if name not in ("months", "target_groups", "ordinals", "facets")
    }
    intents = {intent: [str(e) for e in examples] for intent, examples in data["intents"].items()}
    return Lexicon(
        lang=lang,
        intents=intents,
        slots=simple,
        months={int(month): Phrases.of(values) for month, values in slots["months"].items()},
        target_groups={group: Phrases.of(values) for group, values in slots["target_groups"].items()},
        ordinals={str(key): Phrases.of(values) for key, values in slots["ordinals"].items()},
        facets={facet: Phrases.of(values) for facet, values in slots["facets"].items()},
        chatter=Phrases.of(sorted(chatter_words(intents))),
    )


@cache
def common(extra_towns: tuple[tuple[str, str], ...] = ()) -> Common:
    """The shared names; `extra_towns` adds (region, town) pairs taken from the catalogues' locations."""
    data = _read(LEXICON_DIR / "common.yaml")
    regions: dict[str, list[str]] = {region: list(names) for region, names in data["regions"].items()}
    towns: dict[str, Phrases] = {}
    town_forms: list[str] = []
    for region, town in extra_towns:
        # A town listed word for word keeps to its listed forms: 'villány*' would take villanyszerelő
        # (electrician). Any other town's common endings ('Kranju', 'Kutini', 'Pécsett') share its first letters.
        listed = [name for name in regions[region] if _listed_form_of(town, name)]
        if town in data.get("listed_towns", ()):
            towns[town] = Phrases.of(listed)
            town_forms += listed
            continue
        regions[region].append(town if len(town) < 5 else town + "*")
        towns[town] = Phrases.of([_town_stem(town), *listed])  # 'u Sisku': the forms a stem misses
        town_forms += [_town_stem(town), *listed]
    return Common(
        regions={region: Phrases.of(names) for region, names in regions.items()},
        languages={lang: Phrases.of(names) for lang, names in data["languages"].items()},
        towns=towns,
        any_place=Phrases.of([*town_forms, *(name for names in regions.values() for name in names)]),
        any_town=Phrases.of(town_forms),
    )


def _listed_form_of(town: str, name: str) -> bool:
    """Whether `name`, listed without a wildcard, is a form of `town` ('villányban' of 'Villány')."""
    folded, stem = fold(name), fold(town)
    starts = {stem[:-1] if len(stem) > 4 else stem}
    if len(stem) > 4 and stem[-2] in "aeiou":  # a fleeting vowel: Sisak, u Sisku
        starts.add(stem[:-2] + stem[-1])
    return not name.endswith("*") and folded.startswith(tuple(starts))


def _town_stem(town: str) -> str:
    """'Svitavy' -> 'svitav*', 'Nowy Targ' -> 'nowy* targ*': the forms a town takes in a sentence."""
    stems = []
    for word in town.split():
        folded = fold(word)
        stems.append((folded[:-1] if len(folded) > 4 and folded[-1] in "aeiouy" else folded) + "*")
    return " ".join(stems)
