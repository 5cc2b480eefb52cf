"""Replies computed in worker processes (how `assistant serve` runs): the same answers as in process, the
conversation's state and last query carried between workers, and a dead worker costing one call, not the
service."""

from __future__ import annotations

import asyncio
import os
import signal
import time

import httpx
import pytest
from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from assistant.core import MessageTooLong
from assistant.i18n import messages
from assistant.processes import AssistantProcesses
from channels.web.gateway import Core
from tests.web_servers import serving, web_services

WELDING_SL = "Kje se lahko naučim varjenja na Gorenjskem?"


@pytest.fixture(scope="module")
def processes(sample_services):
    pool = AssistantProcesses(sample_services.settings, processes=2, store=sample_services.store)
    pool.warm_up()
    yield pool
    pool.close()


def test_two_workers_start_and_answer_as_the_assistant_in_process_does(processes, assistant):
    assert len(set(processes.pids())) == 2 and os.getpid() not in processes.pids()
    pooled = processes.reply("pool-same-1", WELDING_SL)
    local = assistant.reply("pool-same-2", WELDING_SL)
    assert pooled.intent == local.intent and pooled.text == local.text
    assert [source.id for source in pooled.sources] == [source.id for source in local.sources]
    assert pooled.lang == "sl" and pooled.conversation_id == "pool-same-1"


def test_a_conversation_goes_on_whichever_worker_answers_its_turns(processes):
    first = processes.reply("pool-turns", WELDING_SL)
    follow_ups = [processes.reply("pool-turns", "Kaj pa na daljavo?") for _ in range(4)]
    assert first.sources and all(answer.lang == "sl" for answer in follow_ups)
    assert processes.preferences("pool-turns") == ("sl", "si-gorenjska")
    processes.choose("pool-turns", region="hr-sisak-moslavina")
    assert processes.preferences("pool-turns") == ("sl", "hr-sisak-moslavina")
    assert processes.index_counts()[0]["course"] > 100


def test_forgetting_drops_the_conversation_and_its_kept_query(processes, sample_services):
    processes.reply("pool-forget", WELDING_SL)
    assert processes._kept.get("pool-forget") is not None
    assert processes.forget("pool-forget") is True
    assert "pool-forget" not in processes._kept
    assert sample_services.store.load("pool-forget") is None


def test_a_too_long_message_is_refused_from_a_worker_with_its_limit(processes):
    with pytest.raises(MessageTooLong) as refused:
        processes.reply("pool-long", "varjenje " * 400, lang="hr")
    assert refused.value.limit == 1000 and "1000" in str(refused.value)


def test_the_event_loop_awaits_a_worker_without_a_thread_and_gets_the_same_answer(processes):
    async def scenario():
        first = await processes.reply_async("pool-async", WELDING_SL)
        again = await processes.reply_async("pool-async", "Kaj pa na daljavo?")
        return first, again

    first, again = asyncio.run(scenario())
    same = processes.reply("pool-async-2", WELDING_SL)
    assert first.text == same.text and [s.id for s in first.sources] == [s.id for s in same.sources]
    assert again.lang == "sl" and processes._kept["pool-async"][0] == processes._kept["pool-async-2"][0]


def test_a_cancelled_request_keeps_its_conversation_locked_until_the_worker_is_done(
    processes, sample_services
):
    core = Core(processes, concurrent=None)

    async def scenario():
        task = asyncio.create_task(
            core.reply("pool-cancel", WELDING_SL, lang=None, lang_hint=None, region=None)
        )
        await asyncio.sleep(0.001)  # submitted to the workers, not yet answered
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return sample_services.store.load("pool-cancel")

    saved = asyncio.run(scenario())
    # The cancellation reached the caller only once the worker had answered and saved the turn.
    assert saved is not None and saved.turns == 1


extra = APIRouter()


@extra.get("/extra/workers")
async def workers(request: Request) -> list[int]:
    return await run_in_threadpool(request.app.state.core.assistant.pids)


def test_a_killed_worker_costs_one_answer_and_is_replaced(sample_services):
    services = web_services(sample_services, processes=2)
    with serving(services, routers=[extra]) as url, httpx.Client(base_url=url, timeout=60) as http:
        assert http.get("/health/ready").json()["index"]["ok"] is True
        before = http.get("/extra/workers").json()
        os.kill(before[0], signal.SIGKILL)
        time.sleep(1)  # the pool notices the death
        lost = http.post("/api/chat", json={"message": WELDING_SL, "lang": "sl"})
        assert lost.status_code == 503
        assert lost.json() == {"detail": messages("web").t("sl", "server_error")}
        assert http.get("/health").status_code == 200
        again = http.post("/api/chat", json={"message": WELDING_SL, "lang": "sl"})
        assert again.status_code == 200 and again.json()["sources"]
        after = http.get("/extra/workers").json()
        assert len(after) == 2 and not set(after) & set(before)
        assert http.get("/health/ready").status_code == 200


def test_processes_0_answers_in_the_servers_own_process(sample_services):
    services = web_services(sample_services, processes=0)
    with serving(services) as url, httpx.Client(base_url=url, timeout=60) as http:
        answer = http.post("/api/chat", json={"message": WELDING_SL})
        assert answer.status_code == 200 and answer.json()["sources"]


def test_workers_start_together_on_a_data_folder_never_opened_before(sample_services, tmp_path):
    # A new data folder's SQLite database and embedded Chroma get their tables on the first open: workers
    # opening them at once used to fail ('database is locked', 'table esco_concepts already exists'), and the
    # server did not start.
    for attempt in range(3):
        empty = web_services(sample_services, data_dir=tmp_path / f"var{attempt}").settings
        pool = AssistantProcesses(empty, processes=3, store=sample_services.store)
        try:
            assert len(set(pool.pids())) == 3
            records, vectors = pool.index_counts()
            assert sum(records.values()) == 0 and not any(vectors.values())
        finally:
            pool.close()
