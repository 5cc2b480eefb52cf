"""The grounding check: offerings, dates and prices in a text must come from the offerings it cites."""

import datetime as dt

from assistant.formats import format_date, format_price
from assistant.grounding import dates_in, prices_in, ungrounded
from assistant.knowledge import load_knowledge
from tests.conftest import FIXTURES


def _course():
    courses = load_knowledge(FIXTURES / "knowledge").courses
    return next(c for c in courses if c.dates and not c.free)


def test_facts_written_by_the_composer_are_read_back_in_every_language():
    day = dt.date(2026, 3, 12)
    for lang in ("sl", "hr", "pl", "cs", "hu", "en"):
        assert dates_in(f"x {format_date(day, lang)} y")[0] == {day}, lang
        assert prices_in(f"costs {format_price(1200, 'CZK', lang)}.") == [(1200.0, "CZK")], lang


def test_a_text_true_to_its_course_passes():
    course = _course()
    session = course.dates[0]
    text = f"{course.id}: {format_date(session.start, 'en')}, {format_price(course.cost.amount, course.cost.currency, 'en')}"
    assert ungrounded(text, [course], all_course_ids=[course.id]) == []


def test_invented_dates_prices_and_uncited_offerings_are_caught():
    course = _course()
    text = "It starts on 1 April 2031, costs 99 EUR, and other-course-id is also good."
    problems = ungrounded(text, [course], all_course_ids=[course.id, "other-course-id"])
    assert any("2031-04-01" in p for p in problems)
    assert any("99 EUR" in p for p in problems)
    assert any("other-course-id" in p for p in problems)
    assert ungrounded("Start: 5. marca 2031", [course]) != []
