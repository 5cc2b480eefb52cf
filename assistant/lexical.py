"""The lexical index: BM25 over the lemmatised, diacritics-folded labels of a kind's entries."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import bm25s
import numpy as np

from assistant.entries import Entry
from assistant.text import terms


@dataclass(frozen=True)
class RecordInfo:
    """What a hit shows and how it is filtered, without the labels."""

    id: str
    lang: str
    title: dict[str, str]
    url: str | None
    filters: dict[str, Any]


class LexicalIndex:
    """BM25 with one document per label; a record scores as its best label."""

    def __init__(
        self, bm25: bm25s.BM25 | None, records: list[RecordInfo], offsets: np.ndarray, weights: np.ndarray
    ) -> None:
        self._bm25 = bm25
        self.records = records
        self._offsets = offsets  # first label of each record, in label order
        self._weights = weights  # one per label

    @classmethod
    def build(cls, entries: list[Entry]) -> LexicalIndex:
        documents: list[list[str]] = []
        weights: list[float] = []
        offsets: list[int] = []
        records: list[RecordInfo] = []
        for entry in entries:
            offsets.append(len(documents))
            records.append(RecordInfo(entry.id, entry.lang, entry.title, entry.url, entry.filters))
            documents.extend(terms(label.text, (label.lang,)) or [""] for label in entry.labels)
            weights.extend(label.weight for label in entry.labels)
            if not entry.labels:
                documents.append([""])
                weights.append(0.0)
        bm25 = None
        if documents:
            bm25 = bm25s.BM25(k1=1.2, b=1.0)
            bm25.index(documents, show_progress=False)
        return cls(bm25, records, np.asarray(offsets, dtype=np.int64), np.asarray(weights, dtype=np.float32))

    def scores(self, query_terms: list[str]) -> np.ndarray:
        """One score per record: the best BM25 score among its labels."""
        if self._bm25 is None or not query_terms:
            return np.zeros(len(self.records), dtype=np.float32)
        label_scores = self._bm25.get_scores(query_terms) * self._weights
        return np.maximum.reduceat(label_scores, self._offsets) if len(self._offsets) else label_scores[:0]

    def save(self, folder: Path) -> None:
        tmp = folder.with_name(folder.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        if self._bm25 is not None:
            self._bm25.save(str(tmp / "bm25"), show_progress=False)
        np.save(tmp / "offsets.npy", self._offsets)
        np.save(tmp / "weights.npy", self._weights)
        rows = [[r.id, r.lang, r.title, r.url, r.filters] for r in self.records]
        (tmp / "records.json").write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
        shutil.rmtree(folder, ignore_errors=True)
        tmp.rename(folder)

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        if not (folder / "records.json").exists():
            return cls(None, [], np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32))
        rows = json.loads((folder / "records.json").read_text(encoding="utf-8"))
        records = [RecordInfo(*row) for row in rows]
        bm25 = (
            bm25s.BM25.load(str(folder / "bm25"), show_progress=False) if (folder / "bm25").exists() else None
        )
        return cls(bm25, records, np.load(folder / "offsets.npy"), np.load(folder / "weights.npy"))
