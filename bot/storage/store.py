"""The gateway's persistence: conversations, encrypted messages, web sessions, handoff
requests and versioned content documents.

Every database operation is a small synchronous function over a SQLAlchemy ``Connection``
(Core statements only, no ORM unit of work), run by a backend:

* PostgreSQL: on the AsyncEngine (asyncpg) through ``AsyncConnection.run_sync``;
* SQLite: in worker threads on a plain ``sqlite3`` engine for the same file (one thread hop
  per operation instead of one per driver call, which is what makes aiosqlite slow under
  load). The AsyncEngine is still created: it runs the migrations and is exposed as
  ``Store.engine`` for administration and tests.

Writes go through one writer task per Store: consecutive ``append_message`` calls are
group-committed (one transaction, one seq bump per conversation, one ``executemany``
insert); other writes run one transaction each, in submission order. On SQLite every
connection uses WAL, ``synchronous=NORMAL``, ``foreign_keys=ON`` and ``secure_delete=ON``,
and write transactions start with ``BEGIN IMMEDIATE`` so that concurrent processes queue
on the busy timeout instead of failing.

Nothing here logs message text, identifiers, tokens or pseudonyms.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import os
import queue
import secrets
import threading
import uuid
import weakref
from collections import Counter, deque
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final, Generic, TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    String,
    bindparam,
    create_engine,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy import event as sa_event
from sqlalchemy.engine import URL, CursorResult, make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.sql.expression import Executable

from bot.storage.codes import check_code as _code
from bot.storage.crypto import Keyring
from bot.storage.errors import ConversationNotFound, DecryptionError, StorageError
from bot.storage.models import (
    UTCDateTime,
    content_documents,
    conversations,
    handoff_notes,
    handoff_requests,
    messages,
    telegram_chats,
    telegram_messages,
    telegram_updates,
    web_sessions,
)
from bot.storage.queue import QueueStore
from bot.storage.staff import StaffStore
from bot.storage.stats import StatsStore
from bot.storage.types import Channel, ConversationState, Language, RiskLabel, Sender

log = logging.getLogger(__name__)

_HERE = Path(__file__).resolve().parent
_ALEMBIC_INI: Final = _HERE / "alembic.ini"
_MIGRATIONS: Final = _HERE / "migrations"

_SESSION_NAMESPACE: Final = "web_session"
_WRITE_OPTION: Final = "gbv_storage_write"
_SQLITE_READERS: Final = 2
_MAX_BATCH: Final = 256
_PURGE_CHUNK: Final = 200
_SEEN_REFRESH: Final = timedelta(minutes=5)
_MAX_TOKEN_CHARS: Final = 256

T = TypeVar("T")
Operation = Callable[[Connection], T]


# -- records --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ConversationRecord:
    id: str
    channel: Channel
    state: ConversationState
    language: Language
    risk: RiskLabel
    created_at: datetime
    last_activity_at: datetime


@dataclass(frozen=True, slots=True)
class StoredMessage:
    seq: int
    sender: Sender
    text: str
    buttons: list[dict[str, str]]
    created_at: datetime


@dataclass(slots=True)
class _Append:
    conversation_id: str
    sender: Sender
    text: str
    buttons: list[dict[str, str]]
    plaintext: bytes
    intent: str | None
    risk: str | None
    future: asyncio.Future[StoredMessage] = field(repr=False)


_WriteRequest = tuple[Operation[Any], asyncio.AbstractEventLoop, asyncio.Future[Any]]


@dataclass(slots=True)
class _Job(Generic[T]):
    operation: Operation[T]
    future: asyncio.Future[T] = field(repr=False)


_CONVERSATION_COLUMNS: Final = (
    conversations.c.id,
    conversations.c.channel,
    conversations.c.state,
    conversations.c.language,
    conversations.c.risk,
    conversations.c.created_at,
    conversations.c.last_activity_at,
)


def _record(row: Any) -> ConversationRecord:  # a Row with _CONVERSATION_COLUMNS
    return ConversationRecord(
        id=row.id,
        channel=Channel(row.channel),
        state=ConversationState(row.state),
        language=Language(row.language),
        risk=RiskLabel(row.risk),
        created_at=row.created_at,
        last_activity_at=row.last_activity_at,
    )


def _execute(statement: Executable, parameters: Mapping[str, Any] | None = None) -> Operation[int]:
    """An operation that runs one statement and returns its rowcount."""

    def run(conn: Connection) -> int:
        result: CursorResult[Any] = conn.execute(statement, parameters)
        return result.rowcount

    return run


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _buttons(buttons: Sequence[Mapping[str, str]] | None) -> list[dict[str, str]]:
    result: list[dict[str, str]] = []
    for button in buttons or ():
        title, payload = button.get("title"), button.get("payload")
        if not isinstance(title, str) or not isinstance(payload, str):
            raise ValueError("a button needs string 'title' and 'payload'")
        result.append({"title": title, "payload": payload})
    return result


def _set_result(future: asyncio.Future[T], value: T) -> None:
    if not future.done():
        future.set_result(value)


def _set_exception(future: asyncio.Future[Any], exc: BaseException) -> None:
    if not future.done():
        future.set_exception(exc)


# -- engines and backends -------------------------------------------------------------------


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Take transaction control away from the driver; _sqlite_on_begin issues BEGIN.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    for pragma in (
        "journal_mode=WAL",
        "synchronous=NORMAL",
        "foreign_keys=ON",
        "busy_timeout=30000",
        "secure_delete=ON",
    ):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def _sqlite_on_begin(connection: Connection) -> None:
    write = connection.get_execution_options().get(_WRITE_OPTION, False)
    # On a DBAPI cursor: exec_driver_sql costs more than the BEGIN itself, on every write.
    cursor = connection.connection.cursor()
    try:
        cursor.execute("BEGIN IMMEDIATE" if write else "BEGIN")
    finally:
        cursor.close()


def _sqlite_hooks(engine: Engine) -> None:
    sa_event.listen(engine, "connect", _sqlite_on_connect)
    sa_event.listen(engine, "begin", _sqlite_on_begin)


class _DropBelowWarning(logging.Filter):
    """aiosqlite logs every statement with its parameters (ids, pseudonyms) at DEBUG."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING


def _silence_driver_debug_logs() -> None:
    driver_log = logging.getLogger("aiosqlite")
    if not any(isinstance(f, _DropBelowWarning) for f in driver_log.filters):
        driver_log.addFilter(_DropBelowWarning())


class _Backend:
    """Runs synchronous operations: ``read`` in a plain transaction, ``write`` in a write
    transaction (committed on success, rolled back on error)."""

    async def read(self, operation: Operation[T]) -> T:
        raise NotImplementedError

    async def write(self, operation: Operation[T]) -> T:
        raise NotImplementedError

    async def dispose(self) -> None:
        raise NotImplementedError

    async def checkpoint(self) -> bool:
        """Make deleted data leave the files it may linger in; True when done (or nothing
        to do). PostgreSQL: nothing here (autovacuum reclaims dead tuples)."""
        return True


class _AsyncBackend(_Backend):
    """PostgreSQL (asyncpg): the operations run on the event loop via greenlets."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._write_engine = engine.execution_options(**{_WRITE_OPTION: True})

    async def read(self, operation: Operation[T]) -> T:
        async with self._engine.connect() as conn:
            return await conn.run_sync(operation)

    async def write(self, operation: Operation[T]) -> T:
        async with self._write_engine.begin() as conn:
            return await conn.run_sync(operation)

    async def dispose(self) -> None:
        await self._engine.dispose()


class _ThreadedSQLiteBackend(_Backend):
    """SQLite: reads on a small thread pool, writes on one dedicated thread."""

    def __init__(self, url: URL) -> None:
        self._engine = create_engine(
            url.set(drivername="sqlite+pysqlite"),
            connect_args={"timeout": 30, "check_same_thread": False},
            pool_size=_SQLITE_READERS + 1,
            max_overflow=2,
            hide_parameters=True,
        )
        _sqlite_hooks(self._engine)
        self._write_engine = self._engine.execution_options(**{_WRITE_OPTION: True})
        self._readers = ThreadPoolExecutor(_SQLITE_READERS, thread_name_prefix="storage-read")
        # Writes: one thread of its own, fed through a plain queue and answering through
        # call_soon_threadsafe (an executor's future chaining costs more than a small write).
        self._writes: queue.SimpleQueue[_WriteRequest | None] = queue.SimpleQueue()
        self._writer_conn: Connection | None = None  # used only on the writer thread
        self._writer = threading.Thread(
            target=self._write_thread, name="storage-write", daemon=True
        )
        self._writer.start()

    def _read(self, operation: Operation[T]) -> T:
        with self._engine.connect() as conn:
            return operation(conn)

    def _write(self, operation: Operation[T]) -> T:
        # One long-lived connection on the single writer thread: no pool checkout, reset
        # and event dispatch per transaction (a third of what a small write costs).
        conn = self._writer_conn
        if conn is None or conn.closed or conn.invalidated:
            conn = self._writer_conn = self._write_engine.connect()
        with conn.begin():
            return operation(conn)

    def _write_thread(self) -> None:
        while (request := self._writes.get()) is not None:
            operation, loop, future = request
            try:
                value = self._write(operation)
            except BaseException as exc:  # every request gets an answer
                answer = functools.partial(_set_exception, future, exc)
            else:
                answer = functools.partial(_set_result, future, value)
            with contextlib.suppress(RuntimeError):  # the loop was closed meanwhile
                loop.call_soon_threadsafe(answer)
        if self._writer_conn is not None:
            self._writer_conn.close()
            self._writer_conn = None

    async def read(self, operation: Operation[T]) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._readers, self._read, operation)

    async def write(self, operation: Operation[T]) -> T:
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._writes.put((operation, future.get_loop(), future))
        return await future

    async def dispose(self) -> None:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, self._shutdown)

    async def checkpoint(self) -> bool:
        """Copy the WAL into the main file and truncate it: until then the WAL keeps old
        page images, wrapped keys of shredded conversations included (secure_delete only
        zeroes the main file's pages). Runs outside any transaction; False if a reader's
        snapshot kept the WAL (the next purge tries again)."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._readers, self._checkpoint)

    def _checkpoint(self) -> bool:
        raw = self._engine.raw_connection()
        try:
            cursor = raw.cursor()
            try:
                busy = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
            finally:
                cursor.close()
        finally:
            raw.close()
        return not busy

    def _shutdown(self) -> None:
        self._readers.shutdown(wait=True)
        self._writes.put(None)
        self._writer.join()
        self._engine.dispose()


def _make_engines(url: str) -> tuple[AsyncEngine, _Backend]:
    parsed = make_url(url)
    # hide_parameters: statement parameters (ids, pseudonyms) never reach logs or the
    # messages of database exceptions.
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+asyncpg")
    if parsed.get_backend_name() != "sqlite":
        engine = create_async_engine(parsed, pool_size=10, max_overflow=10, hide_parameters=True)
        return engine, _AsyncBackend(engine)
    database = parsed.database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise StorageError("SQLite needs a database file path (in-memory is not supported)")
    path = Path(database)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    # Create the file private; SQLite gives its -wal and -shm files the same mode.
    os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
    _silence_driver_debug_logs()
    engine = create_async_engine(
        parsed.set(drivername="sqlite+aiosqlite"),
        connect_args={"timeout": 30},
        pool_size=2,
        hide_parameters=True,
    )
    _sqlite_hooks(engine.sync_engine)
    return engine, _ThreadedSQLiteBackend(parsed)


# Alembic keeps its migration context in module globals: one migration at a time per process
# (across processes, BEGIN IMMEDIATE on SQLite and an advisory lock on PostgreSQL serialise).
_MIGRATION_LOCKS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
    weakref.WeakKeyDictionary()
)


def _migration_lock() -> asyncio.Lock:
    loop = asyncio.get_running_loop()
    lock = _MIGRATION_LOCKS.get(loop)
    if lock is None:
        lock = _MIGRATION_LOCKS[loop] = asyncio.Lock()
    return lock


def _upgrade_to_head(connection: Connection) -> None:
    config = Config(str(_ALEMBIC_INI))
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


# -- the store ------------------------------------------------------------------------------


class Store:
    """Open with ``await Store.open(url, keyring)``; close with ``await store.close()``."""

    def __init__(self, engine: AsyncEngine, backend: _Backend, keyring: Keyring) -> None:
        self._engine = engine
        self._backend = backend
        self._keyring = keyring
        self._pending: deque[_Append | _Job[Any]] = deque()
        self._wakeup = asyncio.Event()
        self._closing = False
        self._writer: asyncio.Task[None] | None = None

    @classmethod
    async def open(cls, url: str, keyring: Keyring) -> Store:
        """Connect, migrate the schema to the newest revision and start the writer."""
        engine, backend = _make_engines(url)
        try:
            async with (
                _migration_lock(),
                engine.execution_options(**{_WRITE_OPTION: True}).begin() as conn,
            ):
                await conn.run_sync(_upgrade_to_head)
        except BaseException:
            await backend.dispose()
            await engine.dispose()
            raise
        store = cls(engine, backend, keyring)
        store._writer = asyncio.create_task(store._write_loop(), name="storage-writer")
        return store

    @property
    def engine(self) -> AsyncEngine:
        return self._engine

    @property
    def keyring(self) -> Keyring:
        return self._keyring

    @property
    def staff(self) -> StaffStore:
        """Staff accounts, sessions, setup tokens, assignment and the audit log."""
        return StaffStore(self._backend.read, self._submit, self._keyring)

    @property
    def queue(self) -> QueueStore:
        """The handoff queue: episodes, transitions, timers' marks and counsellors' notes."""
        return QueueStore(self._backend.read, self._submit, self._keyring)

    @property
    def stats(self) -> StatsStore:
        """Aggregate statistics (counts per code or day; never a message body)."""
        return StatsStore(self._backend.read)

    async def close(self) -> None:
        """Finish queued writes, stop the writer and release all connections."""
        if self._closing:
            return
        self._closing = True
        self._wakeup.set()
        try:
            if self._writer is not None:
                await self._writer
        finally:
            await self._backend.dispose()
            await self._engine.dispose()

    # -- conversations ----------------------------------------------------------------------

    async def create_conversation(
        self, channel: str, language: str, user_ref: str | None
    ) -> ConversationRecord:
        """A new conversation with its own data key. ``user_ref`` (e.g. a Telegram chat id)
        is stored only as an HMAC pseudonym."""
        channel_value = Channel(channel)
        now = _utcnow()
        record = ConversationRecord(
            id=uuid.uuid4().hex,
            channel=channel_value,
            state=ConversationState.BOT,
            language=Language(language),
            risk=RiskLabel.NONE,
            created_at=now,
            last_activity_at=now,
        )
        pseudonym = None if user_ref is None else self._keyring.pseudonym(channel_value, user_ref)
        values = {
            "id": record.id,
            "channel": record.channel.value,
            "user_pseudonym": pseudonym,
            "state": record.state.value,
            "language": record.language.value,
            "risk": record.risk.value,
            "wrapped_key": self._keyring.new_data_key(record.id),
            "created_at": now,
            "last_activity_at": now,
            "next_seq": 1,
        }
        await self._submit(_execute(_INSERT_CONVERSATION, values))  # prebuilt: compiled once
        return record

    async def get_conversation(self, conversation_id: str) -> ConversationRecord | None:
        """The conversation, or None if unknown or forgotten."""
        query = select(*_CONVERSATION_COLUMNS).where(
            conversations.c.id == conversation_id, conversations.c.wrapped_key.is_not(None)
        )
        row = await self._backend.read(lambda conn: conn.execute(query).first())
        return None if row is None else _record(row)

    async def idle_conversation_ids(
        self, idle_since: datetime, active_after: datetime
    ) -> list[str]:
        """Ids of conversations whose last activity lies in [active_after, idle_since): those
        that just went quiet, e.g. to clear what the dialogue engine still holds of them."""
        query = (
            select(conversations.c.id)
            .where(
                conversations.c.last_activity_at < idle_since,
                conversations.c.last_activity_at >= active_after,
            )
            .order_by(conversations.c.id)
        )
        rows = await self._backend.read(lambda conn: conn.execute(query).all())
        return [str(row[0]) for row in rows]

    async def find_open_conversation(
        self, channel: str, user_ref: str | None
    ) -> ConversationRecord | None:
        """The most recently active non-closed conversation of this external user."""
        if user_ref is None:
            return None
        channel_value = Channel(channel)
        query = (
            select(*_CONVERSATION_COLUMNS)
            .where(
                conversations.c.user_pseudonym == self._keyring.pseudonym(channel_value, user_ref),
                conversations.c.channel == channel_value.value,
                conversations.c.state != ConversationState.CLOSED.value,
                conversations.c.wrapped_key.is_not(None),
            )
            .order_by(conversations.c.last_activity_at.desc())
            .limit(1)
        )
        row = await self._backend.read(lambda conn: conn.execute(query).first())
        return None if row is None else _record(row)

    async def update_conversation(
        self,
        conversation_id: str,
        *,
        state: str | None = None,
        language: str | None = None,
        risk: str | None = None,
    ) -> None:
        """Change state, language and/or risk. Raises ConversationNotFound."""
        values: dict[str, str] = {}
        if state is not None:
            values["state"] = ConversationState(state).value
        if language is not None:
            values["language"] = Language(language).value
        if risk is not None:
            values["risk"] = RiskLabel(risk).value
        if not values:
            if await self.get_conversation(conversation_id) is None:
                raise ConversationNotFound("conversation not found")
            return
        # prebuilt, SET from the parameters' keys: compiled once per set of columns
        parameters = {"u_id": conversation_id, **values}
        if await self._submit(_execute(_UPDATE_CONVERSATION, parameters)) == 0:
            raise ConversationNotFound("conversation not found")

    # -- web sessions -----------------------------------------------------------------------

    async def issue_web_session(self, conversation_id: str) -> str:
        """A new bearer token for the web chat; only its HMAC is stored."""
        token = secrets.token_urlsafe(32)
        now = _utcnow()
        parameters = {
            "s_hash": self._keyring.pseudonym(_SESSION_NAMESPACE, token),
            "s_id": conversation_id,
            "s_created": now,
            "s_seen": now,
        }
        if await self._submit(_execute(_ISSUE_WEB_SESSION, parameters)) != 1:
            raise ConversationNotFound("conversation not found")
        return token

    async def conversation_for_session(self, token: str) -> ConversationRecord | None:
        """The conversation a web session token belongs to, or None."""
        if not isinstance(token, str) or not token or len(token) > _MAX_TOKEN_CHARS:
            return None
        token_hash = self._keyring.pseudonym(_SESSION_NAMESPACE, token)
        query = (
            select(*_CONVERSATION_COLUMNS, web_sessions.c.last_seen_at)
            .join(web_sessions, web_sessions.c.conversation_id == conversations.c.id)
            .where(
                web_sessions.c.token_hash == token_hash, conversations.c.wrapped_key.is_not(None)
            )
        )
        row = await self._backend.read(lambda conn: conn.execute(query).first())
        if row is None:
            return None
        now = _utcnow()
        if now - row.last_seen_at > _SEEN_REFRESH:
            touch = (
                update(web_sessions)
                .where(web_sessions.c.token_hash == token_hash)
                .values(last_seen_at=now)
            )
            await self._submit(_execute(touch))
        return _record(row)

    # -- messages ---------------------------------------------------------------------------

    async def append_message(
        self,
        conversation_id: str,
        sender: str,
        text: str,
        *,
        buttons: Sequence[Mapping[str, str]] | None = None,
        intent: str | None = None,
        risk: str | None = None,
    ) -> StoredMessage:
        """Store one message, sealed with the conversation's key; assigns the next seq and
        updates last_activity_at. Raises ConversationNotFound."""
        return await self.queue_message(
            conversation_id, sender, text, buttons=buttons, intent=intent, risk=risk
        )

    def queue_message(
        self,
        conversation_id: str,
        sender: str,
        text: str,
        *,
        buttons: Sequence[Mapping[str, str]] | None = None,
        intent: str | None = None,
        risk: str | None = None,
    ) -> asyncio.Future[StoredMessage]:
        """``append_message`` without waiting: the message is queued at once (messages queued
        one after another get their seqs in that order, and may share one commit) and the
        future resolves when it is committed. Bad arguments raise here, at once."""
        if not isinstance(text, str):
            raise TypeError("text must be a str")
        button_list = _buttons(buttons)
        plaintext = json.dumps(
            {"text": text, "buttons": button_list}, ensure_ascii=False, separators=(",", ":")
        ).encode("utf-8")
        item = _Append(
            conversation_id=conversation_id,
            sender=Sender(sender),
            text=text,
            buttons=button_list,
            plaintext=plaintext,
            intent=None if intent is None else _code(intent, "intent"),
            risk=None if risk is None else RiskLabel(risk).value,
            future=asyncio.get_running_loop().create_future(),
        )
        self._enqueue(item)
        return item.future

    async def messages_after(
        self, conversation_id: str, after_seq: int, *, limit: int | None = None
    ) -> list[StoredMessage]:
        """Decrypted messages with seq > after_seq, in seq order. Raises
        ConversationNotFound if the conversation is unknown or forgotten."""
        key_query = select(conversations.c.wrapped_key).where(conversations.c.id == conversation_id)
        query = (
            select(messages.c.seq, messages.c.sender, messages.c.created_at, messages.c.body)
            .where(messages.c.conversation_id == conversation_id, messages.c.seq > after_seq)
            .order_by(messages.c.seq)
        )
        if limit is not None:
            query = query.limit(limit)

        def run(conn: Connection) -> list[StoredMessage] | None:
            # one transaction: the key and the messages come from the same snapshot
            wrapped = conn.execute(key_query).scalar_one_or_none()
            if wrapped is None:
                return None
            result = []
            for row in conn.execute(query):
                payload = json.loads(self._keyring.open(wrapped, conversation_id, row.body))
                if not isinstance(payload, dict) or not isinstance(payload.get("text"), str):
                    raise DecryptionError("sealed message has an unexpected shape")
                result.append(
                    StoredMessage(
                        seq=row.seq,
                        sender=Sender(row.sender),
                        text=payload["text"],
                        buttons=_buttons(payload.get("buttons")),
                        created_at=row.created_at,
                    )
                )
            return result

        found = await self._backend.read(run)
        if found is None:
            raise ConversationNotFound("conversation not found")
        return found

    # -- erasure ----------------------------------------------------------------------------

    async def forget_conversation(self, conversation_id: str) -> bool:
        """Crypto-shred, then delete, one conversation. True if it existed."""
        deleted = await self._shred_and_delete([conversation_id], cutoff=None) > 0
        await self._flush_deleted()
        return deleted

    async def purge_inactive(self, older_than: timedelta, now: datetime | None = None) -> int:
        """Shred and delete conversations inactive for longer than ``older_than``, and finish
        any earlier shred that was interrupted. Idempotent; returns how many were deleted."""
        cutoff = (now or _utcnow()) - older_than
        candidates = (
            select(conversations.c.id)
            .where(
                or_(
                    conversations.c.last_activity_at < cutoff,
                    conversations.c.wrapped_key.is_(None),
                )
            )
            .order_by(conversations.c.id)
            .limit(_PURGE_CHUNK)
        )
        total = 0
        attempted: set[str] = set()
        while True:
            ids = await self._backend.read(lambda conn: list(conn.execute(candidates).scalars()))
            fresh = [cid for cid in ids if cid not in attempted]
            if not fresh:
                break
            attempted.update(fresh)
            total += await self._shred_and_delete(fresh, cutoff=cutoff)
        if total:
            log.info("purged %d inactive conversations", total)
        await self._flush_deleted()
        return total

    async def _flush_deleted(self) -> None:
        """After a shred: no old copy of a wrapped key may stay in the SQLite WAL."""
        if not await self._backend.checkpoint():
            log.warning("the WAL checkpoint after a purge was blocked; retried next purge")

    async def _shred_and_delete(self, ids: list[str], *, cutoff: datetime | None) -> int:
        """Step 1, committed on its own: wrapped_key = NULL, which makes every stored copy of
        the messages unreadable. Step 2: delete the rows. After a crash between the steps,
        the next purge_inactive deletes the shredded rows."""
        shred_filter: list[ColumnElement[bool]] = [conversations.c.id.in_(ids)]
        if cutoff is not None:
            shred_filter.append(
                or_(
                    conversations.c.last_activity_at < cutoff,
                    conversations.c.wrapped_key.is_(None),
                )
            )
        shred = update(conversations).where(*shred_filter).values(wrapped_key=None)
        await self._submit(_execute(shred))
        for conversation_id in ids:
            self._keyring.forget(conversation_id)
        await self._flush_deleted()  # before step 2: a kill there leaves no key in the WAL

        shredded = select(conversations.c.id).where(
            conversations.c.id.in_(ids), conversations.c.wrapped_key.is_(None)
        )

        def run_delete(conn: Connection) -> int:
            gone = list(conn.execute(shredded).scalars())
            if not gone:
                return 0
            for table in (
                messages,
                web_sessions,
                handoff_notes,
                handoff_requests,
                telegram_chats,
                telegram_messages,
            ):
                conn.execute(delete(table).where(table.c.conversation_id.in_(gone)))
            result = conn.execute(
                delete(conversations).where(
                    conversations.c.id.in_(gone), conversations.c.wrapped_key.is_(None)
                )
            )
            return result.rowcount

        return await self._submit(run_delete)

    # -- content documents ------------------------------------------------------------------

    async def load_documents(self) -> dict[str, Any]:
        """The newest published version of every document, by name."""
        newer = content_documents.alias("newer")
        query = select(content_documents.c.name, content_documents.c.body).where(
            content_documents.c.published.is_(True),
            ~select(newer.c.id)
            .where(
                newer.c.name == content_documents.c.name,
                newer.c.published.is_(True),
                newer.c.version > content_documents.c.version,
            )
            .exists(),
        )
        rows = await self._backend.read(lambda conn: conn.execute(query).all())
        return {row.name: row.body for row in rows}

    async def seed_documents(self, docs: Mapping[str, Any]) -> bool:
        """Store ``docs`` as published version 1, only if no document exists yet."""
        now = _utcnow()
        rows = [
            {
                "name": _code(name, "document name"),
                "version": 1,
                "body": body,
                "created_at": now,
                "published": True,
            }
            for name, body in docs.items()
        ]
        count = select(func.count()).select_from(content_documents)

        def run(conn: Connection) -> bool:
            if conn.execute(count).scalar_one() or not rows:
                return False
            conn.execute(insert(content_documents), rows)
            return True

        try:
            return await self._submit(run)
        except IntegrityError:  # another process seeded at the same moment
            return False

    async def save_document(self, name: str, body: Any, published: bool = True) -> int:
        """Store a new version of a document; returns its version number."""
        _code(name, "document name")
        newest = select(func.max(content_documents.c.version)).where(
            content_documents.c.name == name
        )

        def run(conn: Connection) -> int:
            version = (conn.execute(newest).scalar_one_or_none() or 0) + 1
            conn.execute(
                insert(content_documents).values(
                    name=name, version=version, body=body, created_at=_utcnow(), published=published
                )
            )
            return version

        for attempt in range(3):
            try:
                return await self._submit(run)
            except IntegrityError:  # a concurrent writer took the same version number
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    # -- Telegram ---------------------------------------------------------------------------

    async def inbox_add(self, update_id: int, body: bytes) -> bool:
        """Store one webhook update, sealed under a data key of its own. True once the row
        is committed; False if this ``update_id`` was stored before (a redelivery). Any
        database error propagates: the caller must then not acknowledge the update."""
        aad = _inbox_aad(update_id)
        wrapped = self._keyring.new_data_key(aad)
        sealed = self._keyring.seal(wrapped, aad, body)
        self._keyring.forget(aad)
        seen = select(telegram_updates.c.update_id).where(telegram_updates.c.update_id == update_id)
        statement = insert(telegram_updates).values(
            update_id=update_id,
            received_at=_utcnow(),
            wrapped_key=wrapped,
            body=sealed,
            processed=False,
            attempts=0,
        )

        def run(conn: Connection) -> bool:
            if conn.execute(seen).first() is not None:
                return False
            conn.execute(statement)
            return True

        try:
            return await self._submit(run)
        except IntegrityError:
            # The same update stored at the same moment by another process, or a real failure.
            if await self._backend.read(lambda conn: conn.execute(seen).first()) is not None:
                return False
            raise

    async def inbox_pending(self, limit: int = 100) -> list[tuple[int, int, bytes]]:
        """Unprocessed updates in ``update_id`` order, as (update_id, attempts, body)."""
        query = (
            select(
                telegram_updates.c.update_id,
                telegram_updates.c.attempts,
                telegram_updates.c.wrapped_key,
                telegram_updates.c.body,
            )
            .where(telegram_updates.c.processed.is_(False))
            .order_by(telegram_updates.c.update_id)
            .limit(limit)
        )
        rows = await self._backend.read(lambda conn: conn.execute(query).all())
        pending: list[tuple[int, int, bytes]] = []
        for row in rows:
            aad = _inbox_aad(row.update_id)
            try:
                if row.wrapped_key is None or row.body is None:
                    raise DecryptionError("inbox row without a body")
                body = self._keyring.open(row.wrapped_key, aad, row.body)
                pending.append((row.update_id, row.attempts, body))
            except DecryptionError:
                log.error("a stored Telegram update cannot be decrypted; it is dropped")
                await self.inbox_done(row.update_id)
            finally:
                self._keyring.forget(aad)
        return pending

    async def inbox_done(self, update_id: int) -> None:
        """Mark an update processed and shred its body (key and ciphertext)."""
        statement = (
            update(telegram_updates)
            .where(telegram_updates.c.update_id == update_id)
            .values(processed=True, wrapped_key=None, body=None)
        )
        await self._submit(_execute(statement))

    async def inbox_attempted(self, update_id: int) -> None:
        """Count one failed attempt at processing an update."""
        statement = (
            update(telegram_updates)
            .where(telegram_updates.c.update_id == update_id)
            .values(attempts=telegram_updates.c.attempts + 1)
        )
        await self._submit(_execute(statement))

    async def inbox_prune(self, older_than: timedelta, now: datetime | None = None) -> int:
        """Delete processed inbox rows received longer ago than ``older_than``."""
        cutoff = (now or _utcnow()) - older_than
        statement = delete(telegram_updates).where(
            telegram_updates.c.processed.is_(True), telegram_updates.c.received_at < cutoff
        )
        return await self._submit(_execute(statement))

    async def conversation_ids_for(self, channel: str, user_ref: str) -> list[str]:
        """Every stored (not forgotten) conversation of this external user, in any state."""
        channel_value = Channel(channel)
        query = select(conversations.c.id).where(
            conversations.c.user_pseudonym == self._keyring.pseudonym(channel_value, user_ref),
            conversations.c.channel == channel_value.value,
            conversations.c.wrapped_key.is_not(None),
        )
        rows = await self._backend.read(lambda conn: conn.execute(query).all())
        return sorted(str(row[0]) for row in rows)

    async def save_telegram_chat(self, conversation_id: str, chat_id: int) -> None:
        """Keep the chat id of a conversation, sealed with the conversation's data key (so
        forgetting the conversation shreds it). Raises ConversationNotFound."""
        key_query = select(conversations.c.wrapped_key).where(
            conversations.c.id == conversation_id, conversations.c.wrapped_key.is_not(None)
        )
        plaintext = json.dumps({"chat_id": int(chat_id)}).encode("utf-8")
        keyring = self._keyring

        def run(conn: Connection) -> bool:
            wrapped = conn.execute(key_query).scalar_one_or_none()
            if wrapped is None:
                return False
            sealed = keyring.seal(wrapped, conversation_id, plaintext)
            conn.execute(
                delete(telegram_chats).where(telegram_chats.c.conversation_id == conversation_id)
            )
            conn.execute(
                insert(telegram_chats).values(conversation_id=conversation_id, chat_ref=sealed)
            )
            return True

        if not await self._submit(run):
            raise ConversationNotFound("conversation not found")

    async def telegram_chat(self, conversation_id: str) -> int | None:
        """The chat id kept for a conversation, or None."""
        query = (
            select(conversations.c.wrapped_key, telegram_chats.c.chat_ref)
            .join(telegram_chats, telegram_chats.c.conversation_id == conversations.c.id)
            .where(conversations.c.id == conversation_id, conversations.c.wrapped_key.is_not(None))
        )
        row = await self._backend.read(lambda conn: conn.execute(query).first())
        if row is None:
            return None
        payload = json.loads(self._keyring.open(row.wrapped_key, conversation_id, row.chat_ref))
        if not isinstance(payload, dict) or not isinstance(payload.get("chat_id"), int):
            raise DecryptionError("sealed chat id has an unexpected shape")
        return int(payload["chat_id"])

    async def track_telegram_messages(
        self, conversation_id: str, message_ids: Sequence[int]
    ) -> None:
        """Remember ids of messages in the conversation's chat (for /exit). Ignored for a
        conversation that no longer exists."""
        if not message_ids:
            return
        now = _utcnow()
        exists = select(conversations.c.id).where(
            conversations.c.id == conversation_id, conversations.c.wrapped_key.is_not(None)
        )
        rows = [
            {"conversation_id": conversation_id, "message_id": int(m), "created_at": now}
            for m in message_ids
        ]

        def run(conn: Connection) -> None:
            if conn.execute(exists).first() is not None:
                conn.execute(insert(telegram_messages), rows)

        try:
            await self._submit(run)
        except IntegrityError:  # the conversation was deleted concurrently
            return

    async def telegram_message_ids(
        self, conversation_ids: Sequence[str], since: datetime
    ) -> list[int]:
        """Tracked message ids of these conversations sent at or after ``since``, ascending."""
        if not conversation_ids:
            return []
        query = (
            select(telegram_messages.c.message_id)
            .where(
                telegram_messages.c.conversation_id.in_(list(conversation_ids)),
                telegram_messages.c.created_at >= since,
            )
            .order_by(telegram_messages.c.message_id)
        )
        rows = await self._backend.read(lambda conn: conn.execute(query).all())
        return sorted({int(row[0]) for row in rows})

    async def untrack_telegram_messages(self, conversation_ids: Sequence[str]) -> int:
        """Drop every tracked message id of these conversations (after deleting them)."""
        if not conversation_ids:
            return 0
        statement = delete(telegram_messages).where(
            telegram_messages.c.conversation_id.in_(list(conversation_ids))
        )
        return await self._submit(_execute(statement))

    # -- the writer -------------------------------------------------------------------------

    def _enqueue(self, item: _Append | _Job[Any]) -> None:
        if self._closing or self._writer is None or self._writer.done():
            raise StorageError("the store is closed")
        self._pending.append(item)
        self._wakeup.set()

    async def _submit(self, operation: Operation[T]) -> T:
        job: _Job[T] = _Job(operation, asyncio.get_running_loop().create_future())
        self._enqueue(job)
        return await job.future

    async def _write_loop(self) -> None:
        try:
            while True:
                if not self._pending:
                    if self._closing:
                        return
                    self._wakeup.clear()
                    await self._wakeup.wait()
                    continue
                item = self._pending.popleft()
                if isinstance(item, _Job):
                    await self._run_job(item)
                    continue
                batch = [item]
                while self._pending and len(batch) < _MAX_BATCH:
                    head = self._pending[0]
                    if not isinstance(head, _Append):
                        break
                    batch.append(head)
                    self._pending.popleft()
                await self._run_batch(batch)
        finally:
            while self._pending:
                _set_exception(self._pending.popleft().future, StorageError("the store is closed"))

    async def _run_job(self, job: _Job[Any]) -> None:
        try:
            value = await self._backend.write(job.operation)
        except asyncio.CancelledError:
            _set_exception(job.future, StorageError("the store was stopped"))
            raise
        except Exception as exc:
            _set_exception(job.future, exc)
        else:
            _set_result(job.future, value)

    async def _run_batch(self, batch: list[_Append]) -> None:
        try:
            accepted, rejected = await self._backend.write(self._batch_operation(batch))
        except asyncio.CancelledError:
            for item in batch:
                _set_exception(item.future, StorageError("the store was stopped"))
            raise
        except Exception as exc:
            for item in batch:
                _set_exception(item.future, exc)
            return
        for item in rejected:
            _set_exception(item.future, ConversationNotFound("conversation not found"))
        for item, stored in accepted:
            _set_result(item.future, stored)

    def _batch_operation(
        self, batch: list[_Append]
    ) -> Operation[tuple[list[tuple[_Append, StoredMessage]], list[_Append]]]:
        counts = Counter(item.conversation_id for item in batch)
        ids = sorted(counts)  # a fixed lock order: no deadlocks between processes
        keyring = self._keyring

        def run(conn: Connection) -> tuple[list[tuple[_Append, StoredMessage]], list[_Append]]:
            now = _utcnow()
            # Bump first, so the write lock is taken before anything is read.
            sqlite = conn.dialect.name == "sqlite"
            stamp = now.replace(tzinfo=None).isoformat(" ", "microseconds")  # SQLite's format
            found: list[tuple[str, int, bytes]]
            if sqlite:  # the driver's own cursor: the hot path skips SQLAlchemy's statement
                # machinery, which costs several times what SQLite itself spends here
                driver = _driver(conn)
                driver.executemany(_SQLITE_BUMP_SEQ, [(counts[cid], stamp, cid) for cid in ids])
                found = driver.execute(_sqlite_seq_and_key(len(ids)), ids).fetchall()
            else:
                conn.execute(
                    _BUMP_SEQ, [{"b_id": cid, "b_n": counts[cid], "b_now": now} for cid in ids]
                )
                found = [tuple(row) for row in conn.execute(_SEQ_AND_KEY, {"ids": ids})]
            next_seq: dict[str, int] = {}
            keys: dict[str, bytes] = {}
            for cid, seq_after, wrapped in found:
                next_seq[cid] = seq_after - counts[cid]
                keys[cid] = wrapped
            accepted: list[tuple[_Append, StoredMessage]] = []
            rejected: list[_Append] = []
            rows: list[tuple[str, int, str, datetime | str, bytes, str | None, str | None]] = []
            for item in batch:
                cid = item.conversation_id
                if cid not in keys:
                    rejected.append(item)
                    continue
                seq = next_seq[cid]
                next_seq[cid] = seq + 1
                body = keyring.seal(keys[cid], cid, item.plaintext)
                created = stamp if sqlite else now
                rows.append((cid, seq, item.sender.value, created, body, item.intent, item.risk))
                accepted.append(
                    (item, StoredMessage(seq, item.sender, item.text, item.buttons, now))
                )
            if rows and sqlite:
                driver.executemany(_SQLITE_INSERT_MESSAGES, rows)
            elif rows:
                conn.execute(
                    insert(messages), [dict(zip(_MESSAGE_FIELDS, row, strict=True)) for row in rows]
                )
            return accepted, rejected

        return run


_INSERT_CONVERSATION: Final = insert(conversations)
_UPDATE_CONVERSATION: Final = update(conversations).where(
    conversations.c.id == bindparam("u_id"), conversations.c.wrapped_key.is_not(None)
)
_ISSUE_WEB_SESSION: Final = insert(web_sessions).from_select(
    ["token_hash", "conversation_id", "created_at", "last_seen_at"],
    select(
        bindparam("s_hash", type_=String()),
        conversations.c.id,
        bindparam("s_created", type_=UTCDateTime()),
        bindparam("s_seen", type_=UTCDateTime()),
    ).where(conversations.c.id == bindparam("s_id"), conversations.c.wrapped_key.is_not(None)),
)
_BUMP_SEQ: Final = (
    update(conversations)
    .where(conversations.c.id == bindparam("b_id"), conversations.c.wrapped_key.is_not(None))
    .values(
        next_seq=conversations.c.next_seq + bindparam("b_n"),
        last_activity_at=bindparam("b_now", type_=UTCDateTime()),
    )
)
_SEQ_AND_KEY: Final = select(
    conversations.c.id, conversations.c.next_seq, conversations.c.wrapped_key
).where(
    conversations.c.id.in_(bindparam("ids", expanding=True)),
    conversations.c.wrapped_key.is_not(None),
)
_MESSAGE_FIELDS: Final = (
    "conversation_id",
    "seq",
    "sender",
    "created_at",
    "body",
    "intent",
    "risk",
)


def _inbox_aad(update_id: int) -> str:
    """The associated data (and key-cache name) of one sealed inbox update."""
    return f"telegram_update:{int(update_id)}"


_SQLITE_BUMP_SEQ: Final = (
    "UPDATE conversations SET next_seq = next_seq + ?, last_activity_at = ?"
    " WHERE id = ? AND wrapped_key IS NOT NULL"
)


def _driver(conn: Connection) -> Any:
    """The driver's own connection (sqlite3) under a SQLAlchemy connection."""
    driver = conn.connection.driver_connection
    assert driver is not None
    return driver


@functools.lru_cache(maxsize=_MAX_BATCH)
def _sqlite_seq_and_key(count: int) -> str:
    """_SEQ_AND_KEY for `count` ids, in SQLite's parameter style."""
    marks = ", ".join("?" * count)  # only placeholders: the ids are bound parameters
    return (
        f"SELECT id, next_seq, wrapped_key FROM conversations WHERE id IN ({marks})"  # noqa: S608
        " AND wrapped_key IS NOT NULL"
    )


_SQLITE_INSERT_MESSAGES: Final = (
    "INSERT INTO messages (conversation_id, seq, sender, created_at, body, intent, risk)"
    " VALUES (?, ?, ?, ?, ?, ?, ?)"
)
