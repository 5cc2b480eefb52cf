"""Liveness (the process answers) and readiness (the index holds records and the database answers)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from assistant.core import Assistant
from assistant.processes import AssistantProcesses
from assistant.wiring import Services

router = APIRouter(tags=["health"])


@router.get("/health")
async def alive() -> dict[str, str]:
    """Alive: answers without touching the index or the database (and while the assistant is busy)."""
    return {"status": "ok"}


@router.get("/health/ready", responses={503: {"description": "The index is empty or the database fails"}})
async def ready(request: Request) -> JSONResponse:
    """Ready: the index holds records with their vectors, and the database answers a query."""
    checks = await run_in_threadpool(readiness, request.app.state.services, request.app.state.core.assistant)
    ok = all(check["ok"] for check in checks.values())
    return JSONResponse({"status": "ready" if ok else "not ready", **checks}, status_code=200 if ok else 503)


def readiness(services: Services, assistant: Assistant | AssistantProcesses) -> dict[str, dict[str, Any]]:
    return {"index": _index(assistant), "database": _database(services)}


def _index(assistant: Assistant | AssistantProcesses) -> dict[str, Any]:
    try:
        records, vectors = assistant.index_counts()
    except Exception as error:  # a broken vector store or a stopped worker is a 'not ready', not a crash
        return {"ok": False, "error": type(error).__name__}
    ok = sum(records.values()) > 0 and all(vectors.values())
    return {"ok": ok, "records": records, "vectors": vectors}


def _database(services: Services) -> dict[str, Any]:
    try:
        services.store.load("web:readiness-probe")  # a real query on the conversations table
    except Exception as error:
        return {"ok": False, "error": type(error).__name__}
    return {"ok": True}
