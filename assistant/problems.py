"""A problem a person can fix, named by file, line and field."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.field}: {self.message}"

    @classmethod
    def at(cls, path: Path | str, line: int, field: str, message: str) -> Problem:
        return cls(Path(path).as_posix(), max(line, 1), field or "-", message)
