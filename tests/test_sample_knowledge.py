"""The knowledge folder we ship passes its own check, and its ESCO label files are well formed."""

from pathlib import Path

from assistant.esco.labels import load_extra_labels
from assistant.knowledge import load_knowledge
from assistant.records import COUNTRY_CURRENCY, REGIONS

KNOWLEDGE = Path(__file__).parent.parent / "knowledge"


def test_shipped_knowledge_has_no_problems():
    knowledge = load_knowledge(KNOWLEDGE)
    assert [str(p) for p in knowledge.problems] == []
    assert {course.region for course in knowledge.courses} == set(REGIONS)
    assert all(course.source == "sample" for course in knowledge.courses)


def test_every_sample_offering_links_esco_and_prices_in_local_currency():
    for course in load_knowledge(KNOWLEDGE).courses:
        assert course.esco.skills or course.esco.occupations, course.id
        assert course.cost.currency == COUNTRY_CURRENCY[course.country], course.id


def test_each_region_has_at_least_30_offerings_and_each_country_six_pages_per_language():
    knowledge = load_knowledge(KNOWLEDGE)
    for region in REGIONS:
        assert sum(course.region == region for course in knowledge.courses) >= 30, region
    for country in COUNTRY_CURRENCY:
        languages = [page.lang for page in knowledge.pages if page.country == country]
        assert languages.count("en") >= 6 and len(languages) - languages.count("en") >= 6, country


def test_shipped_occupation_names_cover_every_language():
    extra = load_extra_labels(KNOWLEDGE / "esco" / "labels")
    assert extra.problems == []
    langs = {lang for names in extra.labels.values() for lang in names}
    assert langs == {"sl", "hr", "pl", "cs", "hu"}
    assert len(extra.labels) == 3007
