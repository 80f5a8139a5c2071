"""Typing frames and answer order on the web chat (docs/WEBCHAT_PROTOCOL.md): `typing: on`
only for a turn slower than TYPING_DELAY, `typing: off` ends every turn, and every answer is
stored (after the person's message) before it is sent."""

from __future__ import annotations

from typing import Any

from bot.app import STORE
from bot.webchat import TYPING_DELAY
from tests.bot.conftest import ScriptedDialogue, start


async def frames_until_typing_off(ws: Any) -> list[dict[str, Any]]:
    frames = []
    while True:
        frame = await ws.receive_json(timeout=5)
        frames.append(frame)
        if frame == {"type": "typing", "on": False}:
            return frames


async def test_fast_turn_has_no_typing_on_and_ends_with_typing_off(client) -> None:
    ws = await client.ws_connect("/ws")
    await start(ws, "vi")
    await ws.send_json({"type": "message", "text": "xin chào", "client_id": 1})
    frames = await frames_until_typing_off(ws)
    assert [f["type"] for f in frames] == ["message", "typing"]
    assert frames[0]["text"] == "echo:8"


async def test_slow_turn_shows_typing_before_the_answer(client, dialogue: ScriptedDialogue) -> None:
    dialogue.delay = TYPING_DELAY + 0.3
    ws = await client.ws_connect("/ws")
    await start(ws, "vi")
    await ws.send_json({"type": "message", "text": "xin chào", "client_id": 1})
    frames = await frames_until_typing_off(ws)
    assert frames == [
        {"type": "typing", "on": True},
        frames[1],
        {"type": "typing", "on": False},
    ]
    assert frames[1]["type"] == "message" and frames[1]["text"] == "echo:8"


async def test_answers_are_stored_after_the_message_they_answer(client) -> None:
    ws = await client.ws_connect("/ws")
    session = await start(ws, "vi")
    for text in ("xin chào", "cho mình số hỗ trợ"):
        await ws.send_json({"type": "message", "text": text})
        frames = await frames_until_typing_off(ws)
    last_seq = frames[0]["seq"]
    await ws.close()
    ws = await client.ws_connect("/ws")
    await ws.send_json({"type": "start", "lang": "vi", "session": session["session"]})
    assert (await ws.receive_json(timeout=5))["resumed"] is True
    replay = [await ws.receive_json(timeout=5) for _ in range(last_seq)]
    assert [f["seq"] for f in replay] == list(range(1, last_seq + 1))
    assert [(f["from"], f["text"]) for f in replay[1:]] == [
        ("user", "xin chào"),
        ("bot", "echo:8"),
        ("user", "cho mình số hỗ trợ"),
        ("bot", "echo:18"),
    ]


async def test_unstorable_turn_gets_the_fail_safe_and_no_unstored_answer(
    client, dialogue: ScriptedDialogue
) -> None:
    ws = await client.ws_connect("/ws")
    await start(ws, "vi")
    await ws.send_json({"type": "message", "text": "xin chào", "client_id": 1})
    await frames_until_typing_off(ws)
    conversation_id = dialogue.calls[-1][0]
    await client.app[STORE].forget_conversation(conversation_id)  # behind the core's back
    await ws.send_json({"type": "message", "text": "còn đó không", "client_id": 2})
    frames = await frames_until_typing_off(ws)
    frames += [await ws.receive_json(timeout=5) for _ in range(2)]
    assert not [f for f in frames if f["type"] == "message" and "seq" in f]  # nothing unstored
    assert {
        "type": "error",
        "code": "internal",
        "message": "Something went wrong.",
        "client_id": 2,
    } in frames
    fail_safe = frames[-1]
    assert fail_safe["type"] == "message" and fail_safe["from"] == "system"
    assert "113" in fail_safe["text"] or "111" in fail_safe["text"]
