"""Store behaviour, on SQLite and PostgreSQL (see conftest.db_url)."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, func, insert, select, text, update
from sqlalchemy.engine import make_url

from bot.storage import (
    Channel,
    ConversationNotFound,
    ConversationState,
    DecryptionError,
    Keyring,
    Language,
    RiskLabel,
    Sender,
    StorageError,
    Store,
)
from bot.storage.models import (
    Base,
    content_documents,
    conversations,
    handoff_requests,
    messages,
    web_sessions,
)

VI_TEXT = "Chồng tôi đánh tôi, tôi sợ lắm"


def _utcnow() -> datetime:
    return datetime.now(UTC)


async def _count(store: Store, table: Any, **where: Any) -> int:
    query = select(func.count()).select_from(table)
    for column, value in where.items():
        query = query.where(table.c[column] == value)
    async with store.engine.connect() as conn:
        return int((await conn.execute(query)).scalar_one())


async def _dump(store: Store) -> bytes:
    """Every value of every row of every table, as bytes (bytea kept raw)."""
    parts: list[bytes] = []
    async with store.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            for row in await conn.execute(select(table)):
                for value in row:
                    parts.append(value if isinstance(value, bytes) else repr(value).encode())
    return b"\n".join(parts)


def _sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    return (
        Path(parsed.database) if parsed.get_backend_name() == "sqlite" and parsed.database else None
    )


def _sqlite_file_bytes(path: Path) -> bytes:
    """Checkpoint the WAL into the main file, then read the main file and any WAL left."""
    with sqlite3.connect(path) as raw:
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    data = path.read_bytes()
    wal = path.with_name(path.name + "-wal")
    return data + (wal.read_bytes() if wal.exists() else b"")


async def test_round_trip(store: Store) -> None:
    conv = await store.create_conversation("web", "vi", None)
    assert conv.channel is Channel.WEB and conv.state is ConversationState.BOT
    assert conv.language is Language.VI and conv.risk is RiskLabel.NONE
    assert len(conv.id) == 32 and conv.created_at.tzinfo is not None

    buttons = [{"title": "Gọi 113", "payload": "/ask_hotline"}]
    first = await store.append_message(conv.id, "user", VI_TEXT, intent="disclose_abuse")
    second = await store.append_message(
        conv.id, Sender.BOT, "Bạn không có lỗi.", buttons=buttons, risk="elevated"
    )
    assert (first.seq, second.seq) == (1, 2)

    stored = await store.messages_after(conv.id, 0)
    assert [(m.seq, m.sender, m.text, m.buttons) for m in stored] == [
        (1, Sender.USER, VI_TEXT, []),
        (2, Sender.BOT, "Bạn không có lỗi.", buttons),
    ]
    assert stored[0].created_at.tzinfo == UTC
    assert stored == [first, second]
    assert [m.seq for m in await store.messages_after(conv.id, 1)] == [2]
    assert await store.messages_after(conv.id, 2) == []
    assert [m.seq for m in await store.messages_after(conv.id, 0, limit=1)] == [1]

    again = await store.get_conversation(conv.id)
    assert again is not None and again.id == conv.id
    assert again.last_activity_at >= conv.last_activity_at
    assert await store.get_conversation(uuid.uuid4().hex) is None

    await store.update_conversation(conv.id, state="human", language="en", risk="high")
    updated = await store.get_conversation(conv.id)
    assert updated is not None
    assert (updated.state, updated.language, updated.risk) == ("human", "en", "high")

    async with store.engine.connect() as conn:
        row = (await conn.execute(select(messages).order_by(messages.c.seq))).all()
    assert [(r.intent, r.risk) for r in row] == [("disclose_abuse", None), (None, "elevated")]


async def test_invalid_values_are_rejected(store: Store) -> None:
    conv = await store.create_conversation("web", "vi", None)
    with pytest.raises(ValueError):
        await store.create_conversation("sms", "vi", None)
    with pytest.raises(ValueError):
        await store.create_conversation("web", "fr", None)
    with pytest.raises(ValueError):
        await store.append_message(conv.id, "stranger", "x")
    with pytest.raises(ValueError):  # an intent is a name, never free text
        await store.append_message(conv.id, "user", "x", intent="tôi bị đánh")
    with pytest.raises(ValueError):
        await store.update_conversation(conv.id, risk="extreme")
    with pytest.raises(ValueError):  # reasons are codes, never message text
        await store.queue.enqueue(conv.id, "user_request", "high", ["he hit me"], _utcnow())
    assert await _count(store, messages) == 0


async def test_unknown_conversation(store: Store) -> None:
    missing = uuid.uuid4().hex
    with pytest.raises(ConversationNotFound):
        await store.append_message(missing, "user", "x")
    with pytest.raises(ConversationNotFound):
        await store.messages_after(missing, 0)
    with pytest.raises(ConversationNotFound):
        await store.update_conversation(missing, state="closed")
    with pytest.raises(ConversationNotFound):
        await store.issue_web_session(missing)
    assert await store.queue.enqueue(missing, "user_request", "none", [], _utcnow()) is None


async def test_seq_order_under_50_concurrent_appends(store: Store) -> None:
    conv = await store.create_conversation("web", "en", None)
    results = await asyncio.gather(
        *(store.append_message(conv.id, "user", f"message {i}") for i in range(50))
    )
    assert sorted(m.seq for m in results) == list(range(1, 51))
    stored = await store.messages_after(conv.id, 0)
    assert [m.seq for m in stored] == list(range(1, 51))
    by_seq = {m.seq: m.text for m in results}
    assert {m.seq: m.text for m in stored} == by_seq
    assert {m.text for m in stored} == {f"message {i}" for i in range(50)}
    assert (await store.append_message(conv.id, "bot", "next")).seq == 51


async def test_concurrent_appends_across_conversations(store: Store) -> None:
    convs = [await store.create_conversation("web", "vi", None) for _ in range(10)]
    tasks = [
        store.append_message(c.id, "user" if i % 2 else "bot", f"{c.id[:6]}-{i}")
        for i in range(20)
        for c in convs
    ]
    bogus = [store.append_message(uuid.uuid4().hex, "user", "lost") for _ in range(3)]
    results = await asyncio.gather(*tasks, *bogus, return_exceptions=True)
    assert all(isinstance(r, ConversationNotFound) for r in results[len(tasks) :])
    assert not any(isinstance(r, BaseException) for r in results[: len(tasks)])
    for c in convs:
        stored = await store.messages_after(c.id, 0)
        assert [m.seq for m in stored] == list(range(1, 21))
        assert [m.text for m in stored] == [f"{c.id[:6]}-{i}" for i in range(20)]


async def test_body_moved_to_another_conversation_fails_to_decrypt(store: Store) -> None:
    a = await store.create_conversation("web", "vi", None)
    b = await store.create_conversation("web", "vi", None)
    await store.append_message(a.id, "user", VI_TEXT)
    await store.append_message(b.id, "user", "hello")
    async with store.engine.begin() as conn:
        body_a = (
            await conn.execute(select(messages.c.body).where(messages.c.conversation_id == a.id))
        ).scalar_one()
        await conn.execute(
            insert(messages).values(
                conversation_id=b.id,
                seq=99,
                sender="user",
                created_at=datetime.now(UTC),
                body=body_a,
            )
        )
    assert [m.text for m in await store.messages_after(b.id, 0, limit=1)] == ["hello"]
    with pytest.raises(DecryptionError):
        await store.messages_after(b.id, 0)

    # Moving the wrapped key along does not help either: it is bound to its conversation.
    async with store.engine.begin() as conn:
        key_a = (
            await conn.execute(
                select(conversations.c.wrapped_key).where(conversations.c.id == a.id)
            )
        ).scalar_one()
        await conn.execute(
            update(conversations).where(conversations.c.id == b.id).values(wrapped_key=key_a)
        )
    store.keyring.forget(b.id)
    with pytest.raises(DecryptionError):
        await store.messages_after(b.id, 98)


async def test_another_master_key_cannot_read(db_url: str, store: Store) -> None:
    conv = await store.create_conversation("web", "vi", None)
    await store.append_message(conv.id, "user", VI_TEXT)
    other = await Store.open(db_url, Keyring.generate())
    try:
        with pytest.raises(DecryptionError):
            await other.messages_after(conv.id, 0)
    finally:
        await other.close()


async def test_pseudonyms_and_no_raw_user_id_in_database(db_url: str, store: Store) -> None:
    chat_id = "987654321"
    conv = await store.create_conversation("telegram", "vi", chat_id)
    await store.append_message(conv.id, "user", VI_TEXT)
    assert (
        await store.find_open_conversation("telegram", chat_id)
    ) == await store.get_conversation(conv.id)
    assert await store.find_open_conversation("telegram", "987654322") is None
    assert await store.find_open_conversation("web", chat_id) is None
    assert await store.find_open_conversation("telegram", None) is None

    async with store.engine.connect() as conn:
        stored = (await conn.execute(select(conversations.c.user_pseudonym))).scalar_one()
    assert stored == store.keyring.pseudonym("telegram", chat_id)
    dump = await _dump(store)
    assert chat_id.encode() not in dump
    assert VI_TEXT.encode() not in dump and b"\xc4\x91\xc3\xa1nh" not in dump  # "đánh"
    path = _sqlite_path(db_url)
    if path is not None:
        await store.close()
        raw = _sqlite_file_bytes(path)
        assert chat_id.encode() not in raw
        assert VI_TEXT.encode() not in raw

    # a closed conversation is not "open"; a new one is created for the same person
    if path is None:
        await store.update_conversation(conv.id, state="closed")
        assert await store.find_open_conversation("telegram", chat_id) is None


async def test_web_session_tokens(store: Store) -> None:
    conv = await store.create_conversation("web", "vi", None)
    token = await store.issue_web_session(conv.id)
    assert len(token) >= 43
    other_token = await store.issue_web_session(conv.id)
    assert other_token != token

    found = await store.conversation_for_session(token)
    assert found is not None and found.id == conv.id
    assert (await store.conversation_for_session(other_token)) == found
    assert (
        await store.conversation_for_session(token[:-1] + ("A" if token[-1] != "A" else "B"))
        is None
    )
    assert await store.conversation_for_session("") is None
    assert await store.conversation_for_session("x" * 10_000) is None

    async with store.engine.connect() as conn:
        hashes = set((await conn.execute(select(web_sessions.c.token_hash))).scalars())
    assert hashes == {
        store.keyring.pseudonym("web_session", token),
        store.keyring.pseudonym("web_session", other_token),
    }
    dump = await _dump(store)
    assert token.encode() not in dump and other_token.encode() not in dump

    # last_seen_at is refreshed, but at most every few minutes
    old = datetime.now(UTC) - timedelta(hours=1)
    async with store.engine.begin() as conn:
        await conn.execute(update(web_sessions).values(last_seen_at=old))
    await store.conversation_for_session(token)
    async with store.engine.connect() as conn:
        seen = dict(
            (
                await conn.execute(select(web_sessions.c.token_hash, web_sessions.c.last_seen_at))
            ).all()
        )
    assert seen[store.keyring.pseudonym("web_session", token)] > old + timedelta(minutes=30)
    assert seen[store.keyring.pseudonym("web_session", other_token)] == old

    await store.forget_conversation(conv.id)
    assert await store.conversation_for_session(token) is None


async def test_handoff_requests(store: Store) -> None:
    """A queue episode holds codes only; a second request raises it, never adds a row."""
    conv = await store.create_conversation("telegram", "vi", "5")
    first = await store.queue.enqueue(conv.id, "lap_screen", "high", ["lap_1", "lap_2"], _utcnow())
    second = await store.queue.enqueue(conv.id, "user_request", "imminent", ["lap_3"], _utcnow())
    assert first is not None and second is not None
    async with store.engine.connect() as conn:
        rows = (
            await conn.execute(
                select(
                    handoff_requests.c.reason, handoff_requests.c.level, handoff_requests.c.reasons
                ).order_by(handoff_requests.c.id)
            )
        ).all()
    assert [tuple(r) for r in rows] == [("lap_screen", "imminent", ["lap_1", "lap_2", "lap_3"])]


async def test_forget_shreds_key_and_deletes_everything(store: Store) -> None:
    keep = await store.create_conversation("web", "vi", None)
    await store.append_message(keep.id, "user", "keep me")
    conv = await store.create_conversation("telegram", "vi", "77")
    for i in range(5):
        await store.append_message(conv.id, "user", f"{VI_TEXT} {i}")
    await store.issue_web_session(conv.id)
    await store.queue.enqueue(conv.id, "user_request", "none", [], _utcnow())

    assert await store.forget_conversation(conv.id) is True
    assert await store.get_conversation(conv.id) is None
    assert await store.find_open_conversation("telegram", "77") is None
    with pytest.raises(ConversationNotFound):
        await store.messages_after(conv.id, 0)
    with pytest.raises(ConversationNotFound):
        await store.append_message(conv.id, "user", "late")
    for table in (messages, web_sessions, handoff_requests):
        assert await _count(store, table, conversation_id=conv.id) == 0
    assert await _count(store, conversations, id=conv.id) == 0
    assert conv.id not in store.keyring._cache
    assert await store.forget_conversation(conv.id) is False  # idempotent

    assert [m.text for m in await store.messages_after(keep.id, 0)] == ["keep me"]


async def test_shredded_but_not_deleted_is_unreadable_and_purged(store: Store) -> None:
    """Simulates a crash between the two steps of a shred."""
    conv = await store.create_conversation("web", "vi", None)
    await store.append_message(conv.id, "user", VI_TEXT)
    async with store.engine.begin() as conn:
        await conn.execute(
            update(conversations).where(conversations.c.id == conv.id).values(wrapped_key=None)
        )
    assert await store.get_conversation(conv.id) is None
    with pytest.raises(ConversationNotFound):
        await store.messages_after(conv.id, 0)
    with pytest.raises(ConversationNotFound):
        await store.append_message(conv.id, "user", "x")
    assert await _count(store, messages, conversation_id=conv.id) == 1
    assert await store.purge_inactive(timedelta(days=30)) == 1  # recent, but half-shredded
    assert await _count(store, messages) == 0
    assert await _count(store, conversations) == 0


async def test_purge_inactive(db_url: str, store: Store) -> None:
    canary = f"CANARY-{uuid.uuid4().hex}"
    fresh = await store.create_conversation("web", "vi", None)
    await store.append_message(fresh.id, "user", "still here")
    old_ids = []
    for i in range(3):
        conv = await store.create_conversation("telegram", "en", f"old-{i}")
        await store.append_message(conv.id, "user", f"{canary} {i}", intent="ask_hotline")
        await store.issue_web_session(conv.id)
        await store.queue.enqueue(conv.id, "user_request", "none", [], _utcnow())
        old_ids.append(conv.id)
    long_ago = datetime.now(UTC) - timedelta(days=40)
    async with store.engine.begin() as conn:
        await conn.execute(
            update(conversations)
            .where(conversations.c.id.in_(old_ids))
            .values(last_activity_at=long_ago)
        )
    pseudonym = store.keyring.pseudonym("telegram", "old-0")

    dump = await _dump(store)
    assert canary.encode() not in dump
    assert b"ask_hotline" in dump  # the dump does see plain columns
    path = _sqlite_path(db_url)
    if path is not None:  # the canary never reaches the file in clear, even before purge
        await store.close()
        raw = _sqlite_file_bytes(path)
        assert canary.encode() not in raw
        assert b"ask_hotline" in raw and pseudonym.encode() in raw  # the scan sees real data
        store = await Store.open(db_url, store.keyring)

    try:
        assert await store.purge_inactive(timedelta(days=30)) == 3
        assert await store.purge_inactive(timedelta(days=30)) == 0  # idempotent
        for cid in old_ids:
            assert await store.get_conversation(cid) is None
        assert await _count(store, conversations) == 1
        assert await _count(store, messages) == 1
        assert await _count(store, web_sessions) == 0
        assert await _count(store, handoff_requests) == 0
        assert [m.text for m in await store.messages_after(fresh.id, 0)] == ["still here"]
        # `now` lets the caller move the clock: everything is inactive a year from now
        assert (
            await store.purge_inactive(
                timedelta(days=30), now=datetime.now(UTC) + timedelta(days=365)
            )
            == 1
        )
        assert await _count(store, conversations) == 0
    finally:
        await store.close()

    if path is not None:
        raw = _sqlite_file_bytes(path)
        assert canary.encode() not in raw
        # secure_delete: deleted rows are zeroed, not just unlinked
        assert pseudonym.encode() not in raw
        assert b"ask_hotline" not in raw
        for cid in old_ids:
            assert cid.encode() not in raw


async def test_documents(store: Store) -> None:
    assert await store.load_documents() == {}
    docs = {"hotlines": {"police": {"number": "113"}}, "sources": {"law": {"title": "t"}}}
    assert await store.seed_documents(docs) is True
    assert await store.load_documents() == docs
    assert await store.seed_documents({"hotlines": {}}) is False  # only when empty
    assert await store.load_documents() == docs

    assert await store.save_document("hotlines", {"police": {"number": "113", "v": 2}}) == 2
    assert await store.save_document("hotlines", {"draft": True}, published=False) == 3
    loaded = await store.load_documents()
    assert loaded["hotlines"] == {"police": {"number": "113", "v": 2}}
    assert loaded["sources"] == docs["sources"]
    assert await store.save_document("provinces", [1, 2]) == 1
    assert (await store.load_documents())["provinces"] == [1, 2]
    assert await _count(store, content_documents) == 5


async def test_migrations_run_twice_and_match_models(db_url: str, store: Store) -> None:
    await store.close()
    for _ in range(2):
        again = await Store.open(db_url, store.keyring)
        await again.close()
    pair = await asyncio.gather(
        Store.open(db_url, store.keyring), Store.open(db_url, store.keyring)
    )
    for opened in pair:
        await opened.close()

    reopened = await Store.open(db_url, store.keyring)
    try:
        async with reopened.engine.connect() as conn:
            version = (
                await conn.execute(text("SELECT version_num FROM alembic_version"))
            ).scalar_one()

            def diff(sync_conn: Connection) -> list[Any]:
                return list(compare_metadata(MigrationContext.configure(sync_conn), Base.metadata))

            differences = await conn.run_sync(diff)
        assert version == "0004"  # the head (test_staff_store.py: exactly one head)
        assert differences == []
    finally:
        await reopened.close()


async def test_concurrent_fresh_migrations(db_url: str, keyring: Keyring) -> None:
    pair = await asyncio.gather(Store.open(db_url, keyring), Store.open(db_url, keyring))
    try:
        conv = await pair[0].create_conversation("web", "vi", None)
        await pair[1].append_message(conv.id, "user", "x")
        assert [m.text for m in await pair[0].messages_after(conv.id, 0)] == ["x"]
    finally:
        for opened in pair:
            await opened.close()


async def test_sqlite_pragmas_and_file_mode(tmp_path: Path, keyring: Keyring) -> None:
    path = tmp_path / "new" / "gateway.db"
    store = await Store.open(f"sqlite+aiosqlite:///{path}", keyring)
    names = ("journal_mode", "synchronous", "foreign_keys", "secure_delete")

    def pragmas(conn: Connection) -> dict[str, Any]:
        return {name: conn.exec_driver_sql(f"PRAGMA {name}").scalar_one() for name in names}

    try:
        async with store.engine.connect() as conn:  # the AsyncEngine (migrations, admin)
            on_async_engine = await conn.run_sync(pragmas)
        on_readers = await store._backend.read(pragmas)  # the threads on the hot path
        on_writer = await store._backend.write(pragmas)
    finally:
        await store.close()
    expected = {"journal_mode": "wal", "synchronous": 1, "foreign_keys": 1, "secure_delete": 1}
    assert on_async_engine == on_readers == on_writer == expected
    assert path.stat().st_mode & 0o077 == 0
    assert path.parent.stat().st_mode & 0o077 == 0


async def test_in_memory_sqlite_is_refused(keyring: Keyring) -> None:
    with pytest.raises(StorageError, match="file path"):
        await Store.open("sqlite+aiosqlite://", keyring)


async def test_closed_store_refuses_writes(store: Store) -> None:
    conv = await store.create_conversation("web", "vi", None)
    await store.close()
    await store.close()  # idempotent
    with pytest.raises(StorageError):
        await store.append_message(conv.id, "user", "x")
    with pytest.raises(StorageError):
        await store.create_conversation("web", "vi", None)


async def test_close_finishes_queued_appends(store: Store) -> None:
    conv = await store.create_conversation("web", "vi", None)
    pending = [
        asyncio.ensure_future(store.append_message(conv.id, "user", str(i))) for i in range(20)
    ]
    await asyncio.sleep(0)
    await store.close()
    assert sorted(m.seq for m in await asyncio.gather(*pending)) == list(range(1, 21))


async def test_nothing_private_is_logged(store: Store, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    canary = f"CANARY-{uuid.uuid4().hex}"
    conv = await store.create_conversation("telegram", "vi", "chat-31337")
    await store.append_message(conv.id, "user", canary)
    token = await store.issue_web_session(conv.id)
    await store.conversation_for_session(token)
    await store.queue.enqueue(conv.id, "user_request", "none", [], _utcnow())
    await store.forget_conversation(conv.id)
    await store.purge_inactive(timedelta(days=0))
    logged = "\n".join(f"{r.getMessage()} {r.args!r}" for r in caplog.records)
    for secret in (
        canary,
        conv.id,
        token,
        "chat-31337",
        store.keyring.pseudonym("telegram", "chat-31337"),
    ):
        assert secret not in logged


async def test_two_stores_on_one_database_share_the_seq(db_url: str, store: Store) -> None:
    """Two gateway processes (here: two Stores) appending to one conversation at once."""
    other = await Store.open(db_url, store.keyring)
    try:
        conv = await store.create_conversation("web", "vi", None)
        results = await asyncio.gather(
            *(
                (store if i % 2 else other).append_message(conv.id, "user", f"m{i}")
                for i in range(200)
            )
        )
    finally:
        await other.close()
    assert sorted(m.seq for m in results) == list(range(1, 201))
    stored = await store.messages_after(conv.id, 0)
    assert [m.seq for m in stored] == list(range(1, 201))
    assert {m.seq: m.text for m in stored} == {m.seq: m.text for m in results}


async def test_idle_conversation_ids_selects_the_window(store: Store) -> None:
    now = datetime.now(UTC)
    ages = {"active": 5, "quiet": 90, "long_quiet": 400}
    ids = {}
    for name, minutes in ages.items():
        conv = await store.create_conversation("web", "vi", None)
        async with store.engine.begin() as conn:
            await conn.execute(
                update(conversations)
                .where(conversations.c.id == conv.id)
                .values(last_activity_at=now - timedelta(minutes=minutes))
            )
        ids[name] = conv.id
    found = await store.idle_conversation_ids(
        idle_since=now - timedelta(minutes=60), active_after=now - timedelta(minutes=180)
    )
    assert found == [ids["quiet"]]
