"""What a conversation remembers between turns, kept as JSON in the conversation store."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any


@dataclass
class DialogueState:
    lang: str | None = None
    lang_chosen: bool = False  # the person asked for this language: it wins over detection
    region: str | None = None
    intent: str | None = None  # the last intent that searched: find_training, learn_skill or occupation
    topic: str | None = None  # the message that set the search topic
    conditions: dict[str, Any] = field(default_factory=dict)  # mode, free, theme, month, group
    shown: list[str] = field(default_factory=list)  # offerings listed, in the order shown
    offset: int = 0  # how many of the current search's offerings have been shown
    focus: str | None = None  # the offering talked about last
    occupation: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> DialogueState:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in (data or {}).items() if k in names})
