"""The counsellor console's WebSocket (GET /staff/console/ws, routed in handoff/web.py,
which makes the access checks), speaking the protocol in docs/HANDOFF.md.

The session is checked again every `RECHECK` seconds: a signed-out, expired or disabled
account's console is closed. Frames from the queue go
through the link's outbox and a writer task, so a slow console never holds up a turn.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Final

from aiohttp import WSMsgType, web

from handoff.accounts import StaffSession
from handoff.queue import ConsoleLink, HandoffError, HandoffQueue

log = logging.getLogger(__name__)

MAX_FRAME: Final = 32 * 1024
RECHECK: Final = 60.0
MAX_REF: Final = 64


def _ref(frame: dict[str, Any]) -> str | None:
    ref = frame.get("ref")
    if isinstance(ref, str) and 0 < len(ref) <= MAX_REF:
        return ref
    return None


def _conversation_id(frame: dict[str, Any]) -> str:
    value = frame.get("conversation_id")
    if not isinstance(value, str) or len(value) != 32:
        raise HandoffError("not_found", "No such conversation.")
    return value


async def dispatch(queue: HandoffQueue, link: ConsoleLink, frame: dict[str, Any]) -> None:
    """Carry out one client frame; the answer goes to the link's outbox."""
    kind = frame.get("type")
    ref = _ref(frame)
    try:
        answer: dict[str, Any] = {}
        if kind == "ping":
            link.send({"type": "pong"})
            return
        if kind == "presence":
            queue.set_presence(link, str(frame.get("status")))
        elif kind == "claim":
            await queue.claim(link, _conversation_id(frame))
        elif kind == "open":
            after = frame.get("after_seq", 0)
            transcript = await queue.open(
                link, _conversation_id(frame), after if isinstance(after, int) else 0
            )
            link.send(transcript)
        elif kind == "reply":
            text = frame.get("text")
            answer = await queue.reply(link, _conversation_id(frame), text, ref)
        elif kind == "typing":
            await queue.typing(link, _conversation_id(frame), frame.get("on") is True)
            return  # no answer: typing is best effort
        elif kind == "note":
            note = await queue.note(link, _conversation_id(frame), frame.get("text"))
            answer = {"note": note}
        elif kind == "release":
            await queue.release(link, _conversation_id(frame))
        elif kind == "hand_back":
            await queue.hand_back(link, _conversation_id(frame))
        elif kind == "close":
            await queue.close(link, _conversation_id(frame), str(frame.get("outcome")))
        else:
            raise HandoffError("unknown_type", "Unknown frame type.")
    except HandoffError as exc:
        link.send({"type": "error", "ref": ref, "code": exc.code, "message": str(exc)})
        return
    link.send({"type": "ok", "ref": ref, **answer})


async def _writer(ws: web.WebSocketResponse, link: ConsoleLink) -> None:
    while True:
        frame = await link.frames.get()
        if frame is None or ws.closed:
            await ws.close()
            return
        await ws.send_str(json.dumps(frame, ensure_ascii=False))


async def _recheck(ws: web.WebSocketResponse, still_valid: Callable[[], Awaitable[bool]]) -> None:
    """Close the console once its session is no longer valid (signed out, expired, disabled)."""
    while not ws.closed:
        await asyncio.sleep(RECHECK)
        if not await still_valid():
            await ws.close(code=4401, message=b"session ended")
            return


async def serve_console(
    request: web.Request,
    queue: HandoffQueue,
    session: StaffSession,
    still_valid: Callable[[], Awaitable[bool]],
) -> web.WebSocketResponse:
    """Run one console connection (the caller has made every access check)."""
    ws = web.WebSocketResponse(max_msg_size=MAX_FRAME, heartbeat=30.0)
    await ws.prepare(request)
    link = ConsoleLink(session.staff_id, session.username, session.role)
    link.send(queue.hello(link))
    link.send(queue.snapshot(link))
    queue.connect(link)
    writer = asyncio.create_task(_writer(ws, link))
    watcher = asyncio.create_task(_recheck(ws, still_valid))
    try:
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                await _on_text(queue, link, msg.data)
            elif msg.type == WSMsgType.ERROR:
                break
    finally:
        queue.disconnect(link)
        link.frames.put_nowait(None)
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError, ConnectionResetError):
            await writer
        with contextlib.suppress(asyncio.CancelledError):
            await watcher
    return ws


async def _on_text(queue: HandoffQueue, link: ConsoleLink, data: str) -> None:
    try:
        frame = json.loads(data)
    except ValueError:
        link.send({"type": "error", "code": "bad_json", "message": "Not JSON."})
        return
    if not isinstance(frame, dict):
        link.send({"type": "error", "code": "bad_frame", "message": "Not an object."})
        return
    try:
        await dispatch(queue, link, frame)
    except Exception:
        log.exception("console command failed")
        link.send(
            {
                "type": "error",
                "ref": _ref(frame),
                "code": "internal",
                "message": "Something went wrong; try again.",
            }
        )
