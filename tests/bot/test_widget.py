"""The web widget's routes (loader script, chat frame) and its protocol additions (exit,
language switch on resume). The widget itself runs in Chromium in tests/browser/."""

from __future__ import annotations

import dataclasses
import gzip
import html
import re

from aiohttp import WSMsgType

from bot.app import STORE, create_app
from bot.content import ContentLibrary
from bot.settings import DEFAULT_EXIT_URL, Settings
from bot.storage import ConversationState
from bot.widget import STATIC
from tests.bot.conftest import ScriptedDialogue, start, turn

SIZE_BUDGET = 25 * 1024  # gzipped, everything the widget loads


async def test_loader_script_is_javascript_with_the_configured_exit(
    aiohttp_client, settings: Settings, dialogue: ScriptedDialogue
) -> None:
    custom = dataclasses.replace(settings, widget_exit_url="https://news.example/today")
    client = await aiohttp_client(create_app(custom, dialogue=dialogue))
    resp = await client.get("/widget.js")
    assert resp.status == 200
    assert resp.content_type == "text/javascript"
    body = await resp.text()
    assert 'var DEFAULT_EXIT = "https://news.example/today";' in body
    assert "__GW_EXIT_URL__" not in body
    assert resp.headers["Cache-Control"] == "no-store"


async def test_default_exit_is_a_neutral_page(client) -> None:
    body = await (await client.get("/widget.js")).text()
    assert f'"{DEFAULT_EXIT_URL}"' in body


async def test_frame_page_may_be_framed_by_allow_listed_sites_only(
    aiohttp_client, settings: Settings, dialogue: ScriptedDialogue, library: ContentLibrary
) -> None:
    embedded = dataclasses.replace(settings, allowed_origins=("https://partner.example",))
    client = await aiohttp_client(create_app(embedded, dialogue=dialogue))
    resp = await client.get("/widget/frame")
    assert resp.status == 200
    csp = resp.headers["Content-Security-Policy"]
    assert "frame-ancestors 'self' https://partner.example" in csp
    assert "script-src 'self';" in csp and "style-src 'self';" in csp
    assert "unsafe-inline" not in csp
    host = resp.url.host + ":" + str(resp.url.port)
    assert f"connect-src 'self' ws://{host} wss://{host};" in csp
    page = await resp.text()
    assert "{{" not in page
    assert '<script src="/static/frame.js"></script>' in page
    assert "<script>" not in page and "style=" not in page  # nothing inline: the CSP holds
    for lang in ("vi", "en"):
        text = library.render("gw_location_ask", lang).text
        assert f'data-loc-{lang}="{html.escape(text, quote=True)}"' in page


async def test_other_pages_still_refuse_to_be_framed(client) -> None:
    resp = await client.get("/")
    assert "frame-ancestors 'none'" in resp.headers["Content-Security-Policy"]


async def test_a_forged_host_header_cannot_inject_into_the_policy(client) -> None:
    resp = await client.get("/widget/frame", headers={"Host": "x; script-src *"})
    csp = resp.headers["Content-Security-Policy"]
    assert "script-src *" not in csp
    assert "connect-src 'self';" in csp


async def test_demo_page_is_a_neutral_host_page_with_the_one_script_tag(client) -> None:
    body = await (await client.get("/")).text()
    assert re.search(r'<script src="/widget.js" data-lang="vi"></script>', body)
    assert not re.search(r"bạo lực|violence|abuse", body, re.IGNORECASE)


async def test_everything_the_widget_loads_fits_the_size_budget(client) -> None:
    total = 0
    for path in ("/widget.js", "/widget/frame", "/static/frame.js", "/static/frame.css"):
        resp = await client.get(path)
        assert resp.status == 200, path
        total += len(gzip.compress(await resp.read(), 9))
    assert total <= SIZE_BUDGET, total


def test_widget_code_never_touches_browser_storage_or_other_sites() -> None:
    for name in ("widget.js", "frame.js", "frame.html", "frame.css"):
        code = (STATIC / name).read_text(encoding="utf-8")
        for api in ("localStorage", "sessionStorage", "document.cookie", "indexedDB"):
            assert api not in code, (name, api)
        assert not re.search(r"(?:src|href)=\"https?://", code), name
        assert "@import" not in code and "url(http" not in code, name


async def test_exit_ends_the_conversation_and_closes_the_socket(
    client, dialogue: ScriptedDialogue
) -> None:
    ws = await client.ws_connect("/ws")
    session = await start(ws)
    await turn(ws, "xin chào")
    conversation_id = dialogue.calls[-1][0]
    await ws.send_json({"type": "exit"})
    closing = await ws.receive(timeout=5)
    assert closing.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED)
    record = await client.app[STORE].get_conversation(conversation_id)
    assert record is not None and record.state == ConversationState.CLOSED

    again = await client.ws_connect("/ws")  # the session id no longer resumes it
    await again.send_json({"type": "start", "lang": "vi", "session": session["session"]})
    frame = await again.receive_json(timeout=5)
    assert frame["type"] == "session" and frame["resumed"] is False
    assert frame["session"] != session["session"]


async def test_exit_before_start_only_closes(client) -> None:
    ws = await client.ws_connect("/ws")
    await ws.send_json({"type": "exit"})
    closing = await ws.receive(timeout=5)
    assert closing.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED)


async def test_resuming_with_another_language_switches_the_conversation(
    client, dialogue: ScriptedDialogue
) -> None:
    ws = await client.ws_connect("/ws")
    session = (await start(ws, "vi"))["session"]
    await ws.close()
    ws = await client.ws_connect("/ws")
    await ws.send_json({"type": "start", "lang": "en", "session": session, "last_seq": 1})
    frame = await ws.receive_json(timeout=5)
    assert frame == {"type": "session", "session": session, "lang": "en", "resumed": True}
    await turn(ws, "ok", payload="/affirm")  # a button press: no text to detect from
    assert dialogue.calls[-1][2]["language"] == "en"

    ws = await client.ws_connect("/ws")  # without a lang, the conversation keeps its own
    await ws.send_json({"type": "start", "session": session, "last_seq": 99})
    frame = await ws.receive_json(timeout=5)
    assert frame["lang"] == "en" and frame["resumed"] is True
