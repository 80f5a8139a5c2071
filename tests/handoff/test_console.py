"""The handoff queue and the counsellor console, end to end through the real app: a person
in the widget protocol (/ws), counsellors and supervisors on the console WebSocket
(/staff/console/ws) signed in through the real pages, real storage, Rasa scripted."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from aiohttp import WSServerHandshakeError
from aiohttp.test_utils import TestClient

from bot.app import CONTENT, CORE, STORE
from bot.content import ContentLibrary
from bot.messages import BotText
from bot.rasa_client import RasaReply
from bot.storage import ConversationState
from handoff.queue import HandoffQueue
from handoff.web import QUEUE
from tests.bot.conftest import ScriptedDialogue
from tests.handoff.conftest import FakeClock, Member, MemberFactory, origin

HUMAN = RasaReply(
    (BotText("(handoff)"),), "request_human", 0.99, ({"handoff": {"reason": "user_request"}},)
)
IMMINENT = "cứu em với, chồng em đang cầm dao đòi giết em"


def texts(client: TestClient, key: str, language: str, **variables: str) -> set[str]:
    library: ContentLibrary = client.app[CONTENT]()
    return {m.text for m in library.variations(key, language, variables)}


def queue_of(client: TestClient) -> HandoffQueue:
    return client.app[QUEUE]


def dialogue_of(client: TestClient) -> ScriptedDialogue:
    return client.app[CORE]._dialogue  # type: ignore[return-value]


class Console:
    """A console connection that keeps every frame it received."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.frames: list[dict[str, Any]] = []
        self.snapshot: dict[str, Any] = {}
        self._refs = 0

    async def next(
        self, match: Callable[[dict[str, Any]], bool], timeout: float = 5
    ) -> dict[str, Any]:
        for frame in self.frames:
            if match(frame):
                self.frames.remove(frame)
                return frame
        async with asyncio.timeout(timeout):
            while True:
                frame = await self.ws.receive_json()
                if match(frame):
                    return frame
                self.frames.append(frame)

    async def kind(self, frame_type: str, /, **fields: Any) -> dict[str, Any]:
        return await self.next(
            lambda f: f["type"] == frame_type and all(f.get(k) == v for k, v in fields.items())
        )

    async def entry(self, conversation_id: str, **fields: Any) -> dict[str, Any]:
        frame = await self.next(
            lambda f: (
                f["type"] == "entry"
                and f["entry"]["conversation_id"] == conversation_id
                and all(f["entry"].get(k) == v for k, v in fields.items())
            )
        )
        return dict(frame["entry"])

    async def command(self, frame_type: str, /, **fields: Any) -> dict[str, Any]:
        self._refs += 1
        ref = f"r{self._refs}"
        await self.ws.send_json({"type": frame_type, "ref": ref, **fields})
        return await self.next(lambda f: f["type"] in ("ok", "error") and f.get("ref") == ref)


async def console(member: Member) -> Console:
    ws = await member.client.ws_connect(
        "/staff/console/ws", headers={"Origin": origin(member.client)}
    )
    c = Console(ws)
    hello = await c.kind("hello")
    assert hello["me"]["username"] == member.username
    c.snapshot = await c.kind("snapshot")
    return c


class Person:
    """Someone in the web widget (the /ws protocol)."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.conversation_id = ""

    async def say(self, text: str) -> list[dict[str, Any]]:
        await self.ws.send_json({"type": "message", "text": text})
        frames = []
        while True:
            frame = await self.ws.receive_json(timeout=5)
            if frame["type"] == "typing" and frame["on"] is False and "from" not in frame:
                return frames
            if frame["type"] in ("message", "error"):
                frames.append(frame)

    async def receive(self, kind: str = "message") -> dict[str, Any]:
        while True:
            frame = await self.ws.receive_json(timeout=5)
            if frame["type"] == kind:
                return dict(frame)


async def person(client: TestClient, lang: str = "vi") -> Person:
    ws = await client.ws_connect("/ws")
    await ws.send_json({"type": "start", "lang": lang})
    session = await ws.receive_json(timeout=5)
    await ws.receive_json(timeout=5)  # the safety notice
    p = Person(ws)
    p.conversation_id = (await client.app[STORE].conversation_for_session(session["session"])).id
    p.session = session["session"]  # type: ignore[attr-defined]
    return p


async def queued_person(client: TestClient, lang: str = "en") -> Person:
    dialogue_of(client).replies["I want to talk to a person"] = HUMAN
    p = await person(client, lang)
    await p.say("I want to talk to a person")
    return p


@pytest.fixture(autouse=True)
def queue_clock(client: TestClient, clock: FakeClock) -> FakeClock:
    queue_of(client)._clock = clock
    return clock


# -- entering the queue -------------------------------------------------------------------


async def test_asking_for_a_person_queues_and_tells_position(
    client: TestClient, member: MemberFactory
) -> None:
    cora = await console(await member("cora", "counsellor"))
    dialogue_of(client).replies["I want to talk to a person"] = HUMAN
    p = await person(client, "en")
    frames = await p.say("I want to talk to a person")
    assert frames[-1]["from"] == "bot"
    assert frames[-1]["text"] in texts(client, "gw_queue_joined_unknown", "en", position="1")
    entry = await cora.entry(p.conversation_id, state="queued")
    assert entry["reason"] == "user_request"
    assert entry["claimed_by"] is None and entry["mine"] is False
    record = await client.app[STORE].get_conversation(p.conversation_id)
    assert record is not None and record.state == ConversationState.QUEUED


async def test_nobody_on_duty_says_so_and_offers_to_leave_a_message(client: TestClient) -> None:
    p = await queued_person(client)
    # no console is open: nobody is available
    last = (await client.app[STORE].messages_after(p.conversation_id, 0))[-1]
    assert last.text in texts(client, "gw_queue_offline", "en")


async def test_imminent_message_gets_numbers_first_and_tops_every_queue(
    client: TestClient, member: MemberFactory
) -> None:
    cora = await console(await member("cora", "counsellor"))
    sam = await console(await member("sam", "supervisor"))
    await queued_person(client)  # someone waiting already, at lower risk
    p = await person(client, "vi")
    frames = await p.say(IMMINENT)
    assert frames[0]["text"] in texts(client, "gw_imminent", "vi")
    for c in (cora, sam):
        entry = await c.entry(p.conversation_id, state="queued")
        assert entry["risk"] == "imminent"
        await c.kind("alert", kind="high_risk", conversation_id=p.conversation_id)
    fresh = await console(await member("cleo", "counsellor"))
    order = [e["conversation_id"] for e in fresh.snapshot["entries"]]
    assert len(order) == 2 and order[0] == p.conversation_id


async def test_while_queued_rasa_is_never_called_and_reminders_are_spaced(
    client: TestClient, member: MemberFactory, clock: FakeClock
) -> None:
    await console(await member("cora", "counsellor"))
    p = await queued_person(client)
    calls = len(dialogue_of(client).calls)
    first = await p.say("are you there?")
    assert first == []  # a reminder was part of joining; the next one is spaced
    clock.advance(seconds=121)
    second = await p.say("hello?")
    assert [f["text"] for f in second] and all("from" in f for f in second)
    assert second[0]["text"] in texts(client, "gw_queue_waiting", "en", position="1")
    assert len(dialogue_of(client).calls) == calls
    stored = [m.text for m in await client.app[STORE].messages_after(p.conversation_id, 0)]
    assert "are you there?" in stored and "hello?" in stored


async def test_risk_rising_while_queued_raises_the_entry(
    client: TestClient, member: MemberFactory
) -> None:
    cora = await console(await member("cora", "counsellor"))
    p = await queued_person(client)
    await cora.entry(p.conversation_id, risk="none")
    await p.say("he has a knife and says he will kill me tonight")
    entry = await cora.entry(p.conversation_id, risk="imminent")
    assert entry["state"] == "queued"
    await cora.kind("alert", kind="high_risk", conversation_id=p.conversation_id)


# -- claiming, replying, notes --------------------------------------------------------------


async def test_claim_reply_and_second_claim_refused(
    client: TestClient, member: MemberFactory
) -> None:
    ana, bea = await member("ana", "counsellor"), await member("bea", "counsellor")
    a, b = await console(ana), await console(bea)
    p = await queued_person(client)
    assert (await a.command("claim", conversation_id=p.conversation_id))["type"] == "ok"
    joined = await p.receive()
    assert joined["from"] == "system"
    assert joined["text"] in texts(client, "gw_counsellor_joined", "en")
    taken = await b.entry(p.conversation_id, state="human")
    assert taken["claimed_by"]["username"] == "ana" and taken["mine"] is False
    refused = await b.command("claim", conversation_id=p.conversation_id)
    assert refused["type"] == "error" and refused["code"] == "taken"

    transcript = await a.command("open", conversation_id=p.conversation_id)
    assert transcript["type"] == "ok"
    got = await a.kind("transcript", conversation_id=p.conversation_id)
    assert "I want to talk to a person" in [m["text"] for m in got["messages"]]

    ok = await a.command("reply", conversation_id=p.conversation_id, text="Hi, I'm here.")
    assert ok["type"] == "ok" and ok["delivered"] is True
    reply = await p.receive()
    assert reply["from"] == "counsellor" and reply["text"] == "Hi, I'm here."
    assert reply["seq"] == ok["seq"]

    # the person answers: it reaches the console that opened it, not Rasa
    calls = len(dialogue_of(client).calls)
    assert await p.say("thank you") == []
    live = await a.next(lambda f: f["type"] == "message" and f["message"]["from"] == "user")
    assert live["message"]["text"] == "thank you"
    assert live["conversation_id"] == p.conversation_id
    assert len(dialogue_of(client).calls) == calls


async def test_a_reply_resent_with_the_same_ref_is_stored_once(
    client: TestClient, member: MemberFactory
) -> None:
    a = await console(await member("ana", "counsellor"))
    p = await queued_person(client)
    await a.command("claim", conversation_id=p.conversation_id)
    frame = {"type": "reply", "conversation_id": p.conversation_id, "text": "once", "ref": "x1"}
    await a.ws.send_json(frame)
    first = await a.kind("ok", ref="x1")
    await a.ws.send_json(frame)
    second = await a.kind("ok", ref="x1")
    assert first["seq"] == second["seq"]
    stored = [m.text for m in await client.app[STORE].messages_after(p.conversation_id, 0)]
    assert stored.count("once") == 1


async def test_typing_reaches_the_widget(client: TestClient, member: MemberFactory) -> None:
    a = await console(await member("ana", "counsellor"))
    p = await queued_person(client)
    await a.command("claim", conversation_id=p.conversation_id)
    await p.receive()  # a counsellor has joined
    await a.ws.send_json({"type": "typing", "conversation_id": p.conversation_id, "on": True})
    typing = await p.receive("typing")
    assert typing == {"type": "typing", "on": True, "from": "counsellor"}


async def test_reply_while_widget_away_is_replayed_on_resume(
    client: TestClient, member: MemberFactory
) -> None:
    a = await console(await member("ana", "counsellor"))
    p = await queued_person(client)
    await a.command("claim", conversation_id=p.conversation_id)
    await p.ws.close()
    ok = await a.command("reply", conversation_id=p.conversation_id, text="still there?")
    assert ok["delivered"] is False
    ws = await client.ws_connect("/ws")
    await ws.send_json({"type": "start", "session": p.session, "last_seq": 0})  # type: ignore[attr-defined]
    seen = []
    while True:
        frame = await ws.receive_json(timeout=5)
        if frame["type"] == "message":
            seen.append(frame)
            if frame["text"] == "still there?":
                break
    assert seen[-1]["from"] == "counsellor" and seen[-1]["replay"] is True


async def test_counsellors_see_only_their_own_transcripts(
    client: TestClient, member: MemberFactory
) -> None:
    ana, bea = await member("ana", "counsellor"), await member("bea", "counsellor")
    a, b = await console(ana), await console(bea)
    sam = await console(await member("sam", "supervisor"))
    p = await queued_person(client)
    for c in (a, b):  # queued, unassigned: nobody reads it before claiming
        refused = await c.command("open", conversation_id=p.conversation_id)
        assert refused["code"] == "not_found"
    missing = await b.command("open", conversation_id="0" * 32)
    assert missing["code"] == refused["code"] and missing["message"] == refused["message"]
    await a.command("claim", conversation_id=p.conversation_id)
    assert (await b.command("open", conversation_id=p.conversation_id))["code"] == "not_found"
    assert (await b.command("reply", conversation_id=p.conversation_id, text="x"))[
        "code"
    ] == "not_yours"
    assert (await sam.command("open", conversation_id=p.conversation_id))["type"] == "ok"
    audit = await client.app[STORE].staff.audit_entries(action="transcript_opened")
    assert [e.username for e in audit] == ["sam"]
    denied = await client.app[STORE].staff.audit_entries(action="transcript_denied")
    assert len(denied) == 4


async def test_notes_are_private(client: TestClient, member: MemberFactory) -> None:
    a = await console(await member("ana", "counsellor"))
    p = await queued_person(client)
    await a.command("claim", conversation_id=p.conversation_id)
    await a.command("open", conversation_id=p.conversation_id)
    ok = await a.command("note", conversation_id=p.conversation_id, text="prefers evenings")
    assert ok["note"]["text"] == "prefers evenings" and ok["note"]["by"] == "ana"
    stored = [m.text for m in await client.app[STORE].messages_after(p.conversation_id, 0)]
    assert "prefers evenings" not in stored
    again = await a.command("open", conversation_id=p.conversation_id)
    assert again["type"] == "ok"
    transcript = await a.kind("transcript", conversation_id=p.conversation_id)
    transcript = await a.kind("transcript", conversation_id=p.conversation_id)
    assert [n["text"] for n in transcript["notes"]] == ["prefers evenings"]


async def test_the_cap_limits_how_many_chats_one_counsellor_holds(
    client: TestClient, member: MemberFactory
) -> None:
    a = await console(await member("ana", "counsellor"))
    people = [await queued_person(client) for _ in range(4)]
    results = [await a.command("claim", conversation_id=p.conversation_id) for p in people]
    assert [r["type"] for r in results] == ["ok", "ok", "ok", "error"]
    assert results[-1]["code"] == "cap"


async def test_bad_console_input_gets_clear_errors(
    client: TestClient, member: MemberFactory
) -> None:
    a = await console(await member("ana", "counsellor"))
    await a.ws.send_str("{not json")
    assert (await a.kind("error"))["code"] == "bad_json"
    assert (await a.command("fly"))["code"] == "unknown_type"
    assert (await a.command("presence", status="asleep"))["code"] == "bad_presence"
    p = await queued_person(client)
    await a.command("claim", conversation_id=p.conversation_id)
    assert (await a.command("reply", conversation_id=p.conversation_id, text="  "))[
        "code"
    ] == "empty"
    too_long = await a.command("reply", conversation_id=p.conversation_id, text="x" * 2001)
    assert too_long["code"] == "too_long"
    assert (await a.command("close", conversation_id=p.conversation_id, outcome="meh"))[
        "code"
    ] == "bad_outcome"


# -- handing back, closing, leaving -----------------------------------------------------------


async def test_hand_back_returns_to_the_bot(client: TestClient, member: MemberFactory) -> None:
    a = await console(await member("ana", "counsellor"))
    p = await queued_person(client)
    await a.command("claim", conversation_id=p.conversation_id)
    await p.receive()
    assert (await a.command("hand_back", conversation_id=p.conversation_id))["type"] == "ok"
    await a.kind("removed", conversation_id=p.conversation_id)
    back = await p.receive()
    # Rasa is not reachable in these tests: the approved static text says the same
    assert back["text"] in texts(client, "gw_handed_back", "en")
    calls = len(dialogue_of(client).calls)
    frames = await p.say("hello again")
    assert frames and frames[0]["text"].startswith("echo:")
    assert len(dialogue_of(client).calls) == calls + 1


async def test_close_with_an_outcome(client: TestClient, member: MemberFactory) -> None:
    a = await console(await member("ana", "counsellor"))
    p = await queued_person(client)
    await a.command("claim", conversation_id=p.conversation_id)
    await p.receive()
    assert (await a.command("close", conversation_id=p.conversation_id, outcome="referred"))[
        "type"
    ] == "ok"
    closed = await p.receive()
    assert closed["text"] in texts(client, "gw_conversation_closed", "en")
    entry = await client.app[STORE].queue.entry(p.conversation_id)
    record = await client.app[STORE].get_conversation(p.conversation_id)
    assert record is not None and record.state == ConversationState.CLOSED
    assert entry is None or entry.outcome == "referred"


async def test_quick_exit_marks_left_and_nobody_can_send(
    client: TestClient, member: MemberFactory
) -> None:
    a = await console(await member("ana", "counsellor"))
    p = await queued_person(client)
    await a.command("claim", conversation_id=p.conversation_id)
    await p.ws.send_json({"type": "exit"})
    entry = await a.entry(p.conversation_id, state="left")
    assert entry["state"] == "left"
    await a.kind("alert", kind="left", conversation_id=p.conversation_id)
    refused = await a.command("reply", conversation_id=p.conversation_id, text="hello?")
    assert refused["code"] == "left"
    record = await client.app[STORE].get_conversation(p.conversation_id)
    assert record is not None and record.state == ConversationState.CLOSED


async def test_release_puts_it_back_in_the_queue_keeping_its_place(
    client: TestClient, member: MemberFactory
) -> None:
    a = await console(await member("ana", "counsellor"))
    p = await queued_person(client)
    await a.command("claim", conversation_id=p.conversation_id)
    before = (await client.app[STORE].queue.entry(p.conversation_id)).queued_at
    assert (await a.command("release", conversation_id=p.conversation_id))["type"] == "ok"
    entry = await a.entry(p.conversation_id, state="queued")
    assert entry["claimed_by"] is None
    assert (await client.app[STORE].queue.entry(p.conversation_id)).queued_at == before


# -- timers -----------------------------------------------------------------------------------


async def test_unclaimed_entries_escalate_to_supervisors_only(
    client: TestClient, member: MemberFactory, clock: FakeClock
) -> None:
    a = await console(await member("ana", "counsellor"))
    sam = await console(await member("sam", "supervisor"))
    p = await queued_person(client)
    clock.advance(minutes=6)
    await queue_of(client).tick()
    await sam.kind("alert", kind="escalated", conversation_id=p.conversation_id)
    entry = await a.entry(p.conversation_id, escalated=True)
    assert entry["escalated"] is True
    assert not [f for f in a.frames if f["type"] == "alert" and f["kind"] == "escalated"]


async def test_unanswered_person_goes_back_to_the_queue(
    client: TestClient, member: MemberFactory, clock: FakeClock
) -> None:
    a = await console(await member("ana", "counsellor"))
    p = await queued_person(client)
    await a.command("claim", conversation_id=p.conversation_id)
    await p.receive()
    await a.command("reply", conversation_id=p.conversation_id, text="hi")
    await p.receive()
    clock.advance(minutes=10)
    await queue_of(client).tick()  # the person has not written since: nothing to answer
    assert (await client.app[STORE].queue.entry(p.conversation_id)).state == ConversationState.HUMAN
    await p.say("are you still there?")
    clock.advance(minutes=6)
    await queue_of(client).tick()
    await a.kind("alert", kind="returned", conversation_id=p.conversation_id)
    notice = await p.receive()
    assert notice["text"] in texts(client, "gw_queue_returned", "en")
    assert (
        await client.app[STORE].queue.entry(p.conversation_id)
    ).state == ConversationState.QUEUED


# -- the socket itself ------------------------------------------------------------------------


async def test_console_socket_refuses_other_origins_and_anonymous(
    client: TestClient, member: MemberFactory, aiohttp_client: Any
) -> None:
    ana = await member("ana", "counsellor")
    with pytest.raises(WSServerHandshakeError) as other:
        await ana.client.ws_connect("/staff/console/ws", headers={"Origin": "https://evil.example"})
    assert other.value.status == 403
    with pytest.raises(WSServerHandshakeError) as none:
        await ana.client.ws_connect("/staff/console/ws")
    assert none.value.status == 403
    anonymous = await aiohttp_client(client.server)
    with pytest.raises(WSServerHandshakeError) as anon:
        await anonymous.ws_connect("/staff/console/ws", headers={"Origin": origin(anonymous)})
    assert anon.value.status == 403


async def test_reconnect_gets_a_snapshot_and_only_newer_messages(
    client: TestClient, member: MemberFactory
) -> None:
    ana = await member("ana", "counsellor")
    a = await console(ana)
    p = await queued_person(client)
    await a.command("claim", conversation_id=p.conversation_id)
    await a.command("open", conversation_id=p.conversation_id)
    got = await a.kind("transcript", conversation_id=p.conversation_id)
    last = got["messages"][-1]["seq"]
    await a.ws.close()
    await p.say("hello, anyone?")
    again = Console(
        await ana.client.ws_connect("/staff/console/ws", headers={"Origin": origin(ana.client)})
    )
    await again.kind("hello")
    snapshot = await again.kind("snapshot")
    mine = [e for e in snapshot["entries"] if e["mine"]]
    assert [e["conversation_id"] for e in mine] == [p.conversation_id]
    await again.command("open", conversation_id=p.conversation_id, after_seq=last)
    newer = await again.kind("transcript", conversation_id=p.conversation_id)
    assert [m["text"] for m in newer["messages"]] == ["hello, anyone?"]


async def test_presence_and_health(client: TestClient, member: MemberFactory) -> None:
    a = await console(await member("ana", "counsellor"))
    await a.command("presence", status="away")
    health = await a.next(
        lambda f: f["type"] == "health" and f["health"]["counsellors_available"] == 0
    )
    assert health["health"]["counsellors_online"] == 1
    assert health["health"]["on_duty"] is False
    p = await queued_person(client)
    last = (await client.app[STORE].messages_after(p.conversation_id, 0))[-1]
    assert last.text in texts(client, "gw_queue_offline", "en")


# -- duty hours, wait estimate, restart -------------------------------------------------------


def test_handoff_hours_are_parsed_and_checked() -> None:
    from bot.errors import ConfigError
    from bot.settings import Settings

    assert Settings.from_env({}).handoff_hours is None
    assert Settings.from_env({"HANDOFF_HOURS": "07:00-22:00"}).handoff_hours == (420, 1320)
    assert Settings.from_env({"HANDOFF_HOURS": "22:00-06:30"}).handoff_hours == (1320, 390)
    for bad in ("7-22", "07:00-07:00", "25:00-26:00", "nine to five"):
        with pytest.raises(ConfigError):
            Settings.from_env({"HANDOFF_HOURS": bad})
    with pytest.raises(ConfigError):
        Settings.from_env({"HANDOFF_TIMEZONE": "Mars/Olympus"})


@pytest.mark.parametrize(
    ("hours", "utc_hour", "inside"),
    [
        ((7 * 60, 22 * 60), 1, True),  # 08:00 in Hà Nội (UTC+7)
        ((7 * 60, 22 * 60), 16, False),  # 23:00 in Hà Nội
        ((22 * 60, 6 * 60), 16, True),  # 23:00, a night shift past midnight
        ((22 * 60, 6 * 60), 5, False),  # 12:00
    ],
)
def test_duty_hours_in_the_configured_time_zone(
    hours: tuple[int, int], utc_hour: int, inside: bool
) -> None:
    import dataclasses
    from datetime import UTC, datetime

    from bot.settings import Settings

    settings = dataclasses.replace(Settings(), handoff_hours=hours)
    queue = HandoffQueue(settings, None, None, None, None)  # type: ignore[arg-type]
    now = datetime(2026, 12, 2, utc_hour, 0, tzinfo=UTC)
    assert queue._within_hours(now) is inside


async def test_outside_duty_hours_nobody_is_on_duty_even_when_online(
    client: TestClient, member: MemberFactory
) -> None:
    import dataclasses

    queue = queue_of(client)
    now = queue._clock()
    local_hour = (now.hour + 7) % 24
    closed = ((local_hour + 2) % 24 * 60, (local_hour + 3) % 24 * 60)
    queue._settings = dataclasses.replace(queue._settings, handoff_hours=closed)
    await console(await member("ana", "counsellor"))
    p = await queued_person(client)
    last = (await client.app[STORE].messages_after(p.conversation_id, 0))[-1]
    assert last.text in texts(client, "gw_queue_offline", "en")


async def test_the_wait_estimate_comes_from_recent_waits(
    client: TestClient, member: MemberFactory, clock: FakeClock
) -> None:
    a = await console(await member("ana", "counsellor"))
    await a.command("presence", status="available")
    for _ in range(3):  # three people waited four minutes each today
        p = await queued_person(client)
        clock.advance(minutes=4)
        await a.command("claim", conversation_id=p.conversation_id)
        await a.command("close", conversation_id=p.conversation_id, outcome="resolved")
    dialogue_of(client).replies["I want to talk to a person"] = HUMAN
    late = await person(client, "en")
    frames = await late.say("I want to talk to a person")
    wait = texts(client, "gw_wait_minutes", "en", minutes="4").pop()
    assert frames[-1]["text"] in texts(client, "gw_queue_joined", "en", position="1", wait=wait)


async def test_the_queue_survives_a_restart(
    aiohttp_client: Any, client: TestClient, settings: Any
) -> None:
    p = await queued_person(client)
    from bot.app import create_app

    again = await aiohttp_client(create_app(settings, dialogue=ScriptedDialogue()))
    queue = again.app[QUEUE]
    from handoff.queue import ConsoleLink
    from handoff.roles import Role

    link = ConsoleLink("0" * 32, "sam", Role.SUPERVISOR)
    entries = queue.snapshot(link)["entries"]
    assert [e["conversation_id"] for e in entries] == [p.conversation_id]
    assert entries[0]["state"] == "queued" and entries[0]["reason"] == "user_request"


async def test_two_simultaneous_claims_have_exactly_one_winner(
    client: TestClient, member: MemberFactory
) -> None:
    a = await console(await member("ana", "counsellor"))
    b = await console(await member("bea", "counsellor"))
    p = await queued_person(client)
    results = await asyncio.gather(
        a.command("claim", conversation_id=p.conversation_id),
        b.command("claim", conversation_id=p.conversation_id),
    )
    assert sorted(r["type"] for r in results) == ["error", "ok"]
    assert [r["code"] for r in results if r["type"] == "error"] == ["taken"]
    claims = await client.app[STORE].staff.audit_entries(action="conversation_claimed")
    assert len(claims) == 1


async def test_the_console_sees_what_the_person_was_sent(
    client: TestClient, member: MemberFactory
) -> None:
    """The emergency numbers sent during a held turn, and the system notices, reach the
    console live (not only when the transcript is opened again)."""
    a = await console(await member("ana", "counsellor"))
    p = await queued_person(client, "vi")
    await a.command("claim", conversation_id=p.conversation_id)
    await a.command("open", conversation_id=p.conversation_id)
    await a.kind("transcript", conversation_id=p.conversation_id)
    await p.receive()  # a counsellor has joined
    frames = await p.say(IMMINENT)
    assert frames[0]["text"] in texts(client, "gw_imminent", "vi")
    seen = [
        await a.next(lambda f: f["type"] == "message" and f["conversation_id"] == p.conversation_id)
        for _ in range(2)
    ]
    by_sender = {m["message"]["from"]: m["message"]["text"] for m in seen}
    assert by_sender["user"] == IMMINENT
    assert by_sender["bot"] in texts(client, "gw_imminent", "vi")
    await a.command("release", conversation_id=p.conversation_id)
    notice = await a.next(lambda f: f["type"] == "message" and f["message"]["from"] == "system")
    assert notice["message"]["text"] in texts(client, "gw_queue_returned", "vi")
