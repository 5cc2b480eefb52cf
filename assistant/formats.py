"""Dates, prices and hours written the way each language writes them."""

from __future__ import annotations

import datetime as dt

EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
NBSP = "\u00a0"


def format_date(day: dt.date, lang: str) -> str:
    if lang == "en":
        return f"{day.day} {EN_MONTHS[day.month - 1]} {day.year}"
    if lang == "hu":
        return f"{day.year}. {day.month:02d}. {day.day:02d}."
    if lang == "pl":
        return f"{day.day:02d}.{day.month:02d}.{day.year}"
    suffix = "." if lang == "hr" else ""
    return f"{day.day}. {day.month}. {day.year}{suffix}"


def format_number(value: float, lang: str) -> str:
    whole = round(value, 2)
    text = f"{whole:,.0f}" if whole == int(whole) else f"{whole:,.2f}"
    if lang == "en":
        return text
    # Central European style: spaces group thousands, a comma marks decimals.
    return text.replace(",", NBSP).replace(".", ",")


def format_price(amount: float, currency: str, lang: str) -> str:
    return f"{format_number(amount, lang)}{NBSP}{currency}"


def format_range(start: dt.date, end: dt.date | None, lang: str) -> str:
    if end is None or end == start:
        return format_date(start, lang)
    return f"{format_date(start, lang)} – {format_date(end, lang)}"
