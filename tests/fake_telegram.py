"""A stand-in for Telegram's Bot API on loopback: answers what the bot calls and records every call.

Telegram's servers are out of reach in tests; everything on our side of the wire runs for real. The bot
reaches this server through `base_url`, exactly as it reaches api.telegram.org.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

TOKEN = "123456789:TEST-token_for-the-fake-bot-api"
BOT = {
    "id": 123456789,
    "is_bot": True,
    "first_name": "Career assistant",
    "username": "career_test_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
JSON_PARAMETERS = {"reply_markup", "allowed_updates", "commands", "link_preview_options", "scope"}
INT_PARAMETERS = {"chat_id", "offset", "limit", "timeout", "message_id"}
LONGEST_POLL_S = 1.0  # getUpdates waits at most this long for an update: tests stop quickly


@dataclass
class Call:
    """One request the bot made: the method, its parameters, and whether the fake refused it."""

    method: str
    params: dict[str, Any]
    refused: int | None = None  # the error code answered, or None

    @property
    def chat_id(self) -> int | None:
        return self.params.get("chat_id")


@dataclass
class Failure:
    method: str
    chat_id: int | None
    code: int
    description: str
    retry_after: int | None
    times: int | None  # None: every time


@dataclass
class FakeTelegram:
    """The Bot API of one bot: `base_url` for the bot, `updates` for getUpdates, `calls` as recorded."""

    token: str = TOKEN
    calls: list[Call] = field(default_factory=list)
    messages: dict[int, dict] = field(default_factory=dict)  # message_id -> Message as returned
    timeline: list[tuple[str, Any]] = field(default_factory=list)  # ("user", update) | ("bot", Call)
    _updates: list[dict] = field(default_factory=list)
    _failures: list[Failure] = field(default_factory=list)
    _update_ids: itertools.count = field(default_factory=lambda: itertools.count(1000))
    _message_ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    _changed: threading.Condition = field(default_factory=threading.Condition)

    def start(self) -> FakeTelegram:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                fake._handle(self)

            do_GET = do_POST

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/bot"

    # --- what a test arranges -------------------------------------------------------------------

    def queue_update(self, update: dict) -> dict:
        """An update for getUpdates; it gets the next update_id."""
        with self._changed:
            update = {"update_id": next(self._update_ids), **update}
            self._updates.append(update)
            self.timeline.append(("user", update))
            self._changed.notify_all()
        return update

    def next_update_id(self) -> int:
        return next(self._update_ids)

    def fail(
        self,
        method: str,
        *,
        chat_id: int | None = None,
        code: int = 400,
        description: str = "Bad Request: chat not found",
        retry_after: int | None = None,
        times: int | None = 1,
    ) -> None:
        """Refuse the next `times` calls of `method` (for `chat_id`) as Telegram would."""
        if retry_after is not None:
            code, description = 429, f"Too Many Requests: retry after {retry_after}"
        with self._changed:
            self._failures.append(Failure(method, chat_id, code, description, retry_after, times))

    # --- what a test reads ----------------------------------------------------------------------

    def recorded(self, method: str | None = None, *, chat_id: int | None = None) -> list[Call]:
        with self._changed:
            return [
                call
                for call in self.calls
                if (method is None or call.method == method) and (chat_id is None or call.chat_id == chat_id)
            ]

    def sent(self, chat_id: int) -> list[Call]:
        """The messages delivered to a chat (refused attempts left out)."""
        return [call for call in self.recorded("sendMessage", chat_id=chat_id) if call.refused is None]

    def wait_for(self, condition, *, timeout: float = 60.0, what: str = "the bot") -> None:
        """Wait until `condition()` holds; a generous timeout, for slow shared machines."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while not condition():
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"timed out waiting for {what}; calls: {self.calls[-10:]}")
                self._changed.wait(min(left, 0.5))

    def wait_for_messages(self, chat_id: int, count: int, *, timeout: float = 60.0) -> list[Call]:
        self.wait_for(
            lambda: len(self._sent_unlocked(chat_id)) >= count,
            timeout=timeout,
            what=f"{count} messages to chat {chat_id}",
        )
        return self.sent(chat_id)

    def _sent_unlocked(self, chat_id: int) -> list[Call]:
        return [
            c for c in self.calls if c.method == "sendMessage" and c.chat_id == chat_id and c.refused is None
        ]

    # --- the server -----------------------------------------------------------------------------

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        prefix = f"/bot{self.token}/"
        if not request.path.startswith(prefix):
            self._reply(request, 401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
            return
        method = request.path[len(prefix) :].split("?")[0]
        params = _params(request)
        with self._changed:
            call = Call(method, params)
            self.calls.append(call)
            self.timeline.append(("bot", call))
            failure = self._failure_for(method, call.chat_id)
            if failure:
                call.refused = failure.code
            self._changed.notify_all()
        if failure:
            body: dict[str, Any] = {
                "ok": False,
                "error_code": failure.code,
                "description": failure.description,
            }
            if failure.retry_after is not None:
                body["parameters"] = {"retry_after": failure.retry_after}
            self._reply(request, failure.code, body)
            return
        answer = getattr(self, f"_api_{method}", None)
        if answer is None:
            self._reply(request, 404, {"ok": False, "error_code": 404, "description": "Not Found"})
            return
        self._reply(request, 200, {"ok": True, "result": answer(params)})

    def _failure_for(self, method: str, chat_id: int | None) -> Failure | None:
        for failure in self._failures:
            if failure.method == method and failure.chat_id in (None, chat_id):
                if failure.times is not None:
                    failure.times -= 1
                    if failure.times == 0:
                        self._failures.remove(failure)
                return failure
        return None

    @staticmethod
    def _reply(request: BaseHTTPRequestHandler, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        request.send_response(status)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(data)))
        request.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # a poll the bot gave up on
            request.wfile.write(data)

    # --- the methods ----------------------------------------------------------------------------

    def _api_getMe(self, params: dict) -> dict:
        return BOT

    def _api_sendMessage(self, params: dict) -> dict:
        with self._changed:
            message = {
                "message_id": next(self._message_ids),
                "date": int(time.time()),
                "chat": {"id": params["chat_id"], "type": "private"},
                "from": {key: BOT[key] for key in ("id", "is_bot", "first_name", "username")},
                "text": params.get("text", ""),
            }
            if params.get("reply_markup"):
                message["reply_markup"] = params["reply_markup"]
            self.messages[message["message_id"]] = message
        return message

    def _api_getUpdates(self, params: dict) -> list[dict]:
        offset = params.get("offset") or 0
        deadline = time.monotonic() + min(float(params.get("timeout") or 0), LONGEST_POLL_S)
        with self._changed:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]  # confirmed: gone
            while not self._updates and time.monotonic() < deadline:
                self._changed.wait(deadline - time.monotonic())
            return list(self._updates[: params.get("limit") or 100])

    def _api_getWebhookInfo(self, params: dict) -> dict:
        webhooks = [c for c in self.calls if c.method in ("setWebhook", "deleteWebhook")]
        url = webhooks[-1].params.get("url", "") if webhooks and webhooks[-1].method == "setWebhook" else ""
        return {"url": url, "has_custom_certificate": False, "pending_update_count": len(self._updates)}

    def _api_true(self, params: dict) -> bool:
        return True

    _api_sendChatAction = _api_setWebhook = _api_deleteWebhook = _api_answerCallbackQuery = _api_true
    _api_setMyCommands = _api_deleteMyCommands = _api_editMessageReplyMarkup = _api_true


def _params(request: BaseHTTPRequestHandler) -> dict[str, Any]:
    """The parameters as PTB sends them: form-encoded strings, JSON-encoded where not plain strings."""
    length = int(request.headers.get("Content-Length") or 0)
    raw = request.rfile.read(length).decode() if length else ""
    if request.headers.get("Content-Type", "").startswith("application/json"):
        return json.loads(raw or "{}")
    params: dict[str, Any] = {
        key: values[-1] for key, values in parse_qs(raw, keep_blank_values=True).items()
    }
    for key, value in params.items():
        if key in JSON_PARAMETERS:
            params[key] = json.loads(value)
        elif key in INT_PARAMETERS and value.lstrip("-").isdigit():
            params[key] = int(value)
    return params


# --- Update JSON as Telegram sends it -------------------------------------------------------------

_message_ids = itertools.count(5000)


def user(user_id: int, lang: str | None = "en", first_name: str = "Ana") -> dict:
    found = {"id": user_id, "is_bot": False, "first_name": first_name}
    if lang:
        found["language_code"] = lang
    return found


def chat(chat_id: int, chat_type: str = "private") -> dict:
    if chat_type == "private":
        return {"id": chat_id, "type": "private", "first_name": "Ana"}
    return {"id": chat_id, "type": chat_type, "title": "Village notice board"}


def message(
    chat_id: int,
    text: str | None = None,
    *,
    lang: str | None = "en",
    chat_type: str = "private",
    first_name: str = "Ana",
    user_id: int | None = None,
    **content: Any,
) -> dict:
    """{"message": ...}: a text (a command gets its bot_command entity) or other `content`."""
    found: dict[str, Any] = {
        "message_id": next(_message_ids),
        "date": int(time.time()),
        "chat": chat(chat_id, chat_type),
        "from": user(user_id or abs(chat_id), lang, first_name),
        **content,
    }
    if text is not None:
        found["text"] = text
        if text.startswith("/"):
            found["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return {"message": found}


def edited(chat_id: int, text: str, *, lang: str | None = "en") -> dict:
    found = message(chat_id, text, lang=lang)["message"]
    return {"edited_message": {**found, "edit_date": int(time.time())}}


STICKER = {
    "sticker": {
        "file_id": "CAACAgIAAxkBAAIB",
        "file_unique_id": "AgADsticker",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
    }
}
PHOTO = {"photo": [{"file_id": "AgACAgQAAxkBAAIC", "file_unique_id": "AQADphoto", "width": 90, "height": 67}]}
VOICE = {"voice": {"file_id": "AwACAgQAAxkBAAID", "file_unique_id": "AgADvoice", "duration": 4}}


def button_press(bot_message: dict, data: str, *, lang: str | None = "en", first_name: str = "Ana") -> dict:
    """{"callback_query": ...}: the person pressed the button with `data` under `bot_message`."""
    chat_id = bot_message["chat"]["id"]
    return {
        "callback_query": {
            "id": f"cq-{next(_message_ids)}",
            "from": user(chat_id, lang, first_name),
            "chat_instance": f"ci-{chat_id}",
            "data": data,
            "message": bot_message,
        }
    }
