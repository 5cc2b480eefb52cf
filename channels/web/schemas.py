"""What the API reads and writes: requests checked field by field, the Answer's public JSON shape."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from assistant.config import LANGUAGES
from assistant.records import REGIONS

PREFIX = "web:"

Language = Literal[LANGUAGES]  # type: ignore[valid-type]
Region = Literal[tuple(REGIONS)]  # type: ignore[valid-type]


def new_conversation_id() -> str:
    return f"{PREFIX}{uuid.uuid4()}"


def check_conversation_id(value: str) -> str:
    """`web:` and a UUID in its canonical form; the server issues them, so anything else is a mistake."""
    rest = value.removeprefix(PREFIX)
    try:
        canonical = str(uuid.UUID(rest))
    except ValueError:
        canonical = ""
    if not value.startswith(PREFIX) or canonical != rest:
        raise ValueError("conversation_id must be 'web:' followed by a UUID, as the server issued it")
    return value


ConversationId = Annotated[str, AfterValidator(check_conversation_id)]


class ChatRequest(BaseModel):
    """One message from a person; a null conversation_id starts a new conversation."""

    model_config = ConfigDict(extra="forbid")

    message: str = Field(description="The person's message, in any of the six languages")
    conversation_id: ConversationId | None = Field(None, description="As returned by the first answer")
    lang: Language | None = Field(None, description="The person's explicit choice of language")
    region: Region | None = Field(None, description="The embedding site's region, used until one is named")


class Source(BaseModel):
    id: str
    kind: str = Field(description="course | guidance | occupation | skill (the last two are ESCO)")
    title: str
    url: str | None = None


class ChatResponse(BaseModel):
    """The Answer: plain text with newlines (escape it), the cited records and quick replies."""

    conversation_id: str
    text: str
    lang: str
    sources: list[Source]
    suggestions: list[str] = Field(description="Quick replies; sending one back as a message does it")


class FeedbackRequest(BaseModel):
    """Thumbs up (1) or down (-1) on a conversation or one of its answers (numbered from 1)."""

    model_config = ConfigDict(extra="forbid")

    conversation_id: ConversationId
    rating: Literal[1, -1]
    turn: int | None = Field(None, ge=1, description="The answer's number in the conversation")
    reason: str | None = Field(None, max_length=500, description="What was missing or wrong")


class Problem(BaseModel):
    """An error a person or a client can act on."""

    detail: str
