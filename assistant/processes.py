"""The assistant in worker processes: a server's replies computed on every core, not in one interpreter.

One Python process answers on about one core and a half: the embedding runs outside the GIL, the rest of a
reply and the HTTP work inside it. Measured on 2 cores with the HTTP load run (32 clients, cache off): one
server process 138-183 requests/s with a fifth of the CPU idle; two processes 198-227 requests/s, 2% idle.
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import Any, TypeVar

from assistant.answer import Answer
from assistant.config import Settings
from assistant.conversations import ConversationStore
from assistant.core import Assistant, MessageTooLong
from assistant.entries import KINDS
from assistant.search import CONVERSATIONS_REMEMBERED

log = logging.getLogger(__name__)

T = TypeVar("T")


class ReplyFailed(RuntimeError):
    """The assistant failed in a worker process (the worker logged the traceback), or the worker died."""


class AssistantProcesses:
    """The Assistant's conversation methods, each call run in one of `processes` worker processes.

    A worker loads the model and the indexes once (about 1 GB with ESCO imported) and answers one call at a time;
    calls wait in one queue and go to the first worker free. The server keeps each conversation's last query
    embedding and hands it to the worker answering the conversation's next turn ('and online?' searches the
    topic again without embedding it again). A worker that dies is replaced; the calls it held fail with
    ReplyFailed.
    """

    def __init__(self, settings: Settings, *, processes: int, store: ConversationStore) -> None:
        if processes < 1:
            raise ValueError("at least one worker process is needed")
        self.settings = settings
        self.store = store  # feedback is one insert: the server's own process stores it
        self.processes = processes
        self._context = multiprocessing.get_context("spawn")  # no fork of a process with threads running
        self._lock = threading.Lock()
        self._workers = self._start()
        self._kept: OrderedDict[str, tuple[str, Any]] = OrderedDict()

    def _start(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            self.processes,
            mp_context=self._context,
            initializer=_load,
            initargs=(self.settings,),
        )

    def warm_up(self) -> None:
        """Start every worker and wait until each has loaded the model and the indexes."""
        self.pids()

    def pids(self) -> list[int]:
        """The workers' process ids, once each has loaded: every one answers a call that waits for the others."""
        with self._context.Manager() as manager:
            barrier = manager.Barrier(self.processes)
            futures = [self._workers.submit(_pid, barrier) for _ in range(self.processes)]
            return sorted(future.result() for future in futures)

    def reply(
        self,
        conversation_id: str,
        text: str,
        *,
        lang: str | None = None,
        lang_hint: str | None = None,
        region: str | None = None,
    ) -> Answer:
        submitted = self._submit_reply(
            conversation_id, text, dict(lang=lang, lang_hint=lang_hint, region=region)
        )
        return self._replied(conversation_id, self._outcome(*submitted))

    async def reply_async(
        self,
        conversation_id: str,
        text: str,
        *,
        lang: str | None = None,
        lang_hint: str | None = None,
        region: str | None = None,
    ) -> Answer:
        """`reply` for an event loop: it awaits the worker without holding a thread."""
        workers, future = self._submit_reply(
            conversation_id, text, dict(lang=lang, lang_hint=lang_hint, region=region)
        )
        await _finished(future)
        return self._replied(conversation_id, self._outcome(workers, future))

    def choose(self, conversation_id: str, *, lang: str | None = None, region: str | None = None) -> None:
        self._run(_call, "choose", (conversation_id,), dict(lang=lang, region=region))

    def preferences(self, conversation_id: str) -> tuple[str | None, str | None]:
        return self._run(_call, "preferences", (conversation_id,), {})

    def forget(self, conversation_id: str) -> bool:
        with self._lock:
            self._kept.pop(conversation_id, None)
        return self._run(_call, "forget", (conversation_id,), {})

    def index_counts(self) -> tuple[dict[str, int], dict[str, int]]:
        """Records and vectors per kind in the index the workers search."""
        return self._run(_call, "index_counts", (), {})

    def close(self) -> None:
        self._workers.shutdown(wait=True, cancel_futures=True)

    def _run(self, function: Callable[..., T], *args: Any) -> T:
        return self._outcome(*self._submit(function, *args))

    def _submit(self, function: Callable[..., T], *args: Any) -> tuple[ProcessPoolExecutor, Future[T]]:
        workers = self._workers
        try:
            return workers, workers.submit(function, *args)
        except BrokenProcessPool:
            future: Future[T] = Future()
            future.set_exception(BrokenProcessPool("the worker processes stopped"))
            return workers, future

    def _outcome(self, workers: ProcessPoolExecutor, future: Future[T]) -> T:
        """The call's result; a dead worker starts the workers again and fails the call with ReplyFailed."""
        try:
            return future.result()
        except BrokenProcessPool:
            with self._lock:
                if self._workers is workers:
                    log.error("a reply worker process stopped; starting them again")
                    self._workers = self._start()
            raise ReplyFailed("the worker process stopped") from None

    def _submit_reply(
        self, conversation_id: str, text: str, kwargs: dict
    ) -> tuple[ProcessPoolExecutor, Future]:
        with self._lock:
            kept = self._kept.get(conversation_id)
        return self._submit(_reply, conversation_id, kept, text, kwargs)

    def _replied(self, conversation_id: str, outcome: tuple[Answer, tuple | None]) -> Answer:
        """The answer; the conversation's last query embedding is kept for its next turn."""
        answer, kept = outcome
        if kept is not None:
            with self._lock:
                self._kept[conversation_id] = kept
                self._kept.move_to_end(conversation_id)
                while len(self._kept) > CONVERSATIONS_REMEMBERED:
                    self._kept.popitem(last=False)
        return answer


async def _finished(future: Future) -> None:
    """Waits for a worker's call to end, even when the waiting task is cancelled meanwhile (the cancellation
    is raised after): a conversation stays locked while a worker still answers it."""
    waiting = asyncio.wrap_future(future)
    cancelled = False
    while not waiting.done():
        try:
            await asyncio.wait([waiting])
        except asyncio.CancelledError:
            cancelled = True
    if not waiting.cancelled():
        waiting.exception()  # the outcome is read from `future`; this marks it seen
    if cancelled:
        raise asyncio.CancelledError


# --- inside a worker process ----------------------------------------------------------------------------

_assistant: Assistant | None = None
OPENING_TIMEOUT_S = 120


def _load(settings: Settings) -> None:
    from assistant.wiring import Services

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the server, which stops its workers
    global _assistant
    services = Services(settings, progress=False)
    # A new data folder gets its SQL tables and Chroma its own on the first open: workers doing that at once
    # fail ('table ... already exists', 'database is locked'), so they open the stores one after the other,
    # then load side by side.
    with _opening_lock(settings):
        services.engine  # noqa: B018  (creates the tables a new database lacks)
        for kind in KINDS:
            services.vectors.collection(kind)
    _assistant = services.assistant()
    _assistant.warm_up()


@contextmanager
def _opening_lock(settings: Settings) -> Iterator[None]:
    """An exclusive lock file in the data folder; the kernel frees it when its holder dies.

    After OPENING_TIMEOUT_S without it the worker goes on unlocked, as it would have without the lock.
    """
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with open(settings.data_dir / "opening.lock", "a") as file:
        deadline = time.monotonic() + OPENING_TIMEOUT_S
        while True:
            try:
                fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    log.warning("waited %d s for %s; opening the stores anyway", OPENING_TIMEOUT_S, file.name)
                    break
                time.sleep(0.05)
        yield  # closing the file releases the lock


def _pid(barrier) -> int:
    barrier.wait(timeout=600)  # holds this worker until every other one has loaded too
    return os.getpid()


def _call(method: str, args: tuple, kwargs: dict) -> Any:
    try:
        return getattr(_assistant, method)(*args, **kwargs)
    except MessageTooLong:
        raise
    except Exception as error:  # its own exception may not survive the trip back to the server
        log.exception("the assistant failed in worker process %d", os.getpid())
        raise ReplyFailed(f"{type(error).__name__}: {error}") from None


def _reply(conversation_id: str, kept: tuple | None, text: str, kwargs: dict) -> tuple[Answer, tuple | None]:
    searcher = _assistant.searcher
    if kept is not None:
        searcher.keep_query(conversation_id, kept)
    try:
        answer = _call("reply", (conversation_id, text), kwargs)
        return answer, searcher.kept_query(conversation_id)
    finally:
        searcher.forget_conversation(conversation_id)  # the server keeps it for the next turn
