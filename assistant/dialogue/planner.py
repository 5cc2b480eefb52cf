"""Decides what a message asks for in its conversation: the intent, the search and what 'it' refers to."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from assistant.dialogue.intents import Guess
from assistant.dialogue.slots import Slots
from assistant.dialogue.state import DialogueState
from assistant.records import COUNTRY_LANGUAGE, REGIONS
from assistant.text import COURSE_WORDS, fold, topic_words, words

CONFIDENT = 0.2  # similarity to an example above which its intent is taken as said
SEARCHING = ("find_training", "learn_skill", "occupation")
SMALL_TALK = ("greeting", "thanks", "help")
# Where a language is taught to newcomers: its country's region ('a Slovene course' is looked for in Gorenjska).
LANGUAGE_REGION = {COUNTRY_LANGUAGE[country]: region for region, country in REGIONS.items()}
# Every offering has an English title: the language's English name meets 'polštiny' and 'czeskiego' alike.
LANGUAGE_NAMES = {
    "sl": "Slovene",
    "hr": "Croatian",
    "pl": "Polish",
    "cs": "Czech",
    "hu": "Hungarian",
    "en": "English",
}
# 'Green', 'digital' in the six languages, folded: the theme's own name, never a topic ('computer' is one).
THEME_NAMES = ("green", "zelen", "zold", "zielon", "digital", "cyfrow")
LANGUAGE_WORDS = ("jezik", "jezyk", "jazyk", "nyelv", "langu")  # 'language' in the six, folded stems
GUIDANCE = ("funding", "registration", "prior_learning", "work_abroad", "counsellor")


@dataclass(frozen=True)
class Plan:
    intent: str
    topic: str | None = None  # the text to search for
    conditions: dict[str, Any] = field(default_factory=dict)
    target: str | None = None  # an offering id referred to
    ordinal: str | None = None  # a number from the list that was not found
    facets: tuple[str, ...] = ()
    more: bool = False
    new_region: str | None = None
    new_lang: str | None = None
    search_region: str | None = None  # where this one search looks, without moving the conversation there


def has_topic(slots: Slots, lang: str) -> bool:
    """Whether words are left that could name a trade, a skill or an occupation."""
    return bool(_topic_words(slots, lang))


def _topic_words(slots: Slots, lang: str) -> list[str]:
    return [word for word in topic_words(slots.leftover, (lang, "en")) if len(word) > 2]


def plan(text: str, slots: Slots, guesses: list[Guess], state: DialogueState, lang: str) -> Plan:
    """The plan for `text`: the classifier's guess, corrected by slots and the conversation so far."""
    topical = has_topic(slots, lang)
    asks_for_a_course = any(fold(word) in COURSE_WORDS for word in words(text))
    guesses = _plausible(
        guesses,
        topic=len(_topic_words(slots, lang)),
        words=len(text.split()),
        course=asks_for_a_course,
        # 'Is there something free online?' asks for a list: a place or a mode is never a fact of one offering.
        asks_a_fact=(bool({"cost", "dates"} & set(slots.facets)) or bool(slots.free))
        and not {"mode", "region", "town"} & set(slots.search_conditions()),
        asks_cost_or_dates=bool({"cost", "dates"} & set(slots.facets)),
        abroad=slots.abroad,
        points_at_one=slots.this_one,
    )
    best = guesses[0] if guesses else Guess("out_of_scope", 0.0)
    confident = best.score >= CONFIDENT

    # "Can we talk English, my Slovenian is not good": the first language named that is not the current one.
    named = [code for code in slots.languages if code != state.lang] or list(slots.languages)
    if named and not asks_for_a_course and (best.intent == "change_language" or not topical):
        return Plan("change_language", new_lang=named[0])
    learning = asks_for_a_course or best.intent in ("find_training", "learn_skill")
    if slots.languages and learning and not _words_beyond_language(slots, lang):
        # "Where can I learn Slovene?": the language is the topic, and is taught where it is spoken.
        intent = best.intent if best.intent in ("find_training", "learn_skill") else "learn_skill"
        region = None if slots.region else LANGUAGE_REGION.get(slots.languages[0])
        topic = f"{slots.topic} {LANGUAGE_NAMES[slots.languages[0]]}"
        return Plan(intent, topic=topic, conditions=slots.search_conditions(), search_region=region)
    refinement = slots.search_conditions()
    small_talk = best.intent in SMALL_TALK and best.score >= 0.4
    # "Who pays for it when I am unemployed?" names a group, yet asks about funding, not for a narrower list.
    narrows = set(refinement) - {"group"}  # 'which are free?', 'and in Sisak?' narrow the list whatever else
    if best.intent == "funding" and asks_for_a_course and not (slots.follow_up or slots.this_one):
        narrows.discard("free")  # 'is there a subsidy for courses?' asks about funding, not about this list
    guidance = confident and best.intent in GUIDANCE and not narrows
    # "Something online instead" narrows the last search; "also selling my products online" starts a new one.
    own_topic = topical and (asks_for_a_course or confident and best.intent == "occupation")
    # "I have moved to Croatia, near Sisak": where the person now is, not a narrower list ('and in Sisak?').
    moved = best.intent == "change_region" and slots.region and not topical and not slots.follow_up
    refines = (
        state.topic
        and refinement
        and (slots.follow_up and not own_topic or not topical)
        and not small_talk
        and not guidance
        and not moved
    )
    # A place or a mode always narrows the list; 'is it free?', 'the one for over-50s' may point at one offering.
    about_one = (slots.this_one or confident and best.intent == "course_details") and not slots.follow_up
    points = slots.ordinal or about_one and not set(refinement) & {"region", "town", "mode"}
    if refines and not points:  # "something online?" narrows the list; "is this one free?" points into it
        return _refine(state, slots)
    reference = _reference(slots, state)
    if reference is not None and _about_one_offering(slots, best, confident, topical=topical):
        target, ordinal = reference
        topic = slots.topic if topical and not slots.ordinal else None
        return Plan("course_details", topic=topic, target=target, ordinal=ordinal, facets=slots.facets)
    few_words = len(topic_words(slots.leftover, (lang, "en"))) <= 1
    if slots.more and state.intent in SEARCHING and (few_words or best.intent == "find_training"):
        return _refine(state, slots, more=True)
    if refines:
        return _refine(state, slots)
    if slots.region and not topical and (not confident or best.intent == "change_region" or moved):
        return Plan("change_region", new_region=slots.region)
    if not confident:
        if not topical:
            return Plan("out_of_scope" if text.strip() else "help")
        # A topic with no clear intent: the main thing people come for is training.
        return Plan("find_training", topic=slots.topic or text, conditions=slots.search_conditions())
    if best.intent in SEARCHING:
        # "Find a course" names no topic: the conditions alone, or a question back. So does "green jobs
        # interest me": its only topic is the theme, which the conditions hold.
        said = {fold(word) for word in _topic_words(slots, lang)}
        only_theme = bool(said) and all(word.startswith(THEME_NAMES) for word in said)
        searched = slots.topic if topical and not only_theme else None
        return Plan(best.intent, topic=searched, conditions=slots.search_conditions())
    if best.intent == "course_details":
        if topical:  # "how much is the beekeeping course?": the offering is named, not pointed at
            return Plan("course_details", topic=slots.topic or text, facets=slots.facets)
        return Plan("course_details", facets=slots.facets)
    return Plan(best.intent, conditions=slots.search_conditions(), new_region=slots.region)


def _words_beyond_language(slots: Slots, lang: str) -> list[str]:
    return [word for word in _topic_words(slots, lang) if not fold(word).startswith(LANGUAGE_WORDS)]


def _plausible(
    guesses: list[Guess],
    *,
    topic: int,
    words: int,
    course: bool = False,
    asks_a_fact: bool = False,
    asks_cost_or_dates: bool = False,
    abroad: bool = False,
    points_at_one: bool = False,
) -> list[Guess]:
    """The guesses without those the message's own words rule out."""
    kept = guesses
    # 'I'd go abroad driving trucks, what do I need to know?' asks about working abroad, not about the trade.
    if abroad and kept and kept[0].intent != "work_abroad":
        elsewhere = next((g for g in kept if g.intent == "work_abroad"), None)
        if elsewhere is not None and elsewhere.score >= 0.5 * kept[0].score:
            kept = [elsewhere, *[g for g in kept if g is not elsewhere]]
    # 'Good day, what can you do?' greets, but asks what the assistant can do.
    if len(kept) > 1 and kept[0].intent == "greeting":
        help_ = next((g for g in kept if g.intent == "help"), None)
        if help_ is not None and help_.score >= 0.6 * kept[0].score:
            kept = [help_, *[g for g in kept if g is not help_]]
    # 'How much is the chainsaw course?' asks a fact of one offering it names, not for a list.
    # 'When is the next chainsaw course?' names the course and asks when: details, even when a search scores higher;
    # 'is it paid or do I pay?' asks it of the offering pointed at.
    named = topic or points_at_one
    if asks_a_fact and named and kept and kept[0].intent in ("find_training", "learn_skill", "funding"):
        details = next((g for g in kept if g.intent == "course_details"), None)
        searching = (
            kept[0].intent != "funding"
        )  # 'is there money to pay for the training?' asks about funding
        close = 0.4 if asks_cost_or_dates and course and searching else 0.85
        if details is not None and details.score >= close * kept[0].score:
            kept = [details, *[g for g in kept if g is not details]]
    plainly_small_talk = bool(guesses) and guesses[0].intent in SMALL_TALK and guesses[0].score >= 0.4
    # 'thanks a lot, you helped me a lot': far nearer thanks than anything else, whatever words are left.
    clearly = plainly_small_talk and (len(guesses) < 2 or guesses[1].score < 0.5 * guesses[0].score)
    if topic and words > 3 and not (plainly_small_talk and topic == 1 or clearly):
        # "Hello, I'm looking for a welding course in Kranj" is more than a greeting.
        kept = [g for g in kept if g.intent not in SMALL_TALK] or kept
    # "I need to learn Polish" names a language but asks for a course; so does "a course in diving, call me".
    doubtful = (
        *(("change_language",) if course else ()),
        *(("counsellor", "prior_learning", "change_region", "occupation") if course and topic else ()),
    )
    if kept and kept[0].intent in doubtful:
        learning = [g for g in kept if g.intent in ("find_training", "learn_skill")]
        if learning and learning[0].score >= 0.5 * kept[0].score:
            kept = [learning[0], *[g for g in kept if g is not learning[0]]]
    return kept


def _about_one_offering(slots: Slots, best: Guess, confident: bool, *, topical: bool) -> bool:
    if slots.ordinal or best.intent == "course_details":
        return True
    elsewhere = confident and best.intent not in ("find_training", "course_details", *SMALL_TALK)
    # "Where is it?" points back; "where can I learn welding?" asks anew.
    return bool(slots.facets) and not topical and not elsewhere


def _refine(state: DialogueState, slots: Slots, *, more: bool = False) -> Plan:
    # "And in Sisak?" after any search, even one about an occupation, asks for offerings.
    return Plan(
        "find_training",
        topic=state.topic,
        conditions=slots.merged_over(state.conditions),
        more=more,
    )


def _reference(slots: Slots, state: DialogueState) -> tuple[str | None, str | None] | None:
    """The offering a follow-up points at: a number from the last list, or the one talked about."""
    if slots.ordinal and state.shown:
        if slots.ordinal == "last":
            return state.shown[-1], None
        number = int(slots.ordinal)
        if 1 <= number <= len(state.shown):
            return state.shown[number - 1], None
        return None, slots.ordinal
    if (slots.this_one or slots.facets) and (state.focus or state.shown):
        return state.focus or state.shown[0], None
    return None


def quick_reply_plan(key: str, state: DialogueState, text: str) -> Plan | None:
    """The plan of a quick reply the assistant offered: its meaning is known, not guessed."""
    conditions = {"suggest_online": {"mode": "online"}, "suggest_free": {"free": True}}
    if key in conditions and state.topic:
        return Plan("find_training", topic=state.topic, conditions={**state.conditions, **conditions[key]})
    if key == "suggest_more" and state.topic:
        return Plan("find_training", topic=state.topic, conditions=dict(state.conditions), more=True)
    facets = {"suggest_when": ("dates",), "suggest_cost": ("cost",), "suggest_apply": ("apply",)}
    shown = state.focus or (state.shown[0] if state.shown else None)
    if key in facets and shown:
        return Plan("course_details", target=shown, facets=facets[key])
    if key == "suggest_details_first" and state.shown:
        return Plan("course_details", target=state.shown[0])
    simple = {
        "suggest_find": "find_training",
        "suggest_counsellor": "counsellor",
        "suggest_funding": "funding",
        "suggest_register": "registration",
        "suggest_prior": "prior_learning",
        "suggest_region": "change_region",
    }
    if key in simple:
        return Plan(simple[key])
    if key == "suggest_skills":
        return Plan("occupation", topic=text)
    return None
