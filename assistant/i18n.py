"""The tables of every text a person sees, in the six languages, read from prompts/<folder>/<lang>.yaml.

`messages` is the core's table (answers, errors, quick replies); each channel keeps its own texts in its
own folder (`prompts/web/`, `prompts/telegram/`) and reads them with `messages("web")`.
"""

from __future__ import annotations

import string
from functools import cache
from pathlib import Path

import yaml

from assistant.config import LANGUAGES

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"


class Messages:
    """`t(lang, key, **values)`: the text for `key` in `lang`, its {placeholders} filled."""

    def __init__(self, prompts_dir: Path = PROMPTS_DIR, folder: str = "messages") -> None:
        self.tables: dict[str, dict[str, str]] = {}
        for lang in LANGUAGES:
            with (prompts_dir / folder / f"{lang}.yaml").open(encoding="utf-8") as file:
                self.tables[lang] = {str(k): str(v) for k, v in yaml.safe_load(file).items()}

    def t(self, lang: str, key: str, **values: object) -> str:
        table = self.tables.get(lang) or self.tables["en"]
        text = table.get(key)
        if text is None:
            text = self.tables["en"][key]  # a KeyError here is a bug the i18n test catches first
        return text.format(**values) if values else text

    def problems(self) -> list[str]:
        """Keys missing in a language, or whose {placeholders} differ from English."""
        found = []
        reference = self.tables["en"]
        for lang, table in self.tables.items():
            for key in sorted(set(reference) | set(table)):
                if key not in table or key not in reference:
                    found.append(f"{lang}: {key}: {'missing' if key not in table else 'not in English'}")
                elif placeholders(table[key]) != placeholders(reference[key]):
                    found.append(f"{lang}: {key}: placeholders differ from English")
        return found


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@cache
def messages(folder: str = "messages") -> Messages:
    """The table in prompts/<folder>/: "messages" for the core, a channel's name for its own texts."""
    return Messages(folder=folder)
