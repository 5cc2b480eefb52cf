"""`assistant bench` runs end to end and reports every figure (the figures themselves are not asserted)."""

from assistant.config import Settings
from evals.bench import run_bench


def test_bench_reports_every_figure(tmp_path, knowledge_dir, capsys):
    settings = Settings(_env_file=None, knowledge_dir=knowledge_dir, data_dir=tmp_path / "unused")
    figures = run_bench(settings, esco_paths=[], queries=20)
    assert figures["embedded_texts"] > 0 and figures["unchanged_embedded_texts"] == 0
    assert set(figures["search_ms"]) == {"queries", "p50", "p95", "p99", "max"}
    assert figures["search_ms"]["queries"] == 20
    assert figures["reply"]["turns"] == 20 and figures["reply"]["p95"] > 0
    for key in (
        "index_s",
        "raw_encode_s",
        "index_vs_raw",
        "unchanged_reindex_s",
        "index_peak_rss_mb",
        "search_peak_rss_mb",
        "reply_peak_rss_mb",
    ):
        assert figures[key] > 0, key
    assert "index_vs_raw:" in capsys.readouterr().out
    assert not (tmp_path / "unused").exists()  # the bench indexes in a folder of its own
