"""The Telegram tables of the store (inbox, sealed chat ids, tracked message ids), on
SQLite and PostgreSQL (the fixtures of tests/storage/conftest.py)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from bot.storage import Channel, Sender, Store
from tests.storage import conftest as storage

# The storage fixtures: every test here runs on SQLite and on PostgreSQL.
db_url = storage.db_url
var_dir = storage.var_dir
keyring = storage.keyring
store = storage.store

CHAT = 555000111


async def count(store: Store, sql: str) -> int:
    async with store.engine.connect() as conn:
        return int((await conn.execute(text(sql))).scalar_one())


async def raw_column(store: Store, sql: str) -> bytes:
    async with store.engine.connect() as conn:
        return bytes((await conn.execute(text(sql))).scalar_one())


async def test_inbox_stores_once_sealed_and_in_order(store: Store) -> None:
    body = json.dumps({"update_id": 7, "message": {"text": "canary-inbox"}}).encode()
    assert await store.inbox_add(7, body) is True
    assert await store.inbox_add(7, body) is False  # a redelivery
    assert await store.inbox_add(3, b'{"update_id": 3}') is True
    assert b"canary-inbox" not in await raw_column(
        store, "SELECT body FROM telegram_updates WHERE update_id = 7"
    )
    assert await store.inbox_pending() == [(3, 0, b'{"update_id": 3}'), (7, 0, body)]

    await store.inbox_attempted(7)
    await store.inbox_done(3)
    assert await store.inbox_pending() == [(7, 1, body)]
    assert (
        await count(
            store,
            "SELECT count(*) FROM telegram_updates WHERE update_id = 3 AND body IS NULL "
            "AND wrapped_key IS NULL",
        )
        == 1
    )
    assert await store.inbox_add(3, b"{}") is False  # still known after processing

    assert await store.inbox_prune(timedelta(days=2)) == 0
    later = datetime.now(UTC) + timedelta(days=3)
    assert await store.inbox_prune(timedelta(days=2), now=later) == 1  # only the processed one
    assert [u for u, _, _ in await store.inbox_pending()] == [7]


async def test_a_tampered_inbox_row_is_dropped_not_fatal(store: Store) -> None:
    await store.inbox_add(9, b'{"update_id": 9}')
    async with store.engine.begin() as conn:
        await conn.execute(text("UPDATE telegram_updates SET update_id = 10 WHERE update_id = 9"))
    assert await store.inbox_pending() == []  # wrong associated data: cannot be opened
    assert await count(store, "SELECT count(*) FROM telegram_updates WHERE processed") == 1


async def test_chat_ids_are_sealed_and_shredded_with_the_conversation(store: Store) -> None:
    record = await store.create_conversation(Channel.TELEGRAM, "vi", str(CHAT))
    await store.save_telegram_chat(record.id, CHAT)
    assert await store.telegram_chat(record.id) == CHAT
    sealed = await raw_column(store, "SELECT chat_ref FROM telegram_chats")
    assert str(CHAT).encode() not in sealed
    assert await store.conversation_ids_for(Channel.TELEGRAM, str(CHAT)) == [record.id]
    assert await store.conversation_ids_for(Channel.TELEGRAM, str(CHAT + 1)) == []

    await store.track_telegram_messages(record.id, [1, 2, 3])
    await store.append_message(record.id, Sender.USER, "xin chào")
    assert await store.forget_conversation(record.id)
    assert await store.telegram_chat(record.id) is None
    for table in ("telegram_chats", "telegram_messages", "messages", "conversations"):
        assert await count(store, f"SELECT count(*) FROM {table}") == 0, table
    await store.track_telegram_messages(record.id, [4])  # ignored: the conversation is gone
    assert await count(store, "SELECT count(*) FROM telegram_messages") == 0


async def test_message_ids_are_tracked_per_conversation(store: Store) -> None:
    first = await store.create_conversation(Channel.TELEGRAM, "vi", str(CHAT))
    second = await store.create_conversation(Channel.TELEGRAM, "vi", str(CHAT))
    other = await store.create_conversation(Channel.TELEGRAM, "vi", "42")
    await store.track_telegram_messages(first.id, [5, 1])
    await store.track_telegram_messages(second.id, [9])
    await store.track_telegram_messages(other.id, [2])
    since = datetime.now(UTC) - timedelta(hours=1)
    assert await store.telegram_message_ids([first.id, second.id], since) == [1, 5, 9]
    future = datetime.now(UTC) + timedelta(hours=1)
    assert await store.telegram_message_ids([first.id], future) == []
    assert await store.untrack_telegram_messages([first.id, second.id]) == 3
    assert await store.telegram_message_ids([other.id], since) == [2]


async def test_retention_purge_removes_the_telegram_rows(store: Store) -> None:
    record = await store.create_conversation(Channel.TELEGRAM, "vi", str(CHAT))
    await store.save_telegram_chat(record.id, CHAT)
    await store.track_telegram_messages(record.id, [1])
    later = datetime.now(UTC) + timedelta(days=40)
    assert await store.purge_inactive(timedelta(days=30), now=later) == 1
    assert await count(store, "SELECT count(*) FROM telegram_chats") == 0
    assert await count(store, "SELECT count(*) FROM telegram_messages") == 0
