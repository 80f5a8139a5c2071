"""`create_app(settings)`: the gateway's aiohttp application.

Resources live in `cleanup_ctx` (storage, content, the Rasa client); state is reached
through typed `web.AppKey`s. Routes and who may call them:

| route | who |
|---|---|
| GET /, /static/* | anyone (neutral demo page that embeds the widget) |
| GET /widget.js, /widget/frame | anyone (the web widget; framed only by allow-listed sites) |
| GET /ws | anyone; browsers only from this site or allow-listed origins |
| GET /healthz | anyone (no data) |
| POST /nlg | Rasa, with `?token=NLG_TOKEN` |
| GET /internal/* | the action server, with `Authorization: Bearer INTERNAL_TOKEN` |
| POST /telegram/webhook | Telegram, header `X-Telegram-Bot-Api-Secret-Token` (webhook mode) |
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import cast

import aiohttp
from aiohttp import web
from aiohttp.abc import AbstractAccessLogger
from aiohttp.typedefs import Handler

from bot import access, internal_api, webchat, widget
from bot.content import ContentHolder, ContentLibrary, load_content_dir
from bot.core import ConversationCore, Dialogue
from bot.errors import RasaUnavailable
from bot.messages import BotText
from bot.nlg import render_for_rasa
from bot.rasa_client import CircuitBreaker, RasaClient
from bot.settings import Settings
from bot.storage import Channel, Keyring, Store
from bot.tg.runtime import TelegramRuntime, build_runtime
from handoff.queue import HandoffQueue, Resume
from handoff.web import QUEUE as HANDOFF_QUEUE

log = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"


SETTINGS = web.AppKey("settings", Settings)
STORE = web.AppKey("store", Store)
CONTENT = web.AppKey("content", ContentHolder)
CORE = web.AppKey("core", ConversationCore)
RASA = web.AppKey("rasa", RasaClient)
TELEGRAM = web.AppKey("telegram", TelegramRuntime)
SOCKETS = web.AppKey("sockets", weakref.WeakSet[web.WebSocketResponse])  # the widgets' /ws


class PrivateAccessLogger(AbstractAccessLogger):
    """Method, path without query string, status, duration. No addresses, no queries."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        self.logger.info(
            "%s %s %s %.1fms", request.method, request.rel_url.path, response.status, time * 1000
        )


def _csp(settings: Settings) -> str:
    ancestors = " ".join(settings.allowed_origins) or "'none'"
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors {ancestors}"
    )


@web.middleware
async def security_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    response = await handler(request)
    if not response.prepared:
        settings = request.app[SETTINGS]
        response.headers.setdefault("Content-Security-Policy", _csp(settings))
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("Cache-Control", "no-store")
        response.headers.setdefault(
            "Permissions-Policy", "geolocation=(self), camera=(), microphone=()"
        )
    return response


async def _storage(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    keyring = Keyring.load_or_create(
        settings.var_dir, settings.master_key.value or None, settings.hmac_key.value or None
    )
    store = await Store.open(settings.resolved_database_url, keyring)
    if await store.seed_documents(load_content_dir(settings.content_dir)):
        log.info("content loaded into the database from %s", settings.content_dir)
    app[STORE] = store
    app[CONTENT] = ContentHolder(ContentLibrary(await store.load_documents()))
    yield
    await store.close()


async def _retention(app: web.Application) -> AsyncIterator[None]:
    """Purge conversations inactive longer than RETENTION_DAYS: at start, then hourly."""
    settings = app[SETTINGS]

    async def loop() -> None:
        while True:
            try:
                purged = await app[STORE].purge_inactive(timedelta(days=settings.retention_days))
                if purged:
                    log.info("retention purge removed %d conversations", purged)
            except Exception:
                log.exception("retention purge failed; retrying in an hour")
            await asyncio.sleep(settings.purge_interval)

    task = asyncio.create_task(loop())
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def _rasa_janitor(app: web.Application) -> AsyncIterator[None]:
    """Every few minutes, empty Rasa's trackers of conversations that went quiet (Rasa's
    session expiry is 60 minutes, but its in-memory store keeps old events forever)."""
    settings = app[SETTINGS]
    every = timedelta(seconds=settings.janitor_interval)

    async def loop() -> None:
        while True:
            await asyncio.sleep(settings.janitor_interval)
            try:
                now = datetime.now(UTC)
                idle_since = now - timedelta(minutes=settings.rasa_forget_after_minutes)
                ids = await app[STORE].idle_conversation_ids(idle_since, idle_since - 3 * every)
                cleared = [await app[RASA].forget(i) for i in ids]
                if ids:
                    log.info("cleared %d of %d idle Rasa trackers", sum(cleared), len(ids))
            except Exception:
                log.exception("clearing idle Rasa trackers failed; retrying later")

    task = asyncio.create_task(loop())
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def _telegram(app: web.Application) -> AsyncIterator[None]:
    """The Telegram channel, only when TELEGRAM_BOT_TOKEN is set (bot/tg/runtime.py)."""
    settings = app[SETTINGS]
    if not settings.telegram_token:
        yield
        return
    runtime = build_runtime(settings, app[STORE], app[CORE], app[CONTENT], app[RASA].forget)
    app[TELEGRAM] = runtime
    await runtime.start()
    yield
    app[CORE].set_outlet(Channel.TELEGRAM, None)
    await runtime.stop()


async def telegram_webhook(request: web.Request) -> web.Response:
    runtime = request.app.get(TELEGRAM)
    if runtime is None:
        return web.json_response({"error": "not_found"}, status=404)
    return await runtime.webhook(request)


async def _close_sockets(app: web.Application) -> None:
    """Open WebSockets would hold the shutdown until its timeout: close them (the widget
    and the console reconnect by themselves)."""
    if HANDOFF_QUEUE in app:
        app[HANDOFF_QUEUE].close_consoles()
    sockets: weakref.WeakSet[web.WebSocketResponse] = app[SOCKETS]
    for ws in list(sockets):
        await ws.close(code=aiohttp.WSCloseCode.GOING_AWAY, message=b"restarting")


def _resume(override: Dialogue | None, client: RasaClient) -> Resume:
    """How a handed-back conversation resumes: Rasa's, or the stand-in's own (a stand-in
    without one resumes with the static text: the real Rasa is not asked for it)."""
    if override is None:
        return client.resume
    resume = getattr(override, "resume", None)
    if callable(resume):
        return cast(Resume, resume)

    async def static(conversation_id: str, language: str, channel: str) -> list[BotText]:
        raise RasaUnavailable("the dialogue stand-in does not resume")

    return static


def _dialogue(override: Dialogue | None) -> Callable[[web.Application], AsyncIterator[None]]:
    async def ctx(app: web.Application) -> AsyncIterator[None]:
        settings = app[SETTINGS]
        async with aiohttp.ClientSession() as session:
            client = RasaClient(
                session,
                settings.rasa_url,
                settings.rasa_token.value,
                settings.rasa_timeout,
                CircuitBreaker(settings.breaker_failures, settings.breaker_reset),
            )
            app[RASA] = client
            core = ConversationCore(
                app[STORE], override or client, app[CONTENT], settings.max_text_chars
            )
            queue = HandoffQueue(
                settings, app[STORE], core, app[CONTENT], _resume(override, client)
            )
            core.attach_handoff(queue)
            app[CORE] = core
            app[HANDOFF_QUEUE] = queue
            await queue.start()
            yield
            await queue.stop()

    return ctx


async def index(request: web.Request) -> web.StreamResponse:
    return web.FileResponse(STATIC / "demo.html")


async def widget_js(request: web.Request) -> web.Response:
    response = web.Response(
        text=widget.loader_script(request.app[SETTINGS]), content_type="text/javascript"
    )
    response.enable_compression()
    return response


async def widget_frame(request: web.Request) -> web.Response:
    settings = request.app[SETTINGS]
    response = web.Response(
        text=widget.frame_page(settings, request.app[CONTENT]()), content_type="text/html"
    )
    response.headers["Content-Security-Policy"] = widget.frame_csp(settings, request.host)
    response.enable_compression()
    return response


async def healthz(request: web.Request) -> web.Response:
    return web.json_response(
        {"status": "ok", "rasa_circuit_open": request.app[RASA].breaker.is_open}
    )


async def websocket(request: web.Request) -> web.StreamResponse:
    access.access_websocket(request, request.app[SETTINGS])
    app = request.app
    return await webchat.serve_connection(
        request, app[CORE], app[CONTENT], app[SETTINGS], app[SOCKETS]
    )


async def nlg(request: web.Request) -> web.Response:
    settings = request.app[SETTINGS]
    access.access_nlg(request, settings)
    try:
        body = await request.json()
    except ValueError:
        return web.json_response({"error": "bad_json"}, status=400)
    if not isinstance(body, dict):
        return web.json_response({"error": "bad_body"}, status=400)
    return web.json_response(
        render_for_rasa(request.app[CONTENT](), body, settings.default_language)
    )


def _internal(
    view: Callable[[ContentLibrary, web.Request], web.Response],
) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def handler(request: web.Request) -> web.Response:
        access.access_internal(request, request.app[SETTINGS])
        return view(request.app[CONTENT](), request)

    return handler


async def _freeze_startup_objects(app: web.Application) -> None:
    """What start-up built (libraries, content, screen rules) lives as long as the process:
    keep it out of the garbage collector's full passes, which otherwise stop every
    conversation for 50-100 ms each time they run (`serve` only: a test process creates
    many apps, whose cycles must stay collectable)."""
    gc.collect()
    gc.freeze()


def create_app(settings: Settings, *, dialogue: Dialogue | None = None) -> web.Application:
    """The gateway. `dialogue` replaces Rasa (benchmarks with a stub NLU, unit tests)."""
    from handoff.web import add_staff_area  # the staff area builds on this module's keys

    settings.require_tokens()
    app = web.Application(middlewares=[security_headers], client_max_size=8 * 1024 * 1024)
    app[SETTINGS] = settings
    app.cleanup_ctx.append(_storage)
    app.cleanup_ctx.append(_retention)
    app.cleanup_ctx.append(_dialogue(dialogue))
    app.cleanup_ctx.append(_rasa_janitor)
    app.cleanup_ctx.append(_telegram)
    app[SOCKETS] = weakref.WeakSet()
    app.on_shutdown.append(_close_sockets)
    app.router.add_get("/", index)
    app.router.add_static("/static/", STATIC)
    app.router.add_get("/widget.js", widget_js)
    app.router.add_get("/widget/frame", widget_frame)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/ws", websocket)
    app.router.add_post("/nlg", nlg)
    add_staff_area(app, settings, STORE, CONTENT)  # /staff/*: handoff/web.py
    app.router.add_get("/internal/places/resolve", _internal(internal_api.resolve_place))
    app.router.add_get("/internal/services", _internal(internal_api.services))
    app.router.add_get("/internal/services/nearest", _internal(internal_api.nearest))
    app.router.add_post("/telegram/webhook", telegram_webhook)
    return app


def serve(settings: Settings, *, dialogue: Dialogue | None = None, name: str = "gateway") -> None:
    """Run the gateway until interrupted (uvloop when installed: ~20-40% less CPU)."""
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop is a dependency on Linux
        loop_factory = None
    else:
        loop_factory = uvloop.new_event_loop
    loop = loop_factory() if loop_factory else None
    app = create_app(settings, dialogue=dialogue)
    app.on_startup.append(_freeze_startup_objects)
    web.run_app(
        app,
        host=settings.host,
        port=settings.port,
        access_log_class=PrivateAccessLogger,
        loop=loop,
        print=lambda _: print(
            f"{name} listening on http://{settings.host}:{settings.port}/", flush=True
        ),
    )
