"""The query-embedding cache: repeated searches embed once; with the cache off, only the last query of a
turn's thread, and of a conversation between its turns, is reused."""

from __future__ import annotations

import threading

import pytest

from assistant.config import SearchSettings
from assistant.search import Filters, Searcher
from assistant.wiring import Services


class CountingEmbedder:
    """The real embedder, counting the queries it embeds."""

    def __init__(self, embedder) -> None:
        self._embedder = embedder
        self.name = embedder.name
        self.queries: list[str] = []

    def embed_query(self, text: str):
        self.queries.append(text)
        return self._embedder.embed_query(text)

    def embed_passages(self, texts):
        return self._embedder.embed_passages(texts)


def searcher(services: Services, cache: int) -> tuple[Searcher, CountingEmbedder]:
    counting = CountingEmbedder(services.embedder)
    settings = SearchSettings(**{**services.settings.search.model_dump(), "query_cache": cache})
    built = Searcher(
        services.vectors,
        lambda: counting,
        lexical_path=services.settings.lexical_path,
        settings=settings,
        detector=services.detector,
    )
    return built, counting


@pytest.mark.parametrize("cache", [0, 16])
def test_the_same_query_twice_in_a_row_is_embedded_once(sample_services, cache):
    search, counting = searcher(sample_services, cache)
    first = search.search("welding course", kinds=("course",), filters=Filters(region="si-gorenjska"))
    again = search.search("welding course", kinds=("course",))
    assert len(counting.queries) == 1
    assert first and again and first[0].dense == pytest.approx(again[0].dense)


def test_without_the_cache_an_earlier_query_is_embedded_again(sample_services):
    search, counting = searcher(sample_services, 0)
    for text in ("welding course", "forklift licence", "welding course"):
        search.search(text, kinds=("course",))
    assert len(counting.queries) == 3


def test_the_cache_keeps_earlier_queries_up_to_its_size(sample_services):
    search, counting = searcher(sample_services, 2)
    for text in ("welding course", "forklift licence", "welding course", "beekeeping", "forklift licence"):
        search.search(text, kinds=("course",))
    # 'welding course' is cached when asked again; 'forklift licence' has been pushed out by then.
    assert len(counting.queries) == 4


def test_a_conversations_last_query_serves_its_next_turn_on_another_thread(sample_services):
    search, counting = searcher(sample_services, 0)
    with search.conversation("a"):
        search.search("welding course", kinds=("course",))

    def next_turn() -> None:  # the web channel's turns run on whichever worker thread is free
        with search.conversation("a"):
            search.search("welding course", kinds=("course",), filters=Filters(mode="online"))

    thread = threading.Thread(target=next_turn)
    thread.start()
    thread.join()
    assert len(counting.queries) == 1


def test_conversations_keep_their_own_last_query(sample_services):
    search, counting = searcher(sample_services, 0)
    for conversation, text in (("a", "welding course"), ("b", "forklift licence"), ("a", "welding course")):
        with search.conversation(conversation):
            search.search(text, kinds=("course",))
    assert len(counting.queries) == 2
    with search.conversation("c"):  # a new conversation starts with nothing kept
        search.search("forklift licence", kinds=("course",))
    assert len(counting.queries) == 3


def test_forgetting_a_conversation_drops_its_query(assistant, sample_services, monkeypatch):
    search, counting = searcher(sample_services, 0)
    monkeypatch.setattr(assistant, "searcher", search)
    assistant.reply("forget-query", "welding course in Gorenjska", lang="en")
    assistant.reply("forget-query", "and online?", lang="en")  # searches the same topic again
    assert len(counting.queries) == 1
    assistant.forget("forget-query")
    assistant.reply("forget-query", "welding course in Gorenjska", lang="en")
    assert len(counting.queries) == 2
