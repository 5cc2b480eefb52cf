"""An Answer as Telegram sees it: escaped HTML messages under 4,096 characters and quick-reply buttons."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from assistant.answer import Answer, Source

# Telegram's limit is 4,096 characters after the tags are parsed; counting the tags too, in UTF-16 code
# units (what Telegram counts), keeps every chunk under it whatever the text.
MESSAGE_LIMIT = 4096
TITLE_LIMIT = 200
URL_LIMIT = 1024
QUICK_REPLY = "q:"

TOKEN = re.compile(r"<[^>]*>|&#?\w+;|\n{2,}|\n|[^\S\n]+|[^<&\s]+|[<&]")
TAG_NAME = re.compile(r"</?\s*([a-zA-Z0-9-]+)")
BREAK_PRIORITY = {"paragraph": 3, "line": 2, "space": 1}


def escape(text: str) -> str:
    """Text for Telegram's HTML mode: every <, > and & as an entity."""
    return html.escape(text, quote=False)


def link(url: str | None, title: str) -> str:
    """`<a href>title</a>` for an http(s) URL of sane length; otherwise the title alone, escaped."""
    title = title if len(title) <= TITLE_LIMIT else title[: TITLE_LIMIT - 1] + "…"
    if not url or len(url) > URL_LIMIT or urlsplit(url).scheme.lower() not in ("http", "https"):
        return escape(title)
    return f'<a href="{html.escape(url, quote=True)}">{escape(title)}</a>'


def sources_html(sources: list[Source], label: str) -> str:
    lines = [f"<b>{escape(label)}</b>"]
    lines += [f"{number}. {link(s.url, s.title)}" for number, s in enumerate(sources, start=1)]
    return "\n".join(lines)


def answer_messages(answer: Answer, *, sources_label: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """The answer's text, then its sources as links, split into messages Telegram accepts."""
    parts = [escape(answer.text.strip())]
    if answer.sources:
        parts.append(sources_html(answer.sources, sources_label))
    return split_html("\n\n".join(part for part in parts if part), limit)


def quick_replies(suggestions: list[str]) -> InlineKeyboardMarkup | None:
    """One button a row; the callback data is the index, the text is read back from the button."""
    if not suggestions:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(text[:TITLE_LIMIT], callback_data=f"{QUICK_REPLY}{index}")]
            for index, text in enumerate(suggestions)
        ]
    )


def pressed_text(markup: InlineKeyboardMarkup | None, data: str) -> str | None:
    """The text of the button whose callback data is `data`, from the message that carried it."""
    for row in markup.inline_keyboard if markup else ():
        for button in row:
            if button.callback_data == data:
                return button.text
    return None


# --- splitting ------------------------------------------------------------------------------------


def size(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


@dataclass(frozen=True)
class _Token:
    text: str
    kind: str  # open | close | entity | word | paragraph | line | space
    size: int


def _kind(text: str) -> str:
    if text.startswith("</"):
        return "close"
    if text.startswith("<") and text.endswith(">"):
        return "open"
    if text.startswith("&") and text.endswith(";"):
        return "entity"
    if text.startswith("\n"):
        return "paragraph" if len(text) > 1 else "line"
    return "space" if text.isspace() else "word"


def _tokens(html_text: str, piece: int) -> list[_Token]:
    tokens = []
    for text in TOKEN.findall(html_text):
        kind = _kind(text)
        # A word longer than a message (a hostile one) is cut into pieces; it has no tag or entity inside.
        pieces = [text[i : i + piece] for i in range(0, len(text), piece)] if kind == "word" else [text]
        tokens += [_Token(p, kind, size(p)) for p in pieces]
    return tokens


def _after(stack: tuple[str, ...], token: _Token) -> tuple[str, ...]:
    """The open tags after `token`: an opening tag pushed, its closing tag popped."""
    if token.kind == "open":
        return (*stack, token.text)
    if token.kind == "close":
        name = _name(token.text)
        for depth in range(len(stack) - 1, -1, -1):
            if _name(stack[depth]) == name:
                return stack[:depth] + stack[depth + 1 :]
    return stack


def _name(tag: str) -> str:
    found = TAG_NAME.match(tag)
    return found.group(1).lower() if found else ""


def _closing(stack: tuple[str, ...]) -> str:
    return "".join(f"</{_name(tag)}>" for tag in reversed(stack))


def split_html(html_text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Chunks of at most `limit` that break at a paragraph, else a line, else a space, never in a tag.

    A tag open at a break is closed at the end of the chunk and opened again at the next one.
    """
    tokens = _tokens(html_text, max(1, limit // 4))
    chunks: list[str] = []
    stack: tuple[str, ...] = ()
    start = 0
    while True:
        while start < len(tokens) and tokens[start].kind in BREAK_PRIORITY:
            start += 1
        if start == len(tokens):
            return chunks
        end, stack_at_end = _chunk_end(tokens, start, stack, limit)
        body = "".join(token.text for token in tokens[start:end]).rstrip()
        chunks.append("".join(stack) + body + _closing(stack_at_end))
        stack, start = stack_at_end, end


def _chunk_end(
    tokens: list[_Token], start: int, stack: tuple[str, ...], limit: int
) -> tuple[int, tuple[str, ...]]:
    """Where the chunk from `start` ends (exclusive) and the tags open there."""
    used = size("".join(stack))
    breaks: list[tuple[int, int, int, tuple[str, ...]]] = []  # (priority, index, used, stack)
    index = start
    while index < len(tokens):
        token = tokens[index]
        if token.kind in BREAK_PRIORITY and index > start:
            breaks.append((BREAK_PRIORITY[token.kind], index, used, stack))
        after = _after(stack, token)
        if used + token.size + size(_closing(after)) > limit:
            break
        used, stack, index = used + token.size, after, index + 1
    else:
        return index, stack
    if index == start:
        raise ValueError(f"a tag longer than {limit} characters cannot be sent: {tokens[start].text[:80]}")
    if not breaks:  # one word fills the message: cut between its pieces
        return index, stack
    full = [found for found in breaks if found[2] >= limit // 2] or breaks
    _, cut, _, open_at_cut = max(full, key=lambda found: (found[0], found[1]))
    return cut, open_at_cut
