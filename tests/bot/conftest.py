"""Fixtures for gateway tests without Rasa: the real app, real storage (SQLite in a temp
dir), real content files, and a scripted stand-in for the dialogue engine."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.app import CONTENT, create_app
from bot.content import ContentLibrary, load_content_dir
from bot.errors import RasaUnavailable
from bot.messages import BotText, Button
from bot.rasa_client import RasaReply
from bot.settings import Secret, Settings

ROOT = Path(__file__).resolve().parents[2]
NLG_TOKEN = "n" * 32
INTERNAL_TOKEN = "i" * 32


class ScriptedDialogue:
    """Stands in for Rasa: records every call, answers from `replies` by message text."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, dict[str, Any]]] = []
        self.replies: dict[str, RasaReply] = {}
        self.down = False
        self.delay = 0.0

    async def send(self, conversation_id: str, text: str, metadata: Mapping[str, Any]) -> RasaReply:
        self.calls.append((conversation_id, text, dict(metadata)))
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.down:
            raise RasaUnavailable("scripted outage")
        return self.replies.get(
            text,
            RasaReply((BotText(f"echo:{len(text)}", (Button("Có", "/affirm"),)),), "greet", 0.99),
        )


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        var_dir=tmp_path,
        content_dir=ROOT / "content",
        nlg_token=Secret(NLG_TOKEN),
        internal_token=Secret(INTERNAL_TOKEN),
        rasa_url="http://127.0.0.1:9",
        ws_rate=50.0,
        ws_burst=50,
    )


@pytest.fixture
def dialogue() -> ScriptedDialogue:
    return ScriptedDialogue()


@pytest.fixture
def library() -> ContentLibrary:
    return ContentLibrary(load_content_dir(ROOT / "content"))


# Route coverage: tests/handoff/test_access_matrix.py lists every route of the app and what
# each role gets from it, and fails for a route that is not listed.
ROUTES_HIT: set[tuple[str, str]] = set()


@web.middleware
async def record_route(request: web.Request, handler: Any) -> web.StreamResponse:
    """Records which routes a test reached (kept for tests that append it to their app)."""
    resource = request.match_info.route.resource
    if resource is not None:
        ROUTES_HIT.add((request.method, resource.canonical))
    return await handler(request)  # type: ignore[no-any-return]


@pytest.fixture
async def client(aiohttp_client: Any, settings: Settings, dialogue: ScriptedDialogue) -> TestClient:
    return await aiohttp_client(create_app(settings, dialogue=dialogue))


def texts(library: ContentLibrary, key: str, language: str) -> set[str]:
    return {m.text for m in library.variations(key, language)}


async def start(ws: Any, lang: str = "vi") -> dict[str, Any]:
    """Send `start`, return the session frame, consume the safety notice."""
    await ws.send_json({"type": "start", "lang": lang})
    session = await ws.receive_json(timeout=5)
    notice = await ws.receive_json(timeout=5)
    assert notice["type"] == "message"
    return dict(session)


async def turn(ws: Any, text: str, **extra: Any) -> list[dict[str, Any]]:
    """Send one message; return the message frames up to `typing: off`."""
    await ws.send_json({"type": "message", "text": text, **extra})
    frames = []
    while True:
        frame = await ws.receive_json(timeout=5)
        if frame["type"] == "typing" and frame["on"] is False:
            return frames
        if frame["type"] in ("message", "error"):
            frames.append(frame)
        if frame["type"] == "error":
            return frames


def app_library(app: web.Application) -> ContentLibrary:
    return app[CONTENT]()
