"""The widget end to end in a real headless Chromium: embedded with one tag on another site's page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from assistant.config import LANGUAGES
from assistant.conversations import feedback
from assistant.i18n import messages
from tests.conftest import free_port
from tests.web_servers import serving, third_party_site, web_services

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian's chromium is not installed (tests/run.sh installs it as root)"
)
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
QUESTIONS = {
    "sl": "Kje se lahko naučim varjenja v Kranju?",
    "hr": "Gdje mogu naučiti zavarivanje u Sisku?",
    "pl": "Gdzie mogę nauczyć się spawania w Nowym Sączu?",
    "cs": "Kde se můžu naučit svařovat v Pardubicích?",
    "hu": "számítógépes alapismeretek tanfolyam Pécsen",
    "en": "where can I learn welding in Kranj?",
}
HOSTILE = "<img src=x onerror=alert(1)>"
TIMEOUT = 30_000


def web(lang: str, key: str) -> str:
    return messages("web").t(lang, key)


def page_embedding(assistant_url: str, *, lang: str = "hr", region: str = "hr-sisak-moslavina") -> str:
    return f"""<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Regional alliance</title>
<style>body {{ font: 20px Georgia, serif; color: #222 }} button, p {{ color: red !important }}</style></head>
<body><main><h1>Regional alliance for skills</h1><p>News and events of the alliance.</p></main>
<script src="{assistant_url}/widget.js" data-lang="{lang}" data-region="{region}" async></script>
</body></html>"""


@pytest.fixture(scope="module")
def servers(sample_services):
    """The assistant on 127.0.0.1, a third-party site on localhost that embeds it (another origin)."""
    site_port = free_port()
    services = web_services(
        sample_services, cors_origins=[f"http://localhost:{site_port}"], rate_limit_per_minute=100_000
    )
    with (
        serving(services) as assistant_url,
        third_party_site(page_embedding(assistant_url), port=site_port) as site_url,
    ):
        yield {"services": services, "assistant": assistant_url, "site": site_url}


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser, servers):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="hr-HR")
    context.set_default_timeout(TIMEOUT)
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.goto(servers["site"])
    yield opened
    context.close()
    assert errors == []


def open_widget(page):
    page.get_by_role("button", name=web("hr", "open")).click()
    page.locator(".ca-input").wait_for()


def ask(page, text: str):
    """Send `text` and wait for its answer; returns the answer's element."""
    answers = page.locator(".ca-bot[lang]")
    before = answers.count()
    page.locator(".ca-input").fill(text)
    page.locator(".ca-input").press("Enter")
    page.wait_for_function(
        """([n]) => document.querySelector('[data-career-assistant]').shadowRoot
               .querySelectorAll('.ca-bot[lang] .ca-feedback').length > n""",
        arg=[before],
    )
    return answers.nth(before)


def test_a_question_in_each_language_gets_an_answer_with_a_source_link(page):
    open_widget(page)
    for lang in LANGUAGES:
        page.locator(".ca-select").select_option(lang)
        page.get_by_label(web(lang, "input_label")).wait_for()  # the interface speaks the language
        assert page.get_by_label(web(lang, "language")).count() == 1
        answer = ask(page, QUESTIONS[lang])
        assert answer.get_attribute("lang") == lang
        links = answer.locator(".ca-sources a")
        assert links.count() >= 1, lang
        first = links.first
        assert re.match(r"https?://", first.get_attribute("href"))
        assert first.get_attribute("target") == "_blank"
        assert first.get_attribute("rel") == "noopener noreferrer"
        assert answer.locator(".ca-sources-title").inner_text() == web(lang, "sources")


def test_a_quick_reply_is_sent_and_a_reload_finds_the_conversation(page):
    open_widget(page)
    ask(page, QUESTIONS["hr"])
    reply = page.locator(".ca-reply").first
    text = reply.inner_text()
    answers = page.locator(".ca-bot[lang]").count()
    reply.click()
    page.wait_for_function(
        """([n]) => document.querySelector('[data-career-assistant]').shadowRoot
               .querySelectorAll('.ca-bot[lang] .ca-feedback').length > n""",
        arg=[answers],
    )
    assert page.locator(".ca-user").last.inner_text().endswith(text)
    shown = page.locator(".ca-log").inner_text()
    page.reload()
    page.locator(".ca-bot[lang]").nth(1).wait_for()
    assert page.locator(".ca-panel").is_visible()  # it stays open across pages
    assert page.locator(".ca-log").inner_text() == shown
    follow_up = ask(page, "je li prvi besplatan?")  # the same conversation goes on
    assert follow_up.get_attribute("lang") == "hr"


def focused(page) -> str:
    """The class (or id) of the widget's element that has the keyboard focus."""
    return page.evaluate(
        """() => { const el = document.querySelector('[data-career-assistant]').shadowRoot.activeElement;
                   return el ? el.id || el.className : ''; }"""
    )


def test_usable_by_keyboard_alone(page):
    page.keyboard.press("Tab")
    assert focused(page) == "ca-launcher"
    page.keyboard.press("Enter")
    assert focused(page) == "ca-input"
    page.keyboard.type(QUESTIONS["hr"])
    page.keyboard.press("Enter")
    page.locator(".ca-bot[lang] .ca-feedback").first.wait_for()
    # From the input back to the last quick reply, and send it with the keyboard.
    page.keyboard.press("Shift+Tab")
    assert focused(page) == "ca-reply"
    page.keyboard.press("Enter")
    page.locator(".ca-bot[lang] .ca-feedback").nth(1).wait_for()
    assert focused(page) == "ca-input"
    page.keyboard.press("Escape")
    assert page.locator(".ca-panel").is_hidden()
    assert focused(page) == "ca-launcher"


def test_html_from_a_person_is_shown_as_text_and_never_run(page):
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    open_widget(page)
    ask(page, HOSTILE)
    assert page.locator(".ca-user .ca-text").last.inner_text() == HOSTILE
    assert page.locator(".ca img").count() == 0
    page.reload()  # and again when drawn from the device's memory
    page.locator(".ca-user").first.wait_for()
    assert page.locator(".ca-user .ca-text").last.inner_text() == HOSTILE
    assert page.locator(".ca img").count() == 0
    assert dialogs == []


def test_feedback_thumbs_reach_the_database(page, servers):
    open_widget(page)
    ask(page, QUESTIONS["hr"])
    page.get_by_role("button", name=web("hr", "not_helpful")).click()
    page.get_by_label(web("hr", "reason_label")).fill("nema ništa u Petrinji")
    page.get_by_role("button", name=web("hr", "reason_send")).click()
    page.get_by_text(web("hr", "feedback_thanks")).wait_for()
    engine = servers["services"].engine
    with engine.connect() as connection:
        reasons = connection.execute(select(feedback.c.rating, feedback.c.reason)).all()
    assert (-1, "nema ništa u Petrinji") in [tuple(row) for row in reasons]


def test_forget_deletes_the_conversation_here_and_on_the_server(page, servers):
    open_widget(page)
    ask(page, QUESTIONS["hr"])
    conversation = page.evaluate(
        "JSON.parse(Object.entries(localStorage).find(([k]) => k.startsWith('career-assistant:'))[1]).id"
    )
    assert servers["services"].store.load(conversation) is not None
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name=web("hr", "forget")).click()
    page.get_by_text(web("hr", "forgotten")).wait_for()
    assert page.locator(".ca-user").count() == 0
    assert servers["services"].store.load(conversation) is None
    page.reload()
    page.locator(".ca-panel").wait_for()
    assert page.locator(".ca-user").count() == 0


def test_an_unreachable_server_is_said_clearly_and_the_message_kept(browser, sample_services):
    site_port = free_port()
    services = web_services(sample_services, cors_origins=[f"http://localhost:{site_port}"])
    context = browser.new_context()
    context.set_default_timeout(TIMEOUT)
    page = context.new_page()
    with (
        serving(services) as assistant_url,
        third_party_site(page_embedding(assistant_url), port=site_port) as url,
    ):
        page.goto(url)
        open_widget(page)
    # The assistant's server is gone now.
    page.locator(".ca-input").fill(QUESTIONS["hr"])
    page.locator(".ca-input").press("Enter")
    page.get_by_text(web("hr", "unreachable")).wait_for()
    assert page.locator(".ca-input").input_value() == QUESTIONS["hr"]
    assert page.locator(".ca-user").count() == 0
    context.close()


def test_esco_attribution_under_an_answer_that_uses_esco(page):
    open_widget(page)
    page.get_by_label(web("hr", "language")).select_option("en")
    answer = ask(page, "what does a welder do?")
    assert answer.locator(".ca-esco").inner_text() == messages().t("en", "esco_attribution")
    plain = ask(page, QUESTIONS["en"])
    assert plain.locator(".ca-esco").count() == 0


def test_no_serious_accessibility_violations_on_the_open_widget(page):
    from axe_playwright_python.sync_playwright import Axe

    open_widget(page)
    ask(page, QUESTIONS["hr"])
    page.get_by_role("button", name=web("hr", "not_helpful")).click()  # the reason form is open too
    results = Axe().run(page, context={"include": [["[data-career-assistant]"]]})
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []


def test_on_a_360_px_phone_the_panel_fills_the_screen(browser, servers):
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    context.set_default_timeout(TIMEOUT)
    page = context.new_page()
    page.goto(servers["site"])
    open_widget(page)
    ask(page, QUESTIONS["hr"])
    box = page.locator(".ca-panel").bounding_box()
    # Layout in fractions of a pixel: 739.99999 is the full height.
    assert (round(box["x"]), round(box["width"]), round(box["height"])) == (0, 360, 740)
    for part in (".ca-input", ".ca-send", ".ca-close", ".ca-select"):
        part_box = page.locator(part).bounding_box()
        assert part_box["x"] >= 0 and part_box["x"] + part_box["width"] <= 360, part
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    context.close()


def test_reduced_motion_turns_animations_off(browser, servers):
    context = browser.new_context(reduced_motion="reduce")
    page = context.new_page()
    page.goto(servers["site"])
    open_widget(page)
    assert page.locator(".ca-panel").evaluate("el => getComputedStyle(el).animationName") == "none"
    context.close()


def test_the_standalone_page_shows_the_widget_full_screen(browser, servers):
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(servers["assistant"] + "/?lang=sl&region=si-gorenjska")
    page.locator(".ca-page .ca-input").wait_for()
    assert page.locator(".ca-launcher").count() == 0
    answer = ask(page, QUESTIONS["sl"])
    assert answer.get_attribute("lang") == "sl" and answer.locator(".ca-sources a").count() >= 1
    assert page.locator(".ca-panel").bounding_box()["width"] == 360
    context.close()
