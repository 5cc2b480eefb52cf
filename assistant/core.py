"""The one object that answers: `Assistant.reply(conversation_id, text)` for every channel."""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from assistant.answer import Answer, Source
from assistant.catalogue import Catalogue
from assistant.compose import Composed, Composer, course_title
from assistant.config import LANGUAGES, ConversationSettings
from assistant.conversations import ConversationStore
from assistant.dialogue.intents import GUIDANCE_INTENTS, IntentClassifier
from assistant.dialogue.planner import Plan, plan, quick_reply_plan
from assistant.dialogue.slots import read_slots
from assistant.dialogue.state import DialogueState
from assistant.heap import freeze_loaded
from assistant.language import LanguageDetector
from assistant.lexicon import common, lexicon
from assistant.llm import LlmWriter
from assistant.records import COUNTRY_LANGUAGE, REGIONS, Course
from assistant.search import Filters, Hit, Searcher
from assistant.text import fold

log = logging.getLogger(__name__)

LANGUAGE_REGION = {
    lang: region for region, country in REGIONS.items() for lang in [COUNTRY_LANGUAGE[country]]
}
SHOWN = 3
CANDIDATES = 30
# A hit fits when a word of the question matched one of its names, or its embedding is this close.
DENSE_FIT = 0.86
# ... and it scores at least this share of the best hit. Measured on the dialogue dev set: 0.5 let one
# loosely related offering in beside the right ones in a quarter of the searches; 0.8 keeps lists short.
RELATIVE_FIT = 0.8
SHORT_MESSAGE_LETTERS = 12
# Unaccented, colloquial Slovene and Croatian read alike ('a je kaka pomoc za placilo tecajev?'); between
# these two the conversation's language holds on a closer call than between any other pair.
SIBLING_LANGUAGES = frozenset({"sl", "hr"})
LEXICON_WEIGHT = 0.5
STEM = 5  # letters of a word that must meet a name's word
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


class MessageTooLong(ValueError):
    def __init__(self, limit: int, message: str) -> None:
        super().__init__(message)
        self.limit = limit

    def __reduce__(self):  # raised in a worker process, re-raised in the server's
        return MessageTooLong, (self.limit, str(self))


@dataclass
class Outcome:
    """What one turn produced before it becomes an Answer."""

    composed: Composed
    sources: list[Source] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)  # message keys
    uses_esco: bool = False
    unmet: bool = False
    courses: list[Course] = field(default_factory=list)  # the offerings the text states facts of


class Assistant:
    """Understands a message in its conversation, retrieves, composes a grounded reply and remembers."""

    def __init__(
        self,
        *,
        searcher: Searcher,
        catalogue: Catalogue,
        store: ConversationStore,
        composer: Composer,
        detector: LanguageDetector,
        settings: ConversationSettings,
        llm: LlmWriter | None = None,
        today: Callable[[], dt.date] = dt.date.today,
    ) -> None:
        self.searcher = searcher
        self.catalogue = catalogue
        self.store = store
        self.composer = composer
        self.detector = detector
        self.settings = settings
        self.llm = llm
        self.today = today
        self._lexicons = {lang: lexicon(lang) for lang in LANGUAGES}
        self._common = common(catalogue.towns())
        self._classifier = IntentClassifier(list(self._lexicons.values()))
        self._quick_replies = {
            _quick_key(text): key
            for table in composer.messages.tables.values()
            for key, text in table.items()
            if key.startswith("suggest_")
        }

    def warm_up(self) -> None:
        """Load what the first reply would otherwise wait for, then freeze it out of garbage collection."""
        self.searcher.warm_up()
        freeze_loaded()

    def index_counts(self) -> tuple[dict[str, int], dict[str, int]]:
        """Records and vectors per kind in the index this assistant searches."""
        return self.searcher.index_counts()

    def reply(
        self,
        conversation_id: str,
        text: str,
        *,
        lang: str | None = None,
        lang_hint: str | None = None,
        region: str | None = None,
    ) -> Answer:
        """Answer `text` in its conversation; `lang` is a person's explicit choice, the rest channel hints."""
        with self.searcher.conversation(conversation_id):
            return self._reply(conversation_id, text, lang=lang, lang_hint=lang_hint, region=region)

    def _reply(
        self, conversation_id: str, text: str, *, lang: str | None, lang_hint: str | None, region: str | None
    ) -> Answer:
        text = text.strip()
        stored = self.store.load(conversation_id)
        state = DialogueState.from_json(stored.state if stored else None)
        reply_lang = self._language(text, state, explicit=lang, hint=lang_hint)
        limit = self.settings.max_message_chars
        if len(text) > limit:
            raise MessageTooLong(limit, self.composer.t(reply_lang, "too_long", limit=limit))
        if region in REGIONS and state.region is None:
            state.region = region
        if not text:
            return Answer(
                conversation_id=conversation_id,
                text=self.composer.t(reply_lang, "empty_message"),
                lang=reply_lang,
            )
        today = self.today()
        langs = tuple(dict.fromkeys((reply_lang, "en")))
        slots = read_slots(text, [self._lexicons[code] for code in langs], self._common, today=today)
        guesses = self._classifier.classify(text, langs)
        quick = self._quick_replies.get(_quick_key(text))
        decided = (quick and quick_reply_plan(quick, state, text)) or plan(
            text, slots, guesses, state, reply_lang
        )
        if decided.intent == "change_language" and decided.new_lang:
            reply_lang = decided.new_lang
            state.lang, state.lang_chosen = reply_lang, True
        outcome = self._carry_out(decided, state, reply_lang, text, today)
        answer = self._answer(conversation_id, decided.intent, reply_lang, outcome, text)
        state.lang = reply_lang
        self.store.save_turn(
            conversation_id,
            user_text=text,
            reply_text=answer.text,
            lang=reply_lang,
            region=state.region,
            intent=decided.intent,
            sources=[source.id for source in answer.sources],
            answered_by=answer.answered_by,
            state=state.to_json(),
        )
        if outcome.unmet:
            self.store.record_unmet(
                conversation_id=conversation_id,
                text=text,
                lang=reply_lang,
                region=self._region(decided, state, reply_lang),
                intent=decided.intent,
            )
        return answer

    def choose(self, conversation_id: str, *, lang: str | None = None, region: str | None = None) -> None:
        """Remember a person's choice of language or region (a channel's menu), before or between turns."""
        stored = self.store.load(conversation_id)
        state = DialogueState.from_json(stored.state if stored else None)
        if lang is not None:
            if lang not in LANGUAGES:
                raise ValueError(f"unknown language {lang!r}")
            state.lang, state.lang_chosen = lang, True
        if region is not None:
            if region not in REGIONS:
                raise ValueError(f"unknown region {region!r}")
            state.region = region
        self.store.save_state(conversation_id, lang=state.lang, region=state.region, state=state.to_json())

    def preferences(self, conversation_id: str) -> tuple[str | None, str | None]:
        """The conversation's language and region, or (None, None) for a new one."""
        stored = self.store.load(conversation_id)
        state = DialogueState.from_json(stored.state if stored else None)
        return state.lang, state.region

    def forget(self, conversation_id: str) -> bool:
        """Delete everything stored about a conversation."""
        self.searcher.forget_conversation(conversation_id)
        return self.store.delete(conversation_id)

    # --- language -------------------------------------------------------------------------------

    def _language(self, text: str, state: DialogueState, *, explicit: str | None, hint: str | None) -> str:
        if explicit in LANGUAGES:
            state.lang, state.lang_chosen = explicit, True
            return explicit
        # "and in Jesenice?": a place's name says where, not which language the person writes.
        text = self._without_place_names(text)
        ranked = self._ranked_languages(text)
        letters = sum(ch.isalpha() for ch in text)
        known = state.lang or (hint if hint in LANGUAGES else None)
        if not ranked or letters < SHORT_MESSAGE_LETTERS and known:
            # 'ok', '2', 'Kranj': too short to tell; keep the conversation's language.
            return known or self.settings.default_lang
        best, confidence = ranked[0]
        if known is None or best == known:
            return best
        if state.lang_chosen:
            return known if len(text.split()) < 6 or confidence < 0.8 else best
        conversation_confidence = dict(ranked).get(known, 0.0)
        # Close calls stay with the conversation's language.
        close = 0.5 if {known, best} == SIBLING_LANGUAGES else 0.6
        return known if conversation_confidence >= close * confidence else best

    def _without_place_names(self, text: str) -> str:
        folded = fold(text)
        if len(folded) != len(text) or not self._common.any_place.found(folded):
            return text
        chars = list(text)
        for phrases in (*self._common.regions.values(), *self._common.towns.values()):
            for start, end in phrases.spans(folded):
                chars[start:end] = " " * (end - start)
        return "".join(chars)

    def _ranked_languages(self, text: str) -> list[tuple[str, float]]:
        """lingua's confidences, lifted by how many of the words each language's example messages use:
        short, unaccented messages ('dobry den', 'hledam kurz') are where lingua alone guesses wrong."""
        coverage = self._classifier.coverage(text)
        scores = {lang: confidence for lang, confidence in self.detector.ranked(text)}
        if not scores:
            return []
        weight = LEXICON_WEIGHT * (2 if len(text.split()) <= 3 else 1)
        combined = {lang: scores.get(lang, 0.0) + weight * coverage.get(lang, 0.0) for lang in LANGUAGES}
        total = sum(combined.values()) or 1.0
        return sorted(((lang, score / total) for lang, score in combined.items()), key=lambda kv: -kv[1])

    # --- carrying out a plan ---------------------------------------------------------------------

    def _carry_out(
        self, decided: Plan, state: DialogueState, lang: str, text: str, today: dt.date
    ) -> Outcome:
        t = self.composer.t
        intent = decided.intent
        if intent in ("find_training", "learn_skill"):
            return self._courses(decided, state, lang, today)
        if intent == "occupation":
            return self._occupation(decided, state, lang, today, text)
        if intent == "course_details":
            return self._course_details(decided, state, lang, today)
        if intent in GUIDANCE_INTENTS:
            return self._guidance(decided, state, lang, text)
        if intent == "change_language":
            key = "language_changed" if decided.new_lang else "which_language"
            return Outcome(Composed(t(lang, key)), suggestions=["suggest_find", "suggest_funding"])
        if intent == "change_region":
            if decided.new_region:
                state.region = decided.new_region
                region_name = t(lang, f"region_{decided.new_region}")
                return Outcome(
                    Composed(t(lang, "region_changed", region=region_name)), suggestions=["suggest_find"]
                )
            return Outcome(Composed(t(lang, "which_region")))
        if intent == "greeting":
            return Outcome(
                Composed(t(lang, "greeting")),
                suggestions=["suggest_find", "suggest_skills", "suggest_funding"],
            )
        if intent == "help":
            return Outcome(
                Composed(t(lang, "help")),
                suggestions=["suggest_find", "suggest_skills", "suggest_counsellor"],
            )
        if intent == "thanks":
            return Outcome(Composed(t(lang, "thanks")), suggestions=["suggest_find", "suggest_counsellor"])
        return Outcome(Composed(t(lang, "out_of_scope")), suggestions=["suggest_find", "suggest_counsellor"])

    def _region(self, decided: Plan, state: DialogueState, lang: str) -> str | None:
        return decided.conditions.get("region") or state.region or LANGUAGE_REGION.get(lang)

    def _courses(self, decided: Plan, state: DialogueState, lang: str, today: dt.date) -> Outcome:
        t = self.composer.t
        region = decided.search_region or self._region(decided, state, lang)
        conditions = {**decided.conditions, **({"region": region} if region else {})}
        if decided.conditions.get("region"):
            state.region = decided.conditions["region"]
        topic = decided.topic or ""
        if not topic.strip() and not {k for k in decided.conditions if k not in ("region", "town")}:
            if decided.conditions.get("region"):
                state.region = decided.conditions["region"]
            return Outcome(Composed(t(lang, "ask_topic")), suggestions=["suggest_skills", "suggest_funding"])
        fitting = self._fitting_courses(topic, conditions, lang, today)
        offset = state.offset if decided.more else 0
        state.intent, state.topic, state.conditions = (
            decided.intent,
            topic,
            {k: v for k, v in conditions.items() if k != "region"},
        )
        if fitting and offset < len(fitting):
            page = fitting[offset : offset + SHOWN]
            state.shown, state.offset, state.focus = [c.id for c in page], offset + len(page), None
            key = "courses_more" if offset else "courses_found"
            intro = t(lang, key, conditions=self.composer.conditions(lang, conditions))
            composed = self.composer.courses(page, lang, intro=intro, start=1, today=today)
            suggestions = ["suggest_details_first", "suggest_when"]
            if conditions.get("mode") != "online":
                suggestions.append("suggest_online")
            if not conditions.get("free"):
                suggestions.append("suggest_free")
            if len(fitting) > offset + SHOWN:
                suggestions.append("suggest_more")
            return Outcome(composed, self._course_sources(page, lang), suggestions, courses=page)
        if fitting:  # asked for more than there is
            return Outcome(Composed(t(lang, "no_more_courses")), suggestions=["suggest_counsellor"])
        return self._nothing_fits(topic, conditions, state, lang, today)

    def _nothing_fits(
        self, topic: str, conditions: dict, state: DialogueState, lang: str, today: dt.date
    ) -> Outcome:
        t = self.composer.t
        parts = [t(lang, "nothing_fits", conditions=self.composer.conditions(lang, conditions))]
        region = conditions.get("region")
        nearest = self._fitting_courses(topic, {"region": region} if region else {}, lang, today)
        if not nearest and topic:
            nearest = self._fitting_courses(topic, {}, lang, today)
        nearest = nearest[:SHOWN]
        quoted: list[str] = []
        if nearest:
            composed = self.composer.courses(nearest, lang, intro=t(lang, "nearest"), today=today)
            parts.append(composed.text)
            quoted += composed.quoted
            state.shown, state.offset, state.focus = [c.id for c in nearest], len(nearest), None
        sources = self._course_sources(nearest, lang)
        counsellor = self._counsellor(region, lang)
        if counsellor is not None:
            page, contact = counsellor
            parts.append(t(lang, "counsellor_offer", contact=contact))
            sources.append(
                Source(id=page.id, kind="guidance", title=page.title, url=str(page.url) if page.url else None)
            )
        parts.append(t(lang, "unmet_recorded"))
        return Outcome(
            Composed("\n\n".join(parts), quoted),
            sources,
            ["suggest_counsellor", "suggest_region"],
            unmet=True,
            courses=nearest,
        )

    def _counsellor(self, region: str | None, lang: str):
        country = REGIONS.get(region or "") or None
        if country is None:
            return None
        page = self.catalogue.guidance_page(country=country, topic="counsellor", lang=lang)
        if page is None:
            return None
        email = EMAIL.search(page.body)
        return page, email.group(0) if email else page.title

    def _fitting_courses(self, topic: str, conditions: dict, lang: str, today: dt.date) -> list[Course]:
        """Offerings that fit the topic and every condition, best first."""
        mode = conditions.get("mode")
        filters = Filters(
            region=conditions.get("region"),
            mode="online" if mode == "online" else None,
            free=True if conditions.get("free") else None,
            theme=conditions.get("theme"),
        )
        found: list[Course] = []
        if topic.strip():
            hits = self.searcher.search(topic, kinds=("course",), k=CANDIDATES, lang=lang, filters=filters)
            # The place, month and group narrow the hits first; what is left must still fit the topic. When
            # nothing for the group fits, offerings open to all do: 'we have a farm, I want to sell online' is
            # answered by a web shop course for anyone.
            best = hits[0].score if hits else 0.0
            for narrowing in (conditions, {k: v for k, v in conditions.items() if k != "group"}):
                kept = [
                    h
                    for h in hits
                    if h.id in self.catalogue.courses
                    and _meets_conditions(self.catalogue.courses[h.id], narrowing, today)
                ]
                # What the place or group leaves must be near the best hit, or close in meaning on its own.
                if kept and (kept[0].score >= 0.5 * best or kept[0].dense >= DENSE_FIT):
                    found = [self.catalogue.courses[h.id] for h in _fits(kept)]
                if found or "group" not in conditions:
                    break
        else:
            # Only conditions ("free online courses"): every offering that meets them, soonest first.
            found = sorted(
                (
                    c
                    for c in self.catalogue.courses.values()
                    if _meets(c, filters) and _meets_conditions(c, conditions, today)
                ),
                key=lambda c: (not c.rolling and not c.dates, min((s.start for s in c.dates), default=today)),
            )
        return found

    def _course_sources(self, courses: list[Course], lang: str) -> list[Source]:
        return [
            Source(
                id=c.id,
                kind="course",
                title=course_title(c, lang),
                url=str(c.apply.url) if c.apply.url else None,
            )
            for c in courses
        ]

    def _course_details(self, decided: Plan, state: DialogueState, lang: str, today: dt.date) -> Outcome:
        t = self.composer.t
        course = self._named_course(decided.topic, state, lang) if decided.topic else None
        course = course or self.catalogue.courses.get(decided.target or "")
        if course is None:
            if decided.ordinal and state.shown:
                text = t(lang, "no_such_number", number=decided.ordinal, count=len(state.shown))
            else:
                text = t(lang, "which_course")
            return Outcome(Composed(text), suggestions=["suggest_find"])
        state.focus = course.id
        composed = self.composer.course_detail(course, lang, decided.facets, today=today)
        suggestions = [
            key
            for facet, key in (
                ("dates", "suggest_when"),
                ("cost", "suggest_cost"),
                ("apply", "suggest_apply"),
            )
            if facet not in decided.facets
        ]
        return Outcome(composed, self._course_sources([course], lang), suggestions, courses=[course])

    def _named_course(self, topic: str, state: DialogueState, lang: str) -> Course | None:
        """The offering a question names ('the beekeeping course'): one shown before, else the best fit."""
        region = state.region or LANGUAGE_REGION.get(lang)
        hits = _fits(
            self.searcher.search(topic, kinds=("course",), k=10, lang=lang, filters=Filters(region=region))
        )
        shown = [h for h in hits if h.id in state.shown]
        chosen = (shown or hits)[:1]
        return self.catalogue.courses.get(chosen[0].id) if chosen else None

    def _occupation(
        self, decided: Plan, state: DialogueState, lang: str, today: dt.date, text: str = ""
    ) -> Outcome:
        t = self.composer.t
        topic = decided.topic or ""
        hits = self.searcher.search(topic, kinds=("occupation",), k=10, lang=lang) if topic else []
        named = self._named_occupation(hits, f"{topic} {text}", lang)
        occupation = self.catalogue.occupation(named, lang) if named else None
        if occupation is None:
            fallback = self._courses(replace(decided, intent="find_training"), state, lang, today)
            if fallback.courses and not fallback.unmet:
                return fallback
            return Outcome(
                Composed(t(lang, "occupation_unknown")),
                suggestions=["suggest_find", "suggest_counsellor"],
                unmet=True,
            )
        state.intent, state.topic, state.occupation = "occupation", topic, occupation.uri
        region = self._region(decided, state, lang)
        linked = [self.catalogue.courses[i] for i in self.catalogue.courses_for_occupation(occupation)]
        linked = [c for c in linked if region is None or c.region == region][:SHOWN]
        courses = None
        if linked:
            courses = self.composer.courses(linked, lang, intro=t(lang, "occupation_courses"), today=today)
            state.shown, state.offset, state.focus = [c.id for c in linked], len(linked), None
        composed = self.composer.occupation(occupation, lang, courses=courses)
        composed.text += "\n\n" + t(lang, "esco_attribution")
        source = Source(id=occupation.uri, kind="occupation", title=occupation.title, url=occupation.uri)
        suggestions = (
            ["suggest_details_first", "suggest_counsellor"]
            if linked
            else ["suggest_find", "suggest_counsellor"]
        )
        return Outcome(
            composed,
            [source, *self._course_sources(linked, lang)],
            suggestions,
            uses_esco=True,
            courses=linked,
        )

    def _named_occupation(self, hits: list[Hit], topic: str, lang: str) -> str | None:
        """The occupation the message names: of the hits, the one with the longest name all of whose words
        the message uses ('varilec' over 'varilec cevi' in 'kaj dela varilec'); else the best hit."""
        if not hits:
            return None
        said = {_stem(word) for word in fold(topic).split()}
        fitting = _fits(hits)
        best, best_length = (fitting[0].id if fitting else None), 0
        names = self.catalogue.names([hit.id for hit in hits], lang)
        for hit in hits:
            for name in names.get(hit.id, ()):
                name_words = [_stem(word) for word in fold(name).split()]
                if len(name_words) > best_length and all(word in said for word in name_words):
                    best, best_length = hit.id, len(name_words)
        return best

    def _guidance(self, decided: Plan, state: DialogueState, lang: str, text: str) -> Outcome:
        t = self.composer.t
        if decided.new_region:
            state.region = decided.new_region
        region = self._region(decided, state, lang)
        if region is None:
            return Outcome(Composed(t(lang, "which_region")), suggestions=["suggest_region"])
        page = self.catalogue.guidance_page(
            country=REGIONS[region], topic=GUIDANCE_INTENTS[decided.intent], lang=lang
        )
        if page is None:
            return Outcome(Composed(t(lang, "counsellor_intro")), unmet=True)
        composed = self.composer.guidance(page, lang, text)
        source = Source(
            id=page.id, kind="guidance", title=page.title, url=str(page.url) if page.url else None
        )
        suggestions = [
            "suggest_find",
            "suggest_counsellor" if decided.intent != "counsellor" else "suggest_funding",
        ]
        return Outcome(composed, [source], suggestions)

    # --- the answer -------------------------------------------------------------------------------

    def _answer(
        self, conversation_id: str, intent: str, lang: str, outcome: Outcome, question: str
    ) -> Answer:
        t = self.composer.t
        answer = Answer(
            conversation_id=conversation_id,
            text=outcome.composed.text,
            lang=lang,
            sources=outcome.sources,
            suggestions=[
                t(lang, key)
                for key in dict.fromkeys(outcome.suggestions)
                if key in self.composer.messages.tables["en"]
            ],
            intent=intent,
            uses_esco=outcome.uses_esco,
            quoted=[q for q in outcome.composed.quoted if q],
        )
        if self.llm is not None and outcome.sources and not outcome.unmet:
            written = self.llm.write(question=question, lang=lang, answer=answer, courses=outcome.courses)
            if written is not None:
                return written
        return answer


def _quick_key(text: str) -> str:
    return " ".join(fold(text).strip(" ?!.…").split())


def _stem(word: str) -> str:
    """A word's first letters, enough to meet its other endings ('natakarica', 'natakarca')."""
    return word.strip("?!.,;:()'\"")[:STEM]


def _fits(hits: list[Hit]) -> list[Hit]:
    """The hits that match the question well enough to be shown as an answer to it."""
    if not hits:
        return []
    top = hits[0]
    if top.lexical <= 0 and top.dense < DENSE_FIT:
        return []
    return [
        h for h in hits if h.score >= RELATIVE_FIT * top.score and (h.lexical > 0 or h.dense >= DENSE_FIT)
    ]


def _meets(course: Course, filters: Filters) -> bool:
    return (
        (filters.region is None or course.region == filters.region)
        and (filters.mode is None or course.mode.value == filters.mode)
        and (filters.free is None or course.free == filters.free)
        and (filters.theme is None or filters.theme in {theme.value for theme in course.themes})
    )


def _meets_conditions(course: Course, conditions: dict, today: dt.date) -> bool:
    """The conditions search filters cannot express: in person, start month, target group, town."""
    if conditions.get("mode") == "onsite" and course.mode.value == "online":
        return False
    if conditions.get("month") and not _starts_in(course, conditions["month"], today):
        return False
    if conditions.get("group") and conditions["group"] not in course.target_groups:
        return False
    town = conditions.get("town")
    return not town or town in course.locations or course.mode.value == "online"


def _starts_in(course: Course, month: int, today: dt.date) -> bool:
    return course.rolling or any(
        s.start.month == month and s.start >= today - dt.timedelta(days=31) for s in course.dates
    )
