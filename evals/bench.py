"""`assistant bench`: indexing speed against raw encoding, unchanged re-index, search latency, peak memory."""

from __future__ import annotations

import json
import random
import resource
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from assistant.config import Settings
from assistant.esco.importer import import_packages
from assistant.wiring import Services

DATASETS = Path(__file__).parent / "datasets"
RESULTS = Path(__file__).parent / "results"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


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
                queries.append((case["query"], case["lang"]))
    checked = services.check()
    for course in checked.knowledge.courses:
        queries += [(title, lang) for lang, title in course.title.items()]
    names = [(label, lang) for langs in checked.extra_labels.labels.values() for lang, ls in langs.items() for label in ls]
    rng.shuffle(names)
    queries += [(name, None) for name in names[: max(0, count - len(queries))]]
    rng.shuffle(queries)
    return queries[:count]


def run_bench(settings: Settings, *, esco_paths: list[Path], queries: int = 500, raw: bool = True) -> dict[str, Any]:
    """Index from nothing in a temporary data folder, then measure; prints figures and saves them."""
    figures: dict[str, Any] = {"commit": _commit()}
    with tempfile.TemporaryDirectory(prefix="assistant-bench-") as folder:
        fresh = settings.model_copy(update={"data_dir": Path(folder), "database_url": None})
        services = Services(fresh, progress=False)
        if esco_paths:
            started = time.perf_counter()
            import_packages(services.engine, esco_paths, progress=False)
            figures["esco_import_s"] = round(time.perf_counter() - started, 1)
        started = time.perf_counter()
        report, _ = services.index()
        figures["index_s"] = round(time.perf_counter() - started, 1)
        figures["embedded_texts"] = sum(kind.embedded for kind in report.kinds.values())
        figures["entries"] = {kind: r.entries for kind, r in report.kinds.items()}
        _print(figures, "index_s", "embedded_texts", "entries")
        if raw and figures["embedded_texts"]:
            texts = _embedded_texts(services)
            started = time.perf_counter()
            for start in range(0, len(texts), fresh.embedding.batch_size):
                services.embedder.embed_passages(texts[start : start + fresh.embedding.batch_size])
            figures["raw_encode_s"] = round(time.perf_counter() - started, 1)
            figures["index_vs_raw"] = round(figures["index_s"] / max(figures["raw_encode_s"], 1e-9), 2)
            _print(figures, "raw_encode_s", "index_vs_raw")
        again = Services(fresh, progress=False)
        started = time.perf_counter()
        again.index()
        figures["unchanged_reindex_s"] = round(time.perf_counter() - started, 2)
        _print(figures, "unchanged_reindex_s")
        figures |= _search_latency(again, queries)
        figures["peak_rss_mb"] = round(peak_rss_mb())
        _print(figures, "search_ms", "peak_rss_mb")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"bench-{figures['commit']}.json").write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return figures


def _embedded_texts(services: Services) -> list[str]:
    """The texts the index embedded, read back from the record manager's entries."""
    from sqlalchemy import select

    from assistant.db import index_entries
    from assistant.entries import Entry

    with services.engine.connect() as connection:
        payloads = connection.execute(select(index_entries.c.payload)).scalars()
        return [label.text for p in payloads for label in Entry.from_json(p).labels if label.embed]


def _search_latency(services: Services, count: int) -> dict[str, Any]:
    searcher = services.searcher
    questions = bench_queries(services, count)
    searcher.search("warm-up", k=10)
    timings = []
    for text, lang in questions:
        started = time.perf_counter()
        searcher.search(text, k=10, lang=lang)
        timings.append((time.perf_counter() - started) * 1000)
    return {
        "search_ms": {
            "queries": len(timings),
            "p50": round(statistics.median(timings), 1),
            "p95": round(percentile(timings, 95), 1),
            "p99": round(percentile(timings, 99), 1),
            "max": round(max(timings), 1),
        }
    }


def _print(figures: dict[str, Any], *keys: str) -> None:
    for key in keys:
        if key in figures:
            print(f"{key}: {figures[key]}", flush=True)


def _commit() -> str:
    try:
        result = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True)
        return result.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
