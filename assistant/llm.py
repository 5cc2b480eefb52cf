"""The optional LLM: rewrites a grounded answer from the same records, checked before it is served."""

from __future__ import annotations

import logging
import re
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage

from assistant.answer import Answer
from assistant.config import LlmSettings
from assistant.grounding import ungrounded
from assistant.i18n import PROMPTS_DIR, Messages
from assistant.language import LanguageDetector, own_words_language
from assistant.records import Course

log = logging.getLogger(__name__)
CITATION = re.compile(r"\[([A-Za-z0-9:/._-]{3,200})\]")


def make_chat_model(settings: LlmSettings) -> BaseChatModel | None:
    """A LangChain chat model for the configured OpenAI-compatible endpoint; None when none is set."""
    if not settings.base_url:
        return None
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(
        base_url=settings.base_url,
        model=settings.model,
        api_key=settings.api_key,
        timeout=settings.timeout_s,
        max_retries=0,
        max_tokens=settings.max_tokens,
        temperature=settings.temperature,
    )


class LlmWriter:
    """Asks the model for an answer from the records; returns None when the answer fails a check."""

    def __init__(
        self,
        model: BaseChatModel,
        *,
        messages: Messages,
        detector: LanguageDetector,
        timeout_s: float,
        all_course_ids: set[str],
        prompts_dir: Path = PROMPTS_DIR,
    ) -> None:
        self.model = model
        self.messages = messages
        self.detector = detector
        self.timeout_s = timeout_s
        self.all_course_ids = all_course_ids
        self._templates = Environment(
            loader=FileSystemLoader(str(prompts_dir)),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="llm")

    def prompt(self, *, question: str, lang: str, answer: Answer) -> list:
        records = [
            {"id": s.id, "kind": s.kind, "title": s.title, "text": answer.text} for s in answer.sources[:1]
        ] + [{"id": s.id, "kind": s.kind, "title": s.title, "text": ""} for s in answer.sources[1:]]
        system = self._templates.get_template("llm/system.j2").render(
            lang=lang,
            language_name=self.messages.t(lang, "language_name"),
            example_id=answer.sources[0].id,
            uses_esco=answer.uses_esco,
            attribution=self.messages.t(lang, "esco_attribution"),
            records=records,
        )
        user = self._templates.get_template("llm/user.j2").render(question=question)
        return [SystemMessage(system), HumanMessage(user)]

    def write(self, *, question: str, lang: str, answer: Answer, courses: list[Course]) -> Answer | None:
        """The model's answer if it passes every check, else None (the grounded answer is served)."""
        try:
            future = self._pool.submit(
                self.model.invoke, self.prompt(question=question, lang=lang, answer=answer)
            )
            reply = future.result(timeout=self.timeout_s)
        except FutureTimeout:
            log.warning("LLM took longer than %.1f s; serving the grounded answer", self.timeout_s)
            return None
        except Exception as error:  # any failure of an optional part degrades to the grounded answer
            log.warning("LLM failed (%s); serving the grounded answer", error)
            return None
        text = reply.content if isinstance(reply.content, str) else str(reply.content)
        problems = self.check(text, lang=lang, answer=answer, courses=courses)
        if problems:
            log.warning("LLM answer rejected: %s", "; ".join(problems))
            return None
        cited = set(CITATION.findall(text))
        sources = [s for s in answer.sources if s.id in cited]
        clean = CITATION.sub("", text)
        clean = re.sub(r"[ \t]+([.,;:!?])", r"\1", re.sub(r"[ \t]{2,}", " ", clean)).strip()
        return answer.model_copy(update={"text": clean, "sources": sources, "answered_by": "llm"})

    def check(self, text: str, *, lang: str, answer: Answer, courses: list[Course]) -> list[str]:
        """Why `text` may not be served: unknown citations, facts not in the records, the wrong language."""
        given = {s.id for s in answer.sources}
        cited = set(CITATION.findall(text))
        problems = [f"cites {c!r}, which it was not given" for c in sorted(cited - given)]
        if not cited:
            problems.append("cites no record")
        problems += ungrounded(
            text, [c for c in courses if c.id in cited], all_course_ids=self.all_course_ids
        )
        written_in = own_words_language(CITATION.sub("", text), answer.quoted, self.detector)
        if written_in not in (None, lang):
            problems.append(f"written in {written_in}, not {lang}")
        if answer.uses_esco and self.messages.t(lang, "esco_attribution") not in text:
            problems.append("leaves out the ESCO attribution")
        return problems
