"""Grounded composition: answers written from records with the templates in prompts/, in the user's language."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from assistant.catalogue import Occupation
from assistant.formats import format_number, format_price, format_range
from assistant.i18n import PROMPTS_DIR, Messages
from assistant.records import Course, GuidancePage
from assistant.text import fold, words

SESSIONS_SHOWN = 3
PASSAGE_CHARS = 700


@dataclass
class Composed:
    """A reply's text, with the record texts it quotes verbatim (titles, names, passages)."""

    text: str
    quoted: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CourseView:
    """An offering as a template shows it; every value is taken from the record."""

    number: int
    id: str
    title: str
    provider: str
    online: bool
    places: str
    sessions: list[str]
    past: bool  # no session is still to come: the dates shown are the last ones
    hours: str
    free: bool
    price: str
    funding: str
    deadline: str | None
    apply: str
    credential: str | None


def course_title(course: Course, lang: str) -> str:
    """The title as the catalogue writes it: in the user's language if given, else in the course's own."""
    return course.title.get(lang) or course.title.get(course.lang) or next(iter(course.title.values()))


def course_view(course: Course, lang: str, *, number: int = 1, today: dt.date) -> CourseView:
    upcoming = [s for s in course.dates if (s.end or s.start) >= today]  # still to come or under way
    past = not upcoming and bool(course.dates)
    shown = upcoming or course.dates[-1:]
    deadline = (
        course.application_deadline
        if course.application_deadline and course.application_deadline >= today
        else None
    )
    return CourseView(
        number=number,
        id=course.id,
        title=course_title(course, lang),
        provider=course.provider,
        online=course.mode.value == "online",
        places=", ".join(course.locations) + (" + online" if course.mode.value == "blended" else ""),
        sessions=[format_range(s.start, s.end, lang) for s in shown[:SESSIONS_SHOWN]],
        past=past,
        hours=format_number(course.duration_hours, lang),
        free=course.free,
        price=format_price(course.cost.amount, course.cost.currency, lang),
        funding=", ".join(course.cost.funding),
        deadline=None if deadline is None else format_range(deadline, None, lang),
        apply=str(course.apply.url) if course.apply.url else course.apply.contact or "",
        credential=course.credential.name if course.credential else None,
    )


@cache
def _environment(prompts_dir: Path, lang: str) -> Environment:
    # A language's own folder may override any template; most need only the message table.
    loader = FileSystemLoader([str(prompts_dir / lang), str(prompts_dir)])
    return Environment(
        loader=loader, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, autoescape=False
    )


class Composer:
    """Renders the answer templates; `t` inside a template is the message table in the reply's language."""

    def __init__(self, messages: Messages, *, prompts_dir: Path = PROMPTS_DIR) -> None:
        self.messages = messages
        self.prompts_dir = prompts_dir

    def t(self, lang: str, key: str, **values: object) -> str:
        return self.messages.t(lang, key, **values)

    def render(self, name: str, lang: str, **context: Any) -> str:
        template = _environment(self.prompts_dir, lang).get_template(f"answers/{name}.j2")
        text = template.render(lang=lang, t=lambda key, **v: self.t(lang, key, **v), **context)
        text = re.sub(r"(\d\.)\.", r"\1", text)  # a Hungarian or Croatian date ends a sentence itself
        return re.sub(r"\n{3,}", "\n\n", text).strip()

    def conditions(self, lang: str, conditions: dict[str, Any]) -> str:
        """' (online · free for participants · Gorenjska)', or '' when nothing narrows the search."""
        parts = []
        if conditions.get("mode"):
            parts.append(self.t(lang, f"cond_{conditions['mode']}"))
        if conditions.get("free"):
            parts.append(self.t(lang, "cond_free"))
        if conditions.get("theme"):
            parts.append(self.t(lang, f"cond_{conditions['theme']}"))
        if conditions.get("month"):
            parts.append(self.t(lang, "cond_month", month=self.t(lang, f"month_{conditions['month']}")))
        if conditions.get("group"):
            parts.append(self.t(lang, "cond_group", group=self.t(lang, f"group_{conditions['group']}")))
        if conditions.get("town"):
            parts.append(conditions["town"])
        elif conditions.get("region"):
            parts.append(self.t(lang, f"region_{conditions['region']}"))
        return f" ({' · '.join(parts)})" if parts else ""

    def courses(
        self, courses: list[Course], lang: str, *, intro: str, start: int = 1, today: dt.date
    ) -> Composed:
        views = [course_view(c, lang, number=start + i, today=today) for i, c in enumerate(courses)]
        text = self.render("courses", lang, intro=intro, courses=views)
        quoted = [
            part for v in views for part in (v.title, v.provider, v.places, v.funding, v.apply, *v.sessions)
        ]
        return Composed(text, quoted)

    def course_detail(
        self, course: Course, lang: str, facets: tuple[str, ...], *, today: dt.date
    ) -> Composed:
        view = course_view(course, lang, today=today)
        if not facets:
            return self.courses([course], lang, intro="", today=today)
        text = self.render("course_detail", lang, c=view, facets=facets)
        return Composed(text, [view.title, view.provider, view.places, view.funding, view.credential or ""])

    def occupation(
        self, occupation: Occupation, lang: str, *, courses: Composed | None, limit: int = 10
    ) -> Composed:
        skills = [title for _, title in occupation.skills[:limit]]
        context = {
            "o": {
                "title": occupation.title,
                "description": occupation.description,
                "skills": skills,
                "skills_lang": occupation.skills_lang,
            },
            "courses": courses.text if courses else "",
        }
        text = self.render("occupation", lang, **context)
        quoted = [
            occupation.title,
            *skills,
            occupation.description or "",
            *(courses.quoted if courses else []),
        ]
        return Composed(text, quoted)

    def guidance(self, page: GuidancePage, lang: str, question: str) -> Composed:
        passages = best_sections(page.body, question)
        text = self.render("guidance", lang, page=page, passages=passages)
        return Composed(text, [page.title, *passages])


def best_sections(body: str, question: str, *, limit: int = 2) -> list[str]:
    """The page's first section and the one sharing most words with the question, each cut to a length."""
    sections = [s.strip() for s in re.split(r"(?m)^#{1,6}\s+", body) if s.strip()]
    if not sections:
        return []
    asked = {fold(w)[:5] for w in words(question) if len(w) > 3}
    ranked = sorted(
        range(len(sections)),
        key=lambda i: -len(asked & {fold(w)[:5] for w in words(sections[i]) if len(w) > 3}),
    )
    chosen = sorted(dict.fromkeys([0, *ranked[: limit - 1]]))[:limit]
    return [_cut(_section_text(sections[i])) for i in chosen]


def _section_text(section: str) -> str:
    heading, _, rest = section.partition("\n")
    return f"{heading.strip()}\n{rest.strip()}" if rest.strip() else heading.strip()


def _cut(text: str) -> str:
    if len(text) <= PASSAGE_CHARS:
        return text
    cut = text[:PASSAGE_CHARS].rsplit("\n", 1)[0]
    return (cut if len(cut) > PASSAGE_CHARS // 2 else text[:PASSAGE_CHARS].rsplit(" ", 1)[0]) + " …"
