"""The web chat protocol, end to end through the real app (Rasa scripted)."""

from __future__ import annotations

import dataclasses
import json

from aiohttp import WSCloseCode, WSMsgType

from bot.app import create_app
from bot.content import ContentLibrary
from bot.rasa_client import RasaReply
from tests.bot.conftest import ScriptedDialogue, start, texts, turn


async def test_start_issues_session_and_safety_notice(client, library: ContentLibrary) -> None:
    ws = await client.ws_connect("/ws")
    await ws.send_json({"type": "start", "lang": "en"})
    session = await ws.receive_json()
    assert session["type"] == "session" and session["resumed"] is False
    assert len(session["session"]) >= 40
    notice = await ws.receive_json()
    assert notice["text"] in texts(library, "gw_safety_notice", "en")


async def test_message_goes_to_rasa_with_metadata_and_answer_comes_back(
    client, dialogue: ScriptedDialogue
) -> None:
    ws = await client.ws_connect("/ws")
    await start(ws, "vi")
    frames = await turn(ws, "  xin chào  ")
    assert [f["text"] for f in frames] == ["echo:8"]
    assert frames[0]["buttons"] == [{"title": "Có", "payload": "/affirm"}]
    conversation_id, text, metadata = dialogue.calls[-1]
    assert text == "xin chào"
    assert metadata == {"language": "vi", "channel": "web"}
    assert len(conversation_id) == 32


async def test_button_payload_is_sent_instead_of_title(client, dialogue: ScriptedDialogue) -> None:
    ws = await client.ws_connect("/ws")
    await start(ws)
    await turn(ws, "Có", payload="/affirm")
    assert dialogue.calls[-1][1] == "/affirm"
    frames = await turn(ws, "x", payload='/affirm{"a": 1}')
    assert frames[0]["code"] == "bad_payload"


async def test_imminent_danger_gets_emergency_numbers_first(
    client, dialogue: ScriptedDialogue, library: ContentLibrary
) -> None:
    ws = await client.ws_connect("/ws")
    await start(ws, "vi")
    frames = await turn(ws, "cuu em voi ck dang cam dao doi giet em")
    assert frames[0]["text"] in texts(library, "gw_imminent", "vi")
    assert "113" in frames[0]["text"]
    assert frames[1]["text"].startswith("echo:")


async def test_rasa_down_gives_static_answer_with_numbers(
    client, dialogue: ScriptedDialogue, library: ContentLibrary
) -> None:
    dialogue.down = True
    ws = await client.ws_connect("/ws")
    await start(ws, "en")
    frames = await turn(ws, "where can I get help")
    assert [f["text"] for f in frames] == [frames[0]["text"]]
    assert frames[0]["text"] in texts(library, "gw_unavailable", "en")
    assert "113" in frames[0]["text"]
    dialogue.down = False
    frames = await turn(ws, "hello again")
    assert frames[0]["text"].startswith("echo:")


async def test_malformed_json_gets_error_and_connection_stays(client) -> None:
    ws = await client.ws_connect("/ws")
    await ws.send_str("{not json")
    assert (await ws.receive_json())["code"] == "bad_json"
    await ws.send_str("[1, 2]")
    assert (await ws.receive_json())["code"] == "bad_frame"
    await ws.send_json({"type": "dance"})
    assert (await ws.receive_json())["code"] == "unknown_type"
    await ws.send_json({"type": "message", "text": "hi", "client_id": 7})
    assert await ws.receive_json() == {
        "type": "error",
        "code": "not_started",
        "message": "Send a start frame first.",
        "client_id": 7,
    }
    await ws.send_json({"type": "ping"})
    assert (await ws.receive_json())["type"] == "pong"


async def test_unknown_language_is_refused_clearly(client) -> None:
    ws = await client.ws_connect("/ws")
    await ws.send_json({"type": "start", "lang": "fr"})
    frame = await ws.receive_json()
    assert frame["code"] == "unknown_language"
    await start(ws, "en")


async def test_oversized_frame_closes_with_1009(client) -> None:
    ws = await client.ws_connect("/ws")
    await start(ws)
    await ws.send_str(json.dumps({"type": "message", "text": "a" * 20_000}))
    msg = await ws.receive()
    assert msg.type in (WSMsgType.CLOSE, WSMsgType.CLOSED, WSMsgType.CLOSING)
    assert ws.close_code == WSCloseCode.MESSAGE_TOO_BIG


async def test_long_message_is_cut_at_2000_chars_with_a_note(
    client, dialogue: ScriptedDialogue, library: ContentLibrary
) -> None:
    ws = await client.ws_connect("/ws")
    await start(ws, "en")
    frames = await turn(ws, "word " * 1000)
    assert len(dialogue.calls[-1][1]) == 2000
    assert frames[0]["text"] in texts(library, "gw_truncated", "en")


async def test_rate_limit_reports_the_refused_message(
    aiohttp_client, settings, dialogue: ScriptedDialogue
) -> None:
    strict = dataclasses.replace(settings, ws_rate=0.01, ws_burst=2)
    client = await aiohttp_client(create_app(strict, dialogue=dialogue))
    ws = await client.ws_connect("/ws")
    await start(ws)
    assert (await turn(ws, "một", client_id=1))[0]["text"].startswith("echo:")
    assert (await turn(ws, "hai", client_id=2))[0]["text"].startswith("echo:")
    refused = await turn(ws, "ba", client_id=3)
    assert refused == [
        {
            "type": "error",
            "code": "rate_limited",
            "client_id": 3,
            "message": "Too many messages; please send it again shortly.",
        }
    ]
    assert [c[1] for c in dialogue.calls] == ["một", "hai"]


async def test_reconnect_replays_missed_messages(client) -> None:
    ws = await client.ws_connect("/ws")
    session = await start(ws)
    first = await turn(ws, "một")
    await turn(ws, "hai")
    await ws.close()

    ws2 = await client.ws_connect("/ws")
    await ws2.send_json(
        {"type": "start", "session": session["session"], "last_seq": first[0]["seq"]}
    )
    resumed = await ws2.receive_json()
    assert resumed["resumed"] is True
    replayed = [await ws2.receive_json() for _ in range(2)]
    assert [f["from"] for f in replayed] == ["user", "bot"]
    assert replayed[0]["text"] == "hai" and all(f["replay"] for f in replayed)


async def test_unknown_session_starts_a_new_conversation(client) -> None:
    ws = await client.ws_connect("/ws")
    await ws.send_json({"type": "start", "session": "forged-token", "lang": "vi"})
    frame = await ws.receive_json()
    assert frame["resumed"] is False and frame["session"] != "forged-token"


async def test_handoff_payload_queues_and_answers_honestly(
    client, dialogue: ScriptedDialogue, library: ContentLibrary
) -> None:
    """Nobody has a console open: the person is told so (tests/handoff/test_console.py
    covers the queue itself)."""
    dialogue.replies["/request_human"] = RasaReply(
        (), "request_human", 0.97, ({"handoff": {"reason": "user_request"}},)
    )
    ws = await client.ws_connect("/ws")
    await start(ws, "vi")
    frames = await turn(ws, "Nói chuyện với người thật", payload="/request_human")
    assert [f["text"] for f in frames][-1] in texts(library, "gw_queue_offline", "vi")


async def test_location_is_sent_as_metadata_and_not_stored(
    client, dialogue: ScriptedDialogue
) -> None:
    ws = await client.ws_connect("/ws")
    session = await start(ws)
    await ws.send_json({"type": "location", "lat": 21.03, "lon": 105.85})
    while (await ws.receive_json()) != {"type": "typing", "on": False}:
        pass
    _, text, metadata = dialogue.calls[-1]
    assert text == "/share_location"
    assert metadata["location"] == {"lat": 21.03, "lon": 105.85}
    ws2 = await client.ws_connect("/ws")
    await ws2.send_json({"type": "start", "session": session["session"], "last_seq": 0})
    await ws2.receive_json()
    stored = [await ws2.receive_json() for _ in range(3)]  # notice, location, echo
    assert stored[1] == {
        "type": "message",
        "seq": 2,
        "from": "user",
        "text": "(location shared)",
        "buttons": [],
        "replay": True,
    }
    assert not any("21.03" in f["text"] for f in stored)
    await ws.send_json({"type": "location", "lat": 999, "lon": 0})
    frames = []
    while not frames:
        frame = await ws.receive_json()
        if frame["type"] == "error":
            frames.append(frame)
    assert frames[0]["code"] == "bad_location"


async def test_websocket_from_foreign_origin_is_forbidden(client) -> None:
    resp = await client.get(
        "/ws",
        headers={
            "Origin": "https://evil.example",
            "Upgrade": "websocket",
            "Connection": "Upgrade",
            "Sec-WebSocket-Version": "13",
            "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
        },
    )
    assert resp.status == 403


async def test_language_follows_what_the_person_writes(client, dialogue: ScriptedDialogue) -> None:
    ws = await client.ws_connect("/ws")
    await start(ws, "en")
    await turn(ws, "toi bi chong danh, khong biet phai lam sao")
    assert dialogue.calls[-1][2]["language"] == "vi"


async def test_a_conversation_held_for_a_human_never_calls_rasa_and_is_not_silent(
    client, dialogue: ScriptedDialogue, library: ContentLibrary
) -> None:
    from bot.app import CORE, STORE
    from bot.storage import ConversationState

    ws = await client.ws_connect("/ws")
    await start(ws, "en")
    await turn(ws, "hello")
    conversation_id = dialogue.calls[-1][0]
    await client.app[STORE].update_conversation(conversation_id, state=ConversationState.QUEUED)
    client.app[CORE].invalidate(conversation_id)  # changed outside the core
    calls = len(dialogue.calls)
    frames = await turn(ws, "are you there")
    assert len(dialogue.calls) == calls
    assert frames[-1]["text"] in texts(library, "gw_unavailable", "en")
