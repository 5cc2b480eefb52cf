"""Every text in six languages, every template rendered in each of them."""

import datetime as dt
import re
from pathlib import Path

import pytest
from jinja2 import UndefinedError

from assistant.catalogue import Occupation
from assistant.compose import Composer
from assistant.config import LANGUAGES
from assistant.i18n import PROMPTS_DIR, messages
from assistant.knowledge import load_knowledge
from assistant.lexicon import LEXICON_DIR, lexicon

PROJECT = Path(__file__).parent.parent


def test_no_message_is_missing_in_any_language():
    folders = [path.parent.name for path in PROMPTS_DIR.glob("*/en.yaml")]
    assert "messages" in folders
    for folder in folders:
        assert messages(folder).problems() == [], folder


def test_every_message_key_the_code_uses_exists():
    used = set()
    for path in (PROJECT / "assistant").rglob("*.py"):
        used |= set(re.findall(r"""\bt\((?:lang|reply_lang), "([a-z_0-9-]+)\"""", path.read_text()))
        used |= set(re.findall(r'"(suggest_[a-z_]+)"', path.read_text()))
    for path in (PROMPTS_DIR / "answers").glob("*.j2"):
        used |= set(re.findall(r"t\('([a-z_0-9-]+)'", path.read_text()))
    assert used and used <= set(messages().tables["en"])


def test_lexicons_have_the_same_shape_in_every_language():
    english = lexicon("en")
    for lang in LANGUAGES:
        found = lexicon(lang)
        assert set(found.intents) == set(english.intents), lang
        assert set(found.slots) == set(english.slots), lang
        assert set(found.months) == set(range(1, 13)), lang
        assert set(found.facets) == set(english.facets), lang
        assert all(len(examples) >= 5 for examples in found.intents.values()), lang
    assert (LEXICON_DIR / "common.yaml").exists()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_template_renders_in_every_language(lang):
    knowledge = load_knowledge(PROJECT / "knowledge")
    composer = Composer(messages())
    today = dt.date(2026, 11, 21)
    courses = knowledge.courses[:3]
    listed = composer.courses(courses, lang, intro="intro", today=today)
    assert all(c.provider in listed.text for c in courses)
    for facets in [("dates",), ("cost",), ("place",), ("hours",), ("apply",), ("provider",), ("credential",)]:
        assert composer.course_detail(courses[0], lang, facets, today=today).text
    occupation = Occupation("uri", "welder", None, [("s", "use welding equipment")], "en")
    assert "use welding equipment" in composer.occupation(occupation, lang, courses=listed).text
    page = knowledge.pages[0]
    assert page.title in composer.guidance(page, lang, "question").text


def test_a_template_with_an_unknown_variable_raises(tmp_path):
    (tmp_path / "answers").mkdir()
    (tmp_path / "answers" / "broken.j2").write_text("{{ nothing_here }}")
    with pytest.raises(UndefinedError):
        Composer(messages(), prompts_dir=tmp_path).render("broken", "en")
