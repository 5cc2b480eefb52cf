"""Retrieval eval: hit@1, hit@5, hit@10 and MRR@10 per language and overall, over a JSON Lines dataset."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.config import LANGUAGES
from assistant.entries import KINDS
from assistant.search import Filters, Searcher


@dataclass(frozen=True)
class Case:
    id: str
    lang: str
    query: str
    expected: tuple[str, ...]
    kind: str | None = None


def load_cases(path: Path) -> list[Case]:
    """Read and check a dataset; a bad line is an error naming its line."""
    cases = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            case = Case(data["id"], data["lang"], data["query"], tuple(data["expected"]), data.get("kind"))
        except (ValueError, KeyError, TypeError) as error:
            raise ValueError(f"{path}:{number}: not a valid case ({error})") from None
        if case.lang not in LANGUAGES or (case.kind and case.kind not in KINDS) or not case.expected:
            raise ValueError(f"{path}:{number}: lang, kind or expected is not valid")
        cases.append(case)
    return cases


def metrics(ranks: list[int | None]) -> dict[str, Any]:
    """Figures for a list of 1-based ranks of the first expected hit (None: not in the top 10)."""
    n = len(ranks)

    def hit(at: int) -> float:
        return round(sum(1 for r in ranks if r is not None and r <= at) / n, 4) if n else 0.0

    mrr = round(sum(1 / r for r in ranks if r is not None and r <= 10) / n, 4) if n else 0.0
    return {"n": n, "hit@1": hit(1), "hit@5": hit(5), "hit@10": hit(10), "mrr@10": mrr}


def run_case(searcher: Searcher, case: Case, *, k: int) -> dict[str, Any]:
    kinds = (case.kind,) if case.kind else KINDS
    hits = searcher.search(case.query, kinds=kinds, k=k, lang=case.lang, filters=Filters(lang=case.lang))
    ids = [hit.id for hit in hits]
    rank = next((i for i, hit_id in enumerate(ids, start=1) if hit_id in case.expected), None)
    return {"id": case.id, "lang": case.lang, "query": case.query, "rank": rank, "top": ids[:3]}


def evaluate(searcher: Searcher, cases: list[Case], *, k: int = 10) -> dict[str, Any]:
    results = [run_case(searcher, case, k=k) for case in cases]
    by_lang: dict[str, list[int | None]] = defaultdict(list)
    for result in results:
        by_lang[result["lang"]].append(result["rank"])
    return {
        "overall": metrics([r["rank"] for r in results]),
        "by_lang": {lang: metrics(by_lang[lang]) for lang in LANGUAGES if lang in by_lang},
        "cases": results,
    }


def format_table(result: dict[str, Any]) -> str:
    lines = [f"{'lang':8}{'n':>5}{'hit@1':>8}{'hit@5':>8}{'hit@10':>8}{'mrr@10':>8}"]
    rows = [*result["by_lang"].items(), ("overall", result["overall"])]
    for name, m in rows:
        lines.append(
            f"{name:8}{m['n']:>5}{m['hit@1']:>8.3f}{m['hit@5']:>8.3f}{m['hit@10']:>8.3f}{m['mrr@10']:>8.3f}"
        )
    misses = [r for r in result["cases"] if r["rank"] != 1]
    if misses:
        lines.append("\nnot first:")
        lines += [f"  {r['id']}: rank {r['rank']} — {r['query']}" for r in misses[:40]]
    return "\n".join(lines)
