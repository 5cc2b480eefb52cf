"""Read ESCO CSV packages as the ESCO portal serves them: zips of CSVs, any language, v1.1 and v1.2 layouts."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

csv.field_size_limit(50_000_000)

FILE_NAME = re.compile(r"^(?P<table>[A-Za-z]+?)(?:_(?P<lang>[a-z]{2,3}(?:-[A-Za-z]+)?))?\.csv$")
COLLECTIONS = {
    "greenSkillsCollection": "green",
    "digitalSkillsCollection": "digital",
    "transversalSkillsCollection": "transversal",
    "digCompSkillsCollection": "digcomp",
    "languageSkillsCollection": "language",
    "researchSkillsCollection": "research",
    "researchOccupationsCollection": "research-occupations",
}
CONCEPT_TABLES = {"occupations": "occupation", "skills": "skill"}
RELATIONS_TABLE = "occupationSkillRelations"


class EscoFormatError(ValueError):
    """A package or file that is not laid out as ESCO publishes it."""


@dataclass(frozen=True)
class Concept:
    uri: str
    kind: str
    lang: str
    preferred: str
    alt: tuple[str, ...]
    hidden: tuple[str, ...]
    description: str
    code: str | None
    skill_type: str | None
    reuse_level: str | None


@dataclass(frozen=True)
class Relation:
    occupation_uri: str
    skill_uri: str
    relation: str


@dataclass(frozen=True)
class Member:
    """One CSV inside a package, recognised by its name."""

    zip_path: Path
    name: str
    table: str
    lang: str | None

    @property
    def role(self) -> str:
        if self.table in CONCEPT_TABLES:
            return "concepts"
        if self.table == RELATIONS_TABLE:
            return "relations"
        if self.table in COLLECTIONS:
            return "collection"
        return "other"


def members(zip_path: Path) -> list[Member]:
    """The CSVs of a package that the importer reads, wherever they sit inside the zip."""
    try:
        with zipfile.ZipFile(zip_path) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError) as error:
        raise EscoFormatError(f"{zip_path}: not a readable zip file ({error})") from None
    found = []
    for name in names:
        match = FILE_NAME.match(PurePosixPath(name).name)
        if match:
            member = Member(zip_path, name, match["table"], match["lang"])
            if member.role != "other":
                found.append(member)
    return found


def _rows(member: Member, required: set[str]) -> Iterator[dict[str, str]]:
    with zipfile.ZipFile(member.zip_path) as archive, archive.open(member.name) as raw:
        reader = csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8-sig", newline=""))
        missing = required - set(reader.fieldnames or ())
        if missing:
            raise EscoFormatError(f"{member.zip_path.name}:{member.name}: missing columns {sorted(missing)}")
        yield from reader


def _split(cell: str | None, separator: str = "\n") -> tuple[str, ...]:
    return tuple(dict.fromkeys(part.strip() for part in (cell or "").split(separator) if part.strip()))


def read_concepts(member: Member) -> Iterator[Concept]:
    """Occupations or skills with their labels in the member's language."""
    kind = CONCEPT_TABLES[member.table]
    lang = member.lang or "en"
    for row in _rows(member, {"conceptUri", "preferredLabel"}):
        preferred = (row.get("preferredLabel") or "").strip()
        if not preferred:
            continue
        yield Concept(
            uri=row["conceptUri"].strip(),
            kind=kind,
            lang=lang,
            preferred=preferred,
            alt=tuple(a for a in _split(row.get("altLabels")) if a != preferred),
            hidden=_split(row.get("hiddenLabels")),
            description=(row.get("description") or "").strip(),
            code=(row.get("code") or "").strip() or None,
            skill_type=(row.get("skillType") or "").strip() or None,
            reuse_level=(row.get("reuseLevel") or "").strip() or None,
        )


def read_relations(member: Member) -> Iterator[Relation]:
    """Occupation→skill relations (v1.1: language-independent file; v1.2: per language, with labels)."""
    for row in _rows(member, {"occupationUri", "relationType", "skillUri"}):
        yield Relation(row["occupationUri"].strip(), row["skillUri"].strip(), row["relationType"].strip())


def read_collection(member: Member) -> Iterator[str]:
    """URIs of the concepts in a collection (green, digital, transversal, ...)."""
    for row in _rows(member, {"conceptUri"}):
        yield row["conceptUri"].strip()
