"""Database schema (SQLAlchemy 2 declarative). The migration in ``migrations/versions``
creates exactly this; a test compares the two.

Nothing here holds a raw external identifier or message text in clear:
``user_pseudonym`` and ``web_sessions.token_hash`` are HMACs, ``messages.body`` and
``handoff_notes.body`` are sealed with the conversation's data key, ``intent``/``risk``/
``reasons``/``outcome`` are short codes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from bot.storage.types import Channel, ConversationState, Language, RiskLabel, Sender

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# SQLite only auto-increments INTEGER PRIMARY KEY columns.
BigIntId = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores them naive, in UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def _one_of(column: str, values: type[Any]) -> str:
    allowed = ", ".join(f"'{member.value}'" for member in values)
    return f"{column} IN ({allowed})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Conversation(Base):
    __tablename__ = "conversations"
    __table_args__ = (
        CheckConstraint(_one_of("channel", Channel), name="channel"),
        CheckConstraint(_one_of("state", ConversationState), name="state"),
        CheckConstraint(_one_of("language", Language), name="language"),
        CheckConstraint(_one_of("risk", RiskLabel), name="risk"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    user_pseudonym: Mapped[str | None] = mapped_column(String(64), index=True)
    state: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(8))
    risk: Mapped[str] = mapped_column(String(16))
    # NULL means shredded: the messages of this conversation can no longer be decrypted.
    wrapped_key: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    next_seq: Mapped[int] = mapped_column(Integer)
    # The staff account (staff.id) holding this conversation; set by the queue (handoff).
    assigned_to: Mapped[str | None] = mapped_column(String(32), index=True)
    # The outcome code of a closed conversation (``left``: "left — do not contact").
    outcome: Mapped[str | None] = mapped_column(String(32))


class Message(Base):
    __tablename__ = "messages"
    # The unique (conversation_id, seq) index also serves every lookup by conversation_id.
    __table_args__ = (
        UniqueConstraint("conversation_id", "seq"),
        CheckConstraint(_one_of("sender", Sender), name="sender"),
        CheckConstraint(f"risk IS NULL OR {_one_of('risk', RiskLabel)}", name="risk"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("conversations.id", ondelete="CASCADE")
    )
    seq: Mapped[int] = mapped_column(Integer)
    sender: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    body: Mapped[bytes] = mapped_column(LargeBinary)  # sealed JSON {"text", "buttons"}
    intent: Mapped[str | None] = mapped_column(String(64))  # an intent NAME, never text
    risk: Mapped[str | None] = mapped_column(String(16))


class WebSession(Base):
    __tablename__ = "web_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    conversation_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())


class HandoffRequest(Base):
    """One queue episode of a conversation: open while ``ended_at`` is NULL. ``created_at``
    is when it entered the queue (kept when a counsellor releases it back to the queue)."""

    __tablename__ = "handoff_requests"
    # Finds the open episode of a conversation (conversation_id = ? AND ended_at IS NULL).
    __table_args__ = (
        Index("ix_handoff_requests_conversation_id_ended_at", "conversation_id", "ended_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    reason: Mapped[str] = mapped_column(String(64))
    level: Mapped[str] = mapped_column(String(16))
    reasons: Mapped[list[str]] = mapped_column(JSON)  # codes only, never message text
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    claimed_by: Mapped[str | None] = mapped_column(String(32))  # staff.id
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    first_reply_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Since when the person has been waiting for a counsellor's reply (NULL: not waiting).
    awaiting_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outcome: Mapped[str | None] = mapped_column(String(32))


class HandoffNote(Base):
    """A counsellor's private note on a conversation, sealed with the conversation's data
    key (so it is shredded with the conversation). Never shown to the person."""

    __tablename__ = "handoff_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    staff_id: Mapped[str] = mapped_column(String(32))  # staff.id (accounts are never deleted)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    body: Mapped[bytes] = mapped_column(LargeBinary)  # sealed JSON {"note", "by"}


class ContentDocument(Base):
    __tablename__ = "content_documents"
    __table_args__ = (UniqueConstraint("name", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    body: Mapped[Any] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    published: Mapped[bool] = mapped_column(Boolean)


# Core tables, for the store's statements (no ORM unit of work on the hot path).
conversations = cast(Table, Conversation.__table__)
messages = cast(Table, Message.__table__)
web_sessions = cast(Table, WebSession.__table__)
handoff_requests = cast(Table, HandoffRequest.__table__)
handoff_notes = cast(Table, HandoffNote.__table__)
content_documents = cast(Table, ContentDocument.__table__)


# -- staff accounts and the audit log (handoff issue) ----------------------------------------


class Staff(Base):
    """A counsellor, supervisor or administrator. ``password_hash`` is an scrypt hash;
    ``totp_secret`` is sealed with a data key of its own (``totp_key``, wrapped under the
    master key, associated data ``staff:<id>``). Accounts are disabled, never deleted."""

    __tablename__ = "staff"
    __table_args__ = (
        CheckConstraint("role IN ('counsellor', 'supervisor', 'administrator')", name="role"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    totp_key: Mapped[bytes | None] = mapped_column(LargeBinary)
    totp_secret: Mapped[bytes | None] = mapped_column(LargeBinary)
    totp_last_step: Mapped[int] = mapped_column(BigInteger)
    disabled: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class StaffSession(Base):
    """A signed-in browser: only the HMAC of the cookie's token is stored."""

    __tablename__ = "staff_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    staff_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("staff.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SetupToken(Base):
    """A one-time link to set a password and enrol the second factor (HMAC of the token;
    the TOTP secret to enrol is sealed like ``staff.totp_secret``)."""

    __tablename__ = "setup_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    staff_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("staff.id", ondelete="CASCADE"), index=True
    )
    totp_key: Mapped[bytes] = mapped_column(LargeBinary)
    totp_secret: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AuditEntry(Base):
    """Append-only (database triggers refuse UPDATE and DELETE): who did what, when.
    No foreign keys: entries outlive purged conversations. Codes and ids only."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    staff_id: Mapped[str | None] = mapped_column(String(32), index=True)
    action: Mapped[str] = mapped_column(String(64))
    conversation_id: Mapped[str | None] = mapped_column(String(32), index=True)
    target: Mapped[str | None] = mapped_column(String(64))


staff = cast(Table, Staff.__table__)
staff_sessions = cast(Table, StaffSession.__table__)
setup_tokens = cast(Table, SetupToken.__table__)
audit_log = cast(Table, AuditEntry.__table__)


# -- Telegram (channels issue) ---------------------------------------------------------------


class TelegramUpdate(Base):
    """The webhook inbox: an update is acknowledged to Telegram only after this row is
    committed. ``body`` (the update JSON: text, chat id) is sealed with a data key of its
    own (``wrapped_key``); both are set to NULL once the update is processed, and the
    row (update id only) stays a while so that a redelivered update is processed once."""

    __tablename__ = "telegram_updates"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    wrapped_key: Mapped[bytes | None] = mapped_column(LargeBinary)
    body: Mapped[bytes | None] = mapped_column(LargeBinary)
    processed: Mapped[bool] = mapped_column(Boolean)
    attempts: Mapped[int] = mapped_column(Integer)


class TelegramChat(Base):
    """The chat id of a Telegram conversation, sealed with the conversation's data key."""

    __tablename__ = "telegram_chats"

    conversation_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    chat_ref: Mapped[bytes] = mapped_column(LargeBinary)


class TelegramMessage(Base):
    """Ids of the messages in a Telegram chat (the person's and the bot's), for /exit."""

    __tablename__ = "telegram_messages"

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    message_id: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


telegram_updates = cast(Table, TelegramUpdate.__table__)
telegram_chats = cast(Table, TelegramChat.__table__)
telegram_messages = cast(Table, TelegramMessage.__table__)
