"""`assistant bench --load-only`: the HTTP load run prints its figures and the server answers every request."""

from assistant.config import Settings
from evals.load import run_load


def test_a_short_load_run_has_no_errors_and_health_answers_throughout(tmp_path, knowledge_dir, capsys):
    settings = Settings(_env_file=None, knowledge_dir=knowledge_dir, data_dir=tmp_path / "var")
    figures = run_load(settings, clients=2, seconds=3)  # the server indexes the empty folder first
    assert figures["requests"] > 0 and figures["errors"] == 0, figures["errors_by_kind"]
    assert figures["health_ok"] >= 3 and figures["health_failed"] == 0
    assert figures["p50_ms"] > 0 and figures["p95_ms"] >= figures["p50_ms"]
    printed = capsys.readouterr().out
    assert "requests/s" in printed and "p95" in printed and "load errors: 0" in printed
