"""Webhook mode: Telegram posts each update to the web app, which checks its secret and hands it on."""

from __future__ import annotations

import contextlib
import hmac
import json
import logging
from collections.abc import AsyncIterator

from fastapi import APIRouter, HTTPException, Request, Response
from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application

from assistant.config import Settings, TelegramSettings
from assistant.core import Assistant
from channels.telegram.bot import build_application, publish_commands
from channels.telegram.delivery import deliver

log = logging.getLogger(__name__)

PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_UPDATE_BYTES = 1_000_000  # an update is a few kilobytes; more is not from Telegram


class TelegramWebhook:
    """The router with POST /telegram/webhook and `lifespan()`, which runs the bot and sets the webhook."""

    def __init__(self, application: Application, settings: TelegramSettings) -> None:
        if not settings.webhook_url or settings.webhook_secret is None:
            raise ValueError("webhook mode needs ASSISTANT_TELEGRAM__WEBHOOK_URL and __WEBHOOK_SECRET")
        self.application = application
        self.url = settings.webhook_url
        self._secret = settings.webhook_secret.get_secret_value().encode()
        self.router = APIRouter()
        self.router.add_api_route(PATH, self.receive, methods=["POST"], include_in_schema=False)

    async def receive(self, request: Request) -> Response:
        """One update from Telegram, accepted only with the secret token registered with setWebhook."""
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            raise HTTPException(status_code=403, detail="wrong or missing secret token")
        if not self.application.running:
            raise HTTPException(status_code=503, detail="the bot is not running")  # Telegram retries
        body = await request.body()
        if len(body) > MAX_UPDATE_BYTES:
            raise HTTPException(status_code=413, detail="update too large")
        update = _update(body, self.application)
        if update is None:
            raise HTTPException(status_code=400, detail="not a Telegram update")
        await self.application.update_queue.put(update)
        return Response(status_code=200)

    @contextlib.asynccontextmanager
    async def lifespan(self) -> AsyncIterator[None]:
        """Start the bot and register the webhook with its secret; stop the bot on the way out.

        Telegram out of reach at start: logged, and the web app runs without the bot. The webhook
        stays registered when the app stops, so Telegram keeps the updates until it is back.
        """
        try:
            await self.application.initialize()
        except TelegramError as error:
            log.error("Telegram bot not started (%s); the web app runs without it", error)
            yield
            return
        try:
            await self.application.start()
            await publish_commands(self.application)
            registered = await deliver(
                lambda: self.application.bot.set_webhook(
                    self.url, secret_token=self._secret.decode(), allowed_updates=Update.ALL_TYPES
                ),
                what="setWebhook",
            )
            if registered:
                log.info("Telegram webhook of @%s set to %s", self.application.bot.username, self.url)
            yield
        finally:
            if self.application.running:
                await self.application.stop()
            await self.application.shutdown()


def _update(body: bytes, application: Application) -> Update | None:
    try:
        data = json.loads(body)
        if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
            return None
        return Update.de_json(data, application.bot)
    except (ValueError, TypeError, KeyError, AttributeError):
        return None


def telegram_webhook(assistant: Assistant, settings: Settings) -> TelegramWebhook | None:
    """The webhook for the web app, or None (the app runs without the bot) when it is not configured."""
    telegram = settings.telegram
    if telegram.token is None:
        return None
    if not telegram.webhook_url or telegram.webhook_secret is None:
        log.error(
            "A Telegram token is set but not ASSISTANT_TELEGRAM__WEBHOOK_URL and __WEBHOOK_SECRET: "
            "the web app runs without the bot (or run `assistant telegram` for polling)"
        )
        return None
    return TelegramWebhook(build_application(assistant, telegram, polling=False), telegram)
