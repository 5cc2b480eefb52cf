"""The answer as server-sent events: the text in sentences as they are ready, then the whole Answer."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from assistant.answer import Answer

# A sentence ends at . ! ? … followed by a space, or at a line break (kept with the sentence before it).
SENTENCE_END = re.compile(r"[.!?…]+[ \t]+|\n+")


def sentences(text: str) -> list[str]:
    """Pieces of `text` that join back into exactly `text`."""
    pieces, start = [], 0
    for match in SENTENCE_END.finditer(text):
        pieces.append(text[start : match.end()])
        start = match.end()
    if start < len(text):
        pieces.append(text[start:])
    return pieces


def event(name: str, data: object) -> str:
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def answer_events(answer: Answer) -> Iterator[str]:
    """`delta` events ({"text": piece}) in order, then `answer`: the Answer JSON plus `uses_esco`."""
    for piece in sentences(answer.text):
        yield event("delta", {"text": piece})
    yield event("answer", {**answer.to_dict(), "uses_esco": answer.uses_esco})
