"""Small ESCO packages in the official layouts (v1.1 and v1.2), written for tests."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

OCC = "http://data.europa.eu/esco/occupation/"
SKILL = "http://data.europa.eu/esco/skill/"
WELDER = OCC + "11111111-1111-1111-1111-111111111111"
BUTCHER = OCC + "22222222-2222-2222-2222-222222222222"
SOLAR = OCC + "33333333-3333-3333-3333-333333333333"
WELD = SKILL + "aaaaaaaa-0000-0000-0000-000000000001"
CUT_MEAT = SKILL + "aaaaaaaa-0000-0000-0000-000000000002"
INSTALL_PV = SKILL + "aaaaaaaa-0000-0000-0000-000000000003"
TEAMWORK = SKILL + "aaaaaaaa-0000-0000-0000-000000000004"

OCCUPATION_LABELS = {
    "en": {
        WELDER: ("welder", ["welding technician", "metal welder"]),
        BUTCHER: ("butcher", ["meat cutter"]),
        SOLAR: ("solar energy technician", ["solar panel installer", "PV installer"]),
    },
    "sl": {
        WELDER: ("varilec", ["varilka"]),
        BUTCHER: ("mesar", ["mesarka"]),
        SOLAR: ("tehnik za sončno energijo", ["monter sončnih elektrarn"]),
    },
    "hr": {
        WELDER: ("zavarivač", ["zavarivačica"]),
        BUTCHER: ("mesar", ["mesarica"]),
        SOLAR: ("tehničar za solarnu energiju", []),
    },
}
SKILL_LABELS = {
    "en": {
        WELD: ("use welding equipment", ["operate welding equipment"]),
        CUT_MEAT: ("cut meat", ["carve meat"]),
        INSTALL_PV: ("install photovoltaic systems", ["install solar panels"]),
        TEAMWORK: ("work in teams", ["teamwork"]),
    },
    "sl": {
        WELD: ("uporabljati varilno opremo", []),
        CUT_MEAT: ("rezati meso", []),
        INSTALL_PV: ("nameščati fotonapetostne sisteme", []),
        TEAMWORK: ("delati v skupini", []),
    },
    "hr": {
        WELD: ("rukovati opremom za zavarivanje", []),
        CUT_MEAT: ("rezati meso", []),
        INSTALL_PV: ("instalirati fotonaponske sustave", []),
        TEAMWORK: ("raditi u timu", []),
    },
}
RELATIONS = [
    (WELDER, "essential", "skill/competence", WELD),
    (WELDER, "optional", "skill/competence", TEAMWORK),
    (BUTCHER, "essential", "skill/competence", CUT_MEAT),
    (SOLAR, "essential", "skill/competence", INSTALL_PV),
    (SOLAR, "essential", "skill/competence", TEAMWORK),
]
COLLECTIONS = {
    "greenSkillsCollection": [INSTALL_PV],
    "digitalSkillsCollection": [],
    "transversalSkillsCollection": [TEAMWORK],
}


def _columns(names: str) -> list[str]:
    return names.split()


def _csv(header: list[str], rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def _occupations(lang: str, columns: list[str]) -> str:
    rows = []
    for uri, (preferred, alt) in OCCUPATION_LABELS[lang].items():
        values = {
            "conceptType": "Occupation",
            "conceptUri": uri,
            "iscoGroup": "7212",
            "preferredLabel": preferred,
            "altLabels": "\n".join(alt),  # main files: newline-separated inside the cell
            "hiddenLabels": "",
            "status": "released",
            "modifiedDate": "2022-01-01T00:00:00Z",
            "description": f"{preferred} (description)",
            "code": "7212.1",
        }
        rows.append([values.get(column, "") for column in columns])
    return _csv(columns, rows)


def _skills(lang: str, columns: list[str]) -> str:
    rows = []
    for uri, (preferred, alt) in SKILL_LABELS[lang].items():
        values = {
            "conceptType": "KnowledgeSkillCompetence",
            "conceptUri": uri,
            "skillType": "skill/competence",
            "reuseLevel": "sector-specific",
            "preferredLabel": preferred,
            "altLabels": "\n".join(alt),
            "status": "released",
            "description": f"{preferred} (description)",
        }
        rows.append([values.get(column, "") for column in columns])
    return _csv(columns, rows)


def _collection(lang: str, uris: list[str]) -> str:
    header = ["conceptType", "conceptUri", "preferredLabel", "status", "skillType", "reuseLevel", "altLabels"]
    rows = []
    for uri in uris:
        preferred, alt = SKILL_LABELS[lang][uri]
        rows.append(
            ["KnowledgeSkillCompetence", uri, preferred, "released", "skill/competence", "", " | ".join(alt)]
        )
    return _csv(header, rows)


V11_OCCUPATION_COLUMNS = _columns(
    "conceptType conceptUri iscoGroup preferredLabel altLabels hiddenLabels status modifiedDate regulatedProfessionNote scopeNote definition inScheme description code"
)
V11_SKILL_COLUMNS = _columns(
    "conceptType conceptUri skillType reuseLevel preferredLabel altLabels hiddenLabels status modifiedDate scopeNote definition inScheme description"
)
# v1.2 moves and adds columns: a reader that goes by position breaks here.
V12_OCCUPATION_COLUMNS = _columns(
    "conceptUri conceptType code iscoGroup naceCode preferredLabel altLabels hiddenLabels status modifiedDate regulatedProfessionNote scopeNote definition inScheme description"
)
V12_SKILL_COLUMNS = _columns(
    "conceptUri conceptType skillType reuseLevel preferredLabel altLabels hiddenLabels status modifiedDate scopeNote definition inScheme description"
)


def write_v11(folder: Path, lang: str) -> list[Path]:
    """A v1.1 classification package for `lang` (files at the zip's root) and the relations package."""
    classification = folder / f"ESCO dataset - v1.1.1 - classification - {lang} - csv.zip"
    with zipfile.ZipFile(classification, "w") as archive:
        archive.writestr(f"occupations_{lang}.csv", _occupations(lang, V11_OCCUPATION_COLUMNS))
        archive.writestr(f"skills_{lang}.csv", _skills(lang, V11_SKILL_COLUMNS))
        archive.writestr(f"ISCOGroups_{lang}.csv", "conceptType,conceptUri,code,preferredLabel\n")
        for name, uris in COLLECTIONS.items():
            archive.writestr(f"{name}_{lang}.csv", _collection(lang, uris))
    relations = folder / "ESCO dataset - v1.1.1 - classification -  - csv.zip"
    with zipfile.ZipFile(relations, "w") as archive:
        header = ["occupationUri", "relationType", "skillType", "skillUri"]
        archive.writestr("occupationSkillRelations.csv", _csv(header, [list(r) for r in RELATIONS]))
    return [classification, relations]


def write_v12(folder: Path, lang: str) -> Path:
    """A v1.2 package: one zip per language, in a folder, relations per language with label columns."""
    path = folder / f"ESCO dataset - v1.2.0 - classification - {lang} - csv.zip"
    inner = f"ESCO dataset - v1.2.0 - classification - {lang} - csv"
    occupation_label = {uri: label for uri, (label, _) in OCCUPATION_LABELS[lang].items()}
    skill_label = {uri: label for uri, (label, _) in SKILL_LABELS[lang].items()}
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(
            f"{inner}/occupations_{lang}.csv", "\ufeff" + _occupations(lang, V12_OCCUPATION_COLUMNS)
        )
        archive.writestr(f"{inner}/skills_{lang}.csv", _skills(lang, V12_SKILL_COLUMNS))
        header = ["occupationUri", "occupationLabel", "relationType", "skillType", "skillUri", "skillLabel"]
        rows = [[o, occupation_label[o], r, t, s, skill_label[s]] for o, r, t, s in RELATIONS]
        archive.writestr(f"{inner}/occupationSkillRelations_{lang}.csv", _csv(header, rows))
        for name, uris in COLLECTIONS.items():
            archive.writestr(f"{inner}/{name}_{lang}.csv", _collection(lang, uris))
    return path
