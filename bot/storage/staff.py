"""Staff accounts, staff sessions, one-time setup tokens, conversation assignment and the
append-only audit log. Reached as ``store.staff`` (the Store's backend and writer).

Tokens (session cookies, setup links) are stored only as HMACs; TOTP secrets are sealed
with a data key of their own (associated data ``staff:<id>``). Times are passed in by the
caller, so that timeouts can be tested with an injected clock.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, Protocol, TypeVar

from sqlalchemy import Connection, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from bot.storage.crypto import Keyring
from bot.storage.errors import StorageError
from bot.storage.models import (
    audit_log,
    conversations,
    setup_tokens,
    staff,
    staff_sessions,
)
from bot.storage.types import ConversationState

T = TypeVar("T")

_SESSION_NAMESPACE: Final = "staff_session"
_SETUP_NAMESPACE: Final = "staff_setup"
_MAX_TOKEN_CHARS: Final = 256
ROLES: Final = ("counsellor", "supervisor", "administrator")


class UsernameTaken(StorageError):
    """Another staff account already has this username."""


class _Run(Protocol):
    def __call__(self, operation: Callable[[Connection], T], /) -> Awaitable[T]: ...


@dataclass(frozen=True, slots=True)
class StaffRecord:
    id: str
    username: str
    role: str
    disabled: bool
    enrolled: bool  # has a password and a second factor
    created_at: datetime


@dataclass(frozen=True, slots=True)
class StaffCredentials:
    staff: StaffRecord
    password_hash: str | None
    totp_secret: bytes | None = None
    totp_last_step: int = 0

    def __repr__(self) -> str:
        return f"StaffCredentials({self.staff.id}, ***)"


@dataclass(frozen=True, slots=True)
class StaffSessionRecord:
    token_hash: str
    staff: StaffRecord
    created_at: datetime
    last_seen_at: datetime


@dataclass(frozen=True, slots=True)
class SetupRecord:
    staff: StaffRecord
    totp_secret: bytes
    expires_at: datetime

    def __repr__(self) -> str:
        return f"SetupRecord({self.staff.id}, ***)"


@dataclass(frozen=True, slots=True)
class AssignedConversation:
    id: str
    channel: str
    state: str
    risk: str


@dataclass(frozen=True, slots=True)
class AuditRecord:
    id: int
    at: datetime
    staff_id: str | None
    username: str | None
    action: str
    conversation_id: str | None
    target: str | None


_STAFF_COLUMNS: Final = (
    staff.c.id,
    staff.c.username,
    staff.c.role,
    staff.c.disabled,
    staff.c.created_at,
    staff.c.password_hash,
    staff.c.totp_secret,
)


def _staff(row: Any) -> StaffRecord:  # a Row with _STAFF_COLUMNS
    return StaffRecord(
        id=row.id,
        username=row.username,
        role=row.role,
        disabled=bool(row.disabled),
        enrolled=row.password_hash is not None and row.totp_secret is not None,
        created_at=row.created_at,
    )


def _valid_token(token: object) -> bool:
    return isinstance(token, str) and 0 < len(token) <= _MAX_TOKEN_CHARS


def _aad(staff_id: str) -> str:
    return f"staff:{staff_id}"


class StaffStore:
    def __init__(self, read: _Run, write: _Run, keyring: Keyring) -> None:
        self._read = read
        self._write = write
        self._keyring = keyring

    def token_hash(self, token: str) -> str:
        return self._keyring.pseudonym(_SESSION_NAMESPACE, token)

    # -- accounts ---------------------------------------------------------------------------

    async def count(self) -> int:
        query = select(func.count()).select_from(staff)
        return int(await self._read(lambda conn: conn.execute(query).scalar_one()))

    async def create(self, username: str, role: str, now: datetime) -> StaffRecord:
        """A new account without credentials (it gets them through a setup token)."""
        if role not in ROLES:
            raise ValueError(f"role must be one of {ROLES}")
        record = StaffRecord(uuid.uuid4().hex, username, role, False, False, now)
        statement = insert(staff).values(
            id=record.id,
            username=username,
            role=role,
            totp_last_step=0,
            disabled=False,
            created_at=now,
        )

        taken = select(staff.c.id).where(staff.c.username == username)

        def run(conn: Connection) -> None:
            if conn.execute(taken).first() is not None:
                raise UsernameTaken("username taken")
            try:
                conn.execute(statement)
            except IntegrityError as exc:  # another process, in between
                raise UsernameTaken("username taken") from exc

        await self._write(run)
        return record

    async def get(self, staff_id: str) -> StaffRecord | None:
        query = select(*_STAFF_COLUMNS).where(staff.c.id == staff_id)
        row = await self._read(lambda conn: conn.execute(query).first())
        return None if row is None else _staff(row)

    async def all(self) -> list[StaffRecord]:
        query = select(*_STAFF_COLUMNS).order_by(staff.c.username)
        rows = await self._read(lambda conn: conn.execute(query).all())
        return [_staff(row) for row in rows]

    async def credentials(self, username: str) -> StaffCredentials | None:
        """The account with this username and its decrypted second-factor secret."""
        query = select(*_STAFF_COLUMNS, staff.c.totp_key, staff.c.totp_last_step).where(
            staff.c.username == username
        )
        row = await self._read(lambda conn: conn.execute(query).first())
        if row is None:
            return None
        secret = None
        if row.totp_key is not None and row.totp_secret is not None:
            secret = self._keyring.open(row.totp_key, _aad(row.id), row.totp_secret)
        return StaffCredentials(_staff(row), row.password_hash, secret, int(row.totp_last_step))

    async def set_password_hash(self, staff_id: str, password_hash: str) -> None:
        statement = update(staff).where(staff.c.id == staff_id).values(password_hash=password_hash)
        await self._write(lambda conn: conn.execute(statement).rowcount)

    async def use_totp_step(self, staff_id: str, step: int) -> bool:
        """Record that the code of time step ``step`` was used; False if that step or a
        later one was already used (a code is accepted once)."""
        statement = (
            update(staff)
            .where(staff.c.id == staff_id, staff.c.totp_last_step < step)
            .values(totp_last_step=step)
        )
        return bool(await self._write(lambda conn: conn.execute(statement).rowcount) == 1)

    async def set_disabled(self, staff_id: str, disabled: bool) -> bool:
        """Disable (and sign out everywhere, void setup links) or re-enable an account."""
        statement = update(staff).where(staff.c.id == staff_id).values(disabled=disabled)

        def run(conn: Connection) -> bool:
            found = conn.execute(statement).rowcount == 1
            if found and disabled:
                conn.execute(delete(staff_sessions).where(staff_sessions.c.staff_id == staff_id))
                conn.execute(delete(setup_tokens).where(setup_tokens.c.staff_id == staff_id))
            return found

        return await self._write(run)

    async def reset_second_factor(self, staff_id: str) -> bool:
        """Remove the enrolled second factor and sign the account out everywhere."""
        statement = (
            update(staff).where(staff.c.id == staff_id).values(totp_key=None, totp_secret=None)
        )

        def run(conn: Connection) -> bool:
            found = conn.execute(statement).rowcount == 1
            conn.execute(delete(staff_sessions).where(staff_sessions.c.staff_id == staff_id))
            return found

        return await self._write(run)

    # -- setup tokens -----------------------------------------------------------------------

    async def issue_setup_token(
        self, staff_id: str, totp_secret: bytes, now: datetime, expires_at: datetime
    ) -> str:
        """A one-time setup token (replacing any earlier one of this account) carrying the
        second-factor secret to enrol."""
        token = secrets.token_urlsafe(32)
        wrapped = self._keyring.new_data_key(_aad(staff_id))
        sealed = self._keyring.seal(wrapped, _aad(staff_id), totp_secret)
        values = {
            "token_hash": self._keyring.pseudonym(_SETUP_NAMESPACE, token),
            "staff_id": staff_id,
            "totp_key": wrapped,
            "totp_secret": sealed,
            "created_at": now,
            "expires_at": expires_at,
        }

        def run(conn: Connection) -> None:
            conn.execute(delete(setup_tokens).where(setup_tokens.c.staff_id == staff_id))
            conn.execute(insert(setup_tokens).values(**values))

        await self._write(run)
        return token

    async def setup_for_token(self, token: str, now: datetime) -> SetupRecord | None:
        """The account a valid (unexpired, unused, account enabled) setup token is for."""
        if not _valid_token(token):
            return None
        query = (
            select(
                *_STAFF_COLUMNS,
                setup_tokens.c.totp_key.label("setup_key"),
                setup_tokens.c.totp_secret.label("setup_secret"),
                setup_tokens.c.expires_at,
            )
            .join(setup_tokens, setup_tokens.c.staff_id == staff.c.id)
            .where(
                setup_tokens.c.token_hash == self._keyring.pseudonym(_SETUP_NAMESPACE, token),
                setup_tokens.c.expires_at > now,
                staff.c.disabled.is_(False),
            )
        )
        row = await self._read(lambda conn: conn.execute(query).first())
        if row is None:
            return None
        secret = self._keyring.open(row.setup_key, _aad(row.id), row.setup_secret)
        return SetupRecord(_staff(row), secret, row.expires_at)

    async def complete_setup(
        self, token: str, password_hash: str, totp_step: int, now: datetime
    ) -> bool:
        """Consume the token: the account gets the password and the token's second factor
        (``totp_step``: the step of the code that confirmed enrolment); every other
        session of the account ends. False if the token is no longer valid."""
        if not _valid_token(token):
            return False
        token_hash = self._keyring.pseudonym(_SETUP_NAMESPACE, token)
        query = (
            select(setup_tokens.c.staff_id, setup_tokens.c.totp_key, setup_tokens.c.totp_secret)
            .join(staff, staff.c.id == setup_tokens.c.staff_id)
            .where(
                setup_tokens.c.token_hash == token_hash,
                setup_tokens.c.expires_at > now,
                staff.c.disabled.is_(False),
            )
        )

        def run(conn: Connection) -> bool:
            row = conn.execute(query).first()
            if row is None:
                return False
            conn.execute(
                update(staff)
                .where(staff.c.id == row.staff_id)
                .values(
                    password_hash=password_hash,
                    totp_key=row.totp_key,
                    totp_secret=row.totp_secret,
                    totp_last_step=totp_step,
                )
            )
            conn.execute(delete(setup_tokens).where(setup_tokens.c.staff_id == row.staff_id))
            conn.execute(delete(staff_sessions).where(staff_sessions.c.staff_id == row.staff_id))
            return True

        return await self._write(run)

    # -- sessions ---------------------------------------------------------------------------

    async def create_session(self, staff_id: str, now: datetime) -> str:
        token = secrets.token_urlsafe(32)
        statement = insert(staff_sessions).values(
            token_hash=self.token_hash(token), staff_id=staff_id, created_at=now, last_seen_at=now
        )
        await self._write(lambda conn: conn.execute(statement).rowcount)
        return token

    async def session(self, token: str) -> StaffSessionRecord | None:
        """The session of a cookie token, with its (enabled) account; timeouts are the
        caller's decision."""
        if not _valid_token(token):
            return None
        token_hash = self.token_hash(token)
        query = (
            select(*_STAFF_COLUMNS, staff_sessions.c.created_at.label("session_created_at"))
            .add_columns(staff_sessions.c.last_seen_at)
            .join(staff_sessions, staff_sessions.c.staff_id == staff.c.id)
            .where(staff_sessions.c.token_hash == token_hash, staff.c.disabled.is_(False))
        )
        row = await self._read(lambda conn: conn.execute(query).first())
        if row is None:
            return None
        return StaffSessionRecord(token_hash, _staff(row), row.session_created_at, row.last_seen_at)

    async def touch_session(self, token_hash: str, now: datetime) -> None:
        statement = (
            update(staff_sessions)
            .where(staff_sessions.c.token_hash == token_hash)
            .values(last_seen_at=now)
        )
        await self._write(lambda conn: conn.execute(statement).rowcount)

    async def delete_session(self, token_hash: str) -> None:
        statement = delete(staff_sessions).where(staff_sessions.c.token_hash == token_hash)
        await self._write(lambda conn: conn.execute(statement).rowcount)

    async def delete_sessions(self, staff_id: str) -> int:
        statement = delete(staff_sessions).where(staff_sessions.c.staff_id == staff_id)
        return int(await self._write(lambda conn: conn.execute(statement).rowcount))

    async def delete_expired_sessions(self, idle_before: datetime, created_before: datetime) -> int:
        statement = delete(staff_sessions).where(
            (staff_sessions.c.last_seen_at < idle_before)
            | (staff_sessions.c.created_at < created_before)
        )
        return int(await self._write(lambda conn: conn.execute(statement).rowcount))

    # -- conversations ----------------------------------------------------------------------

    async def assign(self, conversation_id: str, staff_id: str | None) -> bool:
        """Set (or clear) the staff account holding a conversation."""
        statement = (
            update(conversations)
            .where(conversations.c.id == conversation_id, conversations.c.wrapped_key.is_not(None))
            .values(assigned_to=staff_id)
        )
        return bool(await self._write(lambda conn: conn.execute(statement).rowcount) == 1)

    async def assignment(self, conversation_id: str) -> tuple[bool, str | None]:
        """(exists and is readable, the staff id it is assigned to)."""
        query = select(conversations.c.assigned_to).where(
            conversations.c.id == conversation_id, conversations.c.wrapped_key.is_not(None)
        )
        row = await self._read(lambda conn: conn.execute(query).first())
        return (False, None) if row is None else (True, row.assigned_to)

    async def assigned_conversations(self, staff_id: str) -> list[AssignedConversation]:
        query = (
            select(
                conversations.c.id,
                conversations.c.channel,
                conversations.c.state,
                conversations.c.risk,
            )
            .where(
                conversations.c.assigned_to == staff_id, conversations.c.wrapped_key.is_not(None)
            )
            .order_by(conversations.c.last_activity_at.desc())
        )
        rows = await self._read(lambda conn: conn.execute(query).all())
        return [AssignedConversation(r.id, r.channel, r.state, r.risk) for r in rows]

    async def queue_count(self) -> int:
        query = (
            select(func.count())
            .select_from(conversations)
            .where(conversations.c.state == ConversationState.QUEUED.value)
        )
        return int(await self._read(lambda conn: conn.execute(query).scalar_one()))

    # -- audit log --------------------------------------------------------------------------

    async def audit(
        self,
        staff_id: str | None,
        action: str,
        now: datetime,
        *,
        conversation_id: str | None = None,
        target: str | None = None,
    ) -> None:
        statement = insert(audit_log).values(
            at=now, staff_id=staff_id, action=action, conversation_id=conversation_id, target=target
        )
        await self._write(lambda conn: conn.execute(statement).rowcount)

    async def audit_entries(
        self, *, limit: int | None = None, action: str | None = None
    ) -> list[AuditRecord]:
        """Newest first."""
        query = (
            select(audit_log, staff.c.username)
            .outerjoin(staff, staff.c.id == audit_log.c.staff_id)
            .order_by(audit_log.c.id.desc())
        )
        if action:
            query = query.where(audit_log.c.action == action)
        if limit is not None:
            query = query.limit(limit)
        rows = await self._read(lambda conn: conn.execute(query).all())
        return [
            AuditRecord(
                row.id,
                row.at,
                row.staff_id,
                row.username,
                row.action,
                row.conversation_id,
                row.target,
            )
            for row in rows
        ]
