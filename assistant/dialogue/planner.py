"""Decides what a message asks for in its conversation: the intent, the search and what 'it' refers to."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from assistant.dialogue.intents import Guess
from assistant.dialogue.slots import Slots
from assistant.dialogue.state import DialogueState
from assistant.text import topic_words

CONFIDENT = 0.45  # similarity to an example above which its intent is taken as said
SEARCHING = ("find_training", "learn_skill", "occupation")
SMALL_TALK = ("greeting", "thanks", "help")


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


def has_topic(slots: Slots, lang: str) -> bool:
    """Whether words are left that could name a trade, a skill or an occupation."""
    return any(len(word) > 2 for word in topic_words(slots.leftover, (lang, "en")))


def plan(text: str, slots: Slots, guesses: list[Guess], state: DialogueState, lang: str) -> Plan:
    """The plan for `text`: the classifier's guess, corrected by slots and the conversation so far."""
    best = guesses[0] if guesses else Guess("out_of_scope", 0.0)
    confident = best.score >= CONFIDENT
    topical = has_topic(slots, lang)

    if slots.language and (best.intent == "change_language" or not topical):
        return Plan("change_language", new_lang=slots.language)
    reference = _reference(slots, state)
    if reference is not None and (slots.ordinal or slots.facets or best.intent == "course_details"):
        target, ordinal = reference
        return Plan("course_details", target=target, ordinal=ordinal, facets=slots.facets)
    if slots.more and state.intent in SEARCHING and (not topical or best.intent == "find_training"):
        return _refine(state, slots, more=True)
    refinement = slots.search_conditions()
    if state.topic and refinement and (slots.follow_up or not topical) and best.intent not in SMALL_TALK:
        return _refine(state, slots)
    if slots.region and not topical and (not confident or best.intent == "change_region"):
        return Plan("change_region", new_region=slots.region)
    if confident or not topical:
        intent = best.intent if confident else ("help" if not text.strip() else best.intent)
        if not confident and not topical:
            intent = "out_of_scope" if best.score < 0.2 else best.intent
        if intent in SEARCHING or intent == "course_details" and topical:
            return Plan(
                "find_training" if intent == "course_details" else intent,
                topic=slots.topic or text,
                conditions=slots.search_conditions(),
            )
        return Plan(intent, conditions=slots.search_conditions(), new_region=slots.region)
    # A topic with no clear intent: the main thing people come for is training.
    return Plan("find_training", topic=slots.topic or text, conditions=slots.search_conditions())


def _refine(state: DialogueState, slots: Slots, *, more: bool = False) -> Plan:
    return Plan(
        state.intent or "find_training",
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
