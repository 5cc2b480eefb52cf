"""The full records behind search hits: offerings and pages by id, ESCO occupations with their skills."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import Engine, select

from assistant.db import esco_descriptions, esco_labels, esco_relations
from assistant.esco.labels import ExtraLabels
from assistant.knowledge import Knowledge
from assistant.records import Course, GuidancePage
from assistant.search import Searcher

GUIDANCE_ID = "{country}-{topic}-{lang}"


@dataclass(frozen=True)
class Occupation:
    uri: str
    title: str
    description: str | None
    skills: list[tuple[str, str]]  # (uri, title) of essential skills
    skills_lang: str  # the language the skill titles are in


class Catalogue:
    """Looks records up by id; built once from the loaded knowledge and the ESCO tables."""

    def __init__(
        self,
        knowledge: Knowledge,
        engine: Engine,
        searcher: Searcher,
        extra_labels: ExtraLabels | None = None,
    ) -> None:
        self._extra_labels = extra_labels or ExtraLabels()
        self.courses: dict[str, Course] = {course.id: course for course in knowledge.courses}
        self.pages: dict[str, GuidancePage] = {page.id: page for page in knowledge.pages}
        self._engine = engine
        self._searcher = searcher
        self._by_skill: dict[str, list[str]] = defaultdict(list)
        self._by_occupation: dict[str, list[str]] = defaultdict(list)
        for course in knowledge.courses:
            for uri in course.esco.skills:
                self._by_skill[uri].append(course.id)
            for uri in course.esco.occupations:
                self._by_occupation[uri].append(course.id)

    def towns(self) -> tuple[tuple[str, str], ...]:
        """(region, town) for every place an offering is held."""
        return tuple(sorted({(c.region, town) for c in self.courses.values() for town in c.locations}))

    def guidance_page(self, *, country: str, topic: str, lang: str) -> GuidancePage | None:
        """The country's page on `topic` in `lang`, else in English."""
        for page_lang in (lang, "en"):
            page = self.pages.get(GUIDANCE_ID.format(country=country.lower(), topic=topic, lang=page_lang))
            if page is not None:
                return page
        return None

    def names(self, uris: list[str], lang: str) -> dict[str, list[str]]:
        """Every name of each concept in `lang` (the knowledge folder's labels) and in English (ESCO's)."""
        with self._engine.connect() as connection:
            rows = connection.execute(
                select(esco_labels.c.uri, esco_labels.c.label).where(
                    esco_labels.c.uri.in_(uris), esco_labels.c.lang == "en"
                )
            ).all()
        found: dict[str, list[str]] = {
            uri: list(self._extra_labels.for_uri(uri).get(lang, ())) for uri in uris
        }
        for uri, label in rows:
            found[uri].append(label)
        return found

    def occupation(self, uri: str, lang: str) -> Occupation | None:
        info = self._searcher.record("occupation", uri)
        if info is None:
            return None
        with self._engine.connect() as connection:
            description = (
                connection.execute(
                    select(esco_descriptions.c.text).where(
                        esco_descriptions.c.uri == uri, esco_descriptions.c.lang.in_((lang, "en"))
                    )
                )
                .scalars()
                .first()
            )
            skill_uris = (
                connection.execute(
                    select(esco_relations.c.skill_uri)
                    .where(esco_relations.c.occupation_uri == uri, esco_relations.c.relation == "essential")
                    .order_by(esco_relations.c.skill_uri)
                )
                .scalars()
                .all()
            )
        skills, langs = [], set()
        for skill_uri in skill_uris:
            skill = self._searcher.record("skill", skill_uri)
            if skill is not None:
                shown = lang if lang in skill.title else "en"
                langs.add(shown)
                skills.append((skill_uri, skill.title.get(shown) or next(iter(skill.title.values()))))
        title = info.title.get(lang) or info.title.get("en") or uri
        skills_lang = lang if langs == {lang} else "en"
        return Occupation(uri, title, description if lang == "en" else None, skills, skills_lang)

    def courses_for_occupation(self, occupation: Occupation) -> list[str]:
        """Offerings linked to the occupation itself first, then to any of its essential skills."""
        found = list(self._by_occupation.get(occupation.uri, ()))
        for skill_uri, _ in occupation.skills:
            found += self._by_skill.get(skill_uri, ())
        return list(dict.fromkeys(found))
