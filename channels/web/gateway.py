"""The channel's door to the core: one Assistant (in this process or in worker processes), called from
threads, one conversation's calls one after another."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
from collections.abc import Callable
from typing import TypeVar

from starlette.concurrency import run_in_threadpool

from assistant.answer import Answer
from assistant.core import Assistant
from assistant.processes import AssistantProcesses

T = TypeVar("T")


class Core:
    """Runs the synchronous, CPU-bound core off the event loop: at most `concurrent` calls at once (None: no
    limit here, for worker processes that queue their own), and one conversation's calls one after another, in
    the order they arrive. A coroutine function (a reply from the worker processes) is awaited as it is; the
    rest runs in a thread.

    Measured on 2 cores (the 463 dev dialogue turns, in process): one thread 6.53 s, two threads 3.42 s,
    four 3.42 s, with the same answers: the embedding's matrix products release the GIL, so one call per
    core keeps both busy. A conversation's lock keeps a double-sent message from racing its own state.
    """

    def __init__(self, assistant: Assistant | AssistantProcesses, *, concurrent: int | None = 2) -> None:
        self.assistant = assistant
        self._slots = asyncio.Semaphore(concurrent) if concurrent else contextlib.nullcontext()
        self._conversations: dict[str, asyncio.Lock] = {}
        self._waiting: dict[str, int] = {}

    async def call(self, conversation_id: str, function: Callable[..., T], /, *args, **kwargs) -> T:
        lock = self._conversations.setdefault(conversation_id, asyncio.Lock())
        self._waiting[conversation_id] = self._waiting.get(conversation_id, 0) + 1
        try:
            async with lock, self._slots:
                if inspect.iscoroutinefunction(function):
                    return await function(*args, **kwargs)
                return await run_in_threadpool(function, *args, **kwargs)
        finally:
            self._waiting[conversation_id] -= 1
            if not self._waiting[conversation_id]:  # the last one out forgets the lock
                del self._waiting[conversation_id], self._conversations[conversation_id]

    async def reply(
        self, conversation_id: str, text: str, *, lang: str | None, lang_hint: str | None, region: str | None
    ) -> Answer:
        reply = getattr(self.assistant, "reply_async", self.assistant.reply)  # worker processes: no thread
        return await self.call(
            conversation_id,
            reply,
            conversation_id,
            text,
            lang=lang,
            lang_hint=lang_hint,
            region=region,
        )

    async def forget(self, conversation_id: str) -> bool:
        return await self.call(conversation_id, self.assistant.forget, conversation_id)

    async def feedback(
        self, conversation_id: str, *, rating: int, turn: int | None, reason: str | None
    ) -> bool:
        return await self.call(
            conversation_id,
            self.assistant.store.add_feedback,
            conversation_id,
            rating=rating,
            turn=turn,
            reason=reason,
        )
