"""One Telegram conversation through the real stack (gateway in webhook mode, Rasa, action
server), with the Bot API played by the local stand-in (tests/telegram_fake.py):
/start → greeting → disclosure → nearest service (a shared location) → /exit."""

from __future__ import annotations

import asyncio
import sqlite3
from typing import Any

import aiohttp
import pytest

from bot.content import ContentLibrary, load_content_dir
from bot.launcher import ROOT, Stack
from tests.integration.conftest import TELEGRAM_SECRET
from tests.telegram_fake import FakeBotApi

pytestmark = pytest.mark.integration
LIBRARY = ContentLibrary(load_content_dir(ROOT / "content"))
CHAT = 731000555
DISCLOSURE = "em bị chồng đánh"
CANARY = "canary-9d2f"


def texts(key: str, language: str = "vi") -> set[str]:
    return {m.text for m in LIBRARY.variations(key, language)}


class TelegramChat:
    def __init__(self, stack: Stack, api: FakeBotApi, http: aiohttp.ClientSession) -> None:
        self.stack = stack
        self.api = api
        self.http = http
        self.updates: list[dict[str, Any]] = []

    def sent(self) -> list[Any]:
        return [
            c
            for c in self.api.calls
            if c.method in ("sendMessage", "sendVenue") and c.params.get("chat_id") == CHAT
        ]

    async def deliver(self, update: dict[str, Any], *, quiet_for: float = 1.5) -> list[Any]:
        """Post the update to the gateway's webhook; return what the bot sent for it (until
        nothing more has come for `quiet_for` seconds)."""
        self.updates.append(update)
        before = len(self.sent())
        async with self.http.post(
            f"{self.stack.gateway_url}/telegram/webhook",
            json=update,
            headers={"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET},
        ) as resp:
            assert resp.status == 200
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 30
        last_count, last_change = before, loop.time()
        while loop.time() < deadline:
            count = len(self.sent())
            if count != last_count:
                last_count, last_change = count, loop.time()
            elif count > before and loop.time() - last_change >= quiet_for:
                break
            await asyncio.sleep(0.1)
        new = self.sent()[before:]
        assert new, f"no answer; calls: {self.api.methods()[-10:]}"
        return new

    async def say(self, text: str | None = None, **content: Any) -> list[Any]:
        return await self.deliver(self.api.message_update(CHAT, text, **content))

    async def press(self, answer: Any, data: str) -> list[Any]:
        return await self.deliver(self.api.callback_update(CHAT, answer.params["_result"], data))


def callback_data(call: Any) -> list[str]:
    markup = call.params.get("reply_markup") or {}
    return [b.get("callback_data", "") for row in markup.get("inline_keyboard", []) for b in row]


async def test_telegram_conversation_through_the_real_stack(
    stack: Stack, telegram_api: FakeBotApi
) -> None:
    api = telegram_api
    await api.wait_for(lambda: bool(api.calls_of("setWebhook")), timeout=30)
    (webhook,) = api.calls_of("setWebhook")
    assert webhook.params["secret_token"] == TELEGRAM_SECRET
    assert [c.params.get("language_code") for c in api.calls_of("setMyCommands")] == [None, "vi"]

    async with aiohttp.ClientSession() as http:
        chat = TelegramChat(stack, api, http)
        (start,) = await chat.say("/start")
        assert start.params["text"] in texts("gw_tg_start")
        assert callback_data(start) == ["tg:yes:vi", "tg:yes:en", "tg:later"]

        notice, greeting = await chat.press(start, "tg:yes:vi")
        assert notice.params["text"] in texts("gw_safety_notice")
        assert greeting.params["text"] in texts("utter_greet")
        assert "/find_service" in callback_data(greeting)  # Rasa's buttons, inline
        assert api.calls_of("answerCallbackQuery")

        answers = await chat.say(DISCLOSURE)
        assert any(a.params["text"] in texts("utter_disclosure") for a in answers), [
            a.params["text"][:60] for a in answers
        ]
        assert await chat.say(f"mình muốn hỏi thêm {CANARY}")  # answered, whatever Rasa says

        asked = await chat.press(greeting, "/find_service")
        ask = next(a for a in asked if a.params["text"] in texts("utter_ask_province"))
        (row,) = ask.params["reply_markup"]["keyboard"]
        assert row[0]["request_location"] is True

        found = await chat.say(location={"latitude": 21.0285, "longitude": 105.8542})
        joined = "\n".join(a.params.get("text", "") for a in found)
        assert "Hà Nội" in joined and LIBRARY.hotline("peace_house") in joined, joined[:300]
        assert api.calls_of("sendVenue") == []  # the shipped services have no coordinates

        person_ids = [u["message"]["message_id"] for u in chat.updates if "message" in u]
        bot_ids = [c.params["_result"]["message_id"] for c in chat.sent()]
        (done,) = await chat.say("/exit")
        assert done.params["text"] in texts("gw_tg_exit_done")
        deleted = [i for c in api.calls_of("deleteMessages") for i in c.params["message_ids"]]
        assert all(c.params["chat_id"] == CHAT for c in api.calls_of("deleteMessages"))
        exit_id = chat.updates[-1]["message"]["message_id"]
        assert sorted(deleted) == sorted({*person_ids, *bot_ids, exit_id})

    assert "getFile" not in api.methods()
    db = stack.var_dir / "gateway.db"
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw = b"".join(p.read_bytes() for p in stack.var_dir.glob("gateway.db*"))
    for needle in (str(CHAT), CANARY, DISCLOSURE, "lanq7x"):
        assert needle.encode() not in raw, needle
    logs = "\n".join(p.read_text(errors="replace") for p in (stack.var_dir / "logs").glob("*.log"))
    for needle in (str(CHAT), api.token, TELEGRAM_SECRET):
        assert needle not in logs, needle
    gateway_log = (stack.var_dir / "logs" / "gateway.log").read_text(errors="replace")
    assert CANARY not in gateway_log and DISCLOSURE not in gateway_log
