"""The one place that builds the assistant's parts from Settings; nothing here runs at import time."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from sqlalchemy import Engine

from assistant.config import Settings
from assistant.db import make_engine
from assistant.embeddings import Embedder, make_embedder
from assistant.entries import course_entry, page_entry
from assistant.esco.entries import esco_entries
from assistant.esco.labels import ExtraLabels, load_extra_labels
from assistant.indexer import Indexer, IndexReport
from assistant.knowledge import Knowledge, load_knowledge
from assistant.language import LanguageDetector
from assistant.problems import Problem
from assistant.search import Searcher
from assistant.vectors import VectorStore, make_chroma_client

ESCO_LABELS = Path("esco") / "labels"


@dataclass
class Checked:
    """The knowledge folder as read, with every problem in it."""

    knowledge: Knowledge
    extra_labels: ExtraLabels
    problems: list[Problem] = field(default_factory=list)


class Services:
    """Database, vectors, embedder, indexer and searcher, each built once on first use."""

    def __init__(self, settings: Settings, *, progress: bool = True) -> None:
        self.settings = settings
        self.progress = progress

    @cached_property
    def engine(self) -> Engine:
        return make_engine(self.settings.resolved_database_url)

    @cached_property
    def embedder(self) -> Embedder:
        return make_embedder(self.settings.embedding)

    @cached_property
    def vectors(self) -> VectorStore:
        embedding = self.settings.embedding
        model = embedding.backend if embedding.model_path is None else f"st-{embedding.model_path.name}"
        client = make_chroma_client(self.settings)
        return VectorStore(client, prefix=self.settings.chroma.collection_prefix, model=model)

    @cached_property
    def detector(self) -> LanguageDetector:
        return LanguageDetector()

    @cached_property
    def indexer(self) -> Indexer:
        return Indexer(
            self.engine,
            self.vectors,
            lambda: self.embedder,
            lexical_path=self.settings.lexical_path,
            batch_size=self.settings.embedding.batch_size,
            progress=self.progress,
        )

    @cached_property
    def searcher(self) -> Searcher:
        return Searcher(
            self.vectors,
            lambda: self.embedder,
            lexical_path=self.settings.lexical_path,
            settings=self.settings.search,
            detector=self.detector,
        )

    def check(self) -> Checked:
        """Read the knowledge folder and the extra ESCO labels, collecting every problem."""
        knowledge = load_knowledge(self.settings.knowledge_dir)
        extra = load_extra_labels(self.settings.knowledge_dir / ESCO_LABELS)
        return Checked(knowledge, extra, sorted([*knowledge.problems, *extra.problems]))

    def index(self) -> tuple[IndexReport, list[Problem]]:
        """Index every valid record of every kind; report the invalid ones."""
        checked = self.check()
        knowledge = checked.knowledge
        entries = {
            "course": [course_entry(c, knowledge.sources[c.id]) for c in knowledge.courses],
            "guidance": [page_entry(p, knowledge.sources[p.id]) for p in knowledge.pages],
            **esco_entries(self.engine, checked.extra_labels),
        }
        report = IndexReport()
        for kind, kind_entries in entries.items():
            report.kinds[kind] = self.indexer.index(kind, kind_entries)
        self.__dict__.pop("searcher", None)  # the next search reads the new lexical indexes
        return report, checked.problems
