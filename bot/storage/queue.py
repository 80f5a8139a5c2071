"""The handoff queue's tables. Reached as ``store.queue`` (the Store's backend and writer).

A row of ``handoff_requests`` is one queue episode of a conversation, open while
``ended_at`` is NULL; its ``created_at`` is when the conversation entered the queue. The
conversation's ``state`` (bot, queued, human, closed) and ``assigned_to`` move with the
episode, each transition in one write transaction that starts by changing the
conversation row under a condition on its state (and checking the rowcount), so that of
two concurrent transitions, across processes too, exactly one takes effect.

Counsellors' notes (``handoff_notes``) are sealed with the conversation's data key, so
forgetting or purging the conversation shreds them with its messages. Times are passed in
by the caller (timezone-aware), so that the queue's timers can be tested with a clock.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, Protocol, TypeVar

from sqlalchemy import ColumnElement, Connection, Select, and_, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from bot.storage.codes import check_code
from bot.storage.crypto import Keyring
from bot.storage.errors import ConversationNotFound, DecryptionError
from bot.storage.models import conversations, handoff_notes, handoff_requests, staff
from bot.storage.types import Channel, ConversationState, Language, RiskLabel

T = TypeVar("T")

# Closing a conversation (a counsellor's choice) ...
CLOSE_OUTCOMES: Final = ("resolved", "referred", "no_response", "duplicate", "other")
# ... and the outcomes the system sets: the person left ("left — do not contact"), or the
# conversation went back to the bot (an episode's outcome only).
OUTCOME_LEFT: Final = "left"
OUTCOME_HANDED_BACK: Final = "handed_back"
OUTCOMES: Final = (*CLOSE_OUTCOMES, OUTCOME_LEFT, OUTCOME_HANDED_BACK)

MAX_NOTE_CHARS: Final = 10_000
_MAX_STAFF_ID_CHARS: Final = 32

_QUEUED: Final = ConversationState.QUEUED.value
_HUMAN: Final = ConversationState.HUMAN.value
_BOT: Final = ConversationState.BOT.value
_CLOSED: Final = ConversationState.CLOSED.value
_RANK: Final = {label.value: rank for rank, label in enumerate(RiskLabel)}


class _Run(Protocol):
    def __call__(self, operation: Callable[[Connection], T], /) -> Awaitable[T]: ...


@dataclass(frozen=True, slots=True)
class QueueEntry:
    conversation_id: str
    channel: Channel
    language: Language
    state: ConversationState  # queued | human | closed (closed only when left)
    risk: RiskLabel  # the higher of the conversation's and the request's
    reason: str  # user_request | lap_screen | risk_high | risk_imminent ...
    reasons: tuple[str, ...]  # codes: screen signals, intents, lap_N:yes
    queued_at: datetime
    claimed_by: str | None  # staff id
    claimed_at: datetime | None
    escalated_at: datetime | None
    awaiting_since: datetime | None
    outcome: str | None  # "left" for a conversation the person left


@dataclass(frozen=True, slots=True)
class NoteRecord:
    id: int
    staff_id: str
    username: str | None
    text: str
    created_at: datetime


# -- helpers --------------------------------------------------------------------------------


def _aware(now: datetime) -> datetime:
    if not isinstance(now, datetime) or now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be a timezone-aware datetime")
    return now


def _staff_id(value: str) -> str:
    check_code(value, "staff_id")
    if len(value) > _MAX_STAFF_ID_CHARS:
        raise ValueError(f"staff_id must be at most {_MAX_STAFF_ID_CHARS} chars")
    return value


def _label(value: str) -> RiskLabel:
    # Requests recorded before the queue (migration 0004) may hold any short code.
    try:
        return RiskLabel(value)
    except ValueError:
        return RiskLabel.NONE


def _higher(a: RiskLabel, b: RiskLabel) -> RiskLabel:
    return a if _RANK[a.value] >= _RANK[b.value] else b


def _merge(old: Sequence[str], new: Sequence[str]) -> list[str]:
    merged = list(dict.fromkeys(old))
    merged.extend(code for code in dict.fromkeys(new) if code not in merged)
    return merged


def _newest_open_episode(conversation_id: str) -> Any:  # a scalar subquery
    return (
        select(func.max(handoff_requests.c.id))
        .where(
            handoff_requests.c.conversation_id == conversation_id,
            handoff_requests.c.ended_at.is_(None),
        )
        .scalar_subquery()
    )


def _readable(conversation_id: str) -> list[ColumnElement[bool]]:
    return [conversations.c.id == conversation_id, conversations.c.wrapped_key.is_not(None)]


_ENTRY_COLUMNS: Final = (
    conversations.c.id.label("conversation_id"),
    conversations.c.channel,
    conversations.c.language,
    conversations.c.state,
    conversations.c.risk,
    conversations.c.outcome.label("conversation_outcome"),
    handoff_requests.c.id.label("episode_id"),
    handoff_requests.c.reason,
    handoff_requests.c.level,
    handoff_requests.c.reasons,
    handoff_requests.c.created_at.label("queued_at"),
    handoff_requests.c.claimed_by,
    handoff_requests.c.claimed_at,
    handoff_requests.c.escalated_at,
    handoff_requests.c.awaiting_since,
    handoff_requests.c.ended_at,
    handoff_requests.c.outcome.label("episode_outcome"),
)


def _entries_query(*where: ColumnElement[bool]) -> Select[Any]:
    return (
        select(*_ENTRY_COLUMNS)
        .join(handoff_requests, handoff_requests.c.conversation_id == conversations.c.id)
        .where(conversations.c.wrapped_key.is_not(None), *where)
        .order_by(handoff_requests.c.id)
    )


# An open episode of a queued or human conversation, or the episode that ended when the
# person left (the console keeps showing it: "left — do not contact").
_OPEN: Final = and_(
    conversations.c.state.in_((_QUEUED, _HUMAN)), handoff_requests.c.ended_at.is_(None)
)
_LEFT: Final = and_(
    conversations.c.state == _CLOSED,
    conversations.c.outcome == OUTCOME_LEFT,
    handoff_requests.c.outcome == OUTCOME_LEFT,
)


def _entry(row: Any) -> QueueEntry:  # a Row with _ENTRY_COLUMNS
    state = ConversationState(row.state)
    left = state is ConversationState.CLOSED
    return QueueEntry(
        conversation_id=row.conversation_id,
        channel=Channel(row.channel),
        language=Language(row.language),
        state=state,
        risk=_higher(RiskLabel(row.risk), _label(row.level)),
        reason=row.reason,
        reasons=tuple(str(code) for code in row.reasons or ()),
        queued_at=row.queued_at,
        claimed_by=row.claimed_by,
        claimed_at=row.claimed_at,
        escalated_at=row.escalated_at,
        awaiting_since=None if left else row.awaiting_since,
        outcome=row.conversation_outcome if left else None,
    )


def _newest_per_conversation(rows: Sequence[Any]) -> list[Any]:
    """The newest episode of each conversation (rows come in episode id order)."""
    newest: dict[str, Any] = {}
    for row in rows:
        newest[row.conversation_id] = row
    return list(newest.values())


def _queue_order(entry: QueueEntry) -> tuple[int, datetime, str]:
    return (-_RANK[entry.risk.value], entry.queued_at, entry.conversation_id)


def _read_entry(conn: Connection, conversation_id: str) -> QueueEntry | None:
    rows = conn.execute(_entries_query(conversations.c.id == conversation_id, _OPEN | _LEFT)).all()
    return _entry(rows[-1]) if rows else None


def _end_episodes(
    conn: Connection, conversation_id: str, outcome: str | None, now: datetime
) -> None:
    conn.execute(
        update(handoff_requests)
        .where(
            handoff_requests.c.conversation_id == conversation_id,
            handoff_requests.c.ended_at.is_(None),
        )
        .values(ended_at=now, outcome=outcome, awaiting_since=None)
    )


def _note_plaintext(staff_id: str, text: str) -> bytes:
    # The conversation id is the associated data of every blob sealed with its key (the
    # Keyring API): the "note" field keeps a note from passing for a message body and back.
    return json.dumps({"note": text, "by": staff_id}, ensure_ascii=False).encode("utf-8")


def _note_text(plaintext: bytes, staff_id: str) -> str:
    payload = json.loads(plaintext)
    if (
        not isinstance(payload, dict)
        or not isinstance(payload.get("note"), str)
        or payload.get("by") != staff_id
    ):
        raise DecryptionError("sealed note has an unexpected shape")
    return str(payload["note"])


# -- the store ------------------------------------------------------------------------------


class QueueStore:
    def __init__(self, read: _Run, write: _Run, keyring: Keyring) -> None:
        self._read = read
        self._write = write
        self._keyring = keyring

    # -- transitions ------------------------------------------------------------------------

    async def enqueue(
        self,
        conversation_id: str,
        reason: str,
        level: str,
        reasons: Sequence[str],
        now: datetime,
    ) -> QueueEntry | None:
        """bot → queued, with a new episode. Already queued or human: the episode's level is
        raised (never lowered) and the new reason codes added; its reason is kept. Returns
        the entry; None for a closed, missing or forgotten conversation."""
        check_code(reason, "reason")
        label = RiskLabel(level)
        if isinstance(reasons, str):
            raise TypeError("reasons must be a sequence of codes, not a str")
        codes = [check_code(code, "reasons[]") for code in reasons]
        _aware(now)
        lock = (
            select(conversations.c.state, conversations.c.assigned_to)
            .where(*_readable(conversation_id))
            .with_for_update(key_share=True)  # PostgreSQL: FOR NO KEY UPDATE
        )
        open_episode = select(
            handoff_requests.c.id, handoff_requests.c.level, handoff_requests.c.reasons
        ).where(handoff_requests.c.id == _newest_open_episode(conversation_id))

        def run(conn: Connection) -> QueueEntry | None:
            row = conn.execute(lock).first()
            if row is None or row.state == _CLOSED:
                return None
            episode = None
            if row.state == _BOT:
                gate = (
                    update(conversations)
                    .where(*_readable(conversation_id), conversations.c.state == _BOT)
                    .values(state=_QUEUED, assigned_to=None)
                )
                if conn.execute(gate).rowcount != 1:
                    return None
            else:
                episode = conn.execute(open_episode).first()
            if episode is None:
                human = row.state == _HUMAN
                conn.execute(
                    insert(handoff_requests).values(
                        conversation_id=conversation_id,
                        reason=reason,
                        level=label.value,
                        reasons=_merge((), codes),
                        created_at=now,
                        claimed_by=row.assigned_to if human else None,
                        claimed_at=now if human else None,
                    )
                )
            else:
                conn.execute(
                    update(handoff_requests)
                    .where(handoff_requests.c.id == episode.id)
                    .values(
                        level=_higher(_label(episode.level), label).value,
                        reasons=_merge(episode.reasons or (), codes),
                    )
                )
            return _read_entry(conn, conversation_id)

        try:
            return await self._write(run)
        except IntegrityError:  # the conversation was deleted concurrently
            return None

    async def claim(self, conversation_id: str, staff_id: str, now: datetime) -> QueueEntry | None:
        """queued → human, assigned to ``staff_id``; claimed_at = awaiting_since = now.
        Atomic: of two claims, exactly one gets the entry, the other None (as does the
        claim of a conversation that is not queued, or has no open episode)."""
        _staff_id(staff_id)
        _aware(now)
        has_episode = (
            select(handoff_requests.c.id)
            .where(
                handoff_requests.c.conversation_id == conversation_id,
                handoff_requests.c.ended_at.is_(None),
            )
            .exists()
        )
        gate = (
            update(conversations)
            .where(*_readable(conversation_id), conversations.c.state == _QUEUED, has_episode)
            .values(state=_HUMAN, assigned_to=staff_id)
        )
        mark = (
            update(handoff_requests)
            .where(handoff_requests.c.id == _newest_open_episode(conversation_id))
            .values(claimed_by=staff_id, claimed_at=now, awaiting_since=now)
        )

        def run(conn: Connection) -> QueueEntry | None:
            if conn.execute(gate).rowcount != 1:
                return None
            conn.execute(mark)
            return _read_entry(conn, conversation_id)

        return await self._write(run)

    async def requeue(
        self, conversation_id: str, staff_id: str | None, now: datetime
    ) -> QueueEntry | None:
        """human → queued (``staff_id`` None: whoever holds it; else only if held by
        ``staff_id``): assigned_to NULL, the claim cleared (claimed_by, claimed_at,
        awaiting_since); queued_at and escalated_at are kept (the person keeps their
        place). None if the conversation is not human (or not held by ``staff_id``).
        ``now`` is only checked (nothing of a requeue is timed: the episode's times stay)."""
        if staff_id is not None:
            _staff_id(staff_id)
        _aware(now)
        where = [*_readable(conversation_id), conversations.c.state == _HUMAN]
        if staff_id is not None:
            where.append(conversations.c.assigned_to == staff_id)
        gate = update(conversations).where(*where).values(state=_QUEUED, assigned_to=None)
        clear = (
            update(handoff_requests)
            .where(handoff_requests.c.id == _newest_open_episode(conversation_id))
            .values(claimed_by=None, claimed_at=None, awaiting_since=None)
        )

        def run(conn: Connection) -> QueueEntry | None:
            if conn.execute(gate).rowcount != 1:
                return None
            conn.execute(clear)
            return _read_entry(conn, conversation_id)

        return await self._write(run)

    async def hand_back(self, conversation_id: str, staff_id: str | None, now: datetime) -> bool:
        """queued|human → bot (``staff_id`` given: only if held by ``staff_id``): assigned_to
        NULL, the episode ended with outcome ``handed_back``."""
        return await self._end(
            conversation_id, staff_id, now, state=_BOT, outcome=OUTCOME_HANDED_BACK
        )

    async def close(
        self, conversation_id: str, staff_id: str | None, outcome: str, now: datetime
    ) -> bool:
        """queued|human → closed (``staff_id`` given: only if held by ``staff_id``), with
        ``conversations.outcome`` = ``outcome`` (one of CLOSE_OUTCOMES, else ValueError;
        ``left`` is mark_left's); the episode ended with the same outcome. The assignment
        is kept (the counsellor can still read and annotate what they closed)."""
        if outcome not in CLOSE_OUTCOMES:
            raise ValueError(f"outcome must be one of {CLOSE_OUTCOMES}")
        return await self._end(conversation_id, staff_id, now, state=_CLOSED, outcome=outcome)

    async def _end(
        self, conversation_id: str, staff_id: str | None, now: datetime, *, state: str, outcome: str
    ) -> bool:
        if staff_id is not None:
            _staff_id(staff_id)
        _aware(now)
        where = [*_readable(conversation_id), conversations.c.state.in_((_QUEUED, _HUMAN))]
        if staff_id is not None:
            where.append(conversations.c.assigned_to == staff_id)
        values: dict[str, Any] = {"state": state}
        if state == _BOT:
            values["assigned_to"] = None
        else:
            values["outcome"] = outcome
        gate = update(conversations).where(*where).values(**values)

        def run(conn: Connection) -> bool:
            if conn.execute(gate).rowcount != 1:
                return False
            _end_episodes(conn, conversation_id, outcome, now)
            return True

        return await self._write(run)

    async def mark_left(self, conversation_id: str, now: datetime) -> bool:
        """Any state but closed → closed, outcome ``left`` ("left — do not contact"); the
        open episode, if any, ends with outcome ``left``. False if already closed or
        missing."""
        _aware(now)
        gate = (
            update(conversations)
            .where(*_readable(conversation_id), conversations.c.state != _CLOSED)
            .values(state=_CLOSED, outcome=OUTCOME_LEFT)
        )

        def run(conn: Connection) -> bool:
            if conn.execute(gate).rowcount != 1:
                return False
            _end_episodes(conn, conversation_id, OUTCOME_LEFT, now)
            return True

        return await self._write(run)

    # -- reading ----------------------------------------------------------------------------

    async def entry(self, conversation_id: str) -> QueueEntry | None:
        """The entry of a queued or human conversation, or of one the person left while it
        was queued or human (state closed, outcome ``left``); else None."""
        return await self._read(lambda conn: _read_entry(conn, conversation_id))

    async def open_entries(self, left_since: datetime) -> list[QueueEntry]:
        """Every queued and human entry, plus the conversations whose person left, while
        queued or human, at or after ``left_since``; in queue order (risk level, highest
        first, then longest waiting)."""
        _aware(left_since)
        query = _entries_query(_OPEN | (_LEFT & (handoff_requests.c.ended_at >= left_since)))

        def run(conn: Connection) -> list[QueueEntry]:
            rows = _newest_per_conversation(conn.execute(query).all())
            return [_entry(row) for row in rows]

        entries = await self._read(run)
        return sorted(entries, key=_queue_order)

    async def recent_waits(self, since: datetime) -> list[float]:
        """Waits (queued → claimed, in seconds) of the episodes claimed at or after
        ``since``, in claim order."""
        _aware(since)
        query = (
            select(handoff_requests.c.created_at, handoff_requests.c.claimed_at)
            .where(handoff_requests.c.claimed_at >= since)
            .order_by(handoff_requests.c.claimed_at, handoff_requests.c.id)
        )
        rows = await self._read(lambda conn: conn.execute(query).all())
        return [max(0.0, (row.claimed_at - row.created_at).total_seconds()) for row in rows]

    # -- timers' marks ----------------------------------------------------------------------

    async def mark_escalated(self, conversation_id: str, now: datetime) -> bool:
        """Record that an unclaimed entry was escalated; True only the first time (once per
        episode), False if it is not queued."""
        _aware(now)
        statement = (
            update(handoff_requests)
            .where(
                handoff_requests.c.id == _newest_open_episode(conversation_id),
                handoff_requests.c.escalated_at.is_(None),
                handoff_requests.c.claimed_at.is_(None),
            )
            .values(escalated_at=now)
        )
        queued = select(conversations.c.id).where(
            *_readable(conversation_id), conversations.c.state == _QUEUED
        )

        def run(conn: Connection) -> bool:
            if conn.execute(queued).first() is None:
                return False
            return bool(conn.execute(statement).rowcount == 1)

        return await self._write(run)

    async def person_waiting(self, conversation_id: str, now: datetime) -> None:
        """The person wrote to a claimed entry: awaiting_since ??= now."""
        _aware(now)
        statement = (
            update(handoff_requests)
            .where(
                handoff_requests.c.id == _newest_open_episode(conversation_id),
                handoff_requests.c.claimed_at.is_not(None),
                handoff_requests.c.awaiting_since.is_(None),
            )
            .values(awaiting_since=now)
        )
        await self._write(lambda conn: conn.execute(statement).rowcount)

    async def counsellor_replied(self, conversation_id: str, now: datetime) -> None:
        """A counsellor answered: awaiting_since = NULL; first_reply_at ??= now."""
        _aware(now)
        statement = (
            update(handoff_requests)
            .where(handoff_requests.c.id == _newest_open_episode(conversation_id))
            .values(
                awaiting_since=None,
                first_reply_at=func.coalesce(handoff_requests.c.first_reply_at, now),
            )
        )
        await self._write(lambda conn: conn.execute(statement).rowcount)

    # -- notes ------------------------------------------------------------------------------

    async def add_note(
        self, conversation_id: str, staff_id: str, text: str, now: datetime
    ) -> NoteRecord:
        """Store a counsellor's private note, sealed with the conversation's data key.
        Raises ConversationNotFound for a missing or forgotten conversation."""
        _staff_id(staff_id)
        if not isinstance(text, str):
            raise TypeError("text must be a str")
        if not text.strip():
            raise ValueError("a note needs some text")
        if len(text) > MAX_NOTE_CHARS:
            raise ValueError(f"a note has at most {MAX_NOTE_CHARS} characters")
        _aware(now)
        key_query = select(conversations.c.wrapped_key).where(*_readable(conversation_id))
        username = select(staff.c.username).where(staff.c.id == staff_id)
        plaintext = _note_plaintext(staff_id, text)
        keyring = self._keyring

        def run(conn: Connection) -> tuple[int, str | None] | None:
            wrapped = conn.execute(key_query).scalar_one_or_none()
            if wrapped is None:
                return None
            sealed = keyring.seal(wrapped, conversation_id, plaintext)
            note_id = conn.execute(
                insert(handoff_notes)
                .values(
                    conversation_id=conversation_id, staff_id=staff_id, created_at=now, body=sealed
                )
                .returning(handoff_notes.c.id)
            ).scalar_one()
            return int(note_id), conn.execute(username).scalar_one_or_none()

        try:
            stored = await self._write(run)
        except IntegrityError as exc:  # deleted concurrently by another process
            raise ConversationNotFound("conversation not found") from exc
        if stored is None:
            raise ConversationNotFound("conversation not found")
        note_id, name = stored
        return NoteRecord(note_id, staff_id, name, text, now)

    async def notes(self, conversation_id: str) -> list[NoteRecord]:
        """The notes of a conversation, oldest first, decrypted. Raises
        ConversationNotFound for a missing or forgotten conversation."""
        key_query = select(conversations.c.wrapped_key).where(*_readable(conversation_id))
        query = (
            select(
                handoff_notes.c.id,
                handoff_notes.c.staff_id,
                handoff_notes.c.created_at,
                handoff_notes.c.body,
                staff.c.username,
            )
            .outerjoin(staff, staff.c.id == handoff_notes.c.staff_id)
            .where(handoff_notes.c.conversation_id == conversation_id)
            .order_by(handoff_notes.c.id)
        )
        keyring = self._keyring

        def run(conn: Connection) -> list[NoteRecord] | None:
            # one transaction: the key and the notes come from the same snapshot
            wrapped = conn.execute(key_query).scalar_one_or_none()
            if wrapped is None:
                return None
            return [
                NoteRecord(
                    id=row.id,
                    staff_id=row.staff_id,
                    username=row.username,
                    text=_note_text(keyring.open(wrapped, conversation_id, row.body), row.staff_id),
                    created_at=row.created_at,
                )
                for row in conn.execute(query)
            ]

        found = await self._read(run)
        if found is None:
            raise ConversationNotFound("conversation not found")
        return found
