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


def _where(filters: dict[str, Any]) -> dict[str, Any] | None:
    clauses: list[dict[str, Any]] = []
    for key, value in filters.items():
        clauses.append({key: {"$in": list(value)}} if isinstance(value, list | tuple) else {key: value})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


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

    def query(
        self, kind: str, vector: np.ndarray, *, n: int, filters: dict[str, Any]
    ) -> list[tuple[str, float]]:
        """Nearest vectors as (record id, cosine similarity), best first; a record may appear more than once."""
        collection = self.collection(kind)
        result = collection.query(
            query_embeddings=[vector], n_results=n, where=_where(filters), include=["metadatas", "distances"]
        )
        metadatas, distances = result["metadatas"][0], result["distances"][0]
        return [
            (meta["record_id"], 1.0 - float(dist)) for meta, dist in zip(metadatas, distances, strict=True)
        ]
