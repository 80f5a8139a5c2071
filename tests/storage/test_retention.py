"""Retention: ``purge_inactive`` crypto-shreds (wrapped key = NULL, committed on its own)
and then deletes conversations older than the retention age, in chunks; it is safe to run
twice and to kill halfway. On SQLite the database file and its WAL are read byte by byte
while the store is still open (as on a running gateway): neither the canary text nor the
wrapped key of a purged conversation is there. On PostgreSQL the rows and keys are gone.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.engine import make_url

import bot.storage.store as store_module
from bot.__main__ import main as bot_main
from bot.storage import ConversationNotFound, Keyring, Store
from bot.storage.models import (
    conversations,
    handoff_notes,
    handoff_requests,
    messages,
    web_sessions,
)

AGE = timedelta(days=30)


def _sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        return Path(parsed.database)
    return None


def _raw_files(path: Path) -> bytes:
    """The database file and its WAL as they are on disk now (no checkpoint here)."""
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


async def _count(store: Store, table: Any, ids: list[str] | None = None) -> int:
    query = select(func.count()).select_from(table)
    if ids is not None:
        column = table.c.id if table is conversations else table.c.conversation_id
        query = query.where(column.in_(ids))
    async with store.engine.connect() as conn:
        return int((await conn.execute(query)).scalar_one())


async def _keys_and_bodies(store: Store, ids: list[str]) -> tuple[list[bytes], list[bytes]]:
    async with store.engine.connect() as conn:
        keys = [
            row[0]
            for row in await conn.execute(
                select(conversations.c.wrapped_key).where(conversations.c.id.in_(ids))
            )
        ]
        bodies = [
            row[0]
            for row in await conn.execute(
                select(messages.c.body).where(messages.c.conversation_id.in_(ids))
            )
        ]
    return keys, bodies


async def _seed(store: Store, canary: str, old: int, recent: int) -> tuple[list[str], list[str]]:
    """``old`` conversations inactive for 40 days (with messages, a web session, a queue
    episode and a note) and ``recent`` active ones, every message carrying the canary."""
    old_ids: list[str] = []
    recent_ids: list[str] = []
    for i in range(old + recent):
        conv = await store.create_conversation("web" if i % 2 else "telegram", "vi", f"u{i}")
        await store.append_message(conv.id, "user", f"{canary} tin nhắn {i}", intent="greet")
        await store.append_message(conv.id, "bot", f"{canary} trả lời {i}")
        await store.issue_web_session(conv.id)
        await store.queue.enqueue(conv.id, "user_request", "none", [], datetime.now(UTC))
        (old_ids if i < old else recent_ids).append(conv.id)
    long_ago = datetime.now(UTC) - timedelta(days=40)
    async with store.engine.begin() as conn:
        await conn.execute(
            update(conversations)
            .where(conversations.c.id.in_(old_ids))
            .values(last_activity_at=long_ago)
        )
    return old_ids, recent_ids


async def test_purged_canaries_are_unreadable_in_the_database_file(
    db_url: str, store: Store
) -> None:
    canary = f"CANARY-{uuid.uuid4().hex}"
    old_ids, _recent_ids = await _seed(store, canary, old=4, recent=2)
    keys, bodies = await _keys_and_bodies(store, old_ids)
    assert len(keys) == 4 and all(keys) and len(bodies) == 8
    path = _sqlite_path(db_url)
    if path is not None:
        before = _raw_files(path)
        assert canary.encode() not in before  # sealed from the start
        assert all(key in before for key in keys)  # the scan does see the stored bytes
        assert all(body in before for body in bodies)

    assert await store.purge_inactive(AGE) == 4

    if path is not None:  # the store is still open: the WAL is live
        after = _raw_files(path)
        assert canary.encode() not in after
        for key in keys:
            assert key not in after  # nothing left to unwrap a data key from
        for body in bodies:
            assert body not in after  # secure_delete zeroed the rows too
    for table in (messages, web_sessions, handoff_requests, handoff_notes):
        assert await _count(store, table, old_ids) == 0
    assert await _count(store, conversations, old_ids) == 0
    for cid in old_ids:
        assert await store.get_conversation(cid) is None
        with pytest.raises(ConversationNotFound):
            await store.messages_after(cid, 0)


async def test_purging_twice_is_harmless(store: Store) -> None:
    canary = f"CANARY-{uuid.uuid4().hex}"
    _, recent_ids = await _seed(store, canary, old=3, recent=2)
    assert await store.purge_inactive(AGE) == 3
    assert await store.purge_inactive(AGE) == 0
    assert await store.purge_inactive(AGE) == 0
    assert await _count(store, conversations) == 2
    for cid in recent_ids:
        assert next(m.text for m in await store.messages_after(cid, 0)).startswith(canary)


async def test_a_purge_killed_after_the_shred_leaves_nothing_readable(
    db_url: str, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    canary = f"CANARY-{uuid.uuid4().hex}"
    old_ids, recent_ids = await _seed(store, canary, old=3, recent=1)
    keys, bodies = await _keys_and_bodies(store, old_ids)

    def broken_delete(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("killed halfway")

    monkeypatch.setattr(store_module, "delete", broken_delete)
    with pytest.raises(RuntimeError, match="killed halfway"):
        await store.purge_inactive(AGE)
    monkeypatch.undo()

    # the rows are still there, their keys are not
    assert await _count(store, messages, old_ids) == 6
    remaining_keys, remaining_bodies = await _keys_and_bodies(store, old_ids)
    assert remaining_keys == [None, None, None]
    assert sorted(remaining_bodies) == sorted(bodies)
    for cid in old_ids:
        assert await store.get_conversation(cid) is None
        with pytest.raises(ConversationNotFound):
            await store.messages_after(cid, 0)
        with pytest.raises(ConversationNotFound):
            await store.append_message(cid, "user", "late")
    path = _sqlite_path(db_url)
    if path is not None:
        raw = _raw_files(path)
        assert canary.encode() not in raw
        assert any(body in raw for body in bodies)  # ciphertext left, but no key for it
        for key in keys:
            assert key is not None and key not in raw
    # a fresh process (new keyring object, same keys) cannot open them either
    reopened = await Store.open(db_url, store.keyring)
    try:
        for cid in old_ids:
            assert await reopened.get_conversation(cid) is None
    finally:
        await reopened.close()

    # the next run finishes the job and leaves the recent conversation alone
    assert await store.purge_inactive(AGE) == 3
    assert await _count(store, conversations, old_ids) == 0
    assert await _count(store, messages, old_ids) == 0
    assert await _count(store, handoff_requests, old_ids) == 0
    assert await store.get_conversation(recent_ids[0]) is not None
    if path is not None:
        raw = _raw_files(path)
        for body in bodies:
            assert body not in raw


async def test_an_interrupted_chunk_is_finished_by_the_next_run_across_chunks(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """More conversations than one chunk: the first chunk dies after its shred; the next
    run deletes the shredded chunk and the rest."""
    monkeypatch.setattr(store_module, "_PURGE_CHUNK", 2)
    canary = f"CANARY-{uuid.uuid4().hex}"
    _old_ids, recent_ids = await _seed(store, canary, old=5, recent=1)
    real_delete = store_module.delete

    def killed(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("killed halfway")

    monkeypatch.setattr(store_module, "delete", killed)
    with pytest.raises(RuntimeError):
        await store.purge_inactive(AGE)
    monkeypatch.setattr(store_module, "delete", real_delete)
    async with store.engine.connect() as conn:
        shredded = (
            await conn.execute(
                select(func.count())
                .select_from(conversations)
                .where(conversations.c.wrapped_key.is_(None))
            )
        ).scalar_one()
    assert shredded == 2  # exactly the first chunk
    assert await store.purge_inactive(AGE) == 5
    assert await _count(store, conversations) == 1
    assert await store.get_conversation(recent_ids[0]) is not None


async def test_recent_conversations_are_untouched(store: Store) -> None:
    canary = f"CANARY-{uuid.uuid4().hex}"
    _, recent_ids = await _seed(store, canary, old=2, recent=3)
    before = {cid: await store.messages_after(cid, 0) for cid in recent_ids}
    records = {cid: await store.get_conversation(cid) for cid in recent_ids}
    assert await store.purge_inactive(AGE) == 2
    for cid in recent_ids:
        assert await store.messages_after(cid, 0) == before[cid]
        assert await store.get_conversation(cid) == records[cid]
    assert await _count(store, web_sessions, recent_ids) == 3
    assert await _count(store, handoff_requests, recent_ids) == 3


async def test_python_m_bot_purge_runs_one_purge(
    db_url: str,
    store: Store,
    var_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    canary = f"CANARY-{uuid.uuid4().hex}"
    await _seed(store, canary, old=2, recent=1)
    await store.close()
    Keyring.load_or_create(var_dir, None, None)  # the fixture's keys, from var/keys
    monkeypatch.setenv("VAR_DIR", str(var_dir))
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("RETENTION_DAYS", "30")
    monkeypatch.delenv("MASTER_KEY", raising=False)
    monkeypatch.delenv("HMAC_KEY", raising=False)
    # main() calls asyncio.run: run it in a thread, away from the test's event loop
    code = await asyncio.to_thread(bot_main, ["purge"])
    assert code == 0
    assert "purged 2 conversations" in capsys.readouterr().out
    code = await asyncio.to_thread(bot_main, ["purge"])
    assert code == 0
    assert "purged 0 conversations" in capsys.readouterr().out
