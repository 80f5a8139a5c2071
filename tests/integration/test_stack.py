"""The real thing: Rasa + action server + gateway, talked to through the WebSocket."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import time
from typing import Any

import aiohttp
import pytest

from bot.content import ContentLibrary, load_content_dir
from bot.launcher import ROOT, Stack

pytestmark = pytest.mark.integration
LIBRARY = ContentLibrary(load_content_dir(ROOT / "content"))


def texts(key: str, language: str = "vi") -> set[str]:
    return {m.text for m in LIBRARY.variations(key, language)}


class Chat:
    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.last_seq = 0

    async def resume(self, ws: aiohttp.ClientWebSocketResponse, session: str) -> None:
        """Reconnect as a browser does: same session id, nothing missed after last_seq."""
        self.ws = ws
        await ws.send_json({"type": "start", "session": session, "last_seq": self.last_seq})
        frame = await ws.receive_json(timeout=10)
        assert frame["type"] == "session" and frame["resumed"] is True, frame

    async def start(self, lang: str = "vi") -> dict[str, Any]:
        await self.ws.send_json({"type": "start", "lang": lang})
        session = await self.ws.receive_json(timeout=10)
        await self.ws.receive_json(timeout=10)  # safety notice
        return dict(session)

    async def say(self, text: str, payload: str | None = None) -> list[dict[str, Any]]:
        frame: dict[str, Any] = {"type": "message", "text": text}
        if payload:
            frame["payload"] = payload
        await self.ws.send_json(frame)
        out = []
        while True:
            f = await self.ws.receive_json(timeout=15)
            if f["type"] == "typing" and not f["on"]:
                return out
            if f["type"] in ("message", "error"):
                out.append(f)
                self.last_seq = max(self.last_seq, f.get("seq", 0))


async def open_chat(stack: Stack, session: aiohttp.ClientSession) -> Chat:
    ws = await session.ws_connect(f"{stack.gateway_url}/ws")
    return Chat(ws)


async def test_vietnamese_without_diacritics_conversation(stack: Stack) -> None:
    async with aiohttp.ClientSession() as http:
        chat = await open_chat(stack, http)
        await chat.start("vi")

        hotline = await chat.say("cho minh xin so dien thoai tong dai ho tro voi")
        assert any(f["text"] in texts("utter_hotlines") for f in hotline), hotline
        assert any(LIBRARY.hotline("peace_house") in f["text"] for f in hotline)

        services = await chat.say("minh o quang ninh, tim noi ho tro nan nhan bao luc gia dinh")
        joined = "\n".join(f["text"] for f in services)
        assert LIBRARY.hotline("anh_duong_quang_ninh") in joined, services
        assert "Quảng Ninh" in joined

        screening = await chat.say("kiem tra giup minh muc do nguy hiem cua minh")
        assert any(f["text"] in texts("utter_ask_lap_1") for f in screening), screening
        question = next(f for f in screening if f["text"] in texts("utter_ask_lap_1"))
        assert {b["payload"] for b in question["buttons"]} >= {"/affirm", "/deny"}

        answer = await chat.say("Có", payload="/affirm")
        texts_out = [f["text"] for f in answer]
        assert any(t in texts("utter_screening_high") for t in texts_out), answer
        # no counsellor has a console open: queued, and told nobody is available now
        assert any(t in texts("gw_queue_offline") for t in texts_out), answer


async def test_former_province_name_finds_current_services(stack: Stack) -> None:
    async with aiohttp.ClientSession() as http:
        chat = await open_chat(stack, http)
        await chat.start("vi")
        first = await chat.say("tim nha tam lanh")
        assert any(f["text"] in texts("utter_ask_province") for f in first), first
        reply = await chat.say("binh duong")
        joined = "\n".join(f["text"] for f in reply)
        assert "Hồ Chí Minh" in joined, reply


async def test_place_typed_without_diacritics_in_the_request_is_not_asked_again(
    stack: Stack,
) -> None:
    async with aiohttp.ClientSession() as http:
        chat = await open_chat(stack, http)
        await chat.start("vi")
        reply = await chat.say("minh o ha noi, tim nha tam lanh")
        assert not any(f["text"] in texts("utter_ask_province") for f in reply), reply
        assert "Hà Nội" in "\n".join(f["text"] for f in reply), reply


async def test_imminent_danger_without_diacritics_gets_emergency_first(stack: Stack) -> None:
    async with aiohttp.ClientSession() as http:
        chat = await open_chat(stack, http)
        await chat.start("vi")
        reply = await chat.say("cuu em voi, ck em dang cam dao doi giet em")
        assert reply[0]["text"] in texts("gw_imminent"), reply
        assert "113" in reply[0]["text"]


async def test_rasa_killed_mid_conversation_static_answer_then_recovery(stack: Stack) -> None:
    async with aiohttp.ClientSession() as http:
        chat = await open_chat(stack, http)
        session = await chat.start("en")
        before = await chat.say("hello")
        assert before and before[0]["text"] not in texts("gw_unavailable", "en")

        stack.stop("rasa", signal.SIGKILL)
        started = time.monotonic()
        during = await chat.say("I need a phone number for help")
        elapsed = time.monotonic() - started
        assert elapsed < 2.0, elapsed
        assert during[-1]["text"] in texts("gw_unavailable", "en")
        assert "113" in during[-1]["text"]

        stack.start("rasa")  # blocking waits in a thread: the WebSocket keeps its heartbeat
        await asyncio.to_thread(stack.wait_ready, "rasa")
        await asyncio.to_thread(stack.warm_up)
        # The socket idled through the model load; like the widget, come back with the
        # server-issued session id: the same conversation goes on.
        await chat.ws.close()
        await chat.resume(await http.ws_connect(f"{stack.gateway_url}/ws"), session["session"])
        deadline = time.monotonic() + 30
        while True:  # the circuit breaker lets a probe through after its reset time
            after = await chat.say("what is the hotline number")
            if (
                after[-1]["text"] not in texts("gw_unavailable", "en")
                or time.monotonic() > deadline
            ):
                break
            await asyncio.sleep(1)
        assert any(f["text"] in texts("utter_hotlines", "en") for f in after), after


async def test_canary_never_in_plaintext_in_database_or_logs(stack: Stack) -> None:
    canary = "canary-b81d2 toi bi chong danh"
    async with aiohttp.ClientSession() as http:
        chat = await open_chat(stack, http)
        session = await chat.start("vi")
        await chat.say(canary)
    db = stack.var_dir / "gateway.db"
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    blobs = b"".join(p.read_bytes() for p in stack.var_dir.glob("gateway.db*"))
    logs = b"".join(p.read_bytes() for p in (stack.var_dir / "logs").glob("*.log"))
    assert logs, "no logs captured"
    for needle in (b"canary-b81d2", session["session"].encode()):
        assert needle not in blobs
        assert needle not in logs


async def test_gateway_can_empty_rasas_tracker_of_a_conversation(stack: Stack) -> None:
    from bot.rasa_client import CircuitBreaker, RasaClient

    token = stack.env["RASA_TOKEN"]
    async with aiohttp.ClientSession() as http:
        reply = await http.post(
            f"{stack.rasa_url}/webhooks/rest/webhook",
            json={"sender": "forget-me-test", "message": "hello"},
        )
        assert reply.status == 200
        tracker_url = f"{stack.rasa_url}/conversations/forget-me-test/tracker"
        before = await (await http.get(tracker_url, params={"token": token})).json()
        assert any(e.get("event") == "user" for e in before["events"])
        client = RasaClient(http, stack.rasa_url, token, 5.0, CircuitBreaker(3, 5))
        assert await client.forget("forget-me-test") is True
        after = await (await http.get(tracker_url, params={"token": token})).json()
        assert not any(e.get("event") in ("user", "bot") for e in after["events"])
