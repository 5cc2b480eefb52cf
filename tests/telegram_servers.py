"""The bot running for real in tests: polling in its own thread, or the webhook in a uvicorn server."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator

import uvicorn
from fastapi import FastAPI
from telegram.ext import Application

from assistant.config import TelegramSettings
from assistant.core import Assistant
from channels.telegram.bot import build_application
from channels.telegram.polling import polling
from channels.telegram.webhook import TelegramWebhook
from tests.conftest import free_port

START_TIMEOUT_S = 60


class PollingBot:
    """`assistant telegram`'s code path: the polling context manager, in a thread with its own loop."""

    def __init__(self, assistant: Assistant, settings: TelegramSettings) -> None:
        self.application: Application = build_application(assistant, settings, polling=True)
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> PollingBot:
        self._thread.start()
        if not self._ready.wait(START_TIMEOUT_S) or self._error:
            raise RuntimeError("the polling bot did not start") from self._error
        return self

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._stopped.set)
        self._thread.join(START_TIMEOUT_S)
        if self._thread.is_alive():
            raise RuntimeError("the polling bot did not stop")
        if self._error:
            raise self._error

    def run(self, coroutine):
        """Run a coroutine on the bot's loop (e.g. a send through the bot) and return its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(START_TIMEOUT_S)

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as error:  # reported by start() or stop()
            self._error = error
            self._ready.set()

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stopped = asyncio.Event()
        async with polling(self.application):
            self._ready.set()
            await self._stopped.wait()


class WebhookServer:
    """A minimal web app with the webhook router and lifespan, served by uvicorn on loopback."""

    def __init__(self, assistant: Assistant, settings: TelegramSettings) -> None:
        self.webhook = TelegramWebhook(build_application(assistant, settings, polling=False), settings)

        @contextlib.asynccontextmanager
        async def lifespan(app: FastAPI) -> AsyncIterator[None]:
            async with self.webhook.lifespan():
                yield

        app = FastAPI(lifespan=lifespan)
        app.include_router(self.webhook.router)
        self.port = free_port()
        self.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        )
        self._thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/telegram/webhook"

    def start(self) -> WebhookServer:
        self._thread.start()
        ready = threading.Event()

        def started() -> bool:
            return self.server.started or not self._thread.is_alive()

        for _ in range(START_TIMEOUT_S * 10):
            if started():
                break
            ready.wait(0.1)
        if not self.server.started:
            raise RuntimeError("the web app did not start")
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self._thread.join(START_TIMEOUT_S)
