"""The `assistant` command as a person runs it."""

import json

import pytest
from typer.testing import CliRunner

from assistant.cli import app
from tests.esco_packages import WELDER, write_v11

runner = CliRunner()


@pytest.fixture
def env(tmp_path, knowledge_dir, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ASSISTANT_KNOWLEDGE_DIR", str(knowledge_dir))
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path / "var"))
    return tmp_path


def test_check_passes_on_good_knowledge(env):
    result = runner.invoke(app, ["check"])
    assert result.exit_code == 0, result.output
    assert "4 offerings, 1 guidance pages, 0 problems" in result.stderr


def test_check_lists_problems_and_fails(env, knowledge_dir):
    (knowledge_dir / "catalogues/si-gorenjska/bad.md").write_text("---\nid: Bad Id\n---\n", encoding="utf-8")
    result = runner.invoke(app, ["check"])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    path = (knowledge_dir / "catalogues/si-gorenjska/bad.md").as_posix()
    assert (
        f"{path}:2: id: use 3-100 lowercase letters, digits and hyphens, e.g. hr-sisak-zavarivanje-mig"
        in lines
    )
    assert f"{path}:2: type: is required" in lines


def test_esco_import_index_and_search_json(env):
    paths = [str(p) for p in write_v11(env, "en")]
    result = runner.invoke(app, ["esco", "import", *paths])
    assert result.exit_code == 0, result.output
    assert "occupations/en: 3" in result.stdout and "relations: 5" in result.stdout
    assert "occupation: 3 entries (3 added" in result.stdout
    again = runner.invoke(app, ["esco", "import", *paths])
    assert "occupation: 3 entries (0 added, 0 updated, 0 deleted); 0 texts embedded" in again.stdout
    result = runner.invoke(
        app, ["search", "varilka", "--kind", "occupation", "--lang", "sl", "-k", "2", "--json"]
    )
    assert result.exit_code == 0, result.output
    hits = json.loads(result.stdout)
    assert hits[0] == {
        "id": WELDER,
        "kind": "occupation",
        "title": "varilec",
        "score": hits[0]["score"],
        "lang": "sl",
        "url": WELDER,
    }
    assert len(hits) == 2


def test_search_rejects_unknown_kind(env):
    result = runner.invoke(app, ["search", "x", "--kind", "planet"])
    assert result.exit_code == 2 and "--kind must be one of" in result.stderr


def test_eval_retrieval_json_shape(env):
    assert runner.invoke(app, ["index"]).exit_code == 0
    dataset = env / "cases.jsonl"
    cases = [
        {
            "id": "excel-hr",
            "lang": "hr",
            "query": "tečaj excela",
            "kind": "course",
            "expected": ["hr-test-excel"],
        },
        {"id": "weld-en", "lang": "en", "query": "welding", "expected": ["si-test-varjenje"]},
        {"id": "none-en", "lang": "en", "query": "astronaut", "kind": "course", "expected": ["no-such-id"]},
    ]
    dataset.write_text("\n".join(json.dumps(c) for c in cases), encoding="utf-8")
    result = runner.invoke(app, ["eval", "retrieval", str(dataset), "-k", "10", "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    assert set(figures) == {"overall", "by_lang", "cases"}
    assert figures["overall"]["n"] == 3 and set(figures["by_lang"]) == {"hr", "en"}
    assert figures["by_lang"]["hr"] == {"n": 1, "hit@1": 1.0, "hit@5": 1.0, "hit@10": 1.0, "mrr@10": 1.0}
    assert figures["by_lang"]["en"]["hit@10"] == 0.5
    table = runner.invoke(app, ["eval", "retrieval", str(dataset)])
    assert "overall" in table.stdout and "hit@10" in table.stdout


def test_eval_rejects_a_bad_dataset_line(env):
    dataset = env / "bad.jsonl"
    dataset.write_text('{"id": "x", "lang": "xx", "query": "q", "expected": ["a"]}\n', encoding="utf-8")
    result = runner.invoke(app, ["eval", "retrieval", str(dataset)])
    assert result.exit_code == 2 and "bad.jsonl:1" in result.stderr


@pytest.fixture
def sample_env(sample_services, monkeypatch):
    monkeypatch.setenv("ASSISTANT_KNOWLEDGE_DIR", str(sample_services.settings.knowledge_dir))
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(sample_services.settings.data_dir))


def test_ask_prints_an_answer_as_json(sample_env):
    result = runner.invoke(app, ["ask", "Kje se lahko naučim varjenja v Kranju?", "--json"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert set(answer) == {"conversation_id", "text", "lang", "sources", "suggestions"}
    assert answer["lang"] == "sl" and answer["sources"]
    assert set(answer["sources"][0]) == {"id", "kind", "title", "url"}


def test_ask_refuses_a_language_it_does_not_speak(sample_env):
    result = runner.invoke(app, ["ask", "hello", "--lang", "de"])
    assert result.exit_code == 2


def test_chat_keeps_the_context_between_lines(sample_env):
    result = runner.invoke(
        app, ["chat"], input="where can I learn welding in Kranj?\nis the first one free?\n\n"
    )
    assert result.exit_code == 0, result.output
    replies = result.stdout.split("> ")
    assert "1." in replies[1]
    first_title = replies[1].split("1. ", 1)[1].splitlines()[0]
    assert first_title in replies[2]


def test_eval_dialogue_prints_figures(sample_env, tmp_path):
    dataset = tmp_path / "dialogues.jsonl"
    turns = [
        {"user": "Živjo", "intent": "greeting", "expected": []},
        {"user": "Kje se lahko naučim varjenja v Kranju?", "intent": "find_training"},
        {"user": "hvala", "intent": "thanks", "expected": []},
    ]
    dataset.write_text(json.dumps({"id": "sl-1", "lang": "sl", "turns": turns}) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["eval", "dialogue", str(dataset), "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    assert figures["by_lang"]["sl"]["turns"] == 3
    assert figures["overall"]["grounded"] == 1.0
    table = runner.invoke(app, ["eval", "dialogue", str(dataset)])
    assert "turns passed" in table.stdout


def test_eval_dialogue_names_a_bad_line(env, tmp_path):
    dataset = tmp_path / "bad.jsonl"
    dataset.write_text('{"id": "x", "lang": "xx", "turns": [{"user": "a", "intent": "greeting"}]}\n')
    result = runner.invoke(app, ["eval", "dialogue", str(dataset)])
    assert result.exit_code == 2
    assert f"{dataset}:1" in result.stderr
