"""Builds the bot: a python-telegram-bot Application with the handlers, bound to one assistant."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import Any

from telegram import BotCommand, Update
from telegram.ext import (
    Application,
    BaseUpdateProcessor,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from assistant.config import LANGUAGES, TelegramSettings
from assistant.core import Assistant
from assistant.i18n import messages
from channels.telegram.delivery import deliver
from channels.telegram.handlers import Handlers
from channels.telegram.limits import ChatRateLimit

log = logging.getLogger(__name__)

COMMANDS = ("start", "help", "lang", "region", "forget")
# Updates handled at once across chats; one chat's updates are always handled in order.
CONCURRENT_UPDATES = 32

PRIVATE = filters.ChatType.PRIVATE
NEW_PRIVATE = PRIVATE & filters.UpdateType.MESSAGE


class ChatOrderedUpdates(BaseUpdateProcessor):
    """Chats are served side by side; within one chat, updates are handled one after another."""

    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._holders: dict[int, int] = {}  # updates of a chat running or waiting; its lock goes at 0

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
            return
        lock = self._locks.setdefault(chat.id, asyncio.Lock())
        self._holders[chat.id] = self._holders.get(chat.id, 0) + 1
        try:
            async with lock:
                await coroutine
        finally:
            self._holders[chat.id] -= 1
            if not self._holders[chat.id]:
                del self._holders[chat.id], self._locks[chat.id]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""


def file_url(api_base_url: str) -> str:
    """The Bot API's file address beside its method address: .../bot -> .../file/bot."""
    head, _, tail = api_base_url.rstrip("/").rpartition("/")
    return f"{head}/file/{tail}"


def build_application(assistant: Assistant, settings: TelegramSettings, *, polling: bool) -> Application:
    """The bot over `assistant`; `polling=False` leaves out the updater, for webhook mode."""
    if settings.token is None:
        raise ValueError("no Telegram bot token: set ASSISTANT_TELEGRAM__TOKEN (see README)")
    builder = (
        Application.builder()
        .token(settings.token.get_secret_value())
        .base_url(settings.api_base_url)
        .base_file_url(file_url(settings.api_base_url))
        .concurrent_updates(ChatOrderedUpdates(CONCURRENT_UPDATES))
    )
    if not polling:
        builder = builder.updater(None)
    application = builder.build()
    add_handlers(application, Handlers(assistant, rate_limit=ChatRateLimit(settings.rate_limit_per_minute)))
    return application


def add_handlers(application: Application, handlers: Handlers) -> None:
    application.add_handler(TypeHandler(Update, handlers.check_rate), group=-1)
    for name, callback in [
        ("start", handlers.start),
        ("help", handlers.help),
        ("lang", handlers.choose_language),
        ("region", handlers.choose_region),
        ("forget", handlers.forget),
    ]:
        application.add_handler(CommandHandler(name, callback, filters=NEW_PRIVATE))
    application.add_handlers(
        [
            MessageHandler(NEW_PRIVATE & filters.COMMAND, handlers.unknown_command),
            MessageHandler(NEW_PRIVATE & filters.TEXT, handlers.message),
            MessageHandler(PRIVATE & filters.UpdateType.EDITED_MESSAGE, handlers.edited),
            MessageHandler(NEW_PRIVATE & ~filters.StatusUpdate.ALL, handlers.unsupported),
            MessageHandler(filters.ChatType.GROUPS & filters.UpdateType.MESSAGE, handlers.group),
            CallbackQueryHandler(handlers.button),
        ]
    )
    application.add_error_handler(handlers.on_error)


async def publish_commands(application: Application) -> None:
    """The command menu in each of the six languages (Telegram shows the one of the user's app)."""
    texts = messages("telegram")
    for lang in LANGUAGES:
        commands = [BotCommand(name, texts.t(lang, f"cmd_{name}")) for name in COMMANDS]
        code = None if lang == "en" else lang  # English is the default for every other language
        await deliver(
            lambda commands=commands, code=code: application.bot.set_my_commands(
                commands, language_code=code
            ),
            what=f"setMyCommands {lang}",
        )
