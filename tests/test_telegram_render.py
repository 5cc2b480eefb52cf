"""Telegram's side of an Answer: escaping, links, the 4,096 split, buttons, menus, limits, back-off."""

from __future__ import annotations

import asyncio
import html
import re

import pytest
from telegram import InlineKeyboardMarkup
from telegram.error import BadRequest, RetryAfter

from assistant.answer import Answer, Source
from assistant.i18n import messages
from channels.telegram.bot import file_url
from channels.telegram.delivery import deliver
from channels.telegram.limits import ChatRateLimit, Verdict
from channels.telegram.menus import language_menu, parse_choice, region_menu, start_menu
from channels.telegram.render import (
    MESSAGE_LIMIT,
    answer_messages,
    escape,
    link,
    pressed_text,
    quick_replies,
    size,
    split_html,
)

ENTITY = re.compile(r"&(?:#?\w+);")


def visible_words(chunks: list[str]) -> list[str]:
    return html.unescape(re.sub(r"<[^>]+>", "", " ".join(chunks))).split()


def balanced(chunk: str) -> bool:
    stack = []
    for closing, name in re.findall(r"<(/?)([a-z]+)[^>]*>", chunk):
        if closing:
            if not stack or stack.pop() != name:
                return False
        else:
            stack.append(name)
    return not stack


def test_escape_leaves_no_markup():
    assert escape('<b>x</b><img src=x onerror=alert(1)> & "q"') == (
        '&lt;b&gt;x&lt;/b&gt;&lt;img src=x onerror=alert(1)&gt; &amp; "q"'
    )


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.org/a?b=1&c=2", '<a href="https://example.org/a?b=1&amp;c=2">T &lt;1&gt;</a>'),
        (
            'https://x.org/"onmouseover="x',
            '<a href="https://x.org/&quot;onmouseover=&quot;x">T &lt;1&gt;</a>',
        ),
        ("javascript:alert(1)", "T &lt;1&gt;"),
        ("tg://resolve?domain=x", "T &lt;1&gt;"),
        (None, "T &lt;1&gt;"),
        ("https://example.org/" + "a" * 2000, "T &lt;1&gt;"),
    ],
)
def test_only_http_links_become_links(url, expected):
    assert link(url, "T <1>") == expected


def test_a_long_title_is_shortened():
    assert link("https://example.org", "x" * 500).endswith("x…</a>")


def test_a_short_text_is_one_message_and_nothing_is_none():
    assert split_html("Hello &amp; <b>bye</b>") == ["Hello &amp; <b>bye</b>"]
    assert split_html("") == [] and split_html(" \n\n ") == []


def test_the_split_prefers_paragraphs_then_lines_then_spaces():
    first, second = "a" * 30 + " " + "b" * 30, "c" * 30 + " " + "d" * 30
    assert split_html(f"{first}\n\n{second}", 100) == [first, second]
    assert split_html(f"{first}\n{second}", 100) == [first, second]
    assert split_html(f"{first} {second}", 100) == [first + " " + "c" * 30, "d" * 30]  # as full as fits


def test_an_open_tag_is_closed_and_reopened_across_messages():
    text = (
        '<a href="https://example.org/?a=1&amp;b=2">'
        + "word " * 2000
        + "</a> and <b>"
        + "bold " * 900
        + "</b>"
    )
    chunks = split_html(text)
    assert len(chunks) >= 4
    for chunk in chunks:
        assert size(chunk) <= MESSAGE_LIMIT and balanced(chunk)
    assert chunks[1].startswith('<a href="https://example.org/?a=1&amp;b=2">word')
    assert visible_words(chunks) == visible_words([text])


def test_entities_and_surrogate_pairs_are_never_cut():
    text = "&amp;&lt;😀" * 2000
    chunks = split_html(text, 500)
    for chunk in chunks:
        assert size(chunk) <= 500
        assert not re.search(r"&(?!(?:amp|lt);)", chunk)
    assert "".join(chunks) == text
    emoji = "😀 " * 3000  # two UTF-16 units each: Python's len would let chunks grow twice too long
    assert all(size(chunk) <= MESSAGE_LIMIT for chunk in split_html(emoji))


def test_a_word_longer_than_a_message_is_cut_and_kept_whole():
    chunks = split_html("start " + "x" * 10_000 + " end")
    assert all(size(chunk) <= MESSAGE_LIMIT for chunk in chunks)
    assert "".join(chunks).replace(" ", "") == "start" + "x" * 10_000 + "end"


@pytest.mark.parametrize("limit", [64, 200, 1000, MESSAGE_LIMIT])
def test_every_chunk_fits_and_no_word_is_lost(limit):
    words = [f"w{i}&amp;<b>b{i}</b>" if i % 7 == 0 else f"word{i}" for i in range(3000)]
    text = " ".join(words[:1000]) + "\n\n" + "\n".join(words[1000:2000]) + "\n\n" + " ".join(words[2000:])
    chunks = split_html(text, limit)
    assert all(size(chunk) <= limit and balanced(chunk) for chunk in chunks)
    assert visible_words(chunks) == visible_words([text])


def test_an_answer_renders_escaped_text_and_sources_as_links():
    answer = Answer(
        conversation_id="tg:1",
        text="Varilec <ESCO>\n\nTa storitev uporablja klasifikacijo ESCO Evropske komisije.",
        lang="sl",
        sources=[
            Source(id="a", kind="occupation", title="varilec", url="http://data.europa.eu/esco/occupation/x"),
            Source(id="b", kind="course", title="Tečaj <b>", url=None),
        ],
        uses_esco=True,
    )
    [text] = answer_messages(answer, sources_label=messages("telegram").t("sl", "sources"))
    assert text == (
        "Varilec &lt;ESCO&gt;\n\nTa storitev uporablja klasifikacijo ESCO Evropske komisije.\n\n<b>Viri</b>\n"
        '1. <a href="http://data.europa.eu/esco/occupation/x">varilec</a>\n2. Tečaj &lt;b&gt;'
    )
    assert text.count("ESCO Evropske komisije") == 1  # the core's attribution, not repeated


def test_quick_replies_fit_telegrams_callback_data_and_read_back():
    suggestions = [
        "Mutasson többet az elsőről, kérem szépen, részletesen és érthetően" * 2,
        "Mikor kezdődik?",
    ]
    keyboard = quick_replies(suggestions)
    data = [button.callback_data for row in keyboard.inline_keyboard for button in row]
    assert data == ["q:0", "q:1"] and all(len(d.encode()) <= 64 for d in data)
    assert pressed_text(keyboard, "q:1") == "Mikor kezdődik?"
    assert pressed_text(keyboard, "q:7") is None and pressed_text(None, "q:0") is None
    assert quick_replies([]) is None


def test_menus_carry_short_data_and_only_known_choices_parse():
    menus: list[InlineKeyboardMarkup] = [
        language_menu("hr"),
        region_menu("hu"),
        start_menu("cs", chosen_lang=None, region=None),
    ]
    for menu in menus:
        for row in menu.inline_keyboard:
            assert all(len(button.callback_data.encode()) <= 64 for button in row)
    assert parse_choice("lang:hu") == ("hu", None)
    assert parse_choice("region:cz-pardubice") == (None, "cz-pardubice")
    for hostile in ["lang:de", "region:../x", "lang:", "q:0", "<b>", ""]:
        assert parse_choice(hostile) == (None, None)


def test_the_rate_limit_notifies_once_then_drops_until_the_minute_clears():
    now = [0.0]
    limit = ChatRateLimit(2, clock=lambda: now[0])
    assert [limit.check(1) for _ in range(5)] == [
        Verdict.ALLOW,
        Verdict.ALLOW,
        Verdict.NOTIFY,
        Verdict.DROP,
        Verdict.DROP,
    ]
    assert limit.check(2) is Verdict.ALLOW  # another chat is not affected
    now[0] = 59.0
    assert limit.check(1) is Verdict.DROP
    now[0] = 60.5
    assert [limit.check(1) for _ in range(4)] == [Verdict.ALLOW, Verdict.ALLOW, Verdict.NOTIFY, Verdict.DROP]
    now[0] = 500.0
    limit.forget_idle()
    assert limit._seen == {}


def test_deliver_waits_as_told_then_gives_up_and_logs_other_errors(caplog):
    calls = []

    async def flooded():
        calls.append("flooded")
        raise RetryAfter(0)

    async def refused():
        calls.append("refused")
        raise BadRequest("Bad Request: chat not found")

    async def fine():
        return "sent"

    assert asyncio.run(deliver(flooded, what="flooded", attempts=3)) is None
    assert asyncio.run(deliver(refused, what="refused")) is None
    assert asyncio.run(deliver(fine, what="fine")) == "sent"
    assert calls == ["flooded"] * 3 + ["refused"]
    assert "refused failed: Chat not found" in caplog.text


def test_the_file_address_sits_beside_the_method_address():
    assert file_url("https://api.telegram.org/bot") == "https://api.telegram.org/file/bot"
    assert file_url("http://127.0.0.1:8081/bot/") == "http://127.0.0.1:8081/file/bot"
