"""What the bot does with each kind of update: translate it for the core, render what comes back."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TypeVar

from telegram import Bot, InlineKeyboardMarkup, Update, User
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop, ContextTypes

from assistant.config import LANGUAGES
from assistant.core import Assistant, MessageTooLong
from assistant.i18n import messages
from assistant.records import COUNTRY_LANGUAGE, REGIONS
from channels.telegram.delivery import deliver, send_messages, typing
from channels.telegram.limits import ChatRateLimit, Verdict
from channels.telegram.menus import language_menu, parse_choice, region_menu, region_name, start_menu
from channels.telegram.render import QUICK_REPLY, answer_messages, escape, pressed_text, quick_replies

log = logging.getLogger(__name__)

T = TypeVar("T")
Context = ContextTypes.DEFAULT_TYPE
DEFAULT_LANG = "en"
COMMAND_SHOWN = 64  # characters of an unknown command echoed back


def conversation_id(chat_id: int) -> str:
    return f"tg:{chat_id}"


def telegram_language(user: User | None) -> str | None:
    """The user's Telegram language ("pl-PL" -> "pl") when it is one of the six."""
    code = (user.language_code or "").split("-")[0].lower() if user else ""
    return code if code in LANGUAGES else None


class Handlers:
    """The bot's handlers over one assistant; core calls run in worker threads to keep the loop free."""

    def __init__(self, assistant: Assistant, *, rate_limit: ChatRateLimit) -> None:
        self.assistant = assistant
        self.rate_limit = rate_limit
        self.texts = messages("telegram")
        self.core_texts = messages()

    async def _core(self, call: Callable[..., T], *args: object, **kwargs: object) -> T:
        return await asyncio.to_thread(call, *args, **kwargs)

    async def language(self, update: Update) -> str:
        """The conversation's language, else the user's Telegram language, else English."""
        chosen, _ = await self._core(self.assistant.preferences, conversation_id(update.effective_chat.id))
        return chosen or telegram_language(update.effective_user) or DEFAULT_LANG

    async def say(
        self, bot: Bot, chat_id: int, text: str, *, keyboard: InlineKeyboardMarkup | None = None
    ) -> None:
        await send_messages(bot, chat_id, [escape(text)], keyboard=keyboard)

    async def say_key(self, update: Update, context: Context, key: str, **values: object) -> None:
        lang = await self.language(update)
        await self.say(context.bot, update.effective_chat.id, self.texts.t(lang, key, **values))

    # --- before everything ----------------------------------------------------------------------

    async def check_rate(self, update: Update, context: Context) -> None:
        """Over the chat's limit: one notice in a private chat, then nothing until the minute clears."""
        chat = update.effective_chat
        if chat is None:
            return
        verdict = self.rate_limit.check(chat.id)
        if verdict is Verdict.ALLOW:
            return
        if update.callback_query:
            await deliver(update.callback_query.answer, what="answerCallbackQuery")
        if verdict is Verdict.NOTIFY and chat.type == ChatType.PRIVATE:
            await self.say_key(update, context, "rate_limited")
        raise ApplicationHandlerStop

    # --- commands -------------------------------------------------------------------------------

    async def start(self, update: Update, context: Context) -> None:
        """/start, or a campaign link's /start <region-id>: greet, offer the language and region menu."""
        chat_id, user = update.effective_chat.id, update.effective_user
        conversation = conversation_id(chat_id)
        campaign = context.args[0] if context.args and context.args[0] in REGIONS else None
        if campaign:
            await self._core(self.assistant.choose, conversation, region=campaign)
        lang, region = await self._core(self.assistant.preferences, conversation)
        reply_lang = (
            lang
            or telegram_language(user)
            or (COUNTRY_LANGUAGE[REGIONS[campaign]] if campaign else DEFAULT_LANG)
        )
        text = self.texts.t(reply_lang, "greeting", name=user.first_name if user else "")
        if region:
            name = region_name(reply_lang, region)
            text += "\n\n" + self.core_texts.t(reply_lang, "region_changed", region=name)
        menu = start_menu(reply_lang, chosen_lang=lang, region=region)
        await self.say(context.bot, chat_id, text, keyboard=menu)

    async def help(self, update: Update, context: Context) -> None:
        """/help: what to ask and the commands."""
        await self.say_key(update, context, "help")

    async def choose_language(self, update: Update, context: Context) -> None:
        """/lang: the six languages as buttons."""
        lang = await self.language(update)
        chosen, _ = await self._core(self.assistant.preferences, conversation_id(update.effective_chat.id))
        menu = language_menu(chosen)
        await self.say(
            context.bot, update.effective_chat.id, self.texts.t(lang, "choose_language"), keyboard=menu
        )

    async def choose_region(self, update: Update, context: Context) -> None:
        """/region: the five regions as buttons."""
        lang = await self.language(update)
        _, region = await self._core(self.assistant.preferences, conversation_id(update.effective_chat.id))
        menu = region_menu(lang, region)
        await self.say(
            context.bot, update.effective_chat.id, self.texts.t(lang, "choose_region"), keyboard=menu
        )

    async def forget(self, update: Update, context: Context) -> None:
        """/forget: delete the conversation and say so, in the language it had."""
        lang = await self.language(update)
        deleted = await self._core(self.assistant.forget, conversation_id(update.effective_chat.id))
        context.chat_data.clear()
        text = self.texts.t(lang, "forgotten" if deleted else "nothing_to_forget")
        await self.say(context.bot, update.effective_chat.id, text)

    async def unknown_command(self, update: Update, context: Context) -> None:
        """A command the bot does not have: point to /help."""
        command = (update.effective_message.text or "/").split()[0].split("@")[0][:COMMAND_SHOWN]
        await self.say_key(update, context, "unknown_command", command=command)

    # --- messages and buttons -------------------------------------------------------------------

    async def message(self, update: Update, context: Context) -> None:
        """A plain message: the core's answer, its sources as links, its quick replies as buttons."""
        await self.answer(update, context, update.effective_message.text or "")

    async def answer(self, update: Update, context: Context, text: str) -> None:
        chat_id = update.effective_chat.id
        hint = telegram_language(update.effective_user)
        async with typing(context.bot, chat_id):
            try:
                answer = await self._core(
                    self.assistant.reply, conversation_id(chat_id), text, lang_hint=hint
                )
            except MessageTooLong as error:
                chunks, keyboard = [escape(str(error))], None
            else:
                chunks = answer_messages(answer, sources_label=self.texts.t(answer.lang, "sources"))
                keyboard = quick_replies(answer.suggestions)
        await send_messages(context.bot, chat_id, chunks, keyboard=keyboard)

    async def button(self, update: Update, context: Context) -> None:
        """A button press: a language or region choice, or a quick reply sent on as a message."""
        query = update.callback_query
        await deliver(query.answer, what="answerCallbackQuery")
        if update.effective_chat is None:
            return
        data = query.data or ""
        lang, region = parse_choice(data)
        if lang:
            await self.chosen_language(update, context, lang)
        elif region:
            await self.chosen_region(update, context, region)
        elif data.startswith(QUICK_REPLY):
            text = pressed_text(getattr(query.message, "reply_markup", None), data)
            if text:
                await self.answer(update, context, text)
            else:
                await self.say_key(update, context, "button_expired")

    async def chosen_language(self, update: Update, context: Context, lang: str) -> None:
        conversation = conversation_id(update.effective_chat.id)
        await self._core(self.assistant.choose, conversation, lang=lang)
        _, region = await self._core(self.assistant.preferences, conversation)
        text = self.core_texts.t(lang, "language_changed")
        menu = None
        if region is None:
            text += "\n\n" + self.texts.t(lang, "choose_region")
            menu = region_menu(lang)
        await self.say(context.bot, update.effective_chat.id, text, keyboard=menu)

    async def chosen_region(self, update: Update, context: Context, region: str) -> None:
        await self._core(self.assistant.choose, conversation_id(update.effective_chat.id), region=region)
        lang = await self.language(update)
        text = self.core_texts.t(lang, "region_changed", region=region_name(lang, region))
        await self.say(context.bot, update.effective_chat.id, text)

    # --- everything else ------------------------------------------------------------------------

    async def unsupported(self, update: Update, context: Context) -> None:
        """A sticker, photo, voice message or other non-text: ask for the question in words."""
        message = update.effective_message
        spoken = message.voice or message.audio or message.video_note
        await self.say_key(update, context, "unsupported_voice" if spoken else "unsupported")

    async def edited(self, update: Update, context: Context) -> None:
        """An edited message: ask for the corrected question as a new one."""
        await self.say_key(update, context, "edited")

    async def group(self, update: Update, context: Context) -> None:
        """In a group: when addressed, a pointer to the private chat; otherwise silence."""
        message, bot = update.effective_message, context.bot
        text = (message.text or message.caption or "").lower()
        replied = message.reply_to_message
        addressed = (
            text.startswith("/")
            or f"@{(bot.username or '').lower()}" in text
            or (replied is not None and replied.from_user is not None and replied.from_user.id == bot.id)
            or any(member.id == bot.id for member in message.new_chat_members or ())
        )
        if not addressed:
            return
        lang = telegram_language(update.effective_user) or DEFAULT_LANG
        link = f"https://t.me/{bot.username}"
        await self.say(bot, update.effective_chat.id, self.texts.t(lang, "group_only", link=link))

    async def on_error(self, update: object, context: Context) -> None:
        """Log the failure; in a private chat, apologise. The bot goes on with the next update."""
        log.error("update %s failed", getattr(update, "update_id", "?"), exc_info=context.error)
        if not isinstance(update, Update) or update.effective_chat is None:
            return
        if update.effective_chat.type != ChatType.PRIVATE:
            return
        try:
            lang = await self.language(update)
        except Exception:  # the store itself may be what failed
            lang = telegram_language(update.effective_user) or DEFAULT_LANG
        await self.say(context.bot, update.effective_chat.id, self.texts.t(lang, "error"))
