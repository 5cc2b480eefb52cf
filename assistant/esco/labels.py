"""Extra labels of ESCO concepts kept in knowledge/esco/labels/: unofficial translations staff can correct."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from assistant.config import LANGUAGES
from assistant.problems import Problem
from assistant.records import ESCO_URI

FILE_NAME = re.compile(r"^(?P<kind>occupations|skills)\.(?P<lang>[a-z]{2})\.tsv$")


@dataclass
class ExtraLabels:
    """uri -> lang -> labels, first label first; and the problems found reading them."""

    labels: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def for_uri(self, uri: str) -> dict[str, list[str]]:
        return self.labels.get(uri, {})


def load_extra_labels(folder: Path) -> ExtraLabels:
    """Read `<kind>.<lang>.tsv` files: one concept a line, `uri<TAB>label | label | ...`; '#' starts a comment."""
    extra = ExtraLabels()
    if not folder.is_dir():
        return extra
    for path in sorted(folder.glob("*.tsv")):
        match = FILE_NAME.match(path.name)
        if not match or match["lang"] not in LANGUAGES:
            extra.problems.append(
                Problem.at(path, 1, "-", "name the file occupations.<lang>.tsv or skills.<lang>.tsv")
            )
            continue
        _read(path, match["lang"], extra)
    return extra


def _read(path: Path, lang: str, extra: ExtraLabels) -> None:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        uri, _, cell = line.partition("\t")
        uri = uri.strip()
        labels = [label.strip() for label in cell.split("|") if label.strip()]
        if not ESCO_URI.match(uri):
            extra.problems.append(Problem.at(path, number, "uri", f"not an ESCO URI: {uri[:80]!r}"))
        elif not labels:
            extra.problems.append(Problem.at(path, number, "labels", "no label after the tab"))
        else:
            extra.labels.setdefault(uri, {}).setdefault(lang, []).extend(labels)
