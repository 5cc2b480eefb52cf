"""The one place that builds the assistant's parts from Settings; nothing here runs at import time."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from sqlalchemy import Engine

from assistant.catalogue import Catalogue
from assistant.compose import Composer
from assistant.config import Settings
from assistant.conversations import ConversationStore
from assistant.db import make_engine
from assistant.embeddings import Embedder, make_embedder
from assistant.entries import course_entry, page_entry
from assistant.esco.entries import esco_entries
from assistant.esco.labels import ExtraLabels, load_extra_labels
from assistant.i18n import messages
from assistant.indexer import Indexer, IndexReport
from assistant.knowledge import Knowledge, load_knowledge
from assistant.language import LanguageDetector
from assistant.llm import LlmWriter, make_chat_model
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

    @cached_property
    def store(self) -> ConversationStore:
        return ConversationStore(self.engine, retention_days=self.settings.conversations.retention_days)

    def assistant(self, *, chat_model=None):
        """The conversation engine over the current index; `chat_model` overrides the configured LLM."""
        from assistant.core import Assistant

        checked = self.check()
        catalogue = Catalogue(checked.knowledge, self.engine, self.searcher, checked.extra_labels)
        model = chat_model if chat_model is not None else make_chat_model(self.settings.llm)
        writer = None
        if model is not None:
            writer = LlmWriter(
                model,
                messages=messages(),
                detector=self.detector,
                timeout_s=self.settings.llm.timeout_s,
                all_course_ids=set(catalogue.courses),
            )
        self.store.purge_expired()
        return Assistant(
            searcher=self.searcher,
            catalogue=catalogue,
            store=self.store,
            composer=Composer(messages()),
            detector=self.detector,
            settings=self.settings.conversations,
            llm=writer,
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
