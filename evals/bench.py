"""`assistant bench`: indexing speed against raw encoding, unchanged re-index, search latency, peak memory."""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from assistant.config import Settings
from assistant.embeddings import make_embedder
from assistant.esco.importer import import_packages
from assistant.wiring import Services

DATASETS = Path(__file__).parent / "datasets"
RESULTS = Path(__file__).parent / "results"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def bench_queries(services: Services, count: int, *, seed: int = 7) -> list[tuple[str, str | None]]:
    """Mixed-language questions: the dev sets, course titles, and ESCO names in all six languages."""
    rng = random.Random(seed)
    queries: list[tuple[str, str | None]] = []
    for path in sorted(DATASETS.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                case = json.loads(line)
                if "query" in case:  # retrieval sets; the dialogue set is replayed by the reply phase
                    queries.append((case["query"], case["lang"]))
    checked = services.check()
    for course in checked.knowledge.courses:
        queries += [(title, lang) for lang, title in course.title.items()]
    names: list[tuple[str, str | None]] = [
        (label, None)
        for langs in checked.extra_labels.labels.values()
        for labels in langs.values()
        for label in labels
    ]
    rng.shuffle(names)
    queries += names[: max(0, count - len(queries))]
    rng.shuffle(queries)
    return queries[:count]


def run_bench(
    settings: Settings, *, esco_paths: list[Path], queries: int = 500, raw: bool = True
) -> dict[str, Any]:
    """Index from nothing in a temporary data folder, then measure; prints figures and saves them.

    Indexing and searching each run in a child process, so that each phase's peak memory is its own.
    """
    figures: dict[str, Any] = {"commit": _commit()}
    with tempfile.TemporaryDirectory(prefix="assistant-bench-") as folder:
        fresh = settings.model_copy(update={"data_dir": Path(folder), "database_url": None})
        env = {
            **os.environ,
            "ASSISTANT_DATA_DIR": folder,
            "ASSISTANT_DATABASE_URL": "",
            "ASSISTANT_KNOWLEDGE_DIR": str(settings.knowledge_dir.resolve()),
        }
        # The knowledge folder first, then ESCO, so that each has its own indexing time.
        knowledge = _child(["index"], env)
        figures["knowledge_index_s"] = knowledge["seconds"]
        figures["index_s"], figures["embedded_texts"] = (
            knowledge["seconds"],
            knowledge["result"]["embedded_texts"],
        )
        figures["index_peak_rss_mb"], figures["entries"] = (
            knowledge["peak_rss_mb"],
            knowledge["result"]["entries"],
        )
        if esco_paths:
            started = time.perf_counter()
            import_packages(Services(fresh, progress=False).engine, esco_paths, progress=False)
            figures["esco_import_s"] = round(time.perf_counter() - started, 1)
            esco = _child(["index"], env)
            figures["esco_index_s"] = esco["seconds"]
            figures["index_s"] = round(figures["index_s"] + esco["seconds"], 2)
            figures["embedded_texts"] += esco["result"]["embedded_texts"]
            figures["index_peak_rss_mb"] = max(figures["index_peak_rss_mb"], esco["peak_rss_mb"])
            figures["entries"] = esco["result"]["entries"]
        _print(figures, "knowledge_index_s", "esco_import_s", "esco_index_s", "index_s", "embedded_texts")
        _print(figures, "entries", "index_peak_rss_mb")
        if raw and figures["embedded_texts"]:
            texts = _embedded_texts(Services(fresh, progress=False))
            embedder = make_embedder(fresh.embedding)
            started = time.perf_counter()
            for start in range(0, len(texts), fresh.embedding.batch_size):
                embedder.embed_passages(texts[start : start + fresh.embedding.batch_size])
            figures["raw_encode_s"] = round(time.perf_counter() - started, 1)
            figures["index_vs_raw"] = round(figures["index_s"] / max(figures["raw_encode_s"], 1e-9), 2)
            _print(figures, "raw_encode_s", "index_vs_raw")
        again = _child(["index"], env)
        figures["unchanged_reindex_s"] = again["seconds"]
        figures["unchanged_embedded_texts"] = again["result"]["embedded_texts"]
        _print(figures, "unchanged_reindex_s", "unchanged_embedded_texts")
        search = _child(["search", str(queries)], env)
        figures["search_ms"] = search["result"]
        figures["search_peak_rss_mb"] = search["peak_rss_mb"]
        _print(figures, "search_ms", "search_peak_rss_mb")
        reply = _child(["reply", str(queries)], env)
        figures["reply"] = reply["result"]
        figures["reply_peak_rss_mb"] = reply["peak_rss_mb"]
        _print(figures, "reply", "reply_peak_rss_mb")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"bench-{figures['commit']}.json").write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return figures


def _child(args: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Run one phase (`python -m evals.bench PHASE`) and read its wall time, peak RSS and JSON result."""
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "evals.bench", *args], env=env, stdout=subprocess.PIPE)
    output = process.stdout.read() if process.stdout else b""
    _, status, usage = os.wait4(process.pid, 0)
    seconds = round(time.perf_counter() - started, 2)
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"bench phase {args} failed")
    return {"seconds": seconds, "peak_rss_mb": round(usage.ru_maxrss / 1024), "result": json.loads(output)}


def _phase_index() -> dict[str, Any]:
    report, _ = Services(Settings(), progress=False).index()
    return {
        "embedded_texts": sum(kind.embedded for kind in report.kinds.values()),
        "entries": {kind: r.entries for kind, r in report.kinds.items()},
    }


def _embedded_texts(services: Services) -> list[str]:
    """The texts the index embedded, read back from the record manager's entries."""
    from sqlalchemy import select

    from assistant.db import index_entries
    from assistant.entries import Entry

    with services.engine.connect() as connection:
        payloads = connection.execute(select(index_entries.c.payload)).scalars()
        return [label.text for p in payloads for label in Entry.from_json(p).labels if label.embed]


def _phase_search(count: int) -> dict[str, Any]:
    services = Services(Settings(), progress=False)
    searcher = services.searcher
    questions = bench_queries(services, count)
    searcher.warm_up()
    timings = []
    for text, lang in questions:
        started = time.perf_counter()
        searcher.search(text, k=10, lang=lang)
        timings.append((time.perf_counter() - started) * 1000)
    return {
        "queries": len(timings),
        "p50": round(statistics.median(timings), 1),
        "p95": round(percentile(timings, 95), 1),
        "p99": round(percentile(timings, 99), 1),
        "max": round(max(timings), 1),
    }


def dialogue_turns(count: int) -> list[tuple[str, str, str | None]]:
    """(conversation, message, region hint) in order: the dev dialogues replayed until `count` turns."""
    from evals.dialogue import load_dialogues

    dialogues = load_dialogues(DATASETS / "dialogues_dev.jsonl")
    turns: list[tuple[str, str, str | None]] = []
    round_number = 0
    while len(turns) < count and dialogues:
        for dialogue in dialogues:
            turns += [
                (f"bench:{round_number}:{dialogue.id}", t.user, dialogue.region) for t in dialogue.turns
            ]
        round_number += 1
    return turns[:count]


def run_reply_bench(services: Services, count: int) -> dict[str, Any]:
    """Grounded reply latency over multi-turn conversations, and bare search over the same messages."""
    assistant = services.assistant()
    assistant.searcher.warm_up()
    turns = dialogue_turns(count)
    replies, searches, searching = [], [], []
    for conversation, text, region in turns:
        started = time.perf_counter()
        answer = assistant.reply(conversation, text, region=region)
        replies.append((time.perf_counter() - started) * 1000)
        searching.append(answer.intent in ("find_training", "learn_skill", "occupation"))
    for conversation in {c for c, _, _ in turns}:
        assistant.forget(conversation)
    for _, text, _ in turns:
        started = time.perf_counter()
        assistant.searcher.search(text, k=10)
        searches.append((time.perf_counter() - started) * 1000)
    reply_p50, search_p50 = statistics.median(replies), statistics.median(searches)
    # The overhead where a reply searches: its time against a bare search of the same message.
    searched = [r for r, s in zip(replies, searching, strict=True) if s]
    bare = [b for b, s in zip(searches, searching, strict=True) if s]
    return {
        "turns": len(replies),
        "p50": round(reply_p50, 1),
        "p95": round(percentile(replies, 95), 1),
        "p99": round(percentile(replies, 99), 1),
        "max": round(max(replies), 1),
        "bare_search_p50": round(search_p50, 1),
        "bare_search_p95": round(percentile(searches, 95), 1),
        "searching_turns": len(searched),
        "searching_reply_p50": round(statistics.median(searched), 1) if searched else None,
        "searching_reply_p95": round(percentile(searched, 95), 1) if searched else None,
        "searching_bare_search_p50": round(statistics.median(bare), 1) if bare else None,
        "searching_reply_vs_search_p50": round(statistics.median(searched) / statistics.median(bare), 2)
        if searched
        else None,
    }


def _print(figures: dict[str, Any], *keys: str) -> None:
    for key in keys:
        if key in figures:
            print(f"{key}: {figures[key]}", flush=True)


def _commit() -> str:
    try:
        result = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        )
        return result.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


if __name__ == "__main__":
    phase = sys.argv[1]
    if phase == "index":
        result = _phase_index()
    elif phase == "reply":
        # Every message embedded afresh, in replies and bare searches alike: the bench replays dialogues, and
        # the query cache would answer the repeats.
        settings = Settings()
        settings = settings.model_copy(
            update={"search": settings.search.model_copy(update={"query_cache": 0})}
        )
        result = run_reply_bench(Services(settings, progress=False), int(sys.argv[2]))
    else:
        result = _phase_search(int(sys.argv[2]))
    print(json.dumps(result))
