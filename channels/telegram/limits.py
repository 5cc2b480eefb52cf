"""A per-chat rate limit that keeps one flooding chat from tying up the assistant."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from enum import Enum

WINDOW_S = 60.0
SWEEP_EVERY = 1000  # checks between sweeps of idle chats


class Verdict(Enum):
    ALLOW = "allow"
    NOTIFY = "notify"  # the first update over the limit: tell the person once
    DROP = "drop"  # further updates until the window clears: silence


class ChatRateLimit:
    """At most `per_minute` updates a chat in any sliding minute; one notice when a chat goes over."""

    def __init__(self, per_minute: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self.clock = clock
        self._seen: dict[int, deque[float]] = {}
        self._notified: set[int] = set()
        self._checks = 0

    def check(self, chat_id: int) -> Verdict:
        """Count an update from `chat_id` and say what to do with it."""
        now = self.clock()
        self._checks += 1
        if self._checks % SWEEP_EVERY == 0:
            self.forget_idle()
        seen = self._seen.setdefault(chat_id, deque())
        while seen and seen[0] <= now - WINDOW_S:
            seen.popleft()
        if len(seen) < self.per_minute:
            seen.append(now)
            self._notified.discard(chat_id)
            return Verdict.ALLOW
        if chat_id in self._notified:
            return Verdict.DROP
        self._notified.add(chat_id)
        return Verdict.NOTIFY

    def forget_idle(self) -> None:
        """Drop chats that sent nothing for a window, so the table stays as small as the active chats."""
        cutoff = self.clock() - WINDOW_S
        for chat_id in [c for c, seen in self._seen.items() if not seen or seen[-1] <= cutoff]:
            del self._seen[chat_id]
            self._notified.discard(chat_id)
