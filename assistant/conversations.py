"""The conversation store: turns, language, region, dialogue state, feedback and unmet requests, in SQL."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Engine,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    bindparam,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from assistant.db import metadata

conversations = Table(
    "conversations",
    metadata,
    Column("id", String(120), primary_key=True),  # web:<uuid> or tg:<chat id>
    Column("lang", String(10)),
    Column("region", String(40)),
    Column("state", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_conversations_updated", "updated_at"),
)

turns = Table(
    "turns",
    metadata,
    Column(
        "conversation_id", String(120), ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("number", Integer, primary_key=True),
    Column("user_text", Text, nullable=False),
    Column("reply_text", Text, nullable=False),
    Column("lang", String(10), nullable=False),
    Column("intent", String(40), nullable=False),
    Column("sources", JSON, nullable=False),  # cited ids
    Column("answered_by", String(20), nullable=False),  # grounded | llm
    Column("at", DateTime(timezone=True), nullable=False),
)

feedback = Table(
    "feedback",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "conversation_id", String(120), ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False
    ),
    Column("turn", Integer),
    Column("rating", Integer, nullable=False),  # +1 or -1
    Column("reason", String(500)),
    Column("at", DateTime(timezone=True), nullable=False),
    Index("ix_feedback_conversation", "conversation_id"),
)

unmet_requests = Table(
    "unmet_requests",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    # Kept only so that forgetting a conversation removes its requests too; never shown to staff.
    Column("conversation_id", String(120), ForeignKey("conversations.id", ondelete="CASCADE")),
    Column("text", String(500), nullable=False),
    Column("lang", String(10), nullable=False),
    Column("region", String(40)),
    Column("intent", String(40), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Index("ix_unmet_at", "at"),
)

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"\+?\d[\d ()/.-]{6,}\d")


def scrub(text: str) -> str:
    """The text without e-mail addresses and phone numbers: unmet requests carry no personal data."""
    return PHONE.sub("[phone]", EMAIL.sub("[e-mail]", text))[:500]


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _upsert(dialect_insert) -> Any:
    statement = dialect_insert(conversations).values(
        id=bindparam("id"),
        lang=bindparam("lang"),
        region=bindparam("region"),
        state=bindparam("state"),
        created_at=bindparam("created_at"),
        updated_at=bindparam("updated_at"),
    )
    return statement.on_conflict_do_update(
        index_elements=[conversations.c.id],
        set_={name: statement.excluded[name] for name in ("lang", "region", "state", "updated_at")},
    )


# Built once: a reply loads and saves its conversation on every turn, and building statements costs CPU.
_UPSERTS = {"sqlite": _upsert(sqlite_insert), "postgresql": _upsert(postgresql_insert)}
_LOAD = select(
    conversations.c.lang,
    conversations.c.region,
    conversations.c.state,
    select(func.count())
    .select_from(turns)
    .where(turns.c.conversation_id == conversations.c.id)
    .scalar_subquery()
    .label("turns"),
).where(conversations.c.id == bindparam("id"))
_NEXT_NUMBER = (
    select(func.coalesce(func.max(turns.c.number), 0) + 1)
    .where(turns.c.conversation_id == bindparam("conversation_id"))
    .scalar_subquery()
)
_ADD_TURN = (
    insert(turns)
    .from_select(
        [
            "conversation_id",
            "number",
            "user_text",
            "reply_text",
            "lang",
            "intent",
            "sources",
            "answered_by",
            "at",
        ],
        select(
            bindparam("conversation_id", type_=String),
            _NEXT_NUMBER,
            bindparam("user_text", type_=Text),
            bindparam("reply_text", type_=Text),
            bindparam("lang", type_=String),
            bindparam("intent", type_=String),
            bindparam("sources", type_=JSON),
            bindparam("answered_by", type_=String),
            bindparam("at", type_=DateTime(timezone=True)),
        ),
    )
    .returning(turns.c.number)
)


@dataclass(frozen=True)
class Conversation:
    id: str
    lang: str | None
    region: str | None
    state: dict[str, Any]
    turns: int


@dataclass(frozen=True)
class UnmetRequest:
    text: str
    lang: str
    region: str | None
    intent: str
    at: dt.datetime


class ConversationStore:
    """Reads and writes conversations through one SQLAlchemy engine (SQLite or PostgreSQL)."""

    def __init__(self, engine: Engine, *, retention_days: int) -> None:
        self._engine = engine
        self.retention = dt.timedelta(days=retention_days)

    def load(self, conversation_id: str) -> Conversation | None:
        with self._engine.connect() as connection:
            row = connection.execute(_LOAD, {"id": conversation_id}).first()
        if row is None:
            return None
        return Conversation(conversation_id, row.lang, row.region, dict(row.state), row.turns)

    def save_turn(
        self,
        conversation_id: str,
        *,
        user_text: str,
        reply_text: str,
        lang: str,
        region: str | None,
        intent: str,
        sources: list[str],
        answered_by: str,
        state: dict[str, Any],
    ) -> int:
        """Store one exchange and the conversation's new state; returns the turn's number (from 1)."""
        at = now()
        with self._engine.begin() as connection:
            self._put_conversation(connection, conversation_id, lang=lang, region=region, state=state, at=at)
            # The turn's number is taken in the same statement that stores it: one round trip, not two.
            return connection.execute(
                _ADD_TURN,
                {
                    "conversation_id": conversation_id,
                    "user_text": user_text,
                    "reply_text": reply_text,
                    "lang": lang,
                    "intent": intent,
                    "sources": sources,
                    "answered_by": answered_by,
                    "at": at,
                },
            ).scalar_one()

    def _put_conversation(
        self,
        connection,
        conversation_id: str,
        *,
        lang: str | None,
        region: str | None,
        state: dict,
        at: dt.datetime,
    ) -> None:
        """Insert the conversation or update its language, region and state: one upsert where the database has
        one (SQLite, PostgreSQL), else an update and, for a new conversation, an insert."""
        values = {"lang": lang, "region": region, "state": state, "updated_at": at}
        upsert = _UPSERTS.get(connection.dialect.name)
        if upsert is not None:
            connection.execute(upsert, {"id": conversation_id, "created_at": at, **values})
            return
        changed = connection.execute(
            update(conversations).where(conversations.c.id == conversation_id).values(**values)
        ).rowcount
        if not changed:
            connection.execute(insert(conversations).values(id=conversation_id, created_at=at, **values))

    def save_state(
        self, conversation_id: str, *, lang: str | None, region: str | None, state: dict[str, Any]
    ) -> None:
        """Store a conversation's language, region and state without a turn (a choice made in a menu)."""
        with self._engine.begin() as connection:
            self._put_conversation(
                connection, conversation_id, lang=lang, region=region, state=state, at=now()
            )

    def history(self, conversation_id: str) -> list[dict[str, Any]]:
        with self._engine.connect() as connection:
            rows = connection.execute(
                select(turns).where(turns.c.conversation_id == conversation_id).order_by(turns.c.number)
            ).all()
        return [dict(row._mapping) for row in rows]

    def add_feedback(
        self, conversation_id: str, *, rating: int, turn: int | None = None, reason: str | None = None
    ) -> bool:
        """Thumbs up (+1) or down (-1) on a conversation or one turn; False if the conversation is unknown."""
        if rating not in (1, -1):
            raise ValueError("rating must be 1 or -1")
        with self._engine.begin() as connection:
            known = connection.execute(
                select(conversations.c.id).where(conversations.c.id == conversation_id)
            ).first()
            if known is None:
                return False
            connection.execute(
                insert(feedback).values(
                    conversation_id=conversation_id,
                    turn=turn,
                    rating=rating,
                    reason=(reason or "")[:500] or None,
                    at=now(),
                )
            )
        return True

    def record_unmet(
        self, *, conversation_id: str | None, text: str, lang: str, region: str | None, intent: str
    ) -> None:
        with self._engine.begin() as connection:
            connection.execute(
                insert(unmet_requests).values(
                    conversation_id=conversation_id,
                    text=scrub(text),
                    lang=lang,
                    region=region,
                    intent=intent,
                    at=now(),
                )
            )

    def unmet(self, *, since: dt.datetime | None = None) -> list[UnmetRequest]:
        query = select(
            unmet_requests.c.text,
            unmet_requests.c.lang,
            unmet_requests.c.region,
            unmet_requests.c.intent,
            unmet_requests.c.at,
        ).order_by(unmet_requests.c.at)
        if since is not None:
            query = query.where(unmet_requests.c.at >= since)
        with self._engine.connect() as connection:
            return [UnmetRequest(*row) for row in connection.execute(query)]

    def delete(self, conversation_id: str) -> bool:
        """Forget a person: their conversation, turns, feedback and unmet requests. False if unknown."""
        with self._engine.begin() as connection:
            for table in (turns, feedback, unmet_requests):
                connection.execute(delete(table).where(table.c.conversation_id == conversation_id))
            return bool(
                connection.execute(
                    delete(conversations).where(conversations.c.id == conversation_id)
                ).rowcount
            )

    def purge_expired(self, *, at: dt.datetime | None = None) -> int:
        """Delete conversations idle for longer than the retention period; returns how many."""
        cutoff = (at or now()) - self.retention
        with self._engine.begin() as connection:
            old = select(conversations.c.id).where(conversations.c.updated_at < cutoff)
            for table in (turns, feedback, unmet_requests):
                connection.execute(delete(table).where(table.c.conversation_id.in_(old)))
            # Requests staff have not read within the retention period go too.
            connection.execute(delete(unmet_requests).where(unmet_requests.c.at < cutoff))
            return connection.execute(
                delete(conversations).where(conversations.c.updated_at < cutoff)
            ).rowcount

    def dump(self, conversation_id: str) -> str:
        """Everything stored about a conversation, as JSON (for a person's access request)."""
        found = self.load(conversation_id)
        if found is None:
            return "null"
        data = {"id": found.id, "lang": found.lang, "region": found.region, "turns": self.history(found.id)}
        return json.dumps(data, ensure_ascii=False, default=str, indent=2)
