"""The Telegram channel's handlers (python-telegram-bot `Application` handlers).

A private chat maps to a conversation through the HMAC pseudonym of its chat id; the chat
id itself is kept only sealed under the conversation's data key. Every text, button and
shared location goes through the conversation core; answers become Telegram messages
(Rasa buttons → inline keyboards, `callback_data` = payload). The ids of the messages in
the chat (the person's and the bot's) are tracked so that `/exit` can delete them.
Nothing of a photo, voice message, sticker or file is downloaded or stored.

Never logged: chat or user ids, names, usernames, message text.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import warnings
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from telegram import (
    Bot,
    BotCommand,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.constants import ChatAction
from telegram.error import RetryAfter, TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBDeprecationWarning

from bot.content import ContentLibrary, Service
from bot.core import ConversationCore, Emit, Inbound, Outbound, fail_safe
from bot.errors import BadInput, ContentError
from bot.messages import BotText, Button
from bot.storage import Channel, ConversationRecord, Store

log = logging.getLogger(__name__)

TELEGRAM = Channel.TELEGRAM
DELETE_WINDOW = timedelta(hours=48) - timedelta(minutes=5)  # Bot API: < 48 h, with margin
DELETE_CHUNK = 100  # deleteMessages takes 1-100 ids
MAX_TEXT = 4096
MAX_CALLBACK_DATA = 64
MAX_VENUES = 5
LOCATION_PAYLOAD = "/share_location"
ASK_PLACE_KEYS = ("utter_ask_province", "utter_ask_province_again")
# Callback data of the channel's own buttons (never sent to the core).
CB_YES = "tg:yes:"
CB_LATER = "tg:later"
LANGUAGE_ORDER = ("vi", "en")

# Commands and their Vietnamese aliases; descriptions in neutral words (they show in the
# chat's menu, which someone else may see).
COMMANDS: dict[str, tuple[str, ...]] = {
    "start": ("start", "batdau"),
    "help": ("help", "trogiup"),
    "location": ("location", "vitri"),
    "exit": ("exit", "thoat"),
    "forget": ("forget", "xoahet"),
}
COMMAND_DESCRIPTIONS: dict[str | None, list[tuple[str, str]]] = {
    None: [
        ("start", "Start"),
        ("help", "Help"),
        ("location", "Share a location"),
        ("exit", "Delete messages and end"),
        ("forget", "Delete everything"),
    ],
    "vi": [
        ("start", "Bắt đầu"),
        ("help", "Trợ giúp"),
        ("location", "Gửi vị trí"),
        ("exit", "Xoá tin nhắn và kết thúc"),
        ("forget", "Xoá tất cả"),
    ],
}
ALLOWED_UPDATES = ["message", "callback_query"]

ForgetDialogue = Callable[[str], Awaitable[bool]]
T = TypeVar("T")
MAX_FLOOD_WAIT = 30.0


async def _flood_safe(call: Callable[[], Awaitable[T]]) -> T:
    """Send; if Telegram asks to slow down (429 retry_after), wait and send once more, so
    that a busy moment does not make the whole update (and its turn) run again."""
    try:
        return await call()
    except RetryAfter as exc:
        with warnings.catch_warnings():  # PTB 22: int now, timedelta in a later major version
            warnings.simplefilter("ignore", PTBDeprecationWarning)
            wait = exc.retry_after
        seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
        await asyncio.sleep(min(max(seconds, 0.0), MAX_FLOOD_WAIT))
        return await call()


def _inline(buttons: Sequence[Button]) -> InlineKeyboardMarkup | None:
    rows = [
        [InlineKeyboardButton(b.title, callback_data=b.payload)]
        for b in buttons
        if 0 < len(b.payload.encode("utf-8")) <= MAX_CALLBACK_DATA
    ]
    return InlineKeyboardMarkup(rows) if rows else None


def _chunks(ids: Sequence[int], size: int) -> Iterable[list[int]]:
    for start in range(0, len(ids), size):
        yield list(ids[start : start + size])


class TelegramChannel:
    def __init__(
        self,
        store: Store,
        core: ConversationCore,
        content: Callable[[], ContentLibrary],
        *,
        default_language: str = "vi",
        forget_dialogue: ForgetDialogue | None = None,
    ) -> None:
        self._store = store
        self._core = core
        self._content = content
        self._default_language = default_language
        self._forget_dialogue = forget_dialogue
        self._ask_place: tuple[int, frozenset[str]] = (0, frozenset())
        self._bot: Bot | None = None

    # -- wiring ------------------------------------------------------------------------

    def install(self, application: Application) -> None:  # type: ignore[type-arg]
        private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
        handlers = {
            "start": self.on_start,
            "help": self.on_help,
            "location": self.on_location_command,
            "exit": self.on_exit,
            "forget": self.on_forget,
        }
        for name, callback in handlers.items():
            application.add_handler(CommandHandler(list(COMMANDS[name]), callback, private))
        application.add_handler(MessageHandler(private & filters.COMMAND, self.on_help))
        application.add_handler(MessageHandler(private & filters.TEXT, self.on_text))
        application.add_handler(MessageHandler(private & filters.LOCATION, self.on_location))
        application.add_handler(MessageHandler(private, self.on_not_text))
        application.add_handler(CallbackQueryHandler(self.on_button))

    async def set_commands(self, bot: Bot) -> None:
        for language, commands in COMMAND_DESCRIPTIONS.items():
            await bot.set_my_commands(
                [BotCommand(name, description) for name, description in commands],
                language_code=language,
            )

    def bind(self, bot: Bot) -> None:
        """The bot that `deliver` and `typing` send with (the runtime's, once started)."""
        self._bot = bot

    # -- the core's outlet: messages outside a turn (a counsellor's reply) --------------

    async def deliver(self, conversation_id: str, out: Outbound) -> None:
        """Send one message the core delivered outside a turn. Raises when it cannot
        (not started, chat unknown, Telegram refused): the core reports it undelivered."""
        if self._bot is None:
            raise RuntimeError("telegram is not started")
        chat_id = await self._store.telegram_chat(conversation_id)
        record = await self._store.get_conversation(conversation_id)
        if chat_id is None or record is None:
            raise LookupError("no telegram chat for the conversation")
        await self._send(self._bot, chat_id, conversation_id, out.message, record.language)

    async def typing(self, conversation_id: str, on: bool) -> None:
        """Telegram shows "typing…" for about 5 s per call; there is no "off"."""
        if not on or self._bot is None:
            return
        chat_id = await self._store.telegram_chat(conversation_id)
        if chat_id is not None:
            await self._bot.send_chat_action(chat_id=chat_id, action=ChatAction.TYPING)

    # -- conversations -----------------------------------------------------------------

    async def _conversation(
        self, chat_id: int, language_hint: str | None
    ) -> tuple[ConversationRecord, bool]:
        """The open conversation of this chat, or a new one (True)."""
        found = await self._store.find_open_conversation(TELEGRAM, str(chat_id))
        if found is not None:
            return found, False
        language = self._default_language
        if language_hint:
            hint = language_hint.lower()[:2]
            language = hint if hint in LANGUAGE_ORDER else language
        record = await self._store.create_conversation(TELEGRAM, language, str(chat_id))
        await self._store.save_telegram_chat(record.id, chat_id)
        return record, True

    async def _track(self, conversation_id: str, *message_ids: int) -> None:
        await self._store.track_telegram_messages(conversation_id, list(message_ids))

    # -- sending -----------------------------------------------------------------------

    def _asks_for_place(self, library: ContentLibrary, text: str) -> bool:
        if self._ask_place[0] != id(library):
            texts: set[str] = set()
            for key in ASK_PLACE_KEYS:
                for language in LANGUAGE_ORDER:
                    with contextlib.suppress(ContentError):
                        texts.update(m.text for m in library.variations(key, language))
            self._ask_place = (id(library), frozenset(texts))
        return text in self._ask_place[1]

    def _location_keyboard(self, library: ContentLibrary, language: str) -> ReplyKeyboardMarkup:
        ask = library.render("gw_tg_location_ask", language)
        title = next((b.title for b in ask.buttons if b.payload == LOCATION_PAYLOAD), "📍")
        return ReplyKeyboardMarkup(
            [[KeyboardButton(title, request_location=True)]],
            resize_keyboard=True,
            one_time_keyboard=True,
        )

    async def _send(
        self,
        bot: Bot,
        chat_id: int,
        conversation_id: str | None,
        message: BotText,
        language: str,
        markup: InlineKeyboardMarkup | ReplyKeyboardMarkup | None = None,
    ) -> Message:
        library = self._content()
        if markup is None:
            markup = _inline(message.buttons)
        if markup is None and self._asks_for_place(library, message.text):
            markup = self._location_keyboard(library, language)
        sent = await _flood_safe(
            lambda: bot.send_message(
                chat_id=chat_id, text=message.text[:MAX_TEXT], reply_markup=markup
            )
        )
        if conversation_id is not None:
            await self._track(conversation_id, sent.message_id)
        return sent

    def _emitter(self, bot: Bot, chat_id: int, conversation_id: str, language: str) -> Emit:
        async def emit(outbound: Outbound) -> None:
            await self._send(bot, chat_id, conversation_id, outbound.message, language)

        return emit

    async def _turn(
        self, bot: Bot, chat_id: int, conversation: ConversationRecord, inbound: Inbound
    ) -> None:
        """One turn through the core; never silent: any failure → the fail-safe text."""
        emit = self._emitter(bot, chat_id, conversation.id, conversation.language)
        with contextlib.suppress(TelegramError):
            await bot.send_chat_action(chat_id=chat_id, action=ChatAction.TYPING)
        try:
            await self._core.handle(conversation.id, inbound, emit)
        except BadInput as exc:
            if exc.code == "empty":
                await self._core.say(conversation.id, "gw_not_text", conversation.language, emit)
                return
            log.warning("telegram turn refused (%s)", exc.code)
            await self._fail_safe(bot, chat_id, conversation)
        except Exception as exc:
            log.error("telegram turn failed (%s); fail-safe answer sent", type(exc).__name__)
            await self._fail_safe(bot, chat_id, conversation)

    async def _fail_safe(self, bot: Bot, chat_id: int, conversation: ConversationRecord) -> None:
        message = fail_safe(self._content(), conversation.language)
        sent = await _flood_safe(lambda: bot.send_message(chat_id=chat_id, text=message.text))
        with contextlib.suppress(Exception):
            await self._track(conversation.id, sent.message_id)

    # -- handlers ----------------------------------------------------------------------

    async def on_start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message, chat_id = self._incoming(update)
        user = update.effective_user
        conversation, _ = await self._conversation(chat_id, user.language_code if user else None)
        await self._track(conversation.id, message.message_id)
        await self._send_start(context.bot, chat_id, conversation)

    async def _send_start(self, bot: Bot, chat_id: int, conversation: ConversationRecord) -> None:
        library = self._content()
        language = conversation.language
        order = [language, *(lang for lang in LANGUAGE_ORDER if lang != language)]
        rows = []
        for lang in order:
            for button in library.render("gw_tg_start", lang).buttons:
                if button.payload == "/affirm":
                    rows.append([InlineKeyboardButton(button.title, callback_data=CB_YES + lang)])
        start = library.render("gw_tg_start", language)
        for button in start.buttons:
            if button.payload == "/deny":
                rows.append([InlineKeyboardButton(button.title, callback_data=CB_LATER)])
        await self._send(bot, chat_id, conversation.id, start, language, InlineKeyboardMarkup(rows))

    async def on_help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self._interface_text(update, context, "gw_tg_help")

    async def on_location_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self._interface_text(update, context, "gw_tg_location_ask", location=True)

    async def _interface_text(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, key: str, location: bool = False
    ) -> None:
        message, chat_id = self._incoming(update)
        user = update.effective_user
        conversation, _ = await self._conversation(chat_id, user.language_code if user else None)
        await self._track(conversation.id, message.message_id)
        library = self._content()
        text = library.render(key, conversation.language)
        markup = self._location_keyboard(library, conversation.language) if location else None
        text = BotText(text.text) if location else text
        await self._send(context.bot, chat_id, conversation.id, text, conversation.language, markup)

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message, chat_id = self._incoming(update)
        conversation = await self._opened(context.bot, chat_id, update)
        await self._track(conversation.id, message.message_id)
        await self._turn(context.bot, chat_id, conversation, Inbound(text=message.text or ""))

    async def on_location(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message, chat_id = self._incoming(update)
        location = message.location
        assert location is not None  # filters.LOCATION
        conversation = await self._opened(context.bot, chat_id, update)
        await self._track(conversation.id, message.message_id)
        point = (float(location.latitude), float(location.longitude))
        await self._turn(context.bot, chat_id, conversation, Inbound(text="", location=point))
        refreshed = await self._store.get_conversation(conversation.id)
        language = (refreshed or conversation).language
        await self._send_venues(context.bot, chat_id, conversation.id, point, language)

    async def _send_venues(
        self,
        bot: Bot,
        chat_id: int,
        conversation_id: str,
        point: tuple[float, float],
        language: str,
    ) -> None:
        """Services near the point that have real coordinates, as venues. Services without
        coordinates are in the core's answer as text (name, address, phone)."""
        library = self._content()
        province = library.nearest_province(*point)
        services = library.services_for(province.id if province else None)
        located = [(s, s.coordinates) for s in services if s.coordinates is not None]
        for service, (lat, lon) in located[:MAX_VENUES]:
            title = service.name.get(language, service.id)
            address = _venue_address(library, service, language)
            send = functools.partial(
                bot.send_venue,
                chat_id=chat_id,
                latitude=lat,
                longitude=lon,
                title=title,
                address=address,
            )
            sent = await _flood_safe(send)
            await self._track(conversation_id, sent.message_id)

    async def on_not_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Photos, voice, stickers, files, contacts…: nothing is downloaded or stored."""
        message, chat_id = self._incoming(update)
        conversation = await self._opened(context.bot, chat_id, update)
        await self._track(conversation.id, message.message_id)
        emit = self._emitter(context.bot, chat_id, conversation.id, conversation.language)
        try:
            await self._core.say(conversation.id, "gw_not_text", conversation.language, emit)
        except Exception as exc:
            log.error("telegram not-text answer failed (%s)", type(exc).__name__)
            await self._fail_safe(context.bot, chat_id, conversation)

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        with contextlib.suppress(TelegramError):
            await query.answer()
        if query.message is None or query.message.chat.type != "private":
            return
        chat_id = query.message.chat.id
        data = query.data or ""
        user = update.effective_user
        conversation, created = await self._conversation(
            chat_id, user.language_code if user else None
        )
        bot = context.bot
        if data.startswith(CB_YES) and data[len(CB_YES) :] in LANGUAGE_ORDER:
            language = data[len(CB_YES) :]
            await self._store.update_conversation(conversation.id, language=language)
            self._core.invalidate(conversation.id)
            emit = self._emitter(bot, chat_id, conversation.id, language)
            await self._core.say(conversation.id, "gw_safety_notice", language, emit)
            conversation = await self._store.get_conversation(conversation.id) or conversation
            await self._turn(
                bot, chat_id, conversation, Inbound(text=_title(query, data), payload="/greet")
            )
            return
        if data == CB_LATER:
            later = self._content().render("gw_tg_later", conversation.language)
            await self._send(bot, chat_id, conversation.id, later, conversation.language)
            return
        if created:
            emit = self._emitter(bot, chat_id, conversation.id, conversation.language)
            await self._core.say(conversation.id, "gw_safety_notice", conversation.language, emit)
        await self._turn(
            bot, chat_id, conversation, Inbound(text=_title(query, data), payload=data)
        )

    async def on_exit(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self._end(update, context, forget=False)

    async def on_forget(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self._end(update, context, forget=True)

    async def _end(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, *, forget: bool
    ) -> None:
        """Delete every message of the chat the Bot API still allows (tracked ids, < 48 h),
        end the conversation; with `forget`, also delete everything stored about it."""
        message, chat_id = self._incoming(update)
        bot = context.bot
        open_conversation = await self._store.find_open_conversation(TELEGRAM, str(chat_id))
        language = open_conversation.language if open_conversation else self._default_language
        ids_of_chat = await self._store.conversation_ids_for(TELEGRAM, str(chat_id))
        since = datetime.now(UTC) - DELETE_WINDOW
        message_ids = sorted(
            {*await self._store.telegram_message_ids(ids_of_chat, since), message.message_id}
        )
        for chunk in _chunks(message_ids, DELETE_CHUNK):
            try:
                await bot.delete_messages(chat_id=chat_id, message_ids=chunk)
            except TelegramError as exc:
                log.warning("telegram: deleting messages failed (%s)", type(exc).__name__)
        await self._store.untrack_telegram_messages(ids_of_chat)
        for conversation_id in ids_of_chat:
            if self._forget_dialogue is not None:
                with contextlib.suppress(Exception):
                    await self._forget_dialogue(conversation_id)
            if forget:
                await self._store.forget_conversation(conversation_id)
                await self._core.end(conversation_id, forgotten=True)
            elif open_conversation is not None and conversation_id == open_conversation.id:
                await self._core.end(conversation_id)  # "left — do not contact"
            self._core.invalidate(conversation_id)
        key = "gw_tg_forget_done" if forget else "gw_tg_exit_done"
        done = self._content().render(key, language)
        # After /forget nothing is kept (not even this message's id); after /exit the
        # confirmation is tracked under the closed conversation, for the next /exit.
        tracked = None if forget or open_conversation is None else open_conversation.id
        await self._send(bot, chat_id, tracked, done, language)

    # -- helpers -----------------------------------------------------------------------

    @staticmethod
    def _incoming(update: Update) -> tuple[Message, int]:
        message = update.effective_message
        assert message is not None  # the handlers only match messages
        return message, message.chat.id

    async def _opened(self, bot: Bot, chat_id: int, update: Update) -> ConversationRecord:
        """The chat's conversation; a new one starts with the safety notice."""
        user = update.effective_user
        conversation, created = await self._conversation(
            chat_id, user.language_code if user else None
        )
        if created:
            emit = self._emitter(bot, chat_id, conversation.id, conversation.language)
            await self._core.say(conversation.id, "gw_safety_notice", conversation.language, emit)
        return conversation


def _title(query: CallbackQuery, data: str) -> str:
    """The title of the pressed button (from the message's keyboard), else the payload."""
    message = query.message
    markup = getattr(message, "reply_markup", None)
    if isinstance(markup, InlineKeyboardMarkup):
        for row in markup.inline_keyboard:
            for button in row:
                if button.callback_data == data:
                    return button.text
    return data


def _venue_address(library: ContentLibrary, service: Service, language: str) -> str:
    parts = []
    if service.address and service.address.get(language):
        parts.append(service.address[language])
    if service.phone:
        try:
            parts.append(library.hotline(service.phone))
        except ContentError:
            parts.append(service.phone)
    return " · ".join(parts) or service.name.get(language, service.id)
