"""Security headers on every response: pages locked to our own scripts, the widget's files loadable by any site."""

from __future__ import annotations

from collections.abc import Iterable

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

WIDGET_FILES = ("/widget.js", "/widget.css", "/widget/")
DOCS = ("/docs",)
# FastAPI's OpenAPI page loads Swagger UI from its CDN with an inline script; only that page allows them.
DOCS_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' https://cdn.jsdelivr.net; img-src 'self' data: https://fastapi.tiangolo.com; "
    "frame-ancestors 'none'"
)


def page_policy(frame_ancestors: Iterable[str]) -> str:
    """Our pages run our scripts and styles only; they may be framed by the sites that embed the widget."""
    ancestors = " ".join(["'self'", *frame_ancestors])
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors {ancestors}"
    )


class SecurityHeaders:
    """Adds the headers a response has not set itself."""

    def __init__(self, app: ASGIApp, *, frame_ancestors: Iterable[str] = (), https: bool = False) -> None:
        self.app = app
        common = {
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "strict-origin-when-cross-origin",
            "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
        }
        if https:
            common["Strict-Transport-Security"] = "max-age=31536000"
        self._widget = {**common, "Cross-Origin-Resource-Policy": "cross-origin"}
        self._docs = {**common, "Content-Security-Policy": DOCS_POLICY}
        self._other = {
            **common,
            "Content-Security-Policy": page_policy([o for o in frame_ancestors if o != "*"]),
            "Cross-Origin-Resource-Policy": "same-origin",
            "Cross-Origin-Opener-Policy": "same-origin",
        }

    def headers_for(self, path: str) -> dict[str, str]:
        if path.startswith(WIDGET_FILES):
            return self._widget
        if path.startswith(DOCS):
            return self._docs
        return self._other

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = self.headers_for(scope["path"])

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in extra.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)
