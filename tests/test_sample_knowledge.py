"""The knowledge folder we ship passes its own check, and its ESCO label files are well formed."""

from pathlib import Path

from assistant.esco.labels import load_extra_labels
from assistant.knowledge import load_knowledge
from assistant.records import REGIONS

KNOWLEDGE = Path(__file__).parent.parent / "knowledge"


def test_shipped_knowledge_has_no_problems():
    knowledge = load_knowledge(KNOWLEDGE)
    assert [str(p) for p in knowledge.problems] == []
    assert {course.region for course in knowledge.courses} == set(REGIONS)
    assert all(course.source == "sample" for course in knowledge.courses)


def test_shipped_occupation_names_cover_every_language():
    extra = load_extra_labels(KNOWLEDGE / "esco" / "labels")
    assert extra.problems == []
    langs = {lang for names in extra.labels.values() for lang in names}
    assert langs == {"sl", "hr", "pl", "cs", "hu"}
    assert len(extra.labels) == 3007
