"""The web gateway: a few replies at once, one conversation's turns one after another."""

from __future__ import annotations

import asyncio
import threading
import time

from channels.web.gateway import Core


class _Recorder:
    """Stands in for the Assistant's methods the gateway calls; records overlapping calls."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.running: dict[str, int] = {}
        self.most_at_once = 0
        self.most_per_conversation = 0

    def reply(self, conversation_id: str, text: str, **_: object) -> str:
        with self.lock:
            self.running[conversation_id] = self.running.get(conversation_id, 0) + 1
            self.most_at_once = max(self.most_at_once, sum(self.running.values()))
            self.most_per_conversation = max(self.most_per_conversation, self.running[conversation_id])
        time.sleep(0.05)
        with self.lock:
            self.running[conversation_id] -= 1
        return f"{conversation_id}:{text}"


def test_two_conversations_run_at_once_and_one_conversation_never_overlaps():
    recorder = _Recorder()
    core = Core(recorder, concurrent=2)  # type: ignore[arg-type]

    async def scenario() -> list[str]:
        calls = [
            core.reply(conversation, str(turn), lang=None, lang_hint=None, region=None)
            for turn in range(3)
            for conversation in ("a", "b", "c")
        ]
        return await asyncio.gather(*calls)

    answers = asyncio.run(scenario())
    assert sorted(answers) == sorted(f"{c}:{t}" for t in range(3) for c in ("a", "b", "c"))
    assert recorder.most_at_once == 2
    assert recorder.most_per_conversation == 1
    assert core._conversations == {}  # locks of finished conversations are forgotten
