"""Real servers on loopback for the web channel's tests: the assistant's app, and a third-party site."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from assistant.config import WebSettings
from assistant.wiring import Services
from channels.web.app import create_app
from channels.web.server import server
from tests.conftest import free_port


def web_services(base: Services, *, data_dir: Path | None = None, database_url: str | None = None, **web):
    """Services over `base`'s knowledge and index (or another data folder), with these web settings."""
    update = {"web": WebSettings(**web)}
    if data_dir is not None:
        update["data_dir"] = data_dir
    if database_url is not None:
        update["database_url"] = database_url
    return Services(base.settings.model_copy(update=update), progress=False)


@contextmanager
def serving(services: Services, *, routers=()) -> Iterator[str]:
    """`create_app(services)` served by uvicorn in a thread on a free port; yields its base URL."""
    running = server(create_app(services, routers=routers), host="127.0.0.1", port=free_port())
    thread = running.start_in_thread()
    try:
        yield f"http://127.0.0.1:{running.config.port}"
    finally:
        running.stop(thread)


@contextmanager
def third_party_site(html: str, *, port: int | None = None) -> Iterator[str]:
    """Another site (http://localhost:PORT, a different origin from 127.0.0.1) serving one page."""
    body = html.encode()

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
            if self.path.split("?")[0] != "/":
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    site = ThreadingHTTPServer(("127.0.0.1", port or free_port()), Page)
    thread = threading.Thread(target=site.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{site.server_address[1]}"
    finally:
        site.shutdown()
        site.server_close()
