"""Incremental indexing: a record manager in SQL decides what to embed, re-embed and delete."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sqlalchemy import Engine, delete, insert, select, update
from tqdm import tqdm

from assistant.db import index_entries, index_state, index_vectors
from assistant.embeddings import Embedder
from assistant.entries import Entry
from assistant.lexical import LexicalIndex
from assistant.vectors import VectorStore


@dataclass
class KindReport:
    """What one kind's indexing did."""

    entries: int = 0
    added: int = 0
    updated: int = 0
    deleted: int = 0
    embedded: int = 0
    vectors_deleted: int = 0
    lexical_rebuilt: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.deleted or self.embedded or self.vectors_deleted)


@dataclass
class IndexReport:
    kinds: dict[str, KindReport] = field(default_factory=dict)

    def __str__(self) -> str:
        lines = []
        for kind, r in self.kinds.items():
            lines.append(
                f"{kind}: {r.entries} entries ({r.added} added, {r.updated} updated, {r.deleted} deleted); "
                f"{r.embedded} texts embedded, {r.vectors_deleted} vectors removed"
                + ("; lexical index rebuilt" if r.lexical_rebuilt else "")
            )
        return "\n".join(lines)


def _delete_keys(connection, table, key, collection: str, keys: list[str]) -> None:
    """Delete rows of one collection by key, a few hundred keys a statement."""
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        connection.execute(delete(table).where(table.c.collection == collection, key.in_(chunk)))


class Indexer:
    """Brings the vector and lexical indexes of each kind in line with a full list of its entries."""

    def __init__(
        self,
        engine: Engine,
        vectors: VectorStore,
        embedder: Callable[[], Embedder],
        *,
        lexical_path: Path,
        batch_size: int = 256,
        progress: bool = True,
    ) -> None:
        self._engine = engine
        self._vectors = vectors
        self._embedder = embedder  # called only when something needs embedding
        self._lexical_path = lexical_path
        self._batch_size = batch_size
        self._progress = progress

    def index(self, kind: str, entries: list[Entry]) -> KindReport:
        """Make `entries` the whole content of `kind` (cleanup of everything else, like cleanup='full')."""
        report = KindReport(entries=len(entries))
        wanted = {entry.id: entry for entry in entries}
        hashes = {entry_id: entry.hash for entry_id, entry in wanted.items()}
        with self._engine.begin() as connection:
            stored = dict(
                connection.execute(
                    select(index_entries.c.record_id, index_entries.c.hash).where(
                        index_entries.c.collection == kind
                    )
                ).all()
            )
        added = [i for i in wanted if i not in stored]
        updated = [i for i in wanted if i in stored and stored[i] != hashes[i]]
        removed = [i for i in stored if i not in wanted]
        report.added, report.updated, report.deleted = len(added), len(updated), len(removed)
        self._sync_vectors(kind, wanted, report)
        self._write_entries(kind, wanted, hashes, added, updated, removed)
        fingerprint = hashlib.sha1(json.dumps(sorted(hashes.items())).encode()).hexdigest()
        folder = self._lexical_path / kind
        if report.changed or self._fingerprint(kind) != fingerprint or not (folder / "records.json").exists():
            LexicalIndex.build(sorted(wanted.values(), key=lambda e: e.id)).save(folder)
            self._set_fingerprint(kind, fingerprint, len(wanted))
            report.lexical_rebuilt = True
        return report

    def _sync_vectors(self, kind: str, wanted: dict[str, Entry], report: KindReport) -> None:
        collection = self._vectors.name(kind)
        desired = {}
        for entry in wanted.values():
            for label in entry.labels:
                if label.embed:
                    desired[entry.vector_id(label)] = (entry, label)
        with self._engine.begin() as connection:
            stored = set(
                connection.execute(
                    select(index_vectors.c.vector_id).where(index_vectors.c.collection == collection)
                ).scalars()
            )
        stale = sorted(stored - desired.keys())
        if stale:
            self._vectors.delete(kind, stale)
            with self._engine.begin() as connection:
                _delete_keys(connection, index_vectors, index_vectors.c.vector_id, collection, stale)
            report.vectors_deleted = len(stale)
        missing = [vid for vid in desired if vid not in stored]
        if missing:
            self._embed(kind, collection, missing, desired)
            report.embedded = len(missing)

    def _embed(self, kind: str, collection: str, missing: list[str], desired: dict) -> None:
        """Embed batch after batch; each batch is written (Chroma, then SQL) while the next one embeds."""
        embedder = self._embedder()
        missing = sorted(missing, key=lambda vid: desired[vid][1].text)  # equal texts share a batch
        with (
            tqdm(
                total=len(missing), desc=f"embedding {kind}", unit=" texts", disable=not self._progress
            ) as bar,
            ThreadPoolExecutor(1, thread_name_prefix="index-writer") as writer,
        ):
            writing: list[Future] = []  # at most one batch in flight
            for start in range(0, len(missing), self._batch_size):
                ids = missing[start : start + self._batch_size]
                pairs = [desired[vid] for vid in ids]
                unique = list(dict.fromkeys(label.text for _, label in pairs))  # same text, same vector
                embedded = dict(zip(unique, embedder.embed_passages(unique), strict=True))
                vectors = np.stack([embedded[label.text] for _, label in pairs])
                bar.update(sum(future.result() for future in writing))  # a failed write stops the run here
                writing = [writer.submit(self._write_batch, kind, collection, ids, pairs, vectors)]
            bar.update(sum(future.result() for future in writing))

    def _write_batch(
        self, kind: str, collection: str, ids: list[str], pairs: list, vectors: np.ndarray
    ) -> int:
        metadatas = [{"record_id": e.id, "lang": label.lang, **e.filters} for e, label in pairs]
        self._vectors.upsert(kind, ids, vectors, metadatas)
        with self._engine.begin() as connection:
            rows = [
                {"collection": collection, "vector_id": v, "record_id": e.id}
                for v, (e, _) in zip(ids, pairs, strict=True)
            ]
            connection.execute(insert(index_vectors), rows)
        return len(ids)

    def _write_entries(self, kind, wanted, hashes, added, updated, removed) -> None:
        with self._engine.begin() as connection:
            _delete_keys(connection, index_entries, index_entries.c.record_id, kind, removed)
            for start in range(0, len(added), 1000):
                rows = [self._row(kind, wanted[i], hashes[i]) for i in added[start : start + 1000]]
                connection.execute(insert(index_entries), rows)
            for record_id in updated:
                row = self._row(kind, wanted[record_id], hashes[record_id])
                connection.execute(
                    update(index_entries)
                    .where(index_entries.c.collection == kind, index_entries.c.record_id == record_id)
                    .values(hash=row["hash"], source=row["source"], payload=row["payload"])
                )

    @staticmethod
    def _row(kind: str, entry: Entry, digest: str) -> dict:
        return {
            "collection": kind,
            "record_id": entry.id,
            "hash": digest,
            "source": entry.source[:300],
            "payload": entry.to_json(),
        }

    def _fingerprint(self, kind: str) -> str | None:
        with self._engine.connect() as connection:
            return connection.execute(
                select(index_state.c.fingerprint).where(index_state.c.collection == kind)
            ).scalar_one_or_none()

    def _set_fingerprint(self, kind: str, fingerprint: str, entries: int) -> None:
        with self._engine.begin() as connection:
            connection.execute(delete(index_state).where(index_state.c.collection == kind))
            connection.execute(
                insert(index_state).values(collection=kind, fingerprint=fingerprint, entries=entries)
            )
