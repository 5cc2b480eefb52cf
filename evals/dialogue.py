"""Dialogue eval: scripted conversations played turn by turn, each turn checked for language, intent, citations
and grounding. The dataset format is described in evals/datasets/DIALOGUES.md."""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.config import LANGUAGES
from assistant.core import Assistant
from assistant.dialogue.intents import INTENTS
from assistant.grounding import ungrounded
from assistant.language import own_words_language


@dataclass(frozen=True)
class Turn:
    user: str
    intent: str
    lang: str
    expected: frozenset[str] | None


@dataclass(frozen=True)
class Dialogue:
    id: str
    lang: str
    region: str | None
    hint: str | None  # the channel's language hint: the person's Telegram or browser language
    turns: tuple[Turn, ...]


def load_dialogues(path: Path) -> list[Dialogue]:
    """Read and check a dataset; a bad line is an error naming its line."""
    dialogues = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            lang = data["lang"]
            turns = []
            for turn in data["turns"]:
                lang = turn.get("lang", lang)
                expected = turn.get("expected")
                turns.append(
                    Turn(
                        turn["user"], turn["intent"], lang, None if expected is None else frozenset(expected)
                    )
                )
            dialogue = Dialogue(data["id"], data["lang"], data.get("region"), data.get("hint"), tuple(turns))
        except (ValueError, KeyError, TypeError) as error:
            raise ValueError(f"{path}:{number}: not a valid dialogue ({error})") from None
        if (
            any(t.lang not in LANGUAGES or t.intent not in INTENTS for t in dialogue.turns)
            or not dialogue.turns
        ):
            raise ValueError(f"{path}:{number}: a turn's lang or intent is not valid")
        dialogues.append(dialogue)
    return dialogues


def check_turn(
    assistant: Assistant, conversation_id: str, turn: Turn, region: str | None, hint: str | None = None
) -> dict[str, Any]:
    answer = assistant.reply(conversation_id, turn.user, region=region, lang_hint=hint)
    cited = [source.id for source in answer.sources]
    courses = [assistant.catalogue.courses[c] for c in cited if c in assistant.catalogue.courses]
    detected = own_words_language(answer.text, answer.quoted, assistant.detector)
    problems = ungrounded(answer.text, courses, all_course_ids=assistant.catalogue.courses)
    checks = {
        "language": answer.lang == turn.lang and detected in (None, turn.lang),
        "intent": answer.intent == turn.intent,
        "cited": turn.expected is None or set(cited) <= turn.expected,
        "grounded": not problems,
    }
    return {
        "user": turn.user,
        "lang": turn.lang,
        "intent": answer.intent,
        "expected_intent": turn.intent,
        "detected": detected,
        "cited": cited,
        "unexpected": sorted(set(cited) - turn.expected) if turn.expected is not None else [],
        "ungrounded": problems,
        "checks": checks,
        "passed": all(checks.values()),
    }


def evaluate(assistant: Assistant, dialogues: list[Dialogue]) -> dict[str, Any]:
    results = []
    for dialogue in dialogues:
        conversation_id = f"eval:{dialogue.id}:{uuid.uuid4().hex[:8]}"
        turns = [
            check_turn(assistant, conversation_id, turn, dialogue.region, dialogue.hint)
            for turn in dialogue.turns
        ]
        assistant.forget(conversation_id)
        results.append({"id": dialogue.id, "lang": dialogue.lang, "turns": turns})
    by_lang: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for result in results:
        by_lang[result["lang"]] += result["turns"]
    every = [turn for result in results for turn in result["turns"]]
    return {
        "overall": _figures(every),
        "by_lang": {lang: _figures(by_lang[lang]) for lang in LANGUAGES if lang in by_lang},
        "dialogues": results,
    }


def _figures(turns: list[dict[str, Any]]) -> dict[str, Any]:
    n = len(turns)

    def share(key: str) -> float:
        return round(sum(1 for t in turns if t["checks"][key]) / n, 4) if n else 0.0

    passed = round(sum(1 for t in turns if t["passed"]) / n, 4) if n else 0.0
    return {
        "turns": n,
        **{key: share(key) for key in ("language", "intent", "cited", "grounded")},
        "passed": passed,
    }


def format_table(result: dict[str, Any]) -> str:
    rows = [("", "turns", "language", "intent", "cited ⊆ expected", "grounded", "turns passed")]
    for name, figures in [*result["by_lang"].items(), ("overall", result["overall"])]:
        rows.append(
            (
                name,
                str(figures["turns"]),
                *(f"{figures[key]:.3f}" for key in ("language", "intent", "cited", "grounded", "passed")),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.rjust(width) for cell, width in zip(row, widths, strict=True)) for row in rows]
    failures = [
        f"{d['id']} turn {i}: {t['user']!r} -> {t['intent']} (expected {t['expected_intent']}); "
        + ", ".join(k for k, ok in t["checks"].items() if not ok)
        + (f"; unexpected {t['unexpected']}" if t["unexpected"] else "")
        + (f"; {t['ungrounded']}" if t["ungrounded"] else "")
        + (f"; reply read as {t['detected']}" if not t["checks"]["language"] else "")
        for d in result["dialogues"]
        for i, t in enumerate(d["turns"], start=1)
        if not t["passed"]
    ]
    return "\n".join(lines + ([""] + ["failed turns:", *failures] if failures else []))
