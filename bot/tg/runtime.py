"""Running the Telegram channel inside the gateway: webhook (production) or polling
(development), chosen by TELEGRAM_MODE; nothing starts without TELEGRAM_BOT_TOKEN.

Webhook: `POST /telegram/webhook` checks `X-Telegram-Bot-Api-Secret-Token` in constant
time (wrong or missing → 403, nothing stored), stores the update sealed in the inbox and
only then answers 200; the inbox worker feeds `Update.de_json(...)` to
`Application.process_update` (the Application is built with `updater(None)`).
Polling: PTB's `Updater.start_polling` (getUpdates), for development.

At start, in the background until Telegram answers: `getMe`, `setMyCommands`, and in
webhook mode `setWebhook` with the secret when TELEGRAM_WEBHOOK_URL is set. Updates that
arrive meanwhile wait in the inbox.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
from collections.abc import Callable, Mapping
from typing import Any

from aiohttp import web
from telegram import Update
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes

from bot.content import ContentLibrary
from bot.core import ConversationCore
from bot.settings import Settings
from bot.storage import Channel, Store
from bot.tg.channel import ALLOWED_UPDATES, ForgetDialogue, TelegramChannel
from bot.tg.inbox import Inbox

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
MAX_UPDATE_BYTES = 1024 * 1024
_QUIET_LOGGERS = ("telegram", "httpx", "httpcore", "hpack")
# In stored updates, names and phone numbers are blanked (PTB needs first_name to exist).
_BLANK = {"first_name": "", "phone_number": ""}
_DROP = ("last_name", "username", "bio", "vcard")


class _Redact(logging.Filter):
    """Library log records keep their fixed message but lose their arguments and
    tracebacks (which can hold the bot token in URLs, update contents, chat ids)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            record.msg = f"{record.msg} (details withheld)"
            record.args = ()
        if record.exc_info:
            exc_type = record.exc_info[0]
            record.msg = f"{record.msg} [{exc_type.__name__ if exc_type else 'error'}]"
            record.exc_info = None
            record.exc_text = None
        return True


def quiet_library_logs() -> None:
    """httpx logs every request URL at INFO, and the URL carries the bot token."""
    redact = _Redact()
    for name, logger in list(logging.Logger.manager.loggerDict.items()):
        if isinstance(logger, logging.Logger) and name.split(".")[0] in _QUIET_LOGGERS:
            if not any(isinstance(f, _Redact) for f in logger.filters):
                logger.addFilter(redact)
    for name in _QUIET_LOGGERS:
        logger = logging.getLogger(name)
        logger.setLevel(logging.WARNING)
        if not any(isinstance(f, _Redact) for f in logger.filters):
            logger.addFilter(redact)


def minimise(value: Any) -> Any:
    """The update without names, usernames or phone numbers (recursively)."""
    if isinstance(value, dict):
        result = {}
        for key, item in value.items():
            if key in _DROP:
                continue
            result[key] = _BLANK[key] if key in _BLANK else minimise(item)
        return result
    if isinstance(value, list):
        return [minimise(item) for item in value]
    return value


class TelegramRuntime:
    def __init__(
        self,
        settings: Settings,
        channel: TelegramChannel,
        store: Store,
        *,
        boot_retry: float = 5.0,
        poll_timeout: int = 10,
    ) -> None:
        quiet_library_logs()  # before building: PTB logs the Bot API URL (with the token)
        self.settings = settings
        self.mode = settings.telegram_mode
        self.channel = channel
        self._boot_retry = boot_retry
        self._poll_timeout = poll_timeout
        self._failures: dict[int, BaseException] = {}
        self.ready = asyncio.Event()
        base = settings.telegram_api_base
        builder = (
            ApplicationBuilder()
            .token(settings.telegram_token.value)
            .base_url(f"{base}/bot")
            .base_file_url(f"{base}/file/bot")
            .concurrent_updates(False)
        )
        if self.mode == "webhook":
            builder = builder.updater(None)
        self.application: Application = builder.build()  # type: ignore[type-arg]
        channel.install(self.application)
        self.application.add_error_handler(self._on_error)
        self.inbox = Inbox(store, self._process)
        self._tasks: list[asyncio.Task[None]] = []
        quiet_library_logs()  # and again for loggers created while building

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        error = context.error
        log.error("telegram handler failed (%s)", type(error).__name__)
        if isinstance(update, Update) and error is not None:
            self._failures[update.update_id] = error

    async def _process(self, data: Mapping[str, Any]) -> None:
        update = Update.de_json(dict(data), self.application.bot)
        await self.application.process_update(update)
        error = self._failures.pop(update.update_id, None)
        if isinstance(error, Forbidden | BadRequest):
            return  # the bot was blocked, the chat is gone, …: trying again cannot help
        if error is not None:
            raise error

    # -- lifecycle -----------------------------------------------------------------------

    async def start(self) -> None:
        self._tasks.append(asyncio.create_task(self._boot(), name="telegram-boot"))

    async def _boot(self) -> None:
        app = self.application
        while True:
            try:
                await app.initialize()
                await self.channel.set_commands(app.bot)
                if self.mode == "webhook" and self.settings.telegram_webhook_url:
                    await app.bot.set_webhook(
                        url=self.settings.telegram_webhook_url,
                        secret_token=self.settings.telegram_webhook_secret.value,
                        allowed_updates=ALLOWED_UPDATES,
                    )
                break
            except (TelegramError, OSError) as exc:
                log.warning(
                    "telegram: the Bot API is not reachable (%s); retrying in %.0f s",
                    type(exc).__name__,
                    self._boot_retry,
                )
                await asyncio.sleep(self._boot_retry)
        if self.mode == "webhook":
            self._tasks.append(asyncio.create_task(self.inbox.run(), name="telegram-inbox"))
        else:
            assert app.updater is not None
            await app.updater.start_polling(
                timeout=self._poll_timeout, allowed_updates=ALLOWED_UPDATES
            )
            await app.start()
        self.channel.bind(app.bot)
        log.info("telegram channel ready (%s mode)", self.mode)
        self.ready.set()

    async def stop(self) -> None:
        app = self.application
        for task in reversed(self._tasks):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        with contextlib.suppress(TelegramError, RuntimeError, OSError):
            if app.updater is not None and app.updater.running:
                await app.updater.stop()
            if app.running:
                await app.stop()
        with contextlib.suppress(TelegramError, RuntimeError, OSError):
            await app.shutdown()

    # -- the webhook ----------------------------------------------------------------------

    async def webhook(self, request: web.Request) -> web.Response:
        if self.mode != "webhook":
            return web.json_response({"error": "not_found"}, status=404)
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8")
        expected = self.settings.telegram_webhook_secret.value.encode("utf-8")
        if not hmac.compare_digest(given, expected) or not expected:
            return web.json_response({"error": "forbidden"}, status=403)
        raw = await request.content.read(MAX_UPDATE_BYTES + 1)
        if len(raw) > MAX_UPDATE_BYTES:
            return web.json_response({"error": "too_large"}, status=413)
        try:
            update = json.loads(raw)
        except ValueError:
            return web.json_response({"error": "bad_json"}, status=400)
        update_id = update.get("update_id") if isinstance(update, dict) else None
        if not isinstance(update_id, int) or isinstance(update_id, bool) or update_id < 0:
            return web.json_response({"error": "bad_update"}, status=400)
        body = json.dumps(minimise(update), ensure_ascii=False, separators=(",", ":"))
        try:
            await self.inbox.accept(update_id, body.encode("utf-8"))
        except Exception as exc:
            # Not acknowledged: Telegram delivers it again later.
            log.error("telegram update could not be stored (%s)", type(exc).__name__)
            return web.json_response({"error": "unavailable"}, status=503)
        return web.json_response({})


def build_runtime(
    settings: Settings,
    store: Store,
    core: ConversationCore,
    content: Callable[[], ContentLibrary],
    forget_dialogue: ForgetDialogue | None,
) -> TelegramRuntime:
    channel = TelegramChannel(
        store,
        core,
        content,
        default_language=settings.default_language,
        forget_dialogue=forget_dialogue,
    )
    core.set_outlet(Channel.TELEGRAM, channel)  # a counsellor's replies go out through it
    return TelegramRuntime(settings, channel, store)
