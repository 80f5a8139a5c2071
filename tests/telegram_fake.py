"""A local stand-in for Telegram's Bot API servers: an aiohttp server on 127.0.0.1 that
speaks the Bot API's HTTP protocol, so the real python-telegram-bot code runs against it.

- `POST /bot<token>/<method>` with a JSON, urlencoded or multipart body (PTB sends
  urlencoded forms whose object values are JSON strings);
- answers `{"ok": true, "result": ...}` with realistic objects (Message with message_id,
  date and chat; True for deletes; a User for getMe), errors as
  `{"ok": false, "error_code": ..., "description": ...}` with the real descriptions for
  the checks it implements (empty text, too many ids, bad callback data, wrong token);
- `getUpdates` with long-poll semantics: `offset` confirms (drops) earlier updates,
  `timeout` waits for updates that the test pushes;
- records every call (`calls`), never talks to the network.

Message ids come from one counter per chat shared by the person's and the bot's messages,
as in a real private chat. `start()` runs it on the current event loop; `start_in_thread()`
runs it on a loop of its own (for the integration tests, where the gateway is another
process).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

BOT_ID = 4242
BOT_USER = {
    "id": BOT_ID,
    "is_bot": True,
    "first_name": "Helper",
    "username": "helper_test_bot",
    "can_join_groups": False,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
# Values of these form fields stay strings even when they look like JSON or numbers.
_TEXT_FIELDS = {"text", "title", "address", "description", "url", "secret_token", "data"}


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float = field(default_factory=time.monotonic)


class FakeBotApi:
    def __init__(self, token: str = "123456:TEST-token_for-the-fake") -> None:
        self.token = token
        self.calls: list[Call] = []
        self.webhook: dict[str, Any] = {}
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(100_001)
        self._message_ids: dict[int, itertools.count[int]] = defaultdict(lambda: itertools.count(1))
        self._new_update: asyncio.Event | None = None
        self._failures: dict[str, list[tuple[int, str, int | None]]] = defaultdict(list)
        self._runner: web.AppRunner | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self.port = 0
        self._closing = False

    # -- running -------------------------------------------------------------------------

    @property
    def base(self) -> str:
        """What TELEGRAM_API_BASE (PTB: base_url = base + "/bot") points at."""
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> str:
        self._loop = asyncio.get_running_loop()
        self._new_update = asyncio.Event()
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._handle)
        app.router.add_get("/bot{token}/{method}", self._handle)
        app.router.add_route("*", "/file/bot{token}/{path:.*}", self._file)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self.base

    async def stop(self) -> None:
        self._closing = True
        if self._new_update is not None:
            self._new_update.set()  # long polls return now
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def start_in_thread(self) -> str:
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            loop.run_until_complete(self.start())
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self.stop())
            loop.close()

        self._thread = threading.Thread(target=run, name="fake-bot-api", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("fake Bot API did not start")
        return self.base

    def stop_thread(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)

    # -- what the test does --------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        code: int = 400,
        description: str = "Bad Request",
        retry_after: int | None = None,
    ) -> None:
        """The next call of `method` answers with this error (429: with retry_after)."""
        self._failures[method].append((code, description, retry_after))

    def next_message_id(self, chat_id: int) -> int:
        return next(self._message_ids[chat_id])

    def message_update(
        self, chat_id: int, text: str | None = None, **content: Any
    ) -> dict[str, Any]:
        """An update with a message the person sent in a private chat (`text`, or other
        content such as photo=[...], location={...})."""
        message: dict[str, Any] = {
            "message_id": self.next_message_id(chat_id),
            "date": int(time.time()),
            "chat": {
                "id": chat_id,
                "type": "private",
                "first_name": "Lanq7x",
                "username": "lanq7x_vn",
            },
            "from": {
                "id": chat_id,
                "is_bot": False,
                "first_name": "Lanq7x",
                "username": "lanq7x_vn",
                "language_code": "vi",
            },
        }
        if text is not None:
            message["text"] = text
            if text.startswith("/"):
                command = text.split()[0]
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        message.update(content)
        return {"update_id": next(self._update_ids), "message": message}

    def callback_update(self, chat_id: int, message: dict[str, Any], data: str) -> dict[str, Any]:
        """The person pressed an inline button with `data` under the bot's `message`."""
        return {
            "update_id": next(self._update_ids),
            "callback_query": {
                "id": f"cq{next(self._update_ids)}",
                "from": {"id": chat_id, "is_bot": False, "first_name": "Lan"},
                "chat_instance": "ci-1",
                "data": data,
                "message": message,
            },
        }

    def push_update(self, update: dict[str, Any]) -> None:
        """Make an update available to getUpdates (thread-safe)."""

        def add() -> None:
            self._updates.append(update)
            assert self._new_update is not None
            self._new_update.set()

        if self._loop is None:
            raise RuntimeError("not started")
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self._loop:
            add()
        else:
            self._loop.call_soon_threadsafe(add)

    def methods(self) -> list[str]:
        return [c.method for c in list(self.calls)]

    def calls_of(self, method: str) -> list[Call]:
        return [c for c in list(self.calls) if c.method == method]

    def sent(self) -> list[dict[str, Any]]:
        """The result objects (Messages) of every sendMessage / sendVenue, in order."""
        return [c.params["_result"] for c in list(self.calls) if "_result" in c.params]

    async def wait_for(self, predicate: Any, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out; calls so far: {self.methods()}")
            await asyncio.sleep(0.02)

    # -- the protocol ----------------------------------------------------------------------

    async def _params(self, request: web.Request) -> dict[str, Any]:
        if request.content_type == "application/json":
            body = await request.json() if request.can_read_body else {}
            return dict(body or {})
        params: dict[str, Any] = dict(request.query)
        if request.can_read_body:
            form = await request.post()
            for key, value in form.items():
                if not isinstance(value, str):
                    params[key] = "<file>"
                elif key in _TEXT_FIELDS:
                    params[key] = value
                else:
                    try:
                        params[key] = json.loads(value)
                    except ValueError:
                        params[key] = value
        return params

    async def _file(self, request: web.Request) -> web.Response:
        self.calls.append(Call("<file download>", {"path": request.match_info["path"]}))
        return web.Response(status=404)

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await self._params(request)
        call = Call(method, params)
        self.calls.append(call)
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        if self._failures.get(method):
            code, description, retry_after = self._failures[method].pop(0)
            return _error(code, description, retry_after)
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return _error(404, "Not Found: method not found")
        try:
            result = await handler(params)
        except _ApiError as exc:
            return _error(exc.code, exc.description)
        if isinstance(result, dict) and "message_id" in result:
            params["_result"] = result
        return web.json_response({"ok": True, "result": result})

    async def _m_getMe(self, params: dict[str, Any]) -> Any:
        return BOT_USER

    async def _m_setMyCommands(self, params: dict[str, Any]) -> Any:
        commands = params.get("commands")
        if not isinstance(commands, list) or not commands:
            raise _ApiError(400, "Bad Request: commands must be non-empty")
        return True

    async def _m_setWebhook(self, params: dict[str, Any]) -> Any:
        self.webhook = params
        return True

    async def _m_deleteWebhook(self, params: dict[str, Any]) -> Any:
        self.webhook = {}
        return True

    async def _m_getWebhookInfo(self, params: dict[str, Any]) -> Any:
        return {
            "url": self.webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": 0,
        }

    async def _m_sendChatAction(self, params: dict[str, Any]) -> Any:
        return True

    async def _m_answerCallbackQuery(self, params: dict[str, Any]) -> Any:
        if not params.get("callback_query_id"):
            raise _ApiError(400, "Bad Request: query is too old and response timeout expired")
        return True

    def _message(self, params: dict[str, Any], **content: Any) -> dict[str, Any]:
        chat_id = _chat_id(params)
        message: dict[str, Any] = {
            "message_id": self.next_message_id(chat_id),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private"},
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "Helper"},
            **content,
        }
        markup = params.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            for row in markup["inline_keyboard"]:
                for button in row:
                    data = button.get("callback_data", "")
                    if not 1 <= len(data.encode()) <= 64:
                        raise _ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
            message["reply_markup"] = markup
        return message

    async def _m_sendMessage(self, params: dict[str, Any]) -> Any:
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            raise _ApiError(400, "Bad Request: message text is empty")
        if len(text) > 4096:
            raise _ApiError(400, "Bad Request: message is too long")
        return self._message(params, text=text)

    async def _m_sendVenue(self, params: dict[str, Any]) -> Any:
        for name in ("latitude", "longitude", "title", "address"):
            if name not in params:
                raise _ApiError(400, f"Bad Request: {name} is required")
        location = {"latitude": float(params["latitude"]), "longitude": float(params["longitude"])}
        venue = {"location": location, "title": params["title"], "address": params["address"]}
        return self._message(params, venue=venue, location=location)

    async def _m_deleteMessage(self, params: dict[str, Any]) -> Any:
        _chat_id(params)
        return True

    async def _m_deleteMessages(self, params: dict[str, Any]) -> Any:
        _chat_id(params)
        ids = params.get("message_ids")
        if not isinstance(ids, list) or not ids:
            raise _ApiError(400, "Bad Request: message identifiers are not specified")
        if len(ids) > 100:
            raise _ApiError(400, "Bad Request: too many messages to delete")
        return True

    async def _m_getFile(self, params: dict[str, Any]) -> Any:
        return {"file_id": params.get("file_id"), "file_unique_id": "u1", "file_path": "x/1.jpg"}

    async def _m_getUpdates(self, params: dict[str, Any]) -> Any:
        offset = int(params.get("offset") or 0)
        timeout = float(params.get("timeout") or 0)
        if offset:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        assert self._new_update is not None
        deadline = time.monotonic() + timeout
        while not self._updates and not self._closing:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            self._new_update.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_update.wait(), remaining)
        limit = int(params.get("limit") or 100)
        return self._updates[:limit]


class _ApiError(Exception):
    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


def _chat_id(params: dict[str, Any]) -> int:
    try:
        return int(params["chat_id"])
    except (KeyError, TypeError, ValueError):
        raise _ApiError(400, "Bad Request: chat not found") from None


def _error(code: int, description: str, retry_after: int | None = None) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return web.json_response(body, status=code)
