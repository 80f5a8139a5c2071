"""The Rasa client against a real HTTP server on loopback that behaves like Rasa."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.errors import RasaUnavailable
from bot.launcher import free_port
from bot.messages import BotText, Button
from bot.rasa_client import CircuitBreaker, RasaClient, parse_reply
from bot.settings import Secret


class FakeRasa:
    def __init__(self) -> None:
        self.hits = 0
        self.mode = "ok"
        self.bodies: list[dict[str, Any]] = []
        self.forgotten: list[tuple[str, str | None, Any]] = []
        # (path kind, conversation id, query, body) of every HTTP API call of a resume
        self.api_calls: list[tuple[str, str, dict[str, str], Any]] = []
        self.events_mode = "ok"
        self.trigger_mode = "ok"

    async def webhook(self, request: web.Request) -> web.Response:
        self.hits += 1
        self.bodies.append(await request.json())
        if self.mode == "slow":
            await asyncio.sleep(5)
        if self.mode == "503-once" and self.hits == 1:
            return web.Response(status=503)
        if self.mode == "500":
            return web.Response(status=500)
        return web.json_response(
            [
                {
                    "recipient_id": "c",
                    "text": "Xin chào",
                    "buttons": [{"title": "Có", "payload": "/affirm"}],
                },
                {"recipient_id": "c", "custom": {"_gw": {"intent": "greet", "confidence": 0.91}}},
                {"recipient_id": "c", "custom": {"handoff": {"reason": "user_request"}}},
            ]
        )

    async def replace_events(self, request: web.Request) -> web.Response:
        self.forgotten.append(
            (request.match_info["cid"], request.query.get("token"), await request.json())
        )
        return web.json_response({"events": []})

    async def append_events(self, request: web.Request) -> web.Response:
        self.api_calls.append(
            ("events", request.match_info["cid"], dict(request.query), await request.json())
        )
        if self.events_mode == "500":
            return web.Response(status=500)
        if self.events_mode == "slow":
            await asyncio.sleep(5)
        return web.json_response({"sender_id": request.match_info["cid"], "events": None})

    async def trigger_intent(self, request: web.Request) -> web.Response:
        self.api_calls.append(
            ("trigger", request.match_info["cid"], dict(request.query), await request.json())
        )
        if self.trigger_mode == "404":  # what Rasa says when the model lacks the intent
            return web.json_response({"status": "failure", "code": 404}, status=404)
        if self.trigger_mode == "no-messages":  # output_channel that is not a collector
            return web.json_response({"tracker": {}})
        cid = request.match_info["cid"]
        return web.json_response(
            {
                "tracker": {"sender_id": cid, "events": None, "active_loop": {}},
                "messages": [
                    {
                        "recipient_id": cid,
                        "text": "Bạn đang trò chuyện lại với trợ lý tự động.",
                        "buttons": [{"title": "Người tư vấn", "payload": "/request_human"}],
                    },
                    {
                        "recipient_id": cid,
                        "custom": {"_gw": {"intent": "EXTERNAL_handed_back", "confidence": None}},
                    },
                ],
            }
        )

    async def parse(self, request: web.Request) -> web.Response:
        assert request.query.get("token") == "tok"
        return web.json_response({"intent": {"name": "danger_now", "confidence": 0.88}})


@pytest.fixture
async def rasa() -> Any:
    fake = FakeRasa()
    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", fake.webhook)
    app.router.add_post("/model/parse", fake.parse)
    app.router.add_put("/conversations/{cid}/tracker/events", fake.replace_events)
    app.router.add_post("/conversations/{cid}/tracker/events", fake.append_events)
    app.router.add_post("/conversations/{cid}/trigger_intent", fake.trigger_intent)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    yield fake, str(server.make_url("")).rstrip("/")
    await server.close()


async def make_client(url: str, timeout: float = 0.5) -> tuple[aiohttp.ClientSession, RasaClient]:
    session = aiohttp.ClientSession()
    return session, RasaClient(session, url, "tok", timeout, CircuitBreaker(3, 60))


async def test_send_splits_texts_meta_and_payloads(rasa) -> None:
    fake, url = rasa
    session, client = await make_client(url)
    async with session:
        reply = await client.send("c", "xin chào", {"language": "vi", "channel": "web"})
    assert [m.text for m in reply.messages] == ["Xin chào"]
    assert reply.messages[0].buttons[0].payload == "/affirm"
    assert (reply.intent, reply.confidence) == ("greet", 0.91)
    assert reply.payloads == ({"handoff": {"reason": "user_request"}},)
    assert fake.bodies[0] == {
        "sender": "c",
        "message": "xin chào",
        "metadata": {"language": "vi", "channel": "web"},
    }


async def test_parse_uses_the_api_token(rasa) -> None:
    _, url = rasa
    session, client = await make_client(url)
    async with session:
        assert await client.parse("help") == ("danger_now", 0.88)


async def test_slow_rasa_fails_within_the_deadline_and_is_not_resent(rasa) -> None:
    fake, url = rasa
    fake.mode = "slow"
    session, client = await make_client(url, timeout=0.4)
    async with session:
        started = time.monotonic()
        with pytest.raises(RasaUnavailable):
            await client.send("c", "x", {})
        assert time.monotonic() - started < 0.8
    assert fake.hits == 1


async def test_unavailable_503_is_retried_once(rasa) -> None:
    fake, url = rasa
    fake.mode = "503-once"
    session, client = await make_client(url)
    async with session:
        reply = await client.send("c", "x", {})
    assert fake.hits == 2 and reply.messages


async def test_server_error_is_not_retried(rasa) -> None:
    fake, url = rasa
    fake.mode = "500"
    session, client = await make_client(url)
    async with session:
        with pytest.raises(RasaUnavailable):
            await client.send("c", "x", {})
    assert fake.hits == 1


async def test_refused_connection_fails_fast_and_opens_the_circuit() -> None:
    session, client = await make_client(f"http://127.0.0.1:{free_port()}")
    async with session:
        started = time.monotonic()
        for _ in range(3):
            with pytest.raises(RasaUnavailable):
                await client.send("c", "x", {})
        assert time.monotonic() - started < 1.0
        assert client.breaker.is_open
        with pytest.raises(RasaUnavailable, match="circuit open"):
            await client.send("c", "x", {})


def test_breaker_half_opens_after_reset_and_closes_on_success() -> None:
    now = [0.0]
    breaker = CircuitBreaker(2, 10, clock=lambda: now[0])
    breaker.record_failure()
    assert breaker.allow()
    breaker.record_failure()
    assert not breaker.allow()
    now[0] = 10.5
    assert breaker.allow()  # the single probe
    assert not breaker.allow()  # others wait for it
    breaker.record_success()
    assert breaker.allow() and not breaker.is_open


def test_breaker_reopens_when_the_probe_fails() -> None:
    now = [0.0]
    breaker = CircuitBreaker(1, 5, clock=lambda: now[0])
    breaker.record_failure()
    now[0] = 6
    assert breaker.allow()
    breaker.record_failure()
    assert not breaker.allow()


def test_parse_reply_rejects_non_list_bodies() -> None:
    with pytest.raises(RasaUnavailable):
        parse_reply({"oops": 1})


async def test_resume_ends_the_form_then_triggers_the_handed_back_intent(rasa) -> None:
    fake, url = rasa
    session, client = await make_client(url)
    async with session:
        messages = await client.resume("abc123", "en", "telegram")
    assert messages == [
        BotText(
            "Bạn đang trò chuyện lại với trợ lý tự động.",
            (Button("Người tư vấn", "/request_human"),),
        )
    ]  # texts with their buttons; the NLG's _gw block is not a message
    (kind1, cid1, query1, events), (kind2, cid2, query2, body) = fake.api_calls
    assert (kind1, cid1, kind2, cid2) == ("events", "abc123", "trigger", "abc123")
    assert query1 == {"token": "tok", "include_events": "NONE"}
    assert query2 == {"token": "tok", "include_events": "NONE", "output_channel": "collector"}
    assert body == {"name": "EXTERNAL_handed_back"}
    assert events[:2] == [
        {"event": "active_loop", "name": None},
        {"event": "slot", "name": "requested_slot", "value": None},
    ]
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert all(slots[f"lap_{i}"] is None for i in range(1, 12))  # partial answers dropped
    assert (slots["language"], slots["channel"]) == ("en", "telegram")
    assert not client.breaker.is_open


async def test_resume_fails_when_the_form_cannot_be_ended(rasa) -> None:
    fake, url = rasa
    fake.events_mode = "500"
    session, client = await make_client(url)
    async with session:
        with pytest.raises(RasaUnavailable, match="HTTP 500"):
            await client.resume("abc", "vi", "web")
    assert [call[0] for call in fake.api_calls] == ["events"]  # no intent without the reset


@pytest.mark.parametrize(("mode", "reason"), [("404", "HTTP 404"), ("no-messages", "messages")])
async def test_resume_fails_when_rasa_gives_no_answer(rasa, mode: str, reason: str) -> None:
    fake, url = rasa
    fake.trigger_mode = mode
    session, client = await make_client(url)
    async with session:
        with pytest.raises(RasaUnavailable, match=reason):
            await client.resume("abc", "vi", "web")
    assert [call[0] for call in fake.api_calls] == ["events", "trigger"]


async def test_slow_resume_fails_within_the_deadline(rasa) -> None:
    fake, url = rasa
    fake.events_mode = "slow"
    session, client = await make_client(url, timeout=0.4)
    async with session:
        started = time.monotonic()
        with pytest.raises(RasaUnavailable, match="timeout"):
            await client.resume("abc", "vi", "web")
        assert time.monotonic() - started < 0.8
    assert len(fake.api_calls) == 1  # a timed-out call is not re-sent


async def test_resume_honours_the_circuit_breaker() -> None:
    session, client = await make_client(f"http://127.0.0.1:{free_port()}")
    async with session:
        for _ in range(3):
            with pytest.raises(RasaUnavailable):
                await client.resume("abc", "vi", "web")
        assert client.breaker.is_open
        with pytest.raises(RasaUnavailable, match="circuit open"):
            await client.resume("abc", "vi", "web")


async def test_resume_quotes_the_conversation_id(rasa) -> None:
    fake, url = rasa
    session, client = await make_client(url)
    async with session:
        await client.resume("a/b?c", "vi", "web")
    assert {call[1] for call in fake.api_calls} == {"a/b?c"}


async def test_forget_replaces_the_tracker_with_nothing(rasa) -> None:
    fake, url = rasa
    session, client = await make_client(url)
    async with session:
        assert await client.forget("abc123") is True
    assert fake.forgotten == [("abc123", "tok", [])]
    assert not client.breaker.is_open


async def test_forget_failure_does_not_open_the_circuit() -> None:
    session, client = await make_client(f"http://127.0.0.1:{free_port()}")
    async with session:
        for _ in range(5):
            assert await client.forget("abc") is False
    assert not client.breaker.is_open


async def test_the_app_clears_trackers_of_quiet_conversations(
    rasa, aiohttp_client, settings
) -> None:
    import dataclasses

    from bot.app import create_app
    from tests.bot.conftest import ScriptedDialogue, start, turn

    fake, url = rasa
    quick = dataclasses.replace(
        settings,
        rasa_url=url,
        rasa_token=Secret("tok"),
        janitor_interval=0.05,
        rasa_forget_after_minutes=0,
    )
    client = await aiohttp_client(create_app(quick, dialogue=ScriptedDialogue()))
    ws = await client.ws_connect("/ws")
    await start(ws)
    await turn(ws, "xin chào")
    for _ in range(100):
        if fake.forgotten:
            break
        await asyncio.sleep(0.02)
    assert fake.forgotten and fake.forgotten[0][1] == "tok"
    assert len(fake.forgotten[0][0]) == 32
