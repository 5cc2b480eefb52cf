"""`assistant bench --load-only`: concurrent clients against /api/chat on loopback, /health polled throughout.

The server runs as `assistant serve` in a child process over the configured index, with its reply workers
(one per core unless ASSISTANT_WEB__PROCESSES says otherwise), its rate limit lifted and its query-embedding
cache off for the run; each client replays the dev dialogues turn by turn, each dialogue its own conversation,
in all six languages, and forgets its conversations afterwards. The clients share the machine with the server,
so on a small machine the figures include the load generator's own CPU. The server's CPU counts its workers'.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import os
import statistics
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from assistant.config import Settings
from evals.bench import DATASETS, percentile
from evals.dialogue import load_dialogues

HEALTH_EVERY_S = 0.5
HEALTH_TIMEOUT_S = 2.0
REQUEST_TIMEOUT_S = 30.0
READY_TIMEOUT_S = 300  # an empty index is built first


@dataclass
class Tally:
    latencies_ms: list[float] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)
    health_ok: int = 0
    health_failed: int = 0
    health_ms: list[float] = field(default_factory=list)
    conversations: set[str] = field(default_factory=set)


def scripts() -> list[list[tuple[str, str | None]]]:
    """The dev dialogues as (message, region) lists."""
    return [
        [(turn.user, dialogue.region) for turn in dialogue.turns]
        for dialogue in load_dialogues(DATASETS / "dialogues_dev.jsonl")
    ]


class Connection:
    """One keep-alive HTTP/1.1 connection, just enough of a client for the load run: a request out, the status
    and body back (gzip as a browser asks for it). It shares the 2 cores with the server, so it is lean:
    measured on the same server and load, 0.16 ms of CPU a request against aiohttp's 0.62 ms."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self._streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def request(self, method: str, path: str, body: Any = None) -> tuple[int, bytes]:
        """The response's status and (decompressed) body; a dropped connection is opened again next time."""
        try:
            return await self._exchange(method, path, body)
        except BaseException:
            self.close()
            raise

    async def _exchange(self, method: str, path: str, body: Any) -> tuple[int, bytes]:
        if self._streams is None:
            self._streams = await asyncio.open_connection(self.host, self.port)
        reader, writer = self._streams
        payload = b"" if body is None else json.dumps(body).encode()
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nAccept-Encoding: gzip\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n"
        )
        writer.write(head.encode() + payload)
        await writer.drain()
        status_line, *header_lines = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        headers = dict(
            (name.strip().lower(), value.strip())
            for name, _, value in (line.partition(":") for line in header_lines if line)
        )
        if "chunked" in headers.get("transfer-encoding", ""):
            content = await _chunks(reader)
        else:
            content = await reader.readexactly(int(headers.get("content-length", "0")))
        if headers.get("connection", "").lower() == "close":
            self.close()
        if headers.get("content-encoding") == "gzip":
            content = gzip.decompress(content)
        return int(status_line.split(" ", 2)[1]), content

    def close(self) -> None:
        if self._streams is not None:
            self._streams[1].close()
            self._streams = None


async def _chunks(reader: asyncio.StreamReader) -> bytes:
    parts = []
    while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
        parts.append(await reader.readexactly(size))
        await reader.readexactly(2)
    await reader.readuntil(b"\r\n")
    return b"".join(parts)


ERRORS = (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError, ValueError)


async def client(http: Connection, number: int, clients: int, until: float, tally: Tally) -> None:
    """Plays dialogues number, number + clients, … turn by turn until the time is up."""
    dialogues = scripts()
    index = number
    while time.monotonic() < until:
        conversation = None
        for message, region in dialogues[index % len(dialogues)]:
            if time.monotonic() >= until:
                return
            started = time.perf_counter()
            body = {"message": message, "conversation_id": conversation, "region": region}
            try:
                async with asyncio.timeout(REQUEST_TIMEOUT_S):
                    status, content = await http.request("POST", "/api/chat", body)
            except ERRORS as error:
                tally.errors[type(error).__name__] += 1
                continue
            tally.latencies_ms.append((time.perf_counter() - started) * 1000)
            if status != 200:
                tally.errors[f"HTTP {status}"] += 1
                continue
            conversation = json.loads(content)["conversation_id"]
            tally.conversations.add(conversation)
        index += clients


async def health(http: Connection, until: float, tally: Tally) -> None:
    while time.monotonic() < until:
        started = time.perf_counter()
        try:
            async with asyncio.timeout(HEALTH_TIMEOUT_S):
                status, _ = await http.request("GET", "/health")
            ok = status == 200
        except ERRORS:
            ok = False
        tally.health_ms.append((time.perf_counter() - started) * 1000)
        tally.health_ok += ok
        tally.health_failed += not ok
        await asyncio.sleep(HEALTH_EVERY_S)


async def drive(url: str, *, clients: int, seconds: float) -> dict[str, Any]:
    """The load itself: each client on its own keep-alive connection, /health polled on another."""
    tally = Tally()
    address = urlsplit(url)
    connections = [Connection(address.hostname, address.port) for _ in range(clients + 1)]
    try:
        started = time.monotonic()
        until = started + seconds
        await asyncio.gather(
            health(connections[0], until, tally),
            *(client(connections[1 + n], n, clients, until, tally) for n in range(clients)),
        )
        elapsed = time.monotonic() - started
        for conversation in tally.conversations:  # leave nothing behind
            await connections[0].request("DELETE", f"/api/conversations/{conversation}")
    finally:
        for connection in connections:
            connection.close()
    latencies = tally.latencies_ms or [0.0]
    return {
        "clients": clients,
        "seconds": round(elapsed, 1),
        "requests": len(tally.latencies_ms),
        "requests_per_s": round(len(tally.latencies_ms) / elapsed, 1),
        "p50_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(percentile(latencies, 95), 1),
        "p99_ms": round(percentile(latencies, 99), 1),
        "max_ms": round(max(latencies), 1),
        "errors": sum(tally.errors.values()),
        "errors_by_kind": dict(tally.errors),
        "health_ok": tally.health_ok,
        "health_failed": tally.health_failed,
        "health_p95_ms": round(percentile(tally.health_ms or [0.0], 95), 1),
        "health_max_ms": round(max(tally.health_ms or [0.0]), 1),
    }


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _server_env(settings: Settings, port: int) -> dict[str, str]:
    env = {
        **os.environ,
        "ASSISTANT_KNOWLEDGE_DIR": str(Path(settings.knowledge_dir).resolve()),
        "ASSISTANT_DATA_DIR": str(Path(settings.data_dir).resolve()),
        "ASSISTANT_DATABASE_URL": settings.resolved_database_url,
        "ASSISTANT_CHROMA__PATH": str(Path(settings.chroma_path).resolve()),
        "ASSISTANT_WEB__HOST": "127.0.0.1",
        "ASSISTANT_WEB__PORT": str(port),
        "ASSISTANT_WEB__PUBLIC_URL": "",
        "ASSISTANT_WEB__RATE_LIMIT_PER_MINUTE": str(10**9),  # the bench measures the server, not the limit
        # The clients replay the same 72 dialogues: with the query cache, every search after the first minute
        # would be answered from it. Off, each message is embedded afresh, as a new person's would be.
        "ASSISTANT_SEARCH__QUERY_CACHE": "0",
    }
    if settings.chroma.url:
        env["ASSISTANT_CHROMA__URL"] = settings.chroma.url
    return env


def _wait_ready(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"assistant serve exited with {process.returncode}")
        try:
            if httpx.get(f"{url}/health/ready", timeout=2.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"assistant serve was not ready within {READY_TIMEOUT_S} s")


def _cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds a process and its running children (the reply workers) have used so far
    (Linux /proc; None elsewhere)."""
    own = _stat(pid)
    if own is None:
        return None
    children = (_stat(int(entry.name)) for entry in Path("/proc").iterdir() if entry.name.isdigit())
    used = [own, *(fields for fields in children if fields is not None and int(fields[1]) == pid)]
    return sum(int(fields[11]) + int(fields[12]) for fields in used) / os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str] | None:
    """/proc/PID/stat's fields after the command name (state, parent pid, …), or None."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def run_load(settings: Settings, *, clients: int = 32, seconds: float = 60.0) -> dict[str, Any]:
    """Start `assistant serve` over the configured index, load it, print and return the figures."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [sys.executable, "-m", "assistant.cli", "serve", "--port", str(port)],
        env=_server_env(settings, port),
        stdout=subprocess.DEVNULL,
    )
    try:
        _wait_ready(url, process)
        server_before, own_before = _cpu_seconds(process.pid), time.process_time()
        figures = asyncio.run(drive(url, clients=clients, seconds=seconds))
        server_after = _cpu_seconds(process.pid)
        figures["client_cpu_s"] = round(time.process_time() - own_before, 1)
        figures["server_cpu_s"] = (
            None if server_before is None or server_after is None else round(server_after - server_before, 1)
        )
    finally:
        process.terminate()
        process.wait(timeout=30)
    print(
        f"load: {figures['clients']} clients for {figures['seconds']} s: {figures['requests']} requests, "
        f"{figures['requests_per_s']} requests/s; latency p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms, "
        f"p99 {figures['p99_ms']} ms, max {figures['max_ms']} ms",
        flush=True,
    )
    per_request = 1000 / max(figures["requests"], 1)
    server_cpu = figures["server_cpu_s"]
    print(
        f"load CPU: server {server_cpu} s"
        + ("" if server_cpu is None else f" ({server_cpu * per_request:.1f} ms a request)")
        + f", load generator {figures['client_cpu_s']} s ({figures['client_cpu_s'] * per_request:.1f} ms a request)",
        flush=True,
    )
    print(f"load errors: {figures['errors']} {json.dumps(figures['errors_by_kind'])}", flush=True)
    print(
        f"load health polls: {figures['health_ok']} ok, {figures['health_failed']} failed; "
        f"p95 {figures['health_p95_ms']} ms, max {figures['health_max_ms']} ms",
        flush=True,
    )
    return figures
