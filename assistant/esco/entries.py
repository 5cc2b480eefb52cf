"""Index entries for ESCO concepts, built from the imported tables and the extra labels."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import Engine, select

from assistant.db import esco_collections, esco_concepts, esco_labels
from assistant.entries import Entry, Label
from assistant.esco.labels import ExtraLabels

THEMES = {"green": "theme_green", "digital": "theme_digital", "transversal": "transversal"}
SOURCE = "esco"
SYNONYM = 0.9  # weight of alternative names against the main one


def esco_entries(engine: Engine, extra: ExtraLabels) -> dict[str, list[Entry]]:
    """Entries per kind ('occupation', 'skill'); empty lists when ESCO has not been imported."""
    with engine.connect() as connection:
        concepts = connection.execute(select(esco_concepts.c.uri, esco_concepts.c.kind)).all()
        labels: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
        query = select(esco_labels.c.uri, esco_labels.c.lang, esco_labels.c.role, esco_labels.c.label)
        for uri, lang, role, label in connection.execute(
            query.order_by(esco_labels.c.uri, esco_labels.c.label)
        ):
            labels[uri].append((lang, role, label))
        themes: dict[str, dict[str, bool]] = defaultdict(dict)
        for collection, uri in connection.execute(
            select(esco_collections.c.collection, esco_collections.c.uri)
        ):
            if collection in THEMES:
                themes[uri][THEMES[collection]] = True
    entries: dict[str, list[Entry]] = {"occupation": [], "skill": []}
    for uri, kind in sorted(concepts):
        entries[kind].append(_entry(uri, kind, labels[uri], extra.for_uri(uri), themes.get(uri, {})))
    return entries


def _entry(
    uri: str, kind: str, rows: list[tuple[str, str, str]], extra: dict[str, list[str]], themes
) -> Entry:
    title: dict[str, str] = {}
    found: list[Label] = []
    for lang, role, label in rows:
        if role == "preferred":
            title[lang] = label
        found.append(
            Label(label, lang, embed=role == "preferred", weight=1.0 if role == "preferred" else SYNONYM)
        )
    official = {(label.lang, label.text) for label in found}
    for lang, texts in sorted(extra.items()):
        title.setdefault(lang, texts[0])
        found += [
            Label(text, lang, embed=kind == "occupation", weight=1.0 if i == 0 else SYNONYM)
            for i, text in enumerate(texts)
            if (lang, text) not in official
        ]
    found.sort(key=lambda label: (not label.embed, label.lang, label.text))
    return Entry(uri, kind, "en", title, uri, SOURCE, tuple(found), dict(sorted(themes.items())))
