"""The chat API: a message in, an Answer out (as JSON or as server-sent events), feedback, and forget me."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.responses import JSONResponse, StreamingResponse

from assistant.answer import Answer
from assistant.core import MessageTooLong
from channels.web.gateway import Core
from channels.web.language import accepted_language, say
from channels.web.limits import rate_limit
from channels.web.schemas import (
    ChatRequest,
    ChatResponse,
    FeedbackRequest,
    Problem,
    check_conversation_id,
    new_conversation_id,
)
from channels.web.stream import answer_events

log = logging.getLogger(__name__)


async def known_origin(request: Request) -> None:
    """Browsers on sites outside the allow-list are refused here too, not only by the CORS headers."""
    origin = request.headers.get("origin")
    allowed = request.app.state.origins
    if origin is None or "*" in allowed or origin in allowed:
        return
    if origin == f"{request.url.scheme}://{request.url.netloc}":  # our own page
        return
    raise HTTPException(
        403, detail=f"Origin {origin} may not use this API: add it to ASSISTANT_WEB__CORS_ORIGINS"
    )


ERRORS = {
    403: {"model": Problem, "description": "The calling site is not in the CORS allow-list"},
    413: {"model": Problem, "description": "The request body is larger than the limit"},
    422: {"description": "The message is too long (detail in the person's language) or a field is wrong"},
    429: {"model": Problem, "description": "Too many requests from this client; see Retry-After"},
    503: {"model": Problem, "description": "The assistant failed on this message; try again"},
}

router = APIRouter(prefix="/api", tags=["chat"], dependencies=[Depends(known_origin), Depends(rate_limit)])


async def _reply(body: ChatRequest, request: Request) -> Answer:
    core: Core = request.app.state.core
    try:
        return await core.reply(
            body.conversation_id or new_conversation_id(),
            body.message,
            lang=body.lang,
            lang_hint=accepted_language(request.headers.get("accept-language")),
            region=body.region,
        )
    except MessageTooLong as error:
        raise HTTPException(422, detail=str(error)) from None
    except Exception:
        log.exception("the assistant failed on a web message")
        raise HTTPException(503, detail=say(request, "server_error", lang=body.lang)) from None


@router.post("/chat", response_model=ChatResponse, responses=ERRORS)
async def chat(body: ChatRequest, request: Request) -> JSONResponse:
    """Answer one message; a null conversation_id starts a conversation (Accept-Language hints its language)."""
    answer = await _reply(body, request)
    return JSONResponse(answer.to_dict())


@router.post(
    "/chat/stream",
    response_class=StreamingResponse,
    responses={**ERRORS, 200: {"content": {"text/event-stream": {}}, "description": "delta… then answer"}},
)
async def chat_stream(body: ChatRequest, request: Request) -> StreamingResponse:
    """The same answer as server-sent events: `delta` {"text"} per sentence, then `answer` (the Answer JSON
    with `uses_esco`). Errors come before the stream, as for /api/chat."""
    answer = await _reply(body, request)
    return StreamingResponse(
        answer_events(answer),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@router.post("/feedback", status_code=204, responses={**ERRORS, 404: {"model": Problem}})
async def feedback(body: FeedbackRequest, request: Request) -> Response:
    """Thumbs up (1) or down (-1) on an answer (`turn`, from 1) or the whole conversation, with a reason."""
    core: Core = request.app.state.core
    known = await core.feedback(body.conversation_id, rating=body.rating, turn=body.turn, reason=body.reason)
    if not known:
        raise HTTPException(404, detail=say(request, "unknown_conversation"))
    return Response(status_code=204)


@router.delete(
    "/conversations/{conversation_id}", status_code=204, responses={**ERRORS, 404: {"model": Problem}}
)
async def forget(conversation_id: str, request: Request) -> Response:
    """Forget me: delete the conversation, its turns, feedback and unmet requests."""
    try:
        check_conversation_id(conversation_id)
    except ValueError as error:
        raise HTTPException(422, detail=str(error)) from None
    core: Core = request.app.state.core
    if not await core.forget(conversation_id):
        raise HTTPException(404, detail=say(request, "unknown_conversation"))
    return Response(status_code=204)
