"""Index entries: what each record, page or ESCO concept contributes to search, in short texts per language."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from assistant.records import Course, GuidancePage

KINDS: tuple[str, ...] = ("course", "guidance", "occupation", "skill")
PASSAGE_CHARS = 300


@dataclass(frozen=True)
class Label:
    """A short text that names or describes an entry; `embed` puts it in the vector index too."""

    text: str
    lang: str
    embed: bool = True
    weight: float = 1.0  # a synonym or a passage counts less than the main name


@dataclass(frozen=True)
class Entry:
    """One searchable thing: a course, a guidance page, an occupation or a skill."""

    id: str
    kind: str
    lang: str
    title: dict[str, str]
    url: str | None
    source: str
    labels: tuple[Label, ...]
    filters: dict[str, Any] = field(default_factory=dict)  # region, country, mode, free, theme_*, ...

    def to_json(self) -> str:
        # By hand rather than dataclasses.asdict, whose deep copies cost seconds over ESCO's 17k entries.
        data = {
            "id": self.id,
            "kind": self.kind,
            "lang": self.lang,
            "title": self.title,
            "url": self.url,
            "source": self.source,
            "labels": [[label.text, label.lang, label.embed, label.weight] for label in self.labels],
            "filters": self.filters,
        }
        return json.dumps(data, ensure_ascii=False, sort_keys=True, default=str)

    @classmethod
    def from_json(cls, text: str) -> Entry:
        data = json.loads(text)
        data["labels"] = tuple(Label(*label) for label in data["labels"])
        return cls(**data)

    @property
    def hash(self) -> str:
        return hashlib.sha1(self.to_json().encode()).hexdigest()

    def title_in(self, lang: str | None) -> str:
        return (
            self.title.get(lang or "", "")
            or self.title.get("en", "")
            or next(iter(self.title.values()), self.id)
        )

    def vector_id(self, label: Label) -> str:
        """Stable id of a label's vector: it changes only when what the vector stores changes."""
        key = json.dumps([self.id, label.text, label.lang, self.filters], ensure_ascii=False, sort_keys=True)
        return hashlib.sha1(key.encode()).hexdigest()


def passages(markdown: str, limit: int = PASSAGE_CHARS) -> list[str]:
    """Split Markdown into short passages (headings kept with their paragraph), each at most `limit` chars."""
    out: list[str] = []
    heading = ""
    for block in re.split(r"\n\s*\n", markdown):
        text = " ".join(line.strip() for line in block.strip().splitlines()).strip()
        if not text:
            continue
        if text.startswith("#"):
            heading = text.lstrip("#").strip()
            continue
        text = re.sub(r"[*_`>]+", "", text)
        for sentence_group in _chunks(text, limit - len(heading) - 2):
            out.append(f"{heading}: {sentence_group}" if heading else sentence_group)
    return out


def _chunks(text: str, limit: int) -> list[str]:
    sentences = re.split(r"(?<=[.!?])\s+", text)
    chunks, current = [], ""
    for sentence in sentences:
        if current and len(current) + len(sentence) + 1 > limit:
            chunks.append(current)
            current = sentence
        else:
            current = f"{current} {sentence}".strip()
    if current:
        chunks.append(current)
    return chunks


def course_entry(course: Course, source: str) -> Entry:
    labels = [Label(text, lang) for lang, text in course.title.items()]
    summary = " ".join(
        part
        for part in (course.provider, ", ".join(course.locations), course.mode.value, *course.target_groups)
        if part
    )
    labels.append(Label(summary, course.lang, embed=False, weight=0.8))
    # The description reaches BM25 whole; only its first passage is embedded (long texts embed slowly).
    labels += [
        Label(text, course.lang, embed=i == 0, weight=0.9)
        for i, text in enumerate(passages(course.description))
    ]
    filters: dict[str, Any] = {
        "region": course.region,
        "country": course.country,
        "mode": course.mode.value,
        "free": course.free,
        **{f"theme_{theme.value}": True for theme in course.themes},
        **{f"lang_{lang}": True for lang in course.languages},
    }
    url = str(course.apply.url) if course.apply.url else None
    return Entry(course.id, "course", course.lang, dict(course.title), url, source, tuple(labels), filters)


def page_entry(page: GuidancePage, source: str) -> Entry:
    labels = [Label(page.title, page.lang), Label(" ".join(page.topics), "en", embed=False)]
    labels += [Label(text, page.lang) for text in passages(page.body)]
    filters: dict[str, Any] = {"country": page.country, f"lang_{page.lang}": True}
    url = str(page.url) if page.url else None
    return Entry(page.id, "guidance", page.lang, {page.lang: page.title}, url, source, tuple(labels), filters)
