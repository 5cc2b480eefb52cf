"""Calls to the Bot API that wait when Telegram says so and never take the bot down when they fail."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TypeVar

from telegram import Bot, InlineKeyboardMarkup, LinkPreviewOptions, Message
from telegram.constants import ChatAction, ParseMode
from telegram.error import RetryAfter, TelegramError
from telegram.warnings import PTBDeprecationWarning

log = logging.getLogger(__name__)

T = TypeVar("T")
ATTEMPTS = 4
LONGEST_WAIT_S = 30.0
# Telegram shows "typing…" for five seconds; refresh it a little sooner while an answer is built.
TYPING_EVERY_S = 4.5
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


async def deliver(
    call: Callable[[], Awaitable[T]],
    *,
    what: str,
    attempts: int = ATTEMPTS,
    longest_wait_s: float = LONGEST_WAIT_S,
) -> T | None:
    """`call()`, again after the wait Telegram asks for (RetryAfter); None, logged, if it fails otherwise.

    Other errors are not retried: a request that timed out may have been delivered, and a second copy
    of a message is worse than a lost one the person can ask for again.
    """
    for attempt in range(1, attempts + 1):
        try:
            return await call()
        except RetryAfter as error:
            wait = min(_seconds(error), longest_wait_s)
            if attempt == attempts:
                log.warning("%s: still rate-limited by Telegram after %d attempts; dropped", what, attempts)
                return None
            log.info("%s: Telegram asks to wait %.1f s (attempt %d)", what, wait, attempt)
            await asyncio.sleep(wait)
        except TelegramError as error:
            log.warning("%s failed: %s", what, error)
            return None
    return None


def _seconds(error: RetryAfter) -> float:
    # PTB 22 gives an int, or a timedelta with PTB_TIMEDELTA set, and warns about the change to come.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


async def send_messages(
    bot: Bot, chat_id: int, chunks: list[str], *, keyboard: InlineKeyboardMarkup | None = None
) -> list[Message]:
    """Send HTML chunks in order, the keyboard under the last; stop at the first that cannot be sent."""
    sent = []
    for number, chunk in enumerate(chunks, start=1):
        markup = keyboard if number == len(chunks) else None
        message = await deliver(
            lambda chunk=chunk, markup=markup: bot.send_message(
                chat_id,
                chunk,
                parse_mode=ParseMode.HTML,
                reply_markup=markup,
                link_preview_options=NO_PREVIEW,
            ),
            what=f"sendMessage to {chat_id}",
        )
        if message is None:
            break
        sent.append(message)
    return sent


@contextlib.asynccontextmanager
async def typing(bot: Bot, chat_id: int) -> AsyncIterator[None]:
    """Show "typing…" in the chat until the block ends; the first action is sent before the answer."""

    async def action() -> None:
        await deliver(
            lambda: bot.send_chat_action(chat_id, ChatAction.TYPING),
            what=f"sendChatAction to {chat_id}",
            attempts=1,
        )

    async def refresh() -> None:
        while True:
            await asyncio.sleep(TYPING_EVERY_S)
            await action()

    first, later = asyncio.create_task(action()), asyncio.create_task(refresh())
    try:
        yield
    finally:
        later.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await later
        await first
