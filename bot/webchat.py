"""The web chat channel: a WebSocket speaking the JSON protocol in docs/WEBCHAT_PROTOCOL.md.

Frames are processed one at a time per connection (so answers keep their order); a frame
larger than `ws_max_frame` bytes closes the socket with 1009; malformed JSON, unknown
frame types, bad languages and rate-limited messages get an `error` frame and the
connection stays open. A message refused for rate or shape is reported with the client's
`client_id`, so the client can send it again: nothing is dropped silently.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import time
from collections.abc import Callable, MutableSet
from typing import Any

from aiohttp import WSMsgType, web

from bot.content import ContentLibrary
from bot.core import ConversationCore, Inbound, Listener, Outbound, fail_safe
from bot.errors import BadInput
from bot.settings import LANGUAGES, Settings
from bot.storage import ConversationRecord

log = logging.getLogger(__name__)

# `typing: on` only for a turn still running after this long (s): most turns answer sooner,
# and a frame less per turn is a fifth of the gateway's cost per message. `typing: off`
# ends every turn (docs/WEBCHAT_PROTOCOL.md).
TYPING_DELAY = 0.25
TYPING_ON = '{"type": "typing", "on": true}'
TYPING_OFF = '{"type": "typing", "on": false}'


class TokenBucket:
    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic):
        self._rate = rate
        self._burst = float(burst)
        self._tokens = float(burst)
        self._clock = clock
        self._last = clock()

    def take(self) -> bool:
        now = self._clock()
        self._tokens = min(self._burst, self._tokens + (now - self._last) * self._rate)
        self._last = now
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return True
        return False


def message_frame(out: Outbound, replay: bool = False) -> dict[str, Any]:
    frame: dict[str, Any] = {
        "type": "message",
        "seq": out.seq,
        "from": str(out.sender),
        "text": out.message.text,
        "buttons": [{"title": b.title, "payload": b.payload} for b in out.message.buttons],
    }
    if replay:
        frame["replay"] = True
    return frame


def error_frame(code: str, message: str, client_id: Any = None) -> dict[str, Any]:
    frame: dict[str, Any] = {"type": "error", "code": code, "message": message}
    if isinstance(client_id, str | int):
        frame["client_id"] = client_id
    return frame


class WebChatConnection:
    """The state of one browser connection."""

    def __init__(
        self,
        ws: web.WebSocketResponse,
        core: ConversationCore,
        content: Callable[[], ContentLibrary],
        settings: Settings,
    ) -> None:
        self.ws = ws
        self.core = core
        self.content = content
        self.settings = settings
        self.conversation: ConversationRecord | None = None
        self.language = settings.default_language
        self.bucket = TokenBucket(settings.ws_rate, settings.ws_burst)
        self._turn: object | None = None  # the turn in progress (for its typing timer)
        self._typing: asyncio.Task[None] | None = None
        self._detach: Callable[[], None] | None = None

    async def send(self, frame: dict[str, Any]) -> None:
        await self.send_raw(json.dumps(frame, ensure_ascii=False))

    async def send_raw(self, text: str) -> None:
        if not self.ws.closed:
            await self.ws.send_str(text)

    def _typing_due(self, turn: object) -> None:
        self._typing = asyncio.ensure_future(self._typing_on(turn))

    async def _typing_on(self, turn: object) -> None:
        if self._turn is turn:  # not if the turn ended while this was scheduled
            await self.send_raw(TYPING_ON)

    async def emit(self, out: Outbound) -> None:
        await self.send(message_frame(out))

    async def counsellor_typing(self, on: bool) -> None:
        await self.send({"type": "typing", "on": on, "from": "counsellor"})

    def _attach(self, conversation: ConversationRecord) -> None:
        """Receive what is delivered to the conversation outside a turn (a counsellor)."""
        self.detach()
        self.conversation = conversation
        self._detach = self.core.listen(
            conversation.id, Listener(self.emit, self.counsellor_typing)
        )

    def detach(self) -> None:
        if self._detach is not None:
            self._detach()
            self._detach = None

    async def on_frame(self, raw: str) -> None:
        try:
            frame = json.loads(raw)
        except ValueError:
            await self.send(error_frame("bad_json", "The frame is not valid JSON."))
            return
        if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
            await self.send(error_frame("bad_frame", "A frame is a JSON object with a type."))
            return
        kind = frame["type"]
        client_id = frame.get("client_id")
        try:
            if kind == "start":
                await self.on_start(frame)
            elif kind in ("message", "location"):
                await self.on_message(frame)
            elif kind == "ping":
                await self.send({"type": "pong"})
            elif kind == "exit":
                await self.on_exit()
            else:
                await self.send(error_frame("unknown_type", "Unknown frame type.", client_id))
        except BadInput as exc:
            await self.send(error_frame(exc.code, str(exc), client_id))
        except Exception:
            log.exception("turn failed; fail-safe answer sent")
            await self.send_fail_safe(client_id)

    async def send_fail_safe(self, client_id: Any) -> None:
        await self.send(error_frame("internal", "Something went wrong.", client_id))
        text = fail_safe(self.content(), self.language)
        await self.send({"type": "message", "from": "system", "text": text.text, "buttons": []})

    async def on_start(self, frame: dict[str, Any]) -> None:
        language = frame.get("lang", self.settings.default_language)
        if language not in LANGUAGES:
            raise BadInput("unknown_language", f"Language must be one of {', '.join(LANGUAGES)}.")
        self.language = str(language)
        token = frame.get("session")
        if isinstance(token, str) and token:
            resumed = await self.core.resume_web(token[:200])
            if resumed is not None:
                if "lang" in frame and self.language != resumed.language:  # language switch
                    resumed = await self.core.set_language(resumed.id, self.language)
                self._attach(resumed)
                self.language = resumed.language
                await self.send(
                    {"type": "session", "session": token, "lang": self.language, "resumed": True}
                )
                last_seq = frame.get("last_seq", 0)
                after = last_seq if isinstance(last_seq, int) and last_seq >= 0 else 0
                for out in await self.core.replay(resumed.id, after):
                    await self.send(message_frame(out, replay=True))
                return
        conversation, token = await self.core.open_web(self.language)
        self._attach(conversation)
        await self.send(
            {"type": "session", "session": token, "lang": self.language, "resumed": False}
        )
        await self.core.say(conversation.id, "gw_safety_notice", self.language, self.emit)

    async def on_exit(self) -> None:
        """Quick exit: the conversation ends (nothing more is sent to it) and the socket
        closes. Without a conversation it only closes."""
        if self.conversation is not None:
            self.detach()
            await self.core.end(self.conversation.id)
            self.conversation = None
        await self.ws.close()

    async def on_message(self, frame: dict[str, Any]) -> None:
        if self.conversation is None:
            raise BadInput("not_started", "Send a start frame first.")
        if not self.bucket.take():
            raise BadInput("rate_limited", "Too many messages; please send it again shortly.")
        inbound = _inbound(frame)
        turn = self._turn = object()
        timer = asyncio.get_running_loop().call_later(TYPING_DELAY, self._typing_due, turn)
        try:
            await self.core.handle(self.conversation.id, inbound, self.emit)
        except BadInput as exc:  # reported before typing stops, so the client sees why
            await self.send(error_frame(exc.code, str(exc), frame.get("client_id")))
        finally:
            timer.cancel()
            self._turn = None
            await self.send_raw(TYPING_OFF)


def _inbound(frame: dict[str, Any]) -> Inbound:
    if frame["type"] == "location":
        lat, lon = frame.get("lat"), frame.get("lon")
        if not (isinstance(lat, int | float) and isinstance(lon, int | float)):
            raise BadInput("bad_location", "A location needs numeric lat and lon.")
        if not (math.isfinite(lat) and math.isfinite(lon)) or abs(lat) > 90 or abs(lon) > 180:
            raise BadInput("bad_location", "The location is out of range.")
        return Inbound(text="", location=(float(lat), float(lon)))
    text = frame.get("text")
    payload = frame.get("payload")
    if not isinstance(text, str):
        raise BadInput("bad_message", "A message needs a text string.")
    if payload is not None and not isinstance(payload, str):
        raise BadInput("bad_message", "A payload must be a string.")
    return Inbound(text=text, payload=payload)


async def serve_connection(
    request: web.Request,
    core: ConversationCore,
    content: Callable[[], ContentLibrary],
    settings: Settings,
    sockets: MutableSet[web.WebSocketResponse] | None = None,
) -> web.WebSocketResponse:
    """`sockets`: where open sockets are kept, for the app to close them at shutdown."""
    ws = web.WebSocketResponse(max_msg_size=settings.ws_max_frame, heartbeat=30.0)
    await ws.prepare(request)
    if sockets is not None:
        sockets.add(ws)
    connection = WebChatConnection(ws, core, content, settings)
    try:
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                await connection.on_frame(msg.data)
            elif msg.type == WSMsgType.BINARY:
                await connection.send(error_frame("bad_frame", "Binary frames are not accepted."))
            elif msg.type == WSMsgType.ERROR:
                break
    finally:
        connection.detach()
    return ws
