"""The webhook inbox worker on a real store: order per chat, chats independent, retries,
giving up, and nothing processed twice."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bot.storage import Keyring, Store
from bot.tg.inbox import Inbox, chat_key


def update(update_id: int, chat: int, text: str) -> bytes:
    body = {"update_id": update_id, "message": {"chat": {"id": chat}, "text": text}}
    return json.dumps(body).encode()


async def run_until(inbox: Inbox, done: Any, timeout: float = 5.0) -> None:
    task = asyncio.create_task(inbox.run())
    try:
        async with asyncio.timeout(timeout):
            while not done():
                await asyncio.sleep(0.01)
            while not await inbox.idle():
                await asyncio.sleep(0.01)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def open_store(tmp_path: Path) -> Store:
    return await Store.open(f"sqlite+aiosqlite:///{tmp_path / 'g.db'}", Keyring.generate())


def test_chat_key_covers_messages_and_button_presses() -> None:
    assert chat_key({"message": {"chat": {"id": 5}}}) == "u5"
    assert chat_key({"callback_query": {"from": {"id": 5}, "message": {"chat": {"id": 5}}}}) == "u5"
    assert chat_key({"poll": {}}) == "other"


async def test_order_per_chat_and_a_slow_chat_does_not_hold_up_another(tmp_path: Path) -> None:
    store = await open_store(tmp_path)
    seen: list[str] = []
    release = asyncio.Event()

    async def process(data: Mapping[str, Any]) -> None:
        text = data["message"]["text"]
        if text == "a1":
            await release.wait()
        seen.append(text)
        if text == "b2":
            release.set()

    inbox = Inbox(store, process)
    for update_id, chat, text in ((1, 10, "a1"), (2, 20, "b1"), (3, 10, "a2"), (4, 20, "b2")):
        assert await inbox.accept(update_id, update(update_id, chat, text))
    await run_until(inbox, lambda: len(seen) == 4)
    assert seen == ["b1", "b2", "a1", "a2"]
    assert await store.inbox_pending() == []
    await store.close()


async def test_a_failing_update_is_retried_then_given_up_and_never_repeated(tmp_path: Path):
    store = await open_store(tmp_path)
    attempts: list[int] = []

    async def process(data: Mapping[str, Any]) -> None:
        attempts.append(data["update_id"])
        if data["update_id"] == 1:
            raise RuntimeError("Telegram is down")

    inbox = Inbox(store, process, max_attempts=3, retry_delay=0.01)
    await inbox.accept(1, update(1, 10, "x"))
    await inbox.accept(2, update(2, 10, "y"))
    await run_until(inbox, lambda: 2 in attempts)
    assert attempts == [1, 1, 1, 2]  # three tries, then the chat goes on in order
    assert await store.inbox_pending() == []
    assert await inbox.accept(1, update(1, 10, "x")) is False  # a redelivery is not new
    await store.close()
