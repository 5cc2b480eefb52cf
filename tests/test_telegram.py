"""The Telegram bot end to end: real Update JSON in, by polling and by webhook; what the person sees out.

Telegram's servers are replaced by a fake Bot API on loopback (tests/fake_telegram.py); the assistant,
its embedding model, SQLite, the bot and the web server all run for real.
"""

from __future__ import annotations

import datetime as dt
import html
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from assistant.answer import Answer, Source
from assistant.cli import app as cli
from assistant.config import LANGUAGES, Settings, TelegramSettings
from assistant.i18n import messages
from assistant.records import REGIONS
from assistant.wiring import Services
from channels.telegram.delivery import send_messages
from channels.telegram.render import MESSAGE_LIMIT, answer_messages, quick_replies
from channels.telegram.webhook import SECRET_HEADER, telegram_webhook
from tests.conftest import free_port
from tests.fake_telegram import PHOTO, STICKER, VOICE, FakeTelegram, button_press, edited, message
from tests.telegram_servers import PollingBot, WebhookServer

TEXTS = messages("telegram")
CORE = messages()
SECRET = "webhook-secret_for-tests"
HOSTILE = "<b>x</b><img src=x onerror=alert(1)>"
PROJECT = Path(__file__).parent.parent


@pytest.fixture(scope="module")
def tg_assistant(sample_services):
    built = sample_services.assistant()
    built.today = lambda: dt.date(2026, 11, 21)
    return built


@pytest.fixture
def fake():
    server = FakeTelegram().start()
    yield server
    server.stop()


def telegram_settings(fake: FakeTelegram, **overrides) -> TelegramSettings:
    values = {
        "token": fake.token,
        "api_base_url": fake.base_url,
        "webhook_url": "https://career.example.org/telegram/webhook",
        "webhook_secret": SECRET,
        "rate_limit_per_minute": 50,
        **overrides,
    }
    return TelegramSettings(**values)


@pytest.fixture
def bot(fake, tg_assistant):
    running = PollingBot(tg_assistant, telegram_settings(fake)).start()
    yield running
    running.stop()


@pytest.fixture
def web(fake, tg_assistant):
    server = WebhookServer(tg_assistant, telegram_settings(fake)).start()
    yield server
    server.stop()


def greeting(lang: str, name: str = "Ana") -> str:
    return html.escape(TEXTS.t(lang, "greeting", name=name), quote=False)


def buttons(call) -> list[tuple[str, str]]:
    markup = call.params.get("reply_markup") or {"inline_keyboard": []}
    return [(b["text"], b["callback_data"]) for row in markup["inline_keyboard"] for b in row]


# --- polling --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "lang"), [("sl", "sl"), ("hr", "hr"), ("pl-PL", "pl"), ("cs", "cs"), ("hu", "hu"), ("en", "en")]
)
def test_start_greets_in_the_telegram_language(fake, bot, code, lang):
    chat_id = 1000 + LANGUAGES.index(lang)
    fake.queue_update(message(chat_id, "/start", lang=code))
    [sent] = fake.wait_for_messages(chat_id, 1)
    assert sent.params["text"] == greeting(lang)
    assert sent.params["parse_mode"] == "HTML"
    labels = buttons(sent)
    assert [data for _, data in labels] == [f"lang:{code}" for code in LANGUAGES] + [
        f"region:{region}" for region in REGIONS
    ]
    assert any(CORE.t(lang, "region_hr-sisak-moslavina") in text for text, _ in labels)
    methods = [call.method for call in fake.recorded()]
    assert methods.index("deleteWebhook") < methods.index("getUpdates")
    commands = fake.recorded("setMyCommands")
    assert {call.params.get("language_code") for call in commands} == {None, "sl", "hr", "pl", "cs", "hu"}


def test_a_campaign_link_presets_the_region_and_its_language(fake, bot, tg_assistant):
    chat_id = 1101
    fake.queue_update(message(chat_id, "/start hr-sisak-moslavina", lang="de"))
    [sent] = fake.wait_for_messages(chat_id, 1)
    region = CORE.t("hr", "region_hr-sisak-moslavina")
    assert sent.params["text"].startswith(greeting("hr"))
    assert CORE.t("hr", "region_changed", region=region) in sent.params["text"]
    assert ("✓ 🇭🇷 " + region, "region:hr-sisak-moslavina") in buttons(sent)
    assert tg_assistant.preferences(f"tg:{chat_id}")[1] == "hr-sisak-moslavina"


def test_an_unknown_campaign_payload_is_ignored(fake, bot, tg_assistant):
    chat_id = 1102
    fake.queue_update(message(chat_id, "/start ../../etc/passwd<b>", lang="pl"))
    [sent] = fake.wait_for_messages(chat_id, 1)
    assert sent.params["text"] == greeting("pl")
    assert tg_assistant.preferences(f"tg:{chat_id}") == (None, None)


def test_an_answer_with_sources_as_links_and_a_quick_reply_pressed(fake, bot):
    chat_id = 1201
    fake.queue_update(message(chat_id, "Gdje mogu naučiti zavarivati u Sisku?", lang="hr"))
    [sent] = fake.wait_for_messages(chat_id, 1)
    text = sent.params["text"]
    assert "<b>Izvori</b>" in text and re.search(r'<a href="https?://[^"]+">[^<]+</a>', text)
    actions = fake.recorded("sendChatAction", chat_id=chat_id)
    assert actions and actions[0].params["action"] == "typing"
    assert fake.calls.index(actions[0]) < fake.calls.index(sent)
    suggestions = buttons(sent)
    assert suggestions and all(data == f"q:{i}" for i, (_, data) in enumerate(suggestions))
    pressed = button_press(fake.messages[len(fake.messages)], "q:0", lang="hr")
    fake.queue_update(pressed)
    second = fake.wait_for_messages(chat_id, 2)[1]
    [answered] = fake.recorded("answerCallbackQuery")
    assert answered.params["callback_query_id"] == pressed["callback_query"]["id"]
    assert second.params["text"] and second.params["text"] != text


def test_an_esco_answer_carries_the_attribution_once(fake, bot):
    chat_id = 1202
    fake.queue_update(message(chat_id, "What skills does a welder need?", lang="en"))
    [sent] = fake.wait_for_messages(chat_id, 1)
    text = sent.params["text"]
    assert text.count(html.escape(CORE.t("en", "esco_attribution"), quote=False)) == 1
    assert '<a href="http://data.europa.eu/esco/occupation/' in text


def test_the_language_and_region_menus(fake, bot, tg_assistant):
    chat_id = 1301
    fake.queue_update(message(chat_id, "/lang", lang="en"))
    [menu] = fake.wait_for_messages(chat_id, 1)
    assert menu.params["text"] == TEXTS.t("en", "choose_language")
    assert [label for label, _ in buttons(menu)] == [
        "Slovenščina",
        "Hrvatski",
        "Polski",
        "Čeština",
        "Magyar",
        "English",
    ]
    fake.queue_update(button_press(fake.messages[len(fake.messages)], "lang:pl"))
    chosen = fake.wait_for_messages(chat_id, 2)[1]
    assert chosen.params["text"] == f"{CORE.t('pl', 'language_changed')}\n\n{TEXTS.t('pl', 'choose_region')}"
    assert ("🇵🇱 " + CORE.t("pl", "region_pl-malopolska"), "region:pl-malopolska") in buttons(chosen)
    assert tg_assistant.preferences(f"tg:{chat_id}")[0] == "pl"
    fake.queue_update(button_press(fake.messages[len(fake.messages)], "region:pl-malopolska"))
    region = fake.wait_for_messages(chat_id, 3)[2]
    assert region.params["text"] == CORE.t(
        "pl", "region_changed", region=CORE.t("pl", "region_pl-malopolska")
    )
    assert tg_assistant.preferences(f"tg:{chat_id}") == ("pl", "pl-malopolska")
    fake.queue_update(message(chat_id, "/region", lang="en"))
    again = fake.wait_for_messages(chat_id, 4)[3]
    assert again.params["text"] == TEXTS.t("pl", "choose_region")  # the chosen language, not Telegram's
    assert len(fake.recorded("answerCallbackQuery")) == 2


def test_forget_deletes_the_conversation_and_confirms(fake, bot, tg_assistant):
    chat_id = 1401
    fake.queue_update(message(chat_id, "Kje se lahko naučim variti?", lang="sl"))
    fake.wait_for_messages(chat_id, 1)
    assert tg_assistant.store.load(f"tg:{chat_id}") is not None
    fake.queue_update(message(chat_id, "/forget", lang="sl"))
    assert fake.wait_for_messages(chat_id, 2)[1].params["text"] == TEXTS.t("sl", "forgotten")
    assert tg_assistant.store.load(f"tg:{chat_id}") is None
    assert tg_assistant.store.history(f"tg:{chat_id}") == []
    fake.queue_update(message(chat_id, "/forget", lang="sl"))
    assert fake.wait_for_messages(chat_id, 3)[2].params["text"] == TEXTS.t("sl", "nothing_to_forget")


@pytest.mark.parametrize(
    ("update", "key"),
    [
        (message(1501, lang="cs", **STICKER), "unsupported"),
        (message(1502, lang="hu", caption="nézd", **PHOTO), "unsupported"),
        (message(1503, lang="pl", **VOICE), "unsupported_voice"),
        (edited(1504, "Gdje je tečaj?", lang="hr"), "edited"),
        (message(1505, "/help", lang="sl"), "help"),
    ],
)
def test_what_is_not_a_question_gets_a_short_answer(fake, bot, update, key):
    lang = (update.get("message") or update.get("edited_message"))["from"]["language_code"]
    chat_id = (update.get("message") or update.get("edited_message"))["chat"]["id"]
    fake.queue_update(update)
    [sent] = fake.wait_for_messages(chat_id, 1)
    assert sent.params["text"] == html.escape(TEXTS.t(lang, key), quote=False)


def test_an_unknown_command_is_named_and_escaped(fake, bot):
    fake.queue_update(message(1506, "/weld<b>now</b>", lang="en"))
    [sent] = fake.wait_for_messages(1506, 1)
    assert sent.params["text"] == TEXTS.t("en", "unknown_command", command="/weld&lt;b&gt;now&lt;/b&gt;")


def test_in_a_group_the_bot_answers_only_when_addressed(fake, bot):
    group = -1001234
    fake.queue_update(message(group, "where can I learn welding?", chat_type="supergroup", user_id=77))
    fake.queue_update(message(group, "/start", chat_type="supergroup", lang="hu", user_id=78))
    [sent] = fake.wait_for_messages(group, 1)
    assert sent.params["text"] == TEXTS.t("hu", "group_only", link="https://t.me/career_test_bot")
    fake.queue_update(message(group, "@career_test_bot hello", chat_type="supergroup", lang="en", user_id=79))
    messages_sent = fake.wait_for_messages(group, 2)
    assert messages_sent[1].params["text"] == TEXTS.t("en", "group_only", link="https://t.me/career_test_bot")
    assert len(fake.sent(group)) == 2  # the first, unaddressed message got nothing


def test_hostile_html_is_shown_as_text(fake, bot):
    chat_id = 1601
    fake.queue_update(message(chat_id, "/start", lang="en", first_name=HOSTILE))
    fake.queue_update(message(chat_id, HOSTILE, lang="en"))
    first, second = fake.wait_for_messages(chat_id, 2)
    assert first.params["text"] == greeting("en", name=HOSTILE)
    assert "&lt;b&gt;x&lt;/b&gt;&lt;img src=x onerror=alert(1)&gt;" in first.params["text"]
    for sent in (first, second):
        assert "<img" not in sent.params["text"] and "<b>x" not in sent.params["text"]


def test_a_message_over_the_core_limit_gets_its_message(fake, bot, tg_assistant):
    chat_id = 1602
    fake.queue_update(message(chat_id, "varjenje " * 200, lang="sl"))
    [sent] = fake.wait_for_messages(chat_id, 1)
    limit = tg_assistant.settings.max_message_chars
    assert sent.params["text"] == html.escape(CORE.t("sl", "too_long", limit=limit), quote=False)


def test_a_long_answer_is_split_under_telegrams_limit(fake, bot):
    chat_id = 1701
    paragraph = "Tečaj varjenja MIG/MAG v Kranju: 80 ur, začetek marca, cena 640 € & subvencija <ESS>. " * 12
    answer = Answer(
        conversation_id=f"tg:{chat_id}",
        text="\n\n".join([paragraph] * 9) + "\n" + HOSTILE,
        lang="sl",
        sources=[
            Source(
                id=f"c{i}", kind="course", title=f"Tečaj <{i}> & več", url=f"https://example.org/c?i={i}&x=1"
            )
            for i in range(40)
        ],
        suggestions=["Povej več o prvem", "Kdaj se začne?"],
    )
    chunks = answer_messages(answer, sources_label=TEXTS.t("sl", "sources"))
    keyboard = quick_replies(answer.suggestions)
    bot.run(send_messages(bot.application.bot, chat_id, chunks, keyboard=keyboard))
    sent = fake.wait_for_messages(chat_id, len(chunks))
    assert len(sent) == len(chunks) >= 3
    texts = [call.params["text"] for call in sent]
    assert all(len(text.encode("utf-16-le")) // 2 <= MESSAGE_LIMIT for text in texts)
    for text in texts:
        assert text.count("<a ") == text.count("</a>") and text.count("<b>") == text.count("</b>")
        assert "<img" not in text
    visible = html.unescape(re.sub(r"<[^>]+>", "", " ".join(texts)))
    expected = html.unescape(re.sub(r"<[^>]+>", "", "\n\n".join(chunks)))
    assert visible.split() == expected.split()
    assert HOSTILE in visible and all(f"Tečaj <{i}> & več" in visible for i in range(40))
    assert [bool(call.params.get("reply_markup")) for call in sent] == [False] * (len(sent) - 1) + [True]


# --- resilience -----------------------------------------------------------------------------------


def test_retry_after_is_waited_out_and_the_message_sent(fake, bot):
    chat_id = 1801
    fake.fail("sendMessage", chat_id=chat_id, retry_after=1)
    fake.queue_update(message(chat_id, "/help", lang="hr"))
    [sent] = fake.wait_for_messages(chat_id, 1)
    assert sent.params["text"] == html.escape(TEXTS.t("hr", "help"), quote=False)
    attempts = fake.recorded("sendMessage", chat_id=chat_id)
    assert [call.refused for call in attempts] == [429, None]


def test_one_chats_failure_does_not_stop_the_bot(fake, bot):
    broken, fine = 1901, 1902
    fake.fail("sendMessage", chat_id=broken, description="Forbidden: bot was blocked by the user", times=None)
    fake.queue_update(message(broken, "Gdzie mogę nauczyć się spawania?", lang="pl"))
    fake.queue_update(message(fine, "/help", lang="pl"))
    fake.wait_for(lambda: fake.recorded("sendMessage", chat_id=broken), what="the refused message")
    assert fake.wait_for_messages(fine, 1)[0].params["text"] == html.escape(
        TEXTS.t("pl", "help"), quote=False
    )
    fake.queue_update(message(broken, "/help", lang="pl"))
    fake.queue_update(message(fine, "Gdzie mogę nauczyć się spawania?", lang="pl"))
    assert "<b>Źródła</b>" in fake.wait_for_messages(fine, 2)[1].params["text"]
    # The two chats are answered concurrently: the second refusal may come after the fine chat's answer.
    fake.wait_for(lambda: len(fake.recorded("sendMessage", chat_id=broken)) == 2, what="the second refusal")
    assert fake.sent(broken) == []


def test_a_flooding_chat_gets_one_notice_then_silence(fake, tg_assistant):
    chat_id = 2001
    limited = PollingBot(tg_assistant, telegram_settings(fake, rate_limit_per_minute=3)).start()
    try:
        for _ in range(5):
            fake.queue_update(message(chat_id, "/help", lang="cs"))
        fake.wait_for_messages(chat_id, 4)
        fake.queue_update(button_press(fake.messages[len(fake.messages)], "lang:cs", lang="cs"))
        # The press is handled after the five messages (one chat's updates keep their order); over the
        # limit too, it is only acknowledged.
        fake.wait_for(lambda: fake.recorded("answerCallbackQuery"), what="the press acknowledged")
    finally:
        limited.stop()
    texts = [call.params["text"] for call in fake.sent(chat_id)]
    help_text = html.escape(TEXTS.t("cs", "help"), quote=False)
    assert texts == [help_text] * 3 + [TEXTS.t("cs", "rate_limited")]
    assert tg_assistant.preferences(f"tg:{chat_id}") == (None, None)


# --- webhook --------------------------------------------------------------------------------------


def test_the_webhook_is_registered_with_its_secret_and_answers(fake, web):
    [registered] = fake.recorded("setWebhook")
    assert registered.params["url"] == "https://career.example.org/telegram/webhook"
    assert registered.params["secret_token"] == SECRET
    chat_id = 2101
    start = {"update_id": fake.next_update_id(), **message(chat_id, "/start", lang="hu")}
    response = httpx.post(web.url, json=start, headers={SECRET_HEADER: SECRET})
    assert response.status_code == 200
    assert fake.wait_for_messages(chat_id, 1)[0].params["text"] == greeting("hu")
    question = {
        "update_id": fake.next_update_id(),
        **message(chat_id, "Hol tanulhatok hegeszteni?", lang="hu"),
    }
    httpx.post(web.url, json=question, headers={SECRET_HEADER: SECRET})
    answer = fake.wait_for_messages(chat_id, 2)[1]
    assert "<b>Források</b>" in answer.params["text"] and buttons(answer)
    pressed = {
        "update_id": fake.next_update_id(),
        **button_press(fake.messages[len(fake.messages)], "q:0", lang="hu"),
    }
    httpx.post(web.url, json=pressed, headers={SECRET_HEADER: SECRET})
    fake.wait_for_messages(chat_id, 3)
    assert fake.recorded("answerCallbackQuery")


@pytest.mark.parametrize("headers", [{}, {SECRET_HEADER: "wrong"}, {SECRET_HEADER: SECRET + "x"}])
def test_the_webhook_rejects_a_wrong_or_missing_secret(fake, web, headers):
    chat_id = 2201
    forged = {"update_id": fake.next_update_id(), **message(chat_id, "/help", lang="en")}
    response = httpx.post(web.url, json=forged, headers=headers)
    assert response.status_code == 403
    real = {"update_id": fake.next_update_id(), **message(chat_id, "/start", lang="en")}
    assert httpx.post(web.url, json=real, headers={SECRET_HEADER: SECRET}).status_code == 200
    fake.wait_for_messages(chat_id, 1)
    # Updates of one chat are handled in order: had the forged one gone through, its answer came first.
    assert [call.params["text"] for call in fake.sent(chat_id)] == [greeting("en")]


@pytest.mark.parametrize("body", [b"not json", b"[]", b'{"message": {}}', b'{"update_id": "x"}'])
def test_the_webhook_refuses_what_is_not_an_update(fake, web, body):
    response = httpx.post(web.url, content=body, headers={SECRET_HEADER: SECRET})
    assert response.status_code == 400


def test_the_telegram_command_polls_until_stopped(fake, tmp_path, knowledge_dir):
    env = {
        **os.environ,
        "PYTHONPATH": str(PROJECT),
        "ASSISTANT_KNOWLEDGE_DIR": str(knowledge_dir),
        "ASSISTANT_DATA_DIR": str(tmp_path / "var"),
        "ASSISTANT_TELEGRAM__TOKEN": fake.token,
        "ASSISTANT_TELEGRAM__API_BASE_URL": fake.base_url,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "assistant.cli", "telegram"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        fake.queue_update(message(4001, "/start", lang="cs"))
        assert fake.wait_for_messages(4001, 1, timeout=180)[0].params["text"] == greeting("cs")
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=60)
    assert process.returncode == 0, stderr
    assert "polling" in stderr and fake.token not in stderr


def test_the_telegram_command_says_when_the_token_is_refused(fake, tmp_path, knowledge_dir, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ASSISTANT_KNOWLEDGE_DIR", str(knowledge_dir))
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("ASSISTANT_TELEGRAM__TOKEN", "999:not-the-bots-token")
    monkeypatch.setenv("ASSISTANT_TELEGRAM__API_BASE_URL", fake.base_url)
    result = CliRunner().invoke(cli, ["telegram"])
    assert result.exit_code == 2
    assert "Telegram rejected the bot token" in result.stderr and "not-the-bots-token" not in result.stderr


def test_the_web_app_runs_on_when_telegram_is_out_of_reach(fake, tg_assistant):
    closed = f"http://127.0.0.1:{free_port()}/bot"  # nothing listens there
    server = WebhookServer(tg_assistant, telegram_settings(fake, api_base_url=closed)).start()
    try:
        update = {"update_id": 1, **message(2301, "/start", lang="en")}
        response = httpx.post(server.url, json=update, headers={SECRET_HEADER: SECRET})
        assert response.status_code == 503  # Telegram sends it again later
    finally:
        server.stop()


def test_no_token_no_bot(fake, tg_assistant, monkeypatch):
    assert telegram_webhook(tg_assistant, Settings(_env_file=None)) is None
    no_webhook = Settings(_env_file=None, telegram={"token": fake.token})
    assert telegram_webhook(tg_assistant, no_webhook) is None
    monkeypatch.delenv("ASSISTANT_TELEGRAM__TOKEN", raising=False)
    result = CliRunner().invoke(cli, ["telegram"])
    assert result.exit_code == 2 and "ASSISTANT_TELEGRAM__TOKEN" in result.stderr


# --- a conversation in two languages, as the person sees it ---------------------------------------


def test_a_conversation_in_croatian_and_polish(fake, bot):
    """Writes the transcript to $TELEGRAM_TRANSCRIPT when set (the closing note of issue 6 quotes it)."""
    people = {3001: ("hr", "Marija"), 3002: ("pl", "Tomasz")}
    script = [
        (3001, "/start hr-sisak-moslavina"),
        (3001, "Gdje mogu naučiti zavarivati?"),
        (3001, "press q:0"),
        (3001, "/lang"),
        (3001, "press lang:en"),
        (3001, "Is it free?"),
        (3002, "/start pl-malopolska"),
        (3002, "Szukam darmowego kursu komputerowego"),
        (3002, "press q:0"),
        (3002, "/forget"),
    ]
    for chat_id, step in script:
        lang, name = people[chat_id]
        before = len(fake.sent(chat_id))
        if step.startswith("press "):
            shown = next(m for m in reversed(fake.messages.values()) if m["chat"]["id"] == chat_id)
            fake.queue_update(button_press(shown, step.removeprefix("press "), lang=lang, first_name=name))
        else:
            fake.queue_update(message(chat_id, step, lang=lang, first_name=name))
        fake.wait_for_messages(chat_id, before + 1)
    transcript = format_transcript(fake)
    assert "<b>Izvori</b>" in transcript and "<b>Źródła</b>" in transcript
    assert CORE.t("en", "language_changed") in transcript
    if os.environ.get("TELEGRAM_TRANSCRIPT"):
        Path(os.environ["TELEGRAM_TRANSCRIPT"]).write_text(transcript, encoding="utf-8")


def format_transcript(fake: FakeTelegram) -> str:
    """The chat as the people saw it: their messages and presses, the bot's messages and buttons."""
    lines = []
    for who, item in fake.timeline:
        if who == "user" and "callback_query" in item:
            query = item["callback_query"]
            rows = query["message"]["reply_markup"]["inline_keyboard"]
            label = next(b["text"] for row in rows for b in row if b["callback_data"] == query["data"])
            lines.append(f"\n{query['from']['first_name']} presses [{label}]")
        elif who == "user":
            found = item["message"]
            lines.append(
                f"\n{found['from']['first_name']} ({found['from'].get('language_code')}): {found['text']}"
            )
        elif item.method == "sendMessage" and item.refused is None:
            lines.append("bot: " + item.params["text"].replace("\n", "\n     "))
            rows = (item.params.get("reply_markup") or {}).get("inline_keyboard", [])
            lines += ["     " + " ".join(f"[{b['text']}]" for b in row) for row in rows]
        elif item.method in ("sendChatAction", "answerCallbackQuery"):
            lines.append(f"     ({item.method}{': typing' if item.method == 'sendChatAction' else ''})")
    return "\n".join(lines).lstrip() + "\n"


def test_the_web_app_serves_the_webhook_when_telegram_is_configured(fake, sample_services):
    """`assistant serve`'s app: with a token, URL and secret it registers the webhook and answers there,
    from the same assistant as /api/chat; without a token it has no webhook route."""
    from tests.web_servers import serving

    configured = Services(
        sample_services.settings.model_copy(update={"telegram": telegram_settings(fake)}), progress=False
    )
    with serving(configured) as base:
        [registered] = fake.recorded("setWebhook")
        assert registered.params["secret_token"] == SECRET
        chat_id = 2501
        update = {"update_id": fake.next_update_id(), **message(chat_id, "/start", lang="sl")}
        url = f"{base}/telegram/webhook"
        assert httpx.post(url, json=update, headers={SECRET_HEADER: "wrong"}).status_code == 403
        assert httpx.post(url, json=update, headers={SECRET_HEADER: SECRET}).status_code == 200
        assert fake.wait_for_messages(chat_id, 1)[0].params["text"] == greeting("sl")
        assert httpx.get(f"{base}/health").status_code == 200
    with serving(sample_services) as base:
        assert httpx.post(f"{base}/telegram/webhook", json=update).status_code in (404, 405)
