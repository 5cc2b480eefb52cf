"""Running the app with uvicorn: `assistant serve`, the load bench's server, and the tests' servers."""

from __future__ import annotations

import threading
from collections.abc import Callable

import uvicorn
from fastapi import FastAPI

from assistant.config import Settings
from assistant.wiring import Services

KEEP_ALIVE_S = 30


class Server(uvicorn.Server):
    """uvicorn's server that calls `on_ready` once it listens, and can run in a thread (tests)."""

    def __init__(self, config: uvicorn.Config, *, on_ready: Callable[[], None] | None = None) -> None:
        super().__init__(config)
        self.on_ready = on_ready

    async def startup(self, sockets=None) -> None:
        await super().startup(sockets)
        if self.started and self.on_ready:
            self.on_ready()

    def start_in_thread(self, timeout: float = 60) -> threading.Thread:
        """Serve from a daemon thread; returns once the server listens (raises if it does not)."""
        thread = threading.Thread(target=self.run, daemon=True, name="uvicorn")
        thread.start()
        pause = threading.Event()
        for _ in range(int(timeout * 20)):
            if self.started or not thread.is_alive():
                break
            pause.wait(0.05)
        if not self.started:
            raise RuntimeError("the web server did not start")
        return thread

    def stop(self, thread: threading.Thread) -> None:
        self.should_exit = True
        thread.join(timeout=10)


def server(app: FastAPI, *, host: str, port: int, on_ready: Callable[[], None] | None = None) -> Server:
    # Idle connections are kept longer than clients keep theirs (httpx, like uvicorn, defaults to 5 s): a server
    # that closes first races a client reusing the connection, and the client sees a dropped request.
    config = uvicorn.Config(
        app, host=host, port=port, log_level="warning", access_log=False, timeout_keep_alive=KEEP_ALIVE_S
    )
    return Server(config, on_ready=on_ready)


def public_url(services: Services, *, host: str, port: int) -> str:
    """The URL to open: the configured public one, else the address the server listens on."""
    configured = services.settings.web.public_url
    if configured:
        return configured.rstrip("/") + "/"
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    return f"http://{shown}:{port}/"


def serving_settings(settings: Settings) -> Settings:
    """The settings a server runs with: the query embedding on `web.embedding_threads` threads."""
    embedding = settings.embedding.model_copy(update={"threads": settings.web.embedding_threads})
    return settings.model_copy(update={"embedding": embedding})
