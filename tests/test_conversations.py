"""The conversation store on SQLite and PostgreSQL: turns, state, feedback, unmet requests, forgetting, retention."""

import datetime as dt

import pytest

from assistant.conversations import (
    ConversationStore,
    conversations,
    feedback,
    scrub,
    turns,
    unmet_requests,
)
from assistant.db import make_engine


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    url = (
        f"sqlite:///{tmp_path / 'c.db'}"
        if request.param == "sqlite"
        else request.getfixturevalue("postgres_url")
    )
    engine = make_engine(url)
    with engine.begin() as connection:  # the PostgreSQL cluster lives for the whole session
        for table in (turns, feedback, unmet_requests, conversations):
            connection.execute(table.delete())
    yield ConversationStore(engine, retention_days=30)
    engine.dispose()


def _turn(store, conversation_id, text="hello", **state):
    return store.save_turn(
        conversation_id,
        user_text=text,
        reply_text="reply",
        lang="sl",
        region="si-gorenjska",
        intent="greeting",
        sources=["a-course"],
        answered_by="grounded",
        state=state,
    )


def test_turns_state_and_feedback_are_kept(store):
    assert _turn(store, "web:1", shown=["x"]) == 1
    assert _turn(store, "web:1", "second", shown=["y"]) == 2
    loaded = store.load("web:1")
    assert (loaded.lang, loaded.region, loaded.state, loaded.turns) == (
        "sl",
        "si-gorenjska",
        {"shown": ["y"]},
        2,
    )
    history = store.history("web:1")
    assert [(t["number"], t["user_text"], t["sources"]) for t in history] == [
        (1, "hello", ["a-course"]),
        (2, "second", ["a-course"]),
    ]
    assert all(isinstance(t["at"], dt.datetime) for t in history)
    assert store.add_feedback("web:1", rating=1, turn=2, reason="useful")
    assert not store.add_feedback("web:unknown", rating=-1)
    with pytest.raises(ValueError):
        store.add_feedback("web:1", rating=5)


def test_forgetting_removes_everything_of_that_person_only(store):
    _turn(store, "tg:1")
    _turn(store, "tg:2")
    store.add_feedback("tg:1", rating=-1)
    store.record_unmet(conversation_id="tg:1", text="diving", lang="en", region=None, intent="find_training")
    assert store.delete("tg:1")
    assert store.load("tg:1") is None and store.history("tg:1") == []
    assert [r.text for r in store.unmet()] == []
    assert store.load("tg:2") is not None
    assert not store.delete("tg:1")
    assert '"tg:2"' in store.dump("tg:2")


def test_retention_deletes_idle_conversations(store):
    _turn(store, "web:old")
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=31)
    assert store.purge_expired(at=later) == 1
    assert store.load("web:old") is None


def test_unmet_requests_carry_no_contact_details():
    assert scrub("call +386 41 123 456 or ana.novak@example.org about diving") == (
        "call [phone] or [e-mail] about diving"
    )
