"""Staff storage on SQLite and PostgreSQL: accounts, setup tokens, sessions, assignment,
and the append-only audit log (database triggers refuse UPDATE and DELETE)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from bot.storage import Store
from bot.storage.staff import UsernameTaken

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
SECRET = b"S" * 20


async def _raw(store: Store, sql: str, **params: object) -> list[tuple[object, ...]]:
    async with store.engine.connect() as conn:
        return [tuple(row) for row in (await conn.execute(text(sql), params)).all()]


def test_the_migrations_have_exactly_one_head() -> None:
    from bot.storage import store as store_module

    config = Config(str(store_module._ALEMBIC_INI))
    config.set_main_option("script_location", str(store_module._MIGRATIONS))
    heads = ScriptDirectory.from_config(config).get_heads()
    assert heads == ["0004"]


async def test_accounts_are_unique_by_username(store: Store) -> None:
    assert await store.staff.count() == 0
    ana = await store.staff.create("ana", "counsellor", NOW)
    with pytest.raises(UsernameTaken):
        await store.staff.create("ana", "administrator", NOW)
    with pytest.raises(ValueError):
        await store.staff.create("bao", "root", NOW)
    assert await store.staff.count() == 1
    assert await store.staff.get(ana.id) == ana
    assert not ana.enrolled and not ana.disabled
    # the failed insert left the writer usable
    await store.staff.create("bao", "supervisor", NOW)
    assert [s.username for s in await store.staff.all()] == ["ana", "bao"]


async def test_setup_token_is_one_time_expiring_and_stored_as_hmac(store: Store) -> None:
    ana = await store.staff.create("ana", "counsellor", NOW)
    token = await store.staff.issue_setup_token(ana.id, SECRET, NOW, NOW + timedelta(hours=24))
    found = await store.staff.setup_for_token(token, NOW)
    assert found is not None and found.staff.id == ana.id and found.totp_secret == SECRET
    assert await store.staff.setup_for_token(token, NOW + timedelta(hours=25)) is None
    assert await store.staff.setup_for_token(token + "x", NOW) is None
    assert await store.staff.setup_for_token("", NOW) is None
    rows = await _raw(store, "SELECT token_hash, totp_secret FROM setup_tokens")
    assert token not in str(rows)
    assert SECRET not in bytes(rows[0][1])  # sealed, not in clear

    assert not await store.staff.complete_setup(token, "h", 5, NOW + timedelta(hours=25))
    assert await store.staff.complete_setup(token, "scrypt$hash", 5, NOW)
    assert not await store.staff.complete_setup(token, "scrypt$hash", 5, NOW)  # used
    creds = await store.staff.credentials("ana")
    assert creds is not None and creds.staff.enrolled
    assert creds.password_hash == "scrypt$hash"
    assert creds.totp_secret == SECRET and creds.totp_last_step == 5
    assert "scrypt" not in repr(creds) and "SSSS" not in repr(creds)
    (sealed,) = (await _raw(store, "SELECT totp_secret FROM staff"))[0]
    assert SECRET not in bytes(sealed)  # type: ignore[arg-type]


async def test_a_new_setup_token_replaces_the_old_one(store: Store) -> None:
    ana = await store.staff.create("ana", "counsellor", NOW)
    later = NOW + timedelta(hours=1)
    first = await store.staff.issue_setup_token(ana.id, SECRET, NOW, later)
    second = await store.staff.issue_setup_token(ana.id, SECRET, NOW, later)
    assert await store.staff.setup_for_token(first, NOW) is None
    assert await store.staff.setup_for_token(second, NOW) is not None


async def test_totp_steps_only_move_forward(store: Store) -> None:
    ana = await store.staff.create("ana", "counsellor", NOW)
    assert await store.staff.use_totp_step(ana.id, 10)
    assert not await store.staff.use_totp_step(ana.id, 10)
    assert not await store.staff.use_totp_step(ana.id, 9)
    assert await store.staff.use_totp_step(ana.id, 11)


async def test_sessions_are_hmac_only_and_revoked_by_disabling(store: Store) -> None:
    ana = await store.staff.create("ana", "counsellor", NOW)
    token = await store.staff.create_session(ana.id, NOW)
    other = await store.staff.create_session(ana.id, NOW)
    record = await store.staff.session(token)
    assert record is not None and record.staff.id == ana.id and record.created_at == NOW
    assert token not in str(await _raw(store, "SELECT * FROM staff_sessions"))
    assert await store.staff.session("x" * 1000) is None

    await store.staff.touch_session(record.token_hash, NOW + timedelta(minutes=5))
    touched = await store.staff.session(token)
    assert touched is not None and touched.last_seen_at == NOW + timedelta(minutes=5)

    await store.staff.delete_session(record.token_hash)
    assert await store.staff.session(token) is None
    assert await store.staff.session(other) is not None
    assert await store.staff.set_disabled(ana.id, True)
    assert await store.staff.session(other) is None
    assert await _raw(store, "SELECT * FROM staff_sessions") == []
    assert await store.staff.set_disabled(ana.id, False)
    assert not await store.staff.set_disabled("0" * 32, True)


async def test_expired_sessions_are_swept(store: Store) -> None:
    ana = await store.staff.create("ana", "counsellor", NOW)
    old = await store.staff.create_session(ana.id, NOW - timedelta(hours=13))
    idle = await store.staff.create_session(ana.id, NOW - timedelta(hours=1))
    fresh = await store.staff.create_session(ana.id, NOW)
    removed = await store.staff.delete_expired_sessions(
        NOW - timedelta(minutes=30), NOW - timedelta(hours=12)
    )
    assert removed == 2
    assert await store.staff.session(old) is None and await store.staff.session(idle) is None
    assert await store.staff.session(fresh) is not None


async def test_reset_second_factor_signs_out(store: Store) -> None:
    ana = await store.staff.create("ana", "counsellor", NOW)
    token = await store.staff.issue_setup_token(ana.id, SECRET, NOW, NOW + timedelta(hours=1))
    await store.staff.complete_setup(token, "scrypt$hash", 1, NOW)
    session = await store.staff.create_session(ana.id, NOW)
    assert await store.staff.reset_second_factor(ana.id)
    creds = await store.staff.credentials("ana")
    assert creds is not None and creds.totp_secret is None and not creds.staff.enrolled
    assert await store.staff.session(session) is None


async def test_assignment_of_conversations(store: Store) -> None:
    ana = await store.staff.create("ana", "counsellor", NOW)
    conv = await store.create_conversation("web", "vi", None)
    assert await store.staff.assignment(conv.id) == (True, None)
    assert await store.staff.assign(conv.id, ana.id)
    assert await store.staff.assignment(conv.id) == (True, ana.id)
    assert [c.id for c in await store.staff.assigned_conversations(ana.id)] == [conv.id]
    assert await store.staff.assignment("f" * 32) == (False, None)
    await store.update_conversation(conv.id, state="queued")
    assert await store.staff.queue_count() == 1
    await store.forget_conversation(conv.id)
    assert await store.staff.assignment(conv.id) == (False, None)
    assert not await store.staff.assign(conv.id, None)


async def test_audit_log_is_append_only_in_the_database(store: Store) -> None:
    ana = await store.staff.create("ana", "administrator", NOW)
    conv = await store.create_conversation("web", "vi", None)
    await store.staff.audit(ana.id, "transcript_opened", NOW, conversation_id=conv.id)
    await store.staff.audit(None, "admin_created", NOW, target=ana.id)
    entries = await store.staff.audit_entries()
    assert [(e.action, e.username) for e in entries] == [
        ("admin_created", None),
        ("transcript_opened", "ana"),
    ]
    assert entries[1].conversation_id == conv.id and entries[1].at == NOW
    only = await store.staff.audit_entries(action="transcript_opened", limit=5)
    assert [e.action for e in only] == ["transcript_opened"]

    for statement in (
        "UPDATE audit_log SET action = 'nothing'",
        "DELETE FROM audit_log",
    ):
        with pytest.raises(DBAPIError, match="append-only"):
            async with store.engine.begin() as conn:
                await conn.execute(text(statement))
    if store.engine.dialect.name == "postgresql":
        with pytest.raises(DBAPIError, match="append-only"):
            async with store.engine.begin() as conn:
                await conn.execute(text("TRUNCATE audit_log"))
    assert len(await store.staff.audit_entries()) == 2

    # entries outlive the conversation they name (retention purges conversations)
    await store.forget_conversation(conv.id)
    assert len(await store.staff.audit_entries()) == 2


async def test_the_staff_migration_downgrades_and_upgrades_again(store: Store) -> None:
    from alembic import command

    from bot.storage import store as store_module

    def migrate(connection: Any, target: str, down: bool) -> None:
        config = Config(str(store_module._ALEMBIC_INI))
        config.set_main_option("script_location", str(store_module._MIGRATIONS))
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, target)

    await store.staff.audit(None, "admin_created", NOW)
    kept = await store.create_conversation("web", "vi", None)
    await store.append_message(kept.id, "user", "still here after the downgrade")
    async with store.engine.begin() as conn:
        await conn.run_sync(migrate, "0002", True)
    tables = await _raw(store, _TABLES[store.engine.dialect.name])
    names = {row[0] for row in tables}
    assert "audit_log" not in names and "staff" not in names and "conversations" in names
    async with store.engine.begin() as conn:
        await conn.run_sync(migrate, "head", False)
    # the downgrade rebuilt nothing: the messages survived it
    assert [m.text for m in await store.messages_after(kept.id, 0)] == [
        "still here after the downgrade"
    ]
    await store.staff.audit(None, "admin_created", NOW)
    with pytest.raises(DBAPIError, match="append-only"):
        async with store.engine.begin() as conn:
            await conn.execute(text("DELETE FROM audit_log"))


_TABLES = {
    "sqlite": "SELECT name FROM sqlite_master WHERE type = 'table'",
    "postgresql": "SELECT tablename FROM pg_tables WHERE schemaname = 'public'",
}
