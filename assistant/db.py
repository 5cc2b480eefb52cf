"""The SQL database: one SQLAlchemy engine for SQLite or PostgreSQL, and the tables the core keeps."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Engine,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
)

metadata = MetaData()

esco_concepts = Table(
    "esco_concepts",
    metadata,
    Column("uri", String(200), primary_key=True),
    Column("kind", String(20), nullable=False),  # occupation | skill
    Column("code", String(40)),  # ISCO-based code of an occupation
    Column("skill_type", String(40)),  # knowledge | skill/competence
    Column("reuse_level", String(40)),
)

esco_labels = Table(
    "esco_labels",
    metadata,
    Column("uri", String(200), primary_key=True),
    Column("lang", String(10), primary_key=True),
    Column("role", String(12), primary_key=True),  # preferred | alt | hidden
    Column("label", String(500), primary_key=True),
    Index("ix_esco_labels_lang", "lang"),
)

esco_descriptions = Table(
    "esco_descriptions",
    metadata,
    Column("uri", String(200), primary_key=True),
    Column("lang", String(10), primary_key=True),
    Column("text", Text, nullable=False),
)

esco_relations = Table(
    "esco_relations",
    metadata,
    Column("occupation_uri", String(200), primary_key=True),
    Column("skill_uri", String(200), primary_key=True),
    Column("relation", String(20), nullable=False),  # essential | optional
    Index("ix_esco_relations_skill", "skill_uri"),
)

esco_collections = Table(
    "esco_collections",
    metadata,
    Column("collection", String(40), primary_key=True),  # green | digital | transversal | ...
    Column("uri", String(200), primary_key=True),
)

index_entries = Table(
    "index_entries",
    metadata,
    Column("collection", String(40), primary_key=True),
    Column("record_id", String(200), primary_key=True),
    Column("hash", String(40), nullable=False),
    Column("source", String(300), nullable=False),
    Column("payload", Text, nullable=False),  # the entry as JSON, for the lexical index and hits
)

index_vectors = Table(
    "index_vectors",
    metadata,
    Column("collection", String(40), primary_key=True),
    Column("vector_id", String(40), primary_key=True),
    Column("record_id", String(200), nullable=False),
)

index_state = Table(
    "index_state",
    metadata,
    Column("collection", String(40), primary_key=True),
    Column("fingerprint", String(40), nullable=False),
    Column("entries", Integer, nullable=False),
)


def make_engine(url: str) -> Engine:
    """An engine with the tables created; SQLite gets WAL and foreign-key pragmas."""
    if url.startswith("sqlite:///"):
        from pathlib import Path

        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    import assistant.conversations  # noqa: F401  (registers the conversation tables on `metadata`)

    engine = create_engine(url, future=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    metadata.create_all(engine)
    return engine


def _sqlite_pragmas(connection, _record) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
