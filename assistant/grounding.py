"""Checks that a reply states no offering, date or price that the records it cites do not hold."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from assistant.records import Course

MONTHS_EN = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
SPACE = r"[ \u00a0\u202f]"
NUMERIC_DATES = [
    (re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b"), ("y", "m", "d")),
    (re.compile(rf"\b(\d{{4}})\.{SPACE}?(\d{{1,2}})\.{SPACE}?(\d{{1,2}})\.?"), ("y", "m", "d")),
    (re.compile(rf"\b(\d{{1,2}})\.{SPACE}?(\d{{1,2}})\.{SPACE}?(\d{{4}})\b"), ("d", "m", "y")),
    (re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b"), ("d", "m", "y")),
]
WORD_DATE = re.compile(rf"\b(\d{{1,2}})\.?{SPACE}+([^\W\d_]+)\.?,?{SPACE}+(\d{{4}})\b")
WORD_DATE_EN = re.compile(rf"\b([A-Za-z]+){SPACE}+(\d{{1,2}}),?{SPACE}+(\d{{4}})\b")
CURRENCY = r"(?P<cur>EUR|€|PLN|zł|zl|CZK|Kč|Kc|HUF|Ft)"
AMOUNT = r"(?P<num>\d{1,3}(?:[ \u00a0\u202f.,]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?)"
PRICE_AFTER = re.compile(rf"{AMOUNT}{SPACE}?{CURRENCY}(?!\w)")
PRICE_BEFORE = re.compile(rf"(?<!\w){CURRENCY}{SPACE}?{AMOUNT}")
CURRENCY_CODES = {"€": "EUR", "zł": "PLN", "zl": "PLN", "kč": "CZK", "kc": "CZK", "ft": "HUF"}


def _amount(text: str) -> float:
    """'1 200', '1.200', '1,200' -> 1200; '12,50' -> 12.5 (two digits after the mark are decimals)."""
    digits = re.sub(r"[ \u00a0\u202f]", "", text)
    match = re.fullmatch(r"(.*?)[.,](\d{1,2})", digits)
    if match:
        return float(re.sub(r"[.,]", "", match[1]) + "." + match[2])
    return float(re.sub(r"[.,]", "", digits))


def course_dates(course: Course) -> set[dt.date]:
    found = {course.application_deadline} if course.application_deadline else set()
    for session in course.dates:
        found.add(session.start)
        if session.end:
            found.add(session.end)
    return found


def dates_in(text: str) -> tuple[set[dt.date], list[str]]:
    """Dates written in `text`, and date-like phrases that could not be read (a month named in words)."""
    found: set[dt.date] = set()
    unreadable: list[str] = []
    for pattern, order in NUMERIC_DATES:
        for match in pattern.finditer(text):
            parts = dict(zip(order, (int(g) for g in match.groups()), strict=True))
            try:
                found.add(dt.date(parts["y"], parts["m"], parts["d"]))
            except ValueError:
                unreadable.append(match.group(0))
    for match in WORD_DATE.finditer(text):
        day, month, year = match.groups()
        number = MONTHS_EN.get(month.lower())
        try:
            found.add(dt.date(int(year), number, int(day))) if number else unreadable.append(match.group(0))
        except ValueError:
            unreadable.append(match.group(0))
    for match in WORD_DATE_EN.finditer(text):
        month, day, year = match.groups()
        number = MONTHS_EN.get(month.lower())
        if number:
            try:
                found.add(dt.date(int(year), number, int(day)))
            except ValueError:
                unreadable.append(match.group(0))
    return found, unreadable


def prices_in(text: str) -> list[tuple[float, str]]:
    found = []
    taken: set[int] = set()
    for pattern in (PRICE_AFTER, PRICE_BEFORE):
        for match in pattern.finditer(text):
            if taken.intersection(range(*match.span())):
                continue
            taken.update(range(*match.span()))
            currency = CURRENCY_CODES.get(match.group("cur").lower(), match.group("cur").upper())
            found.append((_amount(match.group("num")), currency))
    return found


def ungrounded(text: str, cited: Iterable[Course], *, all_course_ids: Iterable[str] = ()) -> list[str]:
    """What `text` states that the cited offerings do not hold: empty when every fact is grounded."""
    courses = list(cited)
    cited_ids = {course.id for course in courses}
    problems = [
        f"offering {course_id} is not cited"
        for course_id in all_course_ids
        if course_id not in cited_ids and re.search(rf"(?<![\w-]){re.escape(course_id)}(?![\w-])", text)
    ]
    known_dates = set().union(*(course_dates(c) for c in courses)) if courses else set()
    dates, unreadable = dates_in(text)
    problems += [f"date {day.isoformat()} is in no cited offering" for day in sorted(dates - known_dates)]
    for phrase in unreadable:
        day_year = re.findall(r"\d+", phrase)
        if not any(str(d.day) == day_year[0] and str(d.year) == day_year[-1] for d in known_dates):
            problems.append(f"date {phrase!r} is in no cited offering")
    known_prices = {(round(c.cost.amount, 2), c.cost.currency) for c in courses}
    for amount, currency in prices_in(text):
        if (round(amount, 2), currency) not in known_prices:
            problems.append(f"price {amount:g} {currency} is in no cited offering")
    return problems
