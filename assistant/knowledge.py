"""Load the knowledge folder: every valid record, and every problem with its file and line."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from assistant.frontmatter_lines import FrontMatterError, parse
from assistant.problems import Problem
from assistant.records import Course, GuidancePage

CATALOGUES = "catalogues"
GUIDANCE = "guidance"
LIST_COLUMNS = {
    "locations",
    "languages",
    "target_groups",
    "themes",
    "cost.funding",
    "esco.skills",
    "esco.occupations",
    "topics",
}

Record = Course | GuidancePage


@dataclass
class Knowledge:
    """What one read of the knowledge folder found."""

    courses: list[Course] = field(default_factory=list)
    pages: list[GuidancePage] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)  # record id -> "path:line"

    @property
    def records(self) -> list[Record]:
        return [*self.courses, *self.pages]


def load_knowledge(folder: Path) -> Knowledge:
    """Read catalogues and guidance pages under `folder`; one bad file never stops the rest."""
    knowledge = Knowledge()
    if not folder.is_dir():
        knowledge.problems.append(Problem.at(folder, 1, "-", "the knowledge folder does not exist"))
        return knowledge
    for path in _files(folder / CATALOGUES, (".md", ".csv")):
        rows = _read_csv(path) if path.suffix == ".csv" else [_read_markdown(path, "description")]
        for row in rows:
            _add(knowledge, path, row, Course)
    for path in _files(folder / GUIDANCE, (".md",)):
        _add(knowledge, path, _read_markdown(path, "body"), GuidancePage)
    knowledge.problems.sort()
    return knowledge


@dataclass
class _Row:
    """Raw values of one record, and how to find the line of a field."""

    data: dict[str, Any] | None
    line_of: Callable[[tuple[str | int, ...]], int]
    problem: Problem | None = None


def _files(folder: Path, suffixes: tuple[str, ...]) -> Iterator[Path]:
    if folder.is_dir():
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.suffix in suffixes and path.name.lower() != "readme.md":
                yield path


def _read_markdown(path: Path, body_key: str) -> _Row:
    try:
        matter = parse(path.read_text(encoding="utf-8"))
    except (FrontMatterError, UnicodeDecodeError) as error:
        line = getattr(error, "line", 1)
        return _Row(None, lambda loc: line, Problem.at(path, line, "-", str(error)))
    data = dict(matter.data)
    data[body_key] = matter.body
    return _Row(data, matter.line_of)


def _read_csv(path: Path) -> Iterator[_Row]:
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as error:
        yield _Row(None, lambda loc: 1, Problem.at(path, 1, "-", str(error)))
        return
    with handle:
        reader = csv.DictReader(handle)
        start = 2
        try:
            for row in reader:
                line = start
                start = reader.line_num + 1
                yield _Row(_unflatten(row), lambda loc, line=line: line)
        except (csv.Error, UnicodeDecodeError) as error:
            yield _Row(None, lambda loc: start, Problem.at(path, start, "-", f"CSV: {error}"))


def _unflatten(row: dict[str | None, Any]) -> dict[str, Any]:
    """Turn CSV columns like `cost.amount` and `title.sl` into nested values; lists are `;`-separated."""
    data: dict[str, Any] = {}
    for column, raw in row.items():
        if column is None or raw is None or not str(raw).strip():
            continue
        column = column.strip()
        value: Any = raw.strip()
        if column in LIST_COLUMNS:
            value = [item.strip() for item in value.split(";") if item.strip()]
        elif column == "dates":
            value = [_session(item) for item in value.split(";") if item.strip()]
        *parents, leaf = column.split(".")
        target = data
        for parent in parents:
            target = target.setdefault(parent, {})
        target[leaf] = value
    return data


def _session(text: str) -> dict[str, str]:
    start, _, end = text.strip().partition("..")
    return {"start": start.strip(), "end": end.strip()} if end else {"start": start.strip()}


def _add(knowledge: Knowledge, path: Path, row: _Row, model: type[BaseModel]) -> None:
    if row.problem:
        knowledge.problems.append(row.problem)
        return
    try:
        record = model.model_validate(row.data)
    except ValidationError as error:
        for item in error.errors():
            loc = tuple(item["loc"])
            name = ".".join(str(part) for part in loc) or "-"
            message = (
                "is required" if item["type"] == "missing" else item["msg"].removeprefix("Value error, ")
            )
            knowledge.problems.append(Problem.at(path, row.line_of(loc), name, message))
        return
    where = f"{path.as_posix()}:{row.line_of(('id',))}"
    if record.id in knowledge.sources:
        knowledge.problems.append(
            Problem.at(
                path,
                row.line_of(("id",)),
                "id",
                f"duplicate id {record.id!r}, also in {knowledge.sources[record.id]}",
            )
        )
        return
    knowledge.sources[record.id] = where
    (knowledge.courses if isinstance(record, Course) else knowledge.pages).append(record)
