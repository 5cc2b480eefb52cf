"""The inline keyboards to choose a language and a region, and what their buttons send back."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from assistant.config import LANGUAGES
from assistant.i18n import messages
from assistant.records import REGIONS

LANG = "lang:"
REGION = "region:"
CHOSEN = "✓ "


def flag(country: str) -> str:
    """The flag emoji of a two-letter country code."""
    return "".join(chr(0x1F1E6 + ord(letter) - ord("A")) for letter in country.upper())


def language_label(lang: str) -> str:
    """A language in its own words, capitalised: "Hrvatski", "Magyar"."""
    name = messages().t(lang, "language_name")
    return name[:1].upper() + name[1:]


def region_name(lang: str, region: str) -> str:
    return messages().t(lang, f"region_{region}")


def language_rows(chosen: str | None = None) -> list[list[InlineKeyboardButton]]:
    buttons = [
        InlineKeyboardButton(
            (CHOSEN if lang == chosen else "") + language_label(lang), callback_data=LANG + lang
        )
        for lang in LANGUAGES
    ]
    return [buttons[:3], buttons[3:]]


def region_rows(lang: str, chosen: str | None = None) -> list[list[InlineKeyboardButton]]:
    return [
        [
            InlineKeyboardButton(
                f"{CHOSEN if region == chosen else ''}{flag(country)} {region_name(lang, region)}",
                callback_data=REGION + region,
            )
        ]
        for region, country in REGIONS.items()
    ]


def language_menu(chosen: str | None = None) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(language_rows(chosen))


def region_menu(lang: str, chosen: str | None = None) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(region_rows(lang, chosen))


def start_menu(lang: str, *, chosen_lang: str | None, region: str | None) -> InlineKeyboardMarkup:
    """Languages in two rows of three, then the five regions."""
    return InlineKeyboardMarkup([*language_rows(chosen_lang), *region_rows(lang, region)])


def parse_choice(data: str) -> tuple[str | None, str | None]:
    """(lang, region) a menu button stands for; (None, None) for anything else."""
    if data.startswith(LANG) and data[len(LANG) :] in LANGUAGES:
        return data[len(LANG) :], None
    if data.startswith(REGION) and data[len(REGION) :] in REGIONS:
        return None, data[len(REGION) :]
    return None, None
