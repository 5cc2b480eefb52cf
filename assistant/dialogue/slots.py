"""Slots of a message: region or town, online/onsite, free, green/digital, start month, target group, references."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace

from assistant.lexicon import Common, Lexicon, Phrases
from assistant.text import fold

# A number followed by a unit counts something ('5 let', '3 months', '50 EUR'); it is not 'number 5'.
QUANTITY = re.compile(
    r"\d+\s*(?:let[ai]?|lat[a]?|rok[ua]?|roky|godin[aeu]?|years?|eve?[set]?|evig|evet|mesec\w*|miesi\w*|"
    r"mesic\w*|months?|honap\w*|hodin\w*|hours?|h|ur[ae]?|sati?|godz\w*|or[aá]\w*|eur\w*|km|%)(?!\w)"
)
# 'to work with older people', 'dolgozni idősekkel': the people one would work with are a topic, not who asks.
WORKING_WITH = re.compile(r"(?:\b(?:s|z|sa|se|ze|with)\s+$)")
HUNGARIAN_WITH = re.compile(r"\w*(?:([b-df-hj-np-tv-z])\1[ae]l|v[ae]l)\b")  # idősekkel, fiatalokkal
FACETS = ("dates", "cost", "place", "hours", "apply", "provider", "credential")


@dataclass(frozen=True)
class Slots:
    """What a message says about the search, beyond its topic."""

    region: str | None = None
    town: str | None = None
    mode: str | None = None  # online | onsite
    free: bool | None = None
    theme: str | None = None  # green | digital
    month: int | None = None
    group: str | None = None
    ordinal: str | None = None  # "1".."5" or "last"
    this_one: bool = False
    facets: tuple[str, ...] = ()
    follow_up: bool = False
    more: bool = False
    abroad: bool = False  # 'to go abroad', 'külföldre': work in another country
    languages: tuple[str, ...] = ()  # languages named in the message, in the order named
    leftover: str = ""  # the folded message with every slot phrase removed: its topic, if any
    topic: str = ""  # the same, in the message's own spelling: what to search for

    def search_conditions(self) -> dict[str, object]:
        return {
            k: v
            for k, v in (
                ("region", self.region),
                ("town", self.town),
                ("mode", self.mode),
                ("free", self.free),
                ("theme", self.theme),
                ("month", self.month),
                ("group", self.group),
            )
            if v is not None
        }

    def merged_over(self, earlier: dict[str, object]) -> dict[str, object]:
        """The search conditions of a follow-up: the earlier ones, overridden by what this message says."""
        merged = {**earlier, **self.search_conditions()}
        if self.region and not self.town:
            merged.pop("town", None)  # "and in Sisak-Moslavina?" widens a search narrowed to a town
        return merged


@dataclass
class _Matcher:
    folded: str
    removed: list[tuple[int, int]] = field(default_factory=list)

    def take(self, phrases: Phrases, *, keep: bool = False) -> bool:
        """Whether `phrases` occur; unless `keep`, they are cut from the topic."""
        spans = phrases.spans(self.folded)
        if not keep:
            self.removed += spans
        return bool(spans)

    def leftover(self, text: str | None = None) -> str:
        chars = list(self.folded if text is None else text)
        for start, end in self.removed:
            chars[start:end] = " " * (end - start)
        return " ".join("".join(chars).split())


def read_slots(text: str, lexicons: list[Lexicon], common: Common, *, today: dt.date) -> Slots:
    """Slots found in `text` by the lexicons of the languages it may be in (first wins on conflicts)."""
    matcher = _Matcher(fold(text))
    slots = Slots()
    slots = replace(slots, town=_named_town(matcher.folded, common))
    for region, phrases in common.regions.items() if common.any_place.found(matcher.folded) else ():
        if matcher.take(phrases) and slots.region is None:
            slots = replace(slots, region=region)
    named = []
    language_spans = []
    for lang, phrases in common.languages.items():
        spans = phrases.spans(matcher.folded)
        language_spans += spans
        named += [(start, lang) for start, _ in spans]
    slots = replace(slots, languages=tuple(dict.fromkeys(lang for _, lang in sorted(named))))
    # 'where can I learn to sell my products online?': selling online is what to learn, not how.
    selling = any(lexicon.slots["selling"].found(matcher.folded) for lexicon in lexicons)
    for lexicon in lexicons:
        slots = _language_slots(slots, matcher, lexicon, today, selling=selling)
    for lexicon in lexicons:  # "hello", "thanks a lot", "where can I": said around a topic, never the topic
        matcher.take(lexicon.chatter)
    # Folding keeps the length of almost every text, so the spans found in it cut the original too.
    # A language named stays in what is searched for ('a course of Slovene'), not among the topic's words.
    topic = matcher.leftover(text) if len(text) == len(matcher.folded) else matcher.leftover()
    matcher.removed += language_spans
    return replace(slots, leftover=matcher.leftover(), topic=topic)


def _named_town(folded: str, common: Common) -> str | None:
    """The town a message names; the longest name wins ('Kranjska Gora' over 'Kranj' in 'v Kranjski Gori')."""
    if not common.any_town.found(folded):
        return None
    named = [
        (end - start, -start, town)
        for town, phrases in common.towns.items()
        for start, end in phrases.spans(folded)
    ]
    return max(named)[2] if named else None


def _working_with(folded: str, start: int, end: int) -> bool:
    """Whether the group named at start:end are the people someone would work with, not who asks."""
    return bool(WORKING_WITH.search(folded[max(0, start - 6) : start]) or HUNGARIAN_WITH.match(folded, start))


def _language_slots(
    slots: Slots, matcher: _Matcher, lexicon: Lexicon, today: dt.date, *, selling: bool = False
) -> Slots:
    found: dict[str, object] = {}
    phrases = lexicon.slots
    if selling:
        pass  # 'online' stays in the topic
    elif matcher.take(phrases["online"]):
        found["mode"] = "online"
    elif matcher.take(phrases["onsite"]):
        found["mode"] = "onsite"
    if matcher.take(phrases["free"]):
        found["free"] = True
    for theme in ("green", "digital"):
        # 'computer', 'solar' are a filter and a topic at once: they stay in what is searched for.
        if matcher.take(phrases[theme], keep=True):
            found["theme"] = theme
    for month, month_phrases in lexicon.months.items():
        if matcher.take(month_phrases):
            found["month"] = month
    if matcher.take(phrases["next_month"]):
        found["month"] = today.month % 12 + 1
    elif matcher.take(phrases["this_month"]):
        found["month"] = today.month
    for group, group_phrases in lexicon.target_groups.items():
        spans = [
            span for span in group_phrases.spans(matcher.folded) if not _working_with(matcher.folded, *span)
        ]
        if spans:
            matcher.removed += spans
            found["group"] = group
    for key, ordinal_phrases in lexicon.ordinals.items():
        spans = [
            (start, end)
            for start, end in ordinal_phrases.spans(matcher.folded)
            if not QUANTITY.match(matcher.folded, start)  # '5 years in a warehouse' points at no 5th offering
        ]
        if spans:
            matcher.removed += spans
            found["ordinal"] = key
    facets = tuple(facet for facet, facet_phrases in lexicon.facets.items() if matcher.take(facet_phrases))
    if matcher.take(phrases["more"]):
        found["more"] = True
    if matcher.take(phrases["abroad"]):
        found["abroad"] = True
    if matcher.take(phrases["follow_up"]):
        found["follow_up"] = True
    if matcher.take(phrases["this_one"]):
        found["this_one"] = True
    current = {k: v for k, v in slots.__dict__.items() if v not in (None, False, (), "")}
    merged = {**found, **current}
    merged["facets"] = tuple(dict.fromkeys((*slots.facets, *facets)))
    return replace(slots, **{k: v for k, v in merged.items() if k not in ("leftover", "topic")})
