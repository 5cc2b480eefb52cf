"""What the core returns to every channel: the reply, its language, the cited sources and quick replies."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class Source(BaseModel):
    """A record the reply cites."""

    id: str
    kind: str  # course | guidance | occupation | skill
    title: str
    url: str | None = None


class Answer(BaseModel):
    """A reply to one message; `intent` and `answered_by` are for evals and logs, not for the JSON shape."""

    conversation_id: str
    text: str
    lang: str
    sources: list[Source] = Field(default_factory=list)
    suggestions: list[str] = Field(default_factory=list)
    intent: str = Field("", exclude=True)
    answered_by: str = Field("grounded", exclude=True)  # grounded | llm
    uses_esco: bool = Field(False, exclude=True)
    quoted: list[str] = Field(default_factory=list, exclude=True)  # record texts shown verbatim

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")
