"""The web API against a real uvicorn server on loopback: every endpoint, its errors and its limits."""

from __future__ import annotations

import gzip
import json
import re
import uuid

import httpx
import pytest
from fastapi import APIRouter, Request
from sqlalchemy import select, text

from assistant.config import LANGUAGES
from assistant.conversations import feedback
from assistant.i18n import messages
from channels.web.language import accepted_language
from channels.web.limits import RateLimiter
from channels.web.stream import sentences
from tests.web_servers import serving, web_services

ALLOWED = "http://alliance.example"
DENIED = "http://elsewhere.example"
WEB_ID = re.compile(r"^web:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
WELDING_HR = "Gdje mogu naučiti zavarivanje u Sisku?"

extra = APIRouter()


@extra.get("/extra/ping")
async def ping(request: Request) -> dict[str, bool]:
    """A router another channel would add (the Telegram webhook), reaching the same core."""
    return {"core": request.app.state.core.assistant is not None}


@pytest.fixture(scope="module")
def web(sample_services):
    services = web_services(sample_services, cors_origins=[ALLOWED], rate_limit_per_minute=100_000)
    with serving(services, routers=[extra]) as url:
        yield services, url


@pytest.fixture
def client(web):
    with httpx.Client(base_url=web[1], timeout=30) as http:
        yield http


def chat(client, message, **fields):
    return client.post("/api/chat", json={"message": message, **fields})


def events(body: str) -> list[tuple[str, dict]]:
    found = []
    for block in body.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        found.append((lines["event"], json.loads(lines["data"])))
    return found


# --- chat ---------------------------------------------------------------------------------------


def test_chat_answers_in_the_design_shape_and_starts_a_web_conversation(client, web):
    response = chat(client, WELDING_HR)
    assert response.status_code == 200
    answer = response.json()
    assert set(answer) == {"conversation_id", "text", "lang", "sources", "suggestions"}
    assert WEB_ID.match(answer["conversation_id"])
    assert answer["lang"] == "hr"
    assert answer["sources"] and all(set(s) == {"id", "kind", "title", "url"} for s in answer["sources"])
    assert any("zavar" in s["title"].lower() for s in answer["sources"])
    assert answer["suggestions"]
    services = web[0]
    assert len(services.store.history(answer["conversation_id"])) == 1


def test_a_conversation_continues_with_its_id(client, web):
    first = chat(client, WELDING_HR).json()
    second = chat(client, "je li prvi besplatan?", conversation_id=first["conversation_id"]).json()
    assert second["conversation_id"] == first["conversation_id"] and second["lang"] == "hr"
    assert len(web[0].store.history(first["conversation_id"])) == 2


def test_accept_language_is_the_hint_for_a_short_first_message_and_lang_the_choice(client):
    assert (
        client.post(
            "/api/chat", json={"message": "ok"}, headers={"Accept-Language": "hu-HU,hu;q=0.9"}
        ).json()["lang"]
        == "hu"
    )
    chosen = chat(client, "Kje se lahko naučim varjenja v Kranju?", lang="en").json()
    assert chosen["lang"] == "en"


def test_region_presets_the_conversation(client):
    answer = chat(client, "tečaj varjenja", region="si-gorenjska", lang="sl").json()
    assert answer["sources"] and all(s["id"].startswith("si-") for s in answer["sources"])


def test_the_stream_sends_sentences_then_the_whole_answer(client):
    response = client.post(
        "/api/chat/stream", json={"message": "what does a welder do?", "region": "si-gorenjska"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    found = events(response.text)
    names = [name for name, _ in found]
    assert names[-1] == "answer" and set(names[:-1]) == {"delta"} and len(names) > 2
    final = found[-1][1]
    assert "".join(data["text"] for _, data in found[:-1]) == final["text"]
    assert set(final) == {"conversation_id", "text", "lang", "sources", "suggestions", "uses_esco"}
    assert final["uses_esco"] is True
    assert any(s["kind"] == "occupation" for s in final["sources"])


def test_sentences_join_back_into_the_text():
    text = "Here is what I found:\n\n1. Welding\n   Cost: 1 350 EUR. Free? No!  Apply: https://x.org/a.b\nend"
    pieces = sentences(text)
    assert "".join(pieces) == text and len(pieces) > 4
    assert sentences("") == []


# --- errors ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({}, ["body", "message"]),
        ({"message": 5}, ["body", "message"]),
        ({"message": "hi", "lang": "de"}, ["body", "lang"]),
        ({"message": "hi", "region": "si-ljubljana"}, ["body", "region"]),
        ({"message": "hi", "conversation_id": "tg:12345"}, ["body", "conversation_id"]),
        ({"message": "hi", "conversation_id": "web:not-a-uuid"}, ["body", "conversation_id"]),
        (
            {"message": "hi", "conversation_id": f"web:{str(uuid.uuid4()).upper()}"},
            ["body", "conversation_id"],
        ),
        ({"message": "hi", "colour": "blue"}, ["body", "colour"]),
    ],
)
def test_malformed_fields_get_422_with_the_reason(client, body, where):
    response = client.post("/api/chat", json=body)
    assert response.status_code == 422
    assert [error["loc"] for error in response.json()["detail"]] == [where]


def test_bad_json_gets_422_with_the_reason(client):
    response = client.post(
        "/api/chat", content=b'{"message": "hi"', headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert "JSON" in json.dumps(response.json()["detail"])
    assert (
        client.post("/api/chat", content=b"[1, 2]", headers={"Content-Type": "application/json"}).status_code
        == 422
    )


def test_a_message_over_the_limit_gets_a_clear_error_in_the_persons_language(client):
    limit = 1000
    response = chat(client, "zavarivanje " * 100, lang="hr")
    assert response.status_code == 422
    assert response.json() == {"detail": messages().t("hr", "too_long", limit=limit)}


def test_a_body_over_the_size_limit_gets_413(client):
    big = {"message": "x" * 40_000}
    response = client.post("/api/chat", json=big, headers={"Accept-Language": "pl"})
    assert response.status_code == 413
    assert response.json() == {"detail": messages("web").t("pl", "too_large")}

    def chunks():  # no Content-Length: the limit holds while the body streams in
        for _ in range(40):
            yield b"x" * 1000

    streamed = client.post("/api/chat", content=chunks(), headers={"Content-Type": "application/json"})
    assert streamed.status_code == 413


def test_a_failure_inside_the_core_is_a_kind_503_and_readiness_says_the_database_fails(
    sample_services, tmp_path
):
    broken = web_services(sample_services, database_url=f"sqlite:///{tmp_path / 'broken.db'}")
    with serving(broken) as url, httpx.Client(base_url=url, timeout=30) as http:
        assert http.get("/health/ready").status_code == 200
        with broken.engine.begin() as connection:  # the database loses its tables under the running server
            connection.execute(text("DROP TABLE turns"))
            connection.execute(text("DROP TABLE conversations"))
        response = http.post("/api/chat", json={"message": WELDING_HR}, headers={"Accept-Language": "hr"})
        assert response.status_code == 503
        assert response.json() == {"detail": messages("web").t("hr", "server_error")}
        ready = http.get("/health/ready")
        assert ready.status_code == 503
        assert ready.json()["database"]["ok"] is False and ready.json()["index"]["ok"] is True
        assert http.get("/health").status_code == 200


# --- feedback and forgetting ---------------------------------------------------------------------


def test_feedback_is_stored_with_its_reason(client, web):
    conversation = chat(client, WELDING_HR).json()["conversation_id"]
    up = client.post("/api/feedback", json={"conversation_id": conversation, "rating": 1, "turn": 1})
    down = client.post(
        "/api/feedback",
        json={"conversation_id": conversation, "rating": -1, "turn": 1, "reason": "nothing near Petrinja"},
    )
    assert up.status_code == 204 and down.status_code == 204
    with web[0].engine.connect() as connection:
        rows = connection.execute(
            select(feedback.c.turn, feedback.c.rating, feedback.c.reason)
            .where(feedback.c.conversation_id == conversation)
            .order_by(feedback.c.id)
        ).all()
    assert [tuple(row) for row in rows] == [(1, 1, None), (1, -1, "nothing near Petrinja")]


@pytest.mark.parametrize(
    "body",
    [
        {"conversation_id": "web:00000000-0000-4000-8000-000000000000", "rating": 2},
        {"conversation_id": "web:00000000-0000-4000-8000-000000000000", "rating": 1, "turn": 0},
        {"conversation_id": "web:00000000-0000-4000-8000-000000000000", "rating": -1, "reason": "x" * 501},
        {"conversation_id": "tg:1", "rating": 1},
        {"rating": 1},
    ],
)
def test_malformed_feedback_gets_422(client, body):
    assert client.post("/api/feedback", json=body).status_code == 422


def test_feedback_on_an_unknown_conversation_is_404(client):
    unknown = f"web:{uuid.uuid4()}"
    response = client.post(
        "/api/feedback", json={"conversation_id": unknown, "rating": 1}, headers={"Accept-Language": "cs"}
    )
    assert response.status_code == 404
    assert response.json() == {"detail": messages("web").t("cs", "unknown_conversation")}


def test_forget_me_deletes_the_conversation_then_it_is_404(client, web):
    conversation = chat(client, WELDING_HR).json()["conversation_id"]
    assert client.delete(f"/api/conversations/{conversation}").status_code == 204
    assert web[0].store.load(conversation) is None
    assert client.delete(f"/api/conversations/{conversation}").status_code == 404
    bad = client.delete("/api/conversations/web:12")
    assert bad.status_code == 422 and "UUID" in bad.json()["detail"]


# --- the door: CORS, origins, rate limit, headers ---------------------------------------------


def test_cors_allows_the_listed_site_and_refuses_others(client):
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
    allowed = client.options("/api/chat", headers={"Origin": ALLOWED, **preflight})
    assert allowed.status_code == 200 and allowed.headers["access-control-allow-origin"] == ALLOWED
    denied = client.options("/api/chat", headers={"Origin": DENIED, **preflight})
    assert denied.status_code == 400 and "access-control-allow-origin" not in denied.headers

    ok = client.post("/api/chat", json={"message": WELDING_HR}, headers={"Origin": ALLOWED})
    assert ok.status_code == 200 and ok.headers["access-control-allow-origin"] == ALLOWED
    assert "retry-after" in ok.headers["access-control-expose-headers"].lower()
    refused = client.post("/api/chat", json={"message": WELDING_HR}, headers={"Origin": DENIED})
    assert refused.status_code == 403 and "CORS_ORIGINS" in refused.json()["detail"]


def test_the_own_page_may_call_the_api(client, web):
    own = client.post("/api/chat", json={"message": WELDING_HR}, headers={"Origin": web[1]})
    assert own.status_code == 200


def test_a_client_over_its_budget_gets_429_with_retry_after(sample_services):
    tight = web_services(sample_services, rate_limit_per_minute=3)
    with serving(tight) as url, httpx.Client(base_url=url, timeout=30) as http:
        statuses = [
            http.post("/api/chat", json={"message": "ok"}, headers={"Accept-Language": "pl"}).status_code
            for _ in range(4)
        ]
        assert statuses == [200, 200, 200, 429]
        refused = http.post("/api/chat", json={"message": "ok"}, headers={"Accept-Language": "pl"})
        assert refused.status_code == 429
        seconds = int(refused.headers["Retry-After"])
        assert 1 <= seconds <= 20
        assert refused.json() == {"detail": messages("web").t("pl", "rate_limited", seconds=seconds)}
        assert http.get("/health").status_code == 200  # health is never limited


def test_the_rate_limiter_refills_evenly():
    now = [0.0]
    limiter = RateLimiter(6, clock=lambda: now[0])
    assert [limiter.take("a") for _ in range(6)] == [0.0] * 6
    assert limiter.take("a") == pytest.approx(10.0)
    assert limiter.take("b") == 0.0  # each client has its own budget
    now[0] = 10.0
    assert limiter.take("a") == 0.0 and limiter.take("a") > 0


def test_security_headers_on_pages_api_and_widget(client):
    page = client.get("/")
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy and f"frame-ancestors 'self' {ALLOWED}" in policy
    assert "unsafe-inline" not in policy
    for response in (page, chat(client, "ok"), client.get("/widget.js")):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert client.get("/widget.js").headers["cross-origin-resource-policy"] == "cross-origin"
    assert chat(client, "ok").headers["cross-origin-resource-policy"] == "same-origin"


def test_accept_language_parsing():
    assert accepted_language("de-DE,de;q=0.9,hr;q=0.8,en;q=0.7") == "hr"
    assert accepted_language("en;q=0.5, sl") == "sl"
    assert accepted_language("fr, *;q=0.1") is None
    assert accepted_language(None) is None
    assert accepted_language("hu;q=abc, pl;q=0") is None


# --- health, pages, widget files, docs -------------------------------------------------------


def test_health_and_readiness(client):
    assert client.get("/health").json() == {"status": "ok"}
    ready = client.get("/health/ready")
    assert ready.status_code == 200
    body = ready.json()
    assert body["status"] == "ready" and body["database"] == {"ok": True}
    assert body["index"]["records"]["course"] > 100 and body["index"]["vectors"]["course"] > 0


def test_not_ready_over_an_empty_index(sample_services, tmp_path):
    empty = web_services(sample_services, data_dir=tmp_path / "var")
    with serving(empty) as url, httpx.Client(base_url=url, timeout=30) as http:
        ready = http.get("/health/ready")
        assert ready.status_code == 503
        assert ready.json()["index"]["ok"] is False and ready.json()["database"]["ok"] is True
        assert http.get("/health").status_code == 200


def test_the_standalone_page_in_the_asked_language_and_region(client):
    page = client.get("/", params={"lang": "pl", "region": "pl-malopolska"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '<html lang="pl">' in page.text
    assert messages("web").t("pl", "page_title") in page.text
    assert 'data-region="pl-malopolska"' in page.text and 'src="widget.js"' in page.text
    hostile = client.get("/", params={"lang": "<script>", "region": '"><script>alert(1)</script>'})
    assert "<script>alert" not in hostile.text and '<html lang="en">' in hostile.text
    by_header = client.get("/", headers={"Accept-Language": "cs-CZ,cs;q=0.9"})
    assert '<html lang="cs">' in by_header.text


def test_widget_files_and_texts(client):
    script = client.get("/widget.js", headers={"Accept-Encoding": "gzip"})
    assert script.status_code == 200 and script.headers["content-type"].startswith("text/javascript")
    assert script.headers["content-encoding"] == "gzip" and "max-age" in script.headers["cache-control"]
    assert not re.search(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(", script.text)
    assert client.get("/widget.css").headers["content-type"].startswith("text/css")
    for lang in LANGUAGES:
        body = client.get(f"/widget/strings/{lang}.json").json()
        assert body["lang"] == lang and set(body["strings"]) == set(messages("web").tables["en"]) | {"esco"}
        assert body["strings"]["esco"] == messages().t(lang, "esco_attribution")
        assert [code for code, _ in body["languages"]] == list(LANGUAGES)
        assert body["max_message_chars"] == 1000
    assert client.get("/widget/strings/de.json").status_code == 404


def test_openapi_docs_describe_the_api(client):
    schema = client.get("/openapi.json").json()
    assert {"/api/chat", "/api/chat/stream", "/api/feedback", "/api/conversations/{conversation_id}"} <= set(
        schema["paths"]
    )
    assert "/health/ready" in schema["paths"]
    docs = client.get("/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()


def test_routers_of_other_channels_reach_the_same_core(client):
    assert client.get("/extra/ping").json() == {"core": True}


def test_the_widget_is_small(client):
    size = len(client.get("/widget.js").content) + len(client.get("/widget.css").content)
    zipped = len(gzip.compress(client.get("/widget.js").content)) + len(
        gzip.compress(client.get("/widget.css").content)
    )
    assert size < 40_000 and zipped < 12_000, (size, zipped)


def test_concurrent_conversations_each_get_their_own_answers(client, web):
    from concurrent.futures import ThreadPoolExecutor

    def converse(number: int) -> tuple[str, list[str]]:
        with httpx.Client(base_url=web[1], timeout=60) as own:
            first = own.post("/api/chat", json={"message": WELDING_HR}).json()
            follow = own.post(
                "/api/chat",
                json={"message": "je li prvi besplatan?", "conversation_id": first["conversation_id"]},
            ).json()
            return first["conversation_id"], [first["lang"], follow["lang"], follow["conversation_id"]]

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(converse, range(8)))
    assert len({conversation for conversation, _ in results}) == 8
    for conversation, (first_lang, follow_lang, follow_id) in results:
        assert first_lang == follow_lang == "hr" and follow_id == conversation
        assert len(web[0].store.history(conversation)) == 2


def test_assistant_serve_prints_the_url_to_open(sample_services):
    import os
    import subprocess
    import sys

    from tests.conftest import _wait_for_port, free_port

    settings = sample_services.settings
    port = free_port()
    env = {
        **os.environ,
        "ASSISTANT_KNOWLEDGE_DIR": str(settings.knowledge_dir),
        "ASSISTANT_DATA_DIR": str(settings.data_dir),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "assistant.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_for_port(port, process, "assistant serve")
        line = process.stdout.readline()
        assert line.startswith(f"Open http://127.0.0.1:{port}/")
        assert httpx.get(f"http://127.0.0.1:{port}/health/ready", timeout=10).status_code == 200
    finally:
        process.terminate()
        process.wait(timeout=30)
