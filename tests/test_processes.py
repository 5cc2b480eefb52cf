"""Replies computed in worker processes (how `assistant serve` runs): the same answers as in process, the
conversation's state and last query carried between workers, and a dead worker costing one call, not the
service."""

from __future__ import annotations

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
