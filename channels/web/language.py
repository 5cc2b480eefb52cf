"""Which of the six languages a request speaks: an explicit choice, else the Accept-Language header."""

from __future__ import annotations

from starlette.requests import Request

from assistant.config import LANGUAGES
from assistant.i18n import messages


def accepted_language(header: str | None) -> str | None:
    """The first of the six languages in an Accept-Language header by weight ('hr-HR,hr;q=0.9,en;q=0.8')."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((header or "").split(",")):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                weight = 0.0
        primary = tag.strip().split("-")[0].lower()
        if primary in LANGUAGES and weight > 0:
            ranked.append((-weight, position, primary))
    return min(ranked)[2] if ranked else None


def request_language(request: Request, explicit: str | None = None) -> str:
    return (
        explicit
        if explicit in LANGUAGES
        else accepted_language(request.headers.get("accept-language")) or "en"
    )


def say(request: Request, key: str, *, lang: str | None = None, **values: object) -> str:
    """A web text in the request's language."""
    return messages("web").t(request_language(request, lang), key, **values)
