"""The optional LLM: served when it cites what it was given and states only their facts; else the grounded answer."""

import time
import uuid

from langchain_core.language_models.fake_chat_models import FakeListChatModel, GenericFakeChatModel
from langchain_core.messages import AIMessage

from assistant.formats import format_price


def _with_model(sample_services, model, timeout_s=2.0):
    import datetime as dt

    sample_services.settings.llm.timeout_s = timeout_s
    built = sample_services.assistant(chat_model=model)
    built.today = lambda: dt.date(2026, 11, 21)
    return built


QUESTION = "where can I learn welding in Kranj?"


def _grounded(sample_services):
    return _with_model(sample_services, None).reply(f"test:llm-ref-{uuid.uuid4()}", QUESTION)


def test_a_faithful_llm_answer_is_served_with_its_citations(sample_services):
    reference = _grounded(sample_services)
    first = reference.sources[0]
    course = _with_model(sample_services, None).catalogue.courses[first.id]
    price = format_price(course.cost.amount, course.cost.currency, "en")
    reply = f"You can learn welding at {course.provider} [{first.id}]; it costs {price}."
    assistant = _with_model(sample_services, FakeListChatModel(responses=[reply]))
    answer = assistant.reply("test:llm-ok", QUESTION)
    assert answer.answered_by == "llm"
    assert [s.id for s in answer.sources] == [first.id]
    assert f"[{first.id}]" not in answer.text and course.provider in answer.text


def test_an_llm_answer_citing_an_unknown_id_or_inventing_a_price_is_replaced(sample_services):
    reference = _grounded(sample_services)
    first = reference.sources[0].id
    for reply in ("Try the course [made-up-course-id].", f"It costs 1 EUR only [{first}]."):
        assistant = _with_model(sample_services, FakeListChatModel(responses=[reply]))
        answer = assistant.reply(f"test:llm-bad-{len(reply)}", QUESTION)
        assert answer.answered_by == "grounded"
        assert answer.text == reference.text


def test_an_llm_error_or_timeout_serves_the_grounded_answer(sample_services):
    reference = _grounded(sample_services)

    class Failing(GenericFakeChatModel):
        def _generate(self, *args, **kwargs):
            raise ConnectionError("endpoint down")

    class Slow(FakeListChatModel):
        def _call(self, *args, **kwargs):
            time.sleep(1.5)
            return super()._call(*args, **kwargs)

    for model, timeout in ((Failing(messages=iter([AIMessage("x")])), 2.0), (Slow(responses=["late"]), 0.3)):
        answer = _with_model(sample_services, model, timeout).reply(f"test:llm-{timeout}", QUESTION)
        assert answer.answered_by == "grounded"
        assert answer.text == reference.text
