"""`create_app(services)`: the one place the web channel is put together."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager

from fastapi import APIRouter, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from assistant.core import Assistant
from assistant.processes import AssistantProcesses
from assistant.wiring import Services
from channels.telegram.webhook import telegram_webhook
from channels.web import api, health, pages
from channels.web.gateway import Core
from channels.web.headers import SecurityHeaders
from channels.web.limits import BodySizeLimit, RateLimiter


def create_app(services: Services, *, routers: Sequence[APIRouter] = ()) -> FastAPI:
    """The API, the widget and the standalone page over one Assistant, and the Telegram webhook when
    its settings are given (same Assistant); `routers` adds other routes."""
    web = services.settings.web
    assistant = _assistant(services)
    telegram = telegram_webhook(assistant, services.settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # The first reply would otherwise load the embedding model and the vectors (1-3 s).
        await run_in_threadpool(assistant.warm_up)
        async with AsyncExitStack() as stack:
            if isinstance(assistant, AssistantProcesses):
                stack.callback(assistant.close)
            if telegram is not None:
                await stack.enter_async_context(telegram.lifespan())
            yield

    app = FastAPI(
        title="Career-guidance assistant",
        summary="Training, occupations and skills in six languages: the web channel's API.",
        version="1",
        lifespan=lifespan,
        redoc_url=None,
    )
    app.state.services = services
    # Worker processes queue their own calls; in this process, a few replies run at once.
    pooled = isinstance(assistant, AssistantProcesses)
    app.state.core = Core(assistant, concurrent=None if pooled else web.concurrent_replies)
    app.state.limiter = RateLimiter(web.rate_limit_per_minute)
    app.state.origins = list(web.cors_origins)
    app.include_router(api.router)
    app.include_router(health.router)
    app.include_router(pages.router)
    for router in [*routers, *([telegram.router] if telegram else [])]:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=pages.STATIC), name="static")
    # Added inside out: the security headers wrap everything, CORS wraps the 413 and 429 answers.
    app.add_middleware(GZipMiddleware, minimum_size=1000)
    app.add_middleware(BodySizeLimit, max_bytes=web.max_body_bytes)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=web.cors_origins,
        allow_methods=["GET", "POST", "DELETE"],
        allow_headers=["Content-Type", "Accept-Language"],
        expose_headers=["Retry-After"],
        max_age=600,
    )
    app.add_middleware(
        SecurityHeaders,
        frame_ancestors=web.cors_origins,
        https=(web.public_url or "").startswith("https://"),
    )
    return app


def _assistant(services: Services) -> Assistant | AssistantProcesses:
    """The assistant the app serves: in worker processes (`web.processes`, default one per core), or in this
    process when that is 0."""
    processes = services.settings.web.processes
    if processes is None:
        processes = os.cpu_count() or 1
    if processes == 0:
        return services.assistant()
    return AssistantProcesses(services.settings, processes=processes, store=services.store)
