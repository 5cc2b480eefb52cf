"""ESCO import: official layouts, any language, v1.1 and v1.2, idempotent, SQLite and PostgreSQL."""

import zipfile

import pytest
from sqlalchemy import select

from assistant.db import esco_collections, esco_descriptions, esco_labels, esco_relations, make_engine
from assistant.esco.importer import counts, import_packages
from assistant.esco.reader import EscoFormatError
from tests.conftest import SHARED_ESCO
from tests.esco_packages import BUTCHER, INSTALL_PV, SOLAR, TEAMWORK, WELDER, write_v11, write_v12


def _labels(engine, uri, lang):
    with engine.connect() as c:
        rows = c.execute(
            select(esco_labels.c.role, esco_labels.c.label).where(
                esco_labels.c.uri == uri, esco_labels.c.lang == lang
            )
        ).all()
    return sorted(rows)


def _snapshot(engine):
    with engine.connect() as c:
        return [
            sorted(c.execute(select(t)).all())
            for t in (esco_labels, esco_relations, esco_collections, esco_descriptions)
        ]


def test_v11_packages_in_two_languages(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/a.db")
    (tmp_path / "sl").mkdir()
    paths = [*write_v11(tmp_path, "en"), write_v11(tmp_path / "sl", "sl")[0]]
    report = import_packages(engine, paths, progress=False)
    assert report.concepts == {"occupations/en": 3, "skills/en": 4, "occupations/sl": 3, "skills/sl": 4}
    assert counts(engine) | {"labels": 0} == {
        "occupations": 3,
        "skills": 4,
        "relations": 5,
        "labels": 0,
        "collections": 2,
    }
    assert _labels(engine, WELDER, "en") == [
        ("alt", "metal welder"),
        ("alt", "welding technician"),
        ("preferred", "welder"),
    ]
    assert _labels(engine, BUTCHER, "sl") == [("alt", "mesarka"), ("preferred", "mesar")]
    with engine.connect() as c:
        green = c.execute(
            select(esco_collections.c.uri).where(esco_collections.c.collection == "green")
        ).scalars()
        assert list(green) == [INSTALL_PV]


def test_importing_twice_changes_nothing(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/a.db")
    paths = write_v11(tmp_path, "en")
    import_packages(engine, paths, progress=False)
    before = _snapshot(engine)
    import_packages(engine, paths, progress=False)
    assert _snapshot(engine) == before


def test_v12_layout_folder_inside_zip_per_language_relations(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/a.db")
    report = import_packages(engine, [write_v12(tmp_path, "hr")], progress=False)
    assert report.concepts == {"occupations/hr": 3, "skills/hr": 4}
    assert report.relations == 5
    assert ("preferred", "zavarivač") in _labels(engine, WELDER, "hr")
    with engine.connect() as c:
        relation = c.execute(
            select(esco_relations.c.relation).where(
                esco_relations.c.occupation_uri == SOLAR, esco_relations.c.skill_uri == TEAMWORK
            )
        ).scalar_one()
    assert relation == "essential"


def test_a_newer_package_replaces_labels_of_its_language(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/a.db")
    import_packages(engine, write_v11(tmp_path, "en"), progress=False)
    import_packages(engine, [write_v12(tmp_path, "en")], progress=False)
    assert counts(engine)["occupations"] == 3
    assert [label for role, label in _labels(engine, WELDER, "en") if role == "preferred"] == ["welder"]


def test_not_esco_is_a_clear_error(tmp_path):
    path = tmp_path / "other.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(EscoFormatError, match="no ESCO CSV files"):
        import_packages(make_engine(f"sqlite:///{tmp_path}/a.db"), [path], progress=False)
    (tmp_path / "broken.zip").write_bytes(b"not a zip")
    with pytest.raises(EscoFormatError, match="not a readable zip"):
        import_packages(make_engine(f"sqlite:///{tmp_path}/a.db"), [tmp_path / "broken.zip"], progress=False)


def test_missing_column_names_the_file(tmp_path):
    path = tmp_path / "x.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("occupations_en.csv", "conceptType,uri,label\nOccupation,x,y\n")
    with pytest.raises(
        EscoFormatError, match=r"occupations_en.csv: missing columns \['conceptUri', 'preferredLabel'\]"
    ):
        import_packages(make_engine(f"sqlite:///{tmp_path}/a.db"), [path], progress=False)


def test_postgresql_holds_the_same(tmp_path, postgres_url):
    engine = make_engine(postgres_url)
    paths = write_v11(tmp_path, "en")
    import_packages(engine, paths, progress=False)
    import_packages(engine, paths, progress=False)
    assert counts(engine)["relations"] == 5 and counts(engine)["occupations"] == 3
    assert ("preferred", "butcher") in _labels(engine, BUTCHER, "en")


def test_the_official_english_package(tmp_path):
    """The real ESCO v1.1.1 packages from ../shared/esco, imported twice."""
    engine = make_engine(f"sqlite:///{tmp_path}/esco.db")
    paths = sorted(SHARED_ESCO.glob("*.zip"))
    assert len(paths) == 2, f"expected the two ESCO packages in {SHARED_ESCO}"
    import_packages(engine, paths, progress=False)
    first = counts(engine)
    assert (first["occupations"], first["skills"], first["relations"]) == (3007, 13896, 123855)
    import_packages(engine, paths, progress=False)
    assert counts(engine) == first
    with engine.connect() as c:
        sizes = {
            name: c.execute(select(esco_collections.c.uri).where(esco_collections.c.collection == name))
            .all()
            .__len__()
            for name in ("green", "digital", "transversal")
        }
    assert all(size > 50 for size in sizes.values()), sizes
