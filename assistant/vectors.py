"""The vector index: one Chroma collection per kind, embedded on disk or on a Chroma server."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlparse

import chromadb
import numpy as np

from assistant.config import Settings

UPSERT_BATCH = 1000


def make_chroma_client(settings: Settings) -> chromadb.api.ClientAPI:
    """A Chroma server client when `chroma.url` is set, else the embedded client in the data folder."""
    chroma_settings = chromadb.Settings(anonymized_telemetry=False)
    if settings.chroma.url:
        url = urlparse(settings.chroma.url)
        return chromadb.HttpClient(
            host=url.hostname or "127.0.0.1",
            port=url.port or (443 if url.scheme == "https" else 8000),
            ssl=url.scheme == "https",
            settings=chroma_settings,
        )
    settings.chroma_path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.chroma_path), settings=chroma_settings)


class VectorStore:
    """Vectors of entry labels; each vector's metadata carries its record id and the entry's filters."""

    def __init__(self, client: chromadb.api.ClientAPI, *, prefix: str, model: str) -> None:
        self._client = client
        slug = re.sub(r"[^a-z0-9]+", "-", model.lower()).strip("-")[:40]
        self._prefix = f"{prefix}-{slug}"
        self._collections: dict[str, Any] = {}

    def name(self, kind: str) -> str:
        return f"{self._prefix}-{kind}"

    def collection(self, kind: str):
        if kind not in self._collections:
            self._collections[kind] = self._client.get_or_create_collection(
                self.name(kind), embedding_function=None, configuration={"hnsw": {"space": "cosine"}}
            )
        return self._collections[kind]

    def upsert(self, kind: str, ids: list[str], vectors: np.ndarray, metadatas: list[dict[str, Any]]) -> None:
        collection = self.collection(kind)
        for start in range(0, len(ids), UPSERT_BATCH):
            end = start + UPSERT_BATCH
            collection.upsert(
                ids=ids[start:end], embeddings=vectors[start:end], metadatas=metadatas[start:end]
            )

    def delete(self, kind: str, ids: list[str]) -> None:
        collection = self.collection(kind)
        for start in range(0, len(ids), UPSERT_BATCH):
            collection.delete(ids=ids[start : start + UPSERT_BATCH])

    def count(self, kind: str) -> int:
        return self.collection(kind).count()

    def snapshot(self, kind: str, *, page: int = 5000) -> VectorSnapshot:
        """All vectors of a kind in memory, for exact search by one matrix product (read in pages).

        Measured here: Chroma's own query costs ~2.6 ms a collection whatever its size, the product over
        40k vectors ~2.7 ms and over a small collection ~0 ms, and a `where` filter makes Chroma slower still.
        """
        collection = self.collection(kind)
        vectors: list[np.ndarray] = []
        record_ids: list[str] = []
        offset = 0
        while True:
            batch = collection.get(include=["embeddings", "metadatas"], limit=page, offset=offset)
            if not batch["ids"]:
                break
            vectors.append(np.asarray(batch["embeddings"], dtype=np.float32))
            record_ids += [meta["record_id"] for meta in batch["metadatas"]]
            offset += len(batch["ids"])
        matrix = np.concatenate(vectors) if vectors else np.zeros((0, 0), dtype=np.float32)
        return VectorSnapshot(matrix, record_ids)


class VectorSnapshot:
    """A kind's vectors held in memory: exact nearest neighbours by one matrix product (~3 ms for 40k)."""

    def __init__(self, matrix: np.ndarray, record_ids: list[str]) -> None:
        self.matrix = matrix
        self.record_ids = record_ids

    def __len__(self) -> int:
        return len(self.record_ids)

    def nearest(
        self, vector: np.ndarray, *, n: int, allowed: np.ndarray | None = None
    ) -> list[tuple[str, float]]:
        """The `n` most similar vectors as (record id, cosine similarity); `allowed` masks vectors out."""
        if not len(self):
            return []
        similarities = self.matrix @ vector
        if allowed is not None:
            similarities = np.where(allowed, similarities, -np.inf)
        top = np.argpartition(-similarities, min(n, len(similarities) - 1))[:n]
        top = top[np.argsort(-similarities[top])]
        return [(self.record_ids[i], float(similarities[i])) for i in top if similarities[i] > -np.inf]
