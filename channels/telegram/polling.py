"""Long polling: the bot fetches its updates itself, for a machine with no public address."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator

from telegram import Update
from telegram.ext import Application

from assistant.config import Settings
from assistant.core import Assistant
from channels.telegram.bot import build_application, publish_commands

log = logging.getLogger(__name__)

POLL_TIMEOUT_S = 30  # seconds Telegram holds a getUpdates call open when there is nothing to fetch


@contextlib.asynccontextmanager
async def polling(application: Application) -> AsyncIterator[Application]:
    """The bot answering updates fetched with getUpdates until the block ends.

    The updater deletes any webhook first: Telegram refuses getUpdates while one is set.
    """
    async with application:  # initialize (getMe) ... shutdown
        await publish_commands(application)
        await application.updater.start_polling(
            timeout=POLL_TIMEOUT_S, allowed_updates=Update.ALL_TYPES, drop_pending_updates=False
        )
        await application.start()
        log.info("Telegram bot @%s is polling for updates", application.bot.username)
        try:
            yield application
        finally:
            await application.updater.stop()
            await application.stop()


def run_polling(assistant: Assistant, settings: Settings) -> None:
    """Poll until Ctrl-C or SIGTERM (the `assistant telegram` command)."""
    assistant.warm_up()
    asyncio.run(_poll_until_stopped(build_application(assistant, settings.telegram, polling=True)))


async def _poll_until_stopped(application: Application) -> None:
    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stopped.set)
    async with polling(application):
        await stopped.wait()
