"""Indexing and search over real Chroma (embedded and server), the real embedding model, SQLite and PostgreSQL."""

from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.entries import course_entry
from assistant.esco.importer import import_packages
from assistant.search import Filters
from assistant.wiring import Services
from tests.esco_packages import BUTCHER, INSTALL_PV, SOLAR, WELDER, write_v11

VARJENJE = "catalogues/si-gorenjska/si-test-varjenje.md"


@pytest.fixture
def indexed(services: Services, tmp_path: Path) -> Services:
    import_packages(services.engine, write_v11(tmp_path, "en"), progress=False)
    report, problems = services.index()
    assert problems == []
    assert report.kinds["course"].entries == 4 and report.kinds["occupation"].entries == 3
    return services


def ids(hits):
    return [hit.id for hit in hits]


def test_search_finds_courses_in_their_language_and_across_languages(indexed):
    assert ids(indexed.searcher.search("tečaj varjenja Kranj", kinds=("course",), k=1)) == [
        "si-test-varjenje"
    ]
    assert ids(indexed.searcher.search("welding course", kinds=("course",), k=1)) == ["si-test-varjenje"]
    assert ids(indexed.searcher.search("viličar", kinds=("course",), k=1)) == ["hr-test-vilicar"]


def test_extra_labels_make_a_local_name_find_the_english_concept(indexed):
    hits = indexed.searcher.search("Delam kot varilka", kinds=("occupation",), k=1, lang="sl")
    assert ids(hits) == [WELDER]
    assert hits[0].title == "varilec" and hits[0].lang == "sl"  # the title shown in the asker's language
    assert ids(indexed.searcher.search("butcher", kinds=("occupation",), k=1)) == [BUTCHER]


def test_filters(indexed):
    search = indexed.searcher.search
    assert set(ids(search("tečaj", kinds=("course",), filters=Filters(free=True)))) == {
        "si-test-varjenje",
        "hr-test-excel",
    }
    assert ids(search("tečaj", kinds=("course",), filters=Filters(mode="online"))) == ["hr-test-excel"]
    assert set(ids(search("course", kinds=("course",), filters=Filters(region="hr-sisak-moslavina")))) == {
        "hr-test-excel",
        "hr-test-solar",
        "hr-test-vilicar",
    }
    assert ids(search("course", kinds=("course",), filters=Filters(theme="green"))) == ["hr-test-solar"]
    assert ids(search("solar", kinds=("skill",), filters=Filters(theme="green"))) == [INSTALL_PV]
    assert ids(search("course", kinds=("course",), filters=Filters(country="SI"))) == ["si-test-varjenje"]


def test_mixed_kinds_and_json_shape(indexed):
    hits = indexed.searcher.search("solar panel installer", k=5)
    assert SOLAR in ids(hits) and "hr-test-solar" in ids(hits)
    assert set(hits[0].to_dict()) == {"id", "kind", "title", "score", "lang", "url"}


def test_unchanged_reindex_embeds_nothing(indexed):
    report, _ = indexed.index()
    assert all(not kind.changed and kind.embedded == 0 for kind in report.kinds.values())
    assert not any(kind.lexical_rebuilt for kind in report.kinds.values())


def test_edit_add_and_delete_carry_through(indexed, knowledge_dir):
    path = knowledge_dir / VARJENJE
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "Varjenje MIG/MAG za začetnike", "Tečaj za polagalce keramike"
        ),
        encoding="utf-8",
    )
    (knowledge_dir / "catalogues/hr-sisak-moslavina/hr-test-solar.md").unlink()
    (knowledge_dir / "catalogues/si-gorenjska/new.md").write_text(
        path.read_text(encoding="utf-8")
        .replace("id: si-test-varjenje", "id: si-test-cebelarstvo")
        .replace("Tečaj za polagalce keramike", "Osnove čebelarstva"),
        encoding="utf-8",
    )
    report, _ = indexed.index()
    course = report.kinds["course"]
    assert (course.added, course.updated, course.deleted) == (1, 1, 1)
    assert course.embedded == 4  # the two changed titles of each edited or new course
    assert report.kinds["occupation"].embedded == 0
    search = indexed.searcher.search
    assert ids(search("keramika", kinds=("course",), k=1)) == ["si-test-varjenje"]
    assert ids(search("čebelarstvo", kinds=("course",), k=1)) == ["si-test-cebelarstvo"]
    assert "hr-test-solar" not in ids(search("solarni fotonaponski", kinds=("course",), k=10))
    knowledge = indexed.check().knowledge
    wanted = sum(label.embed for c in knowledge.courses for label in course_entry(c, "-").labels)
    assert (
        indexed.vectors.count("course") == wanted
    )  # no stale vectors of the old title or the deleted course


def test_invalid_file_is_reported_and_the_rest_indexed(services, knowledge_dir):
    bad = knowledge_dir / "catalogues/si-gorenjska/bad.md"
    bad.write_text("---\nid: x\n---\n", encoding="utf-8")
    report, problems = services.index()
    assert report.kinds["course"].entries == 4
    assert problems and all(p.path.endswith("bad.md") for p in problems)


def test_chroma_server(tmp_path, knowledge_dir, chroma_server):
    settings = Settings(
        _env_file=None,
        knowledge_dir=knowledge_dir,
        data_dir=tmp_path / "var",
        chroma={"url": chroma_server, "collection_prefix": "srv"},
    )
    services = Services(settings, progress=False)
    services.index()
    assert services.vectors.count("course") > 0
    assert ids(services.searcher.search("Excel tablice", kinds=("course",), k=1)) == ["hr-test-excel"]
    assert services.index()[0].kinds["course"].embedded == 0


def test_postgresql_record_manager(tmp_path, knowledge_dir, postgres_url):
    settings = Settings(
        _env_file=None, knowledge_dir=knowledge_dir, data_dir=tmp_path / "var", database_url=postgres_url
    )
    services = Services(settings, progress=False)
    import_packages(services.engine, write_v11(tmp_path, "en"), progress=False)
    first, _ = services.index()
    assert first.kinds["occupation"].embedded > 0
    second, _ = services.index()
    assert all(kind.embedded == 0 for kind in second.kinds.values())
    assert ids(services.searcher.search("meat cutter", kinds=("occupation",), k=1)) == [BUTCHER]


def test_a_failed_vector_write_stops_the_run_and_the_next_run_finishes_it(
    tmp_path, knowledge_dir, monkeypatch
):
    """Batches are written while the next one embeds: a write that fails still fails the run, and the record
    manager holds only what reached Chroma, so the next run embeds the rest."""
    settings = Settings(
        _env_file=None, knowledge_dir=knowledge_dir, data_dir=tmp_path / "var", embedding={"batch_size": 4}
    )
    services = Services(settings, progress=False)
    upsert, calls = services.vectors.upsert, []

    def failing_upsert(kind, ids, vectors, metadatas):
        calls.append(kind)
        if len(calls) == 2:
            raise RuntimeError("the vector store went away")
        upsert(kind, ids, vectors, metadatas)

    monkeypatch.setattr(services.vectors, "upsert", failing_upsert)
    with pytest.raises(RuntimeError, match="went away"):
        services.index()
    assert services.vectors.count("course") == 4  # the first batch only

    monkeypatch.setattr(services.vectors, "upsert", upsert)
    report, _ = services.index()
    assert services.vectors.count("course") == report.kinds["course"].embedded + 4
    assert ids(services.searcher.search("tečaj varjenja", kinds=("course",), k=1)) == ["si-test-varjenje"]
    again, _ = services.index()
    assert again.kinds["course"].embedded == 0
