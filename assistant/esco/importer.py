"""Store ESCO packages in SQL: concepts, labels per language, occupation→skill relations, collections."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from sqlalchemy import Engine, delete, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from tqdm import tqdm

from assistant.db import esco_collections, esco_concepts, esco_descriptions, esco_labels, esco_relations
from assistant.esco.reader import (
    COLLECTIONS,
    Concept,
    EscoFormatError,
    Member,
    members,
    read_collection,
    read_concepts,
    read_relations,
)

BATCH = 5000
URI_PREFIX = {
    "occupation": "http://data.europa.eu/esco/occupation/",
    "skill": "http://data.europa.eu/esco/skill/",
}


@dataclass
class ImportReport:
    files: list[str] = field(default_factory=list)
    concepts: dict[str, int] = field(default_factory=dict)  # "occupation/en" -> count
    relations: int = 0
    collections: dict[str, int] = field(default_factory=dict)


def import_packages(engine: Engine, paths: Iterable[Path], *, progress: bool = True) -> ImportReport:
    """Import every recognised CSV of the given zips; importing the same package twice changes nothing."""
    found = [member for path in paths for member in members(Path(path))]
    if not found:
        raise EscoFormatError(
            "no ESCO CSV files (occupations_xx.csv, skills_xx.csv, ...) found in the given zips"
        )
    order = {"concepts": 0, "relations": 1, "collection": 2}
    report = ImportReport()
    for member in sorted(found, key=lambda m: (order[m.role], m.table, m.lang or "")):
        with tqdm(desc=f"{member.name}", unit=" rows", disable=not progress, leave=False) as bar:
            if member.role == "concepts":
                count = _import_concepts(engine, member, bar)
                report.concepts[f"{member.table}/{member.lang or 'en'}"] = count
            elif member.role == "relations":
                report.relations = _import_relations(engine, member, bar)
            else:
                name = COLLECTIONS[member.table]
                report.collections[name] = _import_collection(engine, member, name, bar)
        report.files.append(f"{member.zip_path.name}:{member.name}")
    return report


def _batches(items: Iterable, size: int = BATCH) -> Iterator[list]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _upsert(connection, table, rows: list[dict], keys: list[str]) -> None:
    """Insert rows, updating the non-key columns of rows that already exist."""
    if not rows:
        return
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table).values(rows)
    updates = {c.name: statement.excluded[c.name] for c in table.columns if c.name not in keys}
    if updates:
        statement = statement.on_conflict_do_update(index_elements=keys, set_=updates)
    else:
        statement = statement.on_conflict_do_nothing(index_elements=keys)
    connection.execute(statement)


def _import_concepts(engine: Engine, member: Member, bar: tqdm) -> int:
    lang = member.lang or "en"
    count = 0
    with engine.begin() as connection:
        kind = None
        for batch in _batches(read_concepts(member), 2000):
            kind = batch[0].kind
            if count == 0:
                _forget_language(connection, kind, lang)
            _upsert(connection, esco_concepts, [_concept_row(c) for c in batch], ["uri"])
            labels = [row for concept in batch for row in _label_rows(concept)]
            for chunk in _batches(labels, 2000):
                connection.execute(insert(esco_labels), chunk)
            descriptions = [
                {"uri": c.uri, "lang": lang, "text": c.description} for c in batch if c.description
            ]
            if descriptions:
                connection.execute(insert(esco_descriptions), descriptions)
            count += len(batch)
            bar.update(len(batch))
    return count


def _forget_language(connection, kind: str, lang: str) -> None:
    """A package holds all labels of its language for one kind: replace, never pile up."""
    prefix = URI_PREFIX[kind] + "%"
    connection.execute(delete(esco_labels).where(esco_labels.c.lang == lang, esco_labels.c.uri.like(prefix)))
    connection.execute(
        delete(esco_descriptions).where(
            esco_descriptions.c.lang == lang, esco_descriptions.c.uri.like(prefix)
        )
    )


def _concept_row(concept: Concept) -> dict:
    return {
        "uri": concept.uri,
        "kind": concept.kind,
        "code": concept.code,
        "skill_type": concept.skill_type,
        "reuse_level": concept.reuse_level,
    }


def _label_rows(concept: Concept) -> Iterator[dict]:
    base = {"uri": concept.uri, "lang": concept.lang}
    yield {**base, "role": "preferred", "label": concept.preferred}
    for label in concept.alt:
        yield {**base, "role": "alt", "label": label}
    for label in concept.hidden:
        if label not in concept.alt:
            yield {**base, "role": "hidden", "label": label}


def _import_relations(engine: Engine, member: Member, bar: tqdm) -> int:
    relations = {}
    for relation in read_relations(member):
        relations[(relation.occupation_uri, relation.skill_uri)] = relation.relation
        bar.update(1)
    with engine.begin() as connection:
        connection.execute(delete(esco_relations))
        rows = [{"occupation_uri": o, "skill_uri": s, "relation": r} for (o, s), r in relations.items()]
        for chunk in _batches(rows):
            connection.execute(insert(esco_relations), chunk)
    return len(relations)


def _import_collection(engine: Engine, member: Member, name: str, bar: tqdm) -> int:
    uris = sorted(set(read_collection(member)))
    bar.update(len(uris))
    with engine.begin() as connection:
        connection.execute(delete(esco_collections).where(esco_collections.c.collection == name))
        for chunk in _batches([{"collection": name, "uri": uri} for uri in uris]):
            connection.execute(insert(esco_collections), chunk)
    return len(uris)


def counts(engine: Engine) -> dict[str, int]:
    """How much ESCO the database holds."""
    with engine.connect() as connection:

        def count(table, *where) -> int:
            return connection.execute(select(func.count()).select_from(table).where(*where)).scalar_one()

        return {
            "occupations": count(esco_concepts, esco_concepts.c.kind == "occupation"),
            "skills": count(esco_concepts, esco_concepts.c.kind == "skill"),
            "relations": count(esco_relations),
            "labels": count(esco_labels),
            "collections": count(esco_collections),
        }
