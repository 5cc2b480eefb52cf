"""Limits at the door: a request budget per client (429 with Retry-After) and a cap on body size (413)."""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable

from fastapi import HTTPException, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from channels.web.language import say

MAX_CLIENTS = 50_000  # buckets kept before the full ones are dropped


class RateLimiter:
    """A token bucket per client: `per_minute` requests in a burst, refilled evenly over the minute."""

    def __init__(self, per_minute: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self._rate = per_minute / 60.0
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # client -> (tokens, when)

    def take(self, client: str) -> float:
        """Spend one request; 0.0 if allowed, else the seconds until the next one is."""
        now = self._clock()
        tokens, when = self._buckets.get(client, (float(self.per_minute), now))
        tokens = min(float(self.per_minute), tokens + (now - when) * self._rate)
        if tokens < 1.0:
            self._buckets[client] = (tokens, now)
            return (1.0 - tokens) / self._rate
        self._buckets[client] = (tokens - 1.0, now)
        if len(self._buckets) > MAX_CLIENTS:
            self._forget_idle(now)
        return 0.0

    def _forget_idle(self, now: float) -> None:
        full = 60.0  # a bucket untouched for a minute is full again: it carries no information
        self._buckets = {c: (t, w) for c, (t, w) in self._buckets.items() if now - w < full}


async def rate_limit(request: Request) -> None:
    """A dependency of the API routes: 429 with Retry-After once a client's budget is spent."""
    client = request.client.host if request.client else "unknown"
    wait = request.app.state.limiter.take(client)
    if wait > 0:
        seconds = max(1, math.ceil(wait))
        raise HTTPException(
            429, detail=say(request, "rate_limited", seconds=seconds), headers={"Retry-After": str(seconds)}
        )


class _TooLarge(HTTPException):
    """Raised while reading a body that outgrows the limit; FastAPI turns it into the same 413."""

    def __init__(self, detail: str) -> None:
        super().__init__(413, detail=detail)


class BodySizeLimit:
    """Refuses bodies over `max_bytes` with 413: at once by Content-Length, or while a chunked body streams."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        length = headers.get(b"content-length", b"0")
        if not length.isdigit() or int(length) > self.max_bytes:
            await self._refuse(scope, send)
            return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                raise _TooLarge(say(Request(scope), "too_large"))
            return message

        async def tracked_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracked_send)
        except _TooLarge:
            if started:
                raise
            await self._refuse(scope, send)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        request = Request(scope)
        body = json.dumps({"detail": say(request, "too_large")}, ensure_ascii=False).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
