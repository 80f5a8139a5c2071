"""Aggregate statistics for the admin area. Reached as ``store.stats``.

Every query is one aggregate statement (GROUP BY) over plain code columns: channels,
risk labels, intent names, reason and outcome codes, timestamps. No message body is read,
let alone decrypted, and no identifier leaves the database: only counts per code or per
day. The same SQL runs on SQLite and PostgreSQL (a day and a duration are the only
dialect-specific expressions). Days are UTC days. The counts are raw: suppressing small
ones is the caller's job (``handoff/admin_stats.py``).

Populations, for a period ``[start, end)``:

* conversations (per day and channel, max risk): created in the period;
* intents: messages created in the period, per ``messages.intent``;
* handoffs (reasons, outcomes, waits): queue episodes that entered the queue in the period;
  waits are ``claimed_at - created_at`` in whole seconds, for claimed episodes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final, Protocol, TypeVar

from sqlalchemy import (
    ColumnElement,
    Connection,
    Integer,
    case,
    cast,
    func,
    literal,
    select,
    union_all,
)

from bot.storage.models import conversations, handoff_requests, messages
from bot.storage.types import ConversationState, RiskLabel

T = TypeVar("T")

RISK_ORDER: Final = tuple(label.value for label in RiskLabel)  # lowest first
OPEN_OUTCOME: Final = "open"  # an episode still in the queue or with a counsellor
_HIGH: Final = (RiskLabel.HIGH.value, RiskLabel.IMMINENT.value)


class _Run(Protocol):
    def __call__(self, operation: Callable[[Connection], T], /) -> Awaitable[T]: ...


@dataclass(frozen=True, slots=True)
class LiveCounts:
    """For the admin home: conversations started since ``since`` and the queue now."""

    conversations_today: int
    waiting: int
    high_risk_waiting: int


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("naive datetime given to a statistics query")
    return moment


def _utc_day(conn: Connection, column: Any) -> ColumnElement[Any]:
    """The UTC calendar day of a timestamp column."""
    if conn.dialect.name == "postgresql":
        return func.date(func.timezone("UTC", column))
    return func.date(column)  # SQLite keeps UTC text 'YYYY-MM-DD HH:MM:SS[.ffffff]'


def _seconds_between(conn: Connection, later: Any, earlier: Any) -> ColumnElement[Any]:
    """Whole seconds from ``earlier`` to ``later``."""
    if conn.dialect.name == "postgresql":
        return cast(func.round(func.extract("epoch", later - earlier)), Integer)
    return cast(func.round((func.julianday(later) - func.julianday(earlier)) * 86400.0), Integer)


def _as_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _by_count(rows: Iterable[tuple[str, int]]) -> dict[str, int]:
    """Most frequent first, then by code."""
    return dict(sorted(rows, key=lambda item: (-item[1], item[0])))


def _risk_rank(column: Any) -> ColumnElement[int]:
    return case(
        *((column == label, rank) for rank, label in enumerate(RISK_ORDER)),
        else_=0,
    )


class StatsStore:
    """Read-only aggregate queries (see the module docstring for what each one counts)."""

    __slots__ = ("_read",)

    def __init__(self, read: _Run) -> None:
        self._read = read

    async def conversations_per_day(
        self, start: datetime, end: datetime
    ) -> list[tuple[date, str, int]]:
        """(UTC day, channel, conversations started), ordered by day then channel."""
        start, end = _aware(start), _aware(end)
        created = conversations.c.created_at

        def run(conn: Connection) -> list[tuple[date, str, int]]:
            day = _utc_day(conn, created).label("day")
            query = (
                select(day, conversations.c.channel, func.count().label("n"))
                .where(created >= start, created < end)
                .group_by(day, conversations.c.channel)
            )
            rows = [(_as_date(r.day), str(r.channel), int(r.n)) for r in conn.execute(query)]
            return sorted(rows)

        return await self._read(run)

    async def max_risk(self, start: datetime, end: datetime) -> dict[str, int]:
        """Conversations started in the period by their highest risk label: the highest of
        the conversation's own label and every label on its messages. Every label present
        (0 when none)."""
        start, end = _aware(start), _aware(end)
        in_period = (conversations.c.created_at >= start, conversations.c.created_at < end)
        own = select(
            conversations.c.id.label("cid"), _risk_rank(conversations.c.risk).label("rank")
        ).where(*in_period)
        per_message = (
            select(
                messages.c.conversation_id.label("cid"), _risk_rank(messages.c.risk).label("rank")
            )
            .join(conversations, conversations.c.id == messages.c.conversation_id)
            .where(*in_period, messages.c.risk.is_not(None))
        )
        ranks = union_all(own, per_message).subquery("ranks")
        per_conversation = (
            select(ranks.c.cid, func.max(ranks.c.rank).label("top"))
            .group_by(ranks.c.cid)
            .subquery("per_conversation")
        )
        query = select(per_conversation.c.top, func.count().label("n")).group_by(
            per_conversation.c.top
        )

        def run(conn: Connection) -> dict[str, int]:
            counts = dict.fromkeys(RISK_ORDER, 0)
            for row in conn.execute(query):
                counts[RISK_ORDER[int(row.top)]] = int(row.n)
            return counts

        return await self._read(run)

    async def intents(self, start: datetime, end: datetime) -> dict[str, int]:
        """Messages created in the period, per intent code (messages without one are not
        counted), most frequent first."""
        start, end = _aware(start), _aware(end)
        query = (
            select(messages.c.intent, func.count().label("n"))
            .where(
                messages.c.created_at >= start,
                messages.c.created_at < end,
                messages.c.intent.is_not(None),
            )
            .group_by(messages.c.intent)
        )

        def run(conn: Connection) -> dict[str, int]:
            return _by_count((str(r.intent), int(r.n)) for r in conn.execute(query))

        return await self._read(run)

    async def handoff_reasons(self, start: datetime, end: datetime) -> dict[str, int]:
        """Queue episodes that entered the queue in the period, per reason code."""
        return await self._episodes_by(handoff_requests.c.reason, start, end)

    async def outcomes(self, start: datetime, end: datetime) -> dict[str, int]:
        """Queue episodes that entered the queue in the period, per outcome code
        (``open`` for those not ended yet)."""
        outcome = func.coalesce(handoff_requests.c.outcome, literal(OPEN_OUTCOME))
        return await self._episodes_by(outcome, start, end)

    async def _episodes_by(self, key: Any, start: datetime, end: datetime) -> dict[str, int]:
        start, end = _aware(start), _aware(end)
        label = key.label("k")
        query = (
            select(label, func.count().label("n"))
            .where(handoff_requests.c.created_at >= start, handoff_requests.c.created_at < end)
            .group_by(label)
        )

        def run(conn: Connection) -> dict[str, int]:
            return _by_count((str(r.k), int(r.n)) for r in conn.execute(query))

        return await self._read(run)

    async def waits(self, start: datetime, end: datetime) -> dict[int, int]:
        """A histogram of waits queued → claimed: whole seconds → claimed episodes (that
        entered the queue in the period). Percentiles are computed from it by the caller,
        which needs no per-episode row."""
        start, end = _aware(start), _aware(end)
        created, claimed = handoff_requests.c.created_at, handoff_requests.c.claimed_at

        def run(conn: Connection) -> dict[int, int]:
            seconds = _seconds_between(conn, claimed, created).label("seconds")
            query = (
                select(seconds, func.count().label("n"))
                .where(created >= start, created < end, claimed.is_not(None))
                .group_by(seconds)
            )
            return {max(0, int(r.seconds)): int(r.n) for r in conn.execute(query)}

        return await self._read(run)

    async def live(self, since: datetime) -> LiveCounts:
        """Conversations started since ``since`` (e.g. midnight), conversations waiting in
        the queue now, and how many of those are at high or imminent risk."""
        since = _aware(since)
        queued = conversations.c.state == ConversationState.QUEUED.value
        high = conversations.c.risk.in_(_HIGH)
        query = select(
            func.count().filter(conversations.c.created_at >= since).label("today"),
            func.count().filter(queued).label("waiting"),
            func.count().filter(queued, high).label("high"),
        ).where(conversations.c.wrapped_key.is_not(None))

        def run(conn: Connection) -> LiveCounts:
            row = conn.execute(query).one()
            return LiveCounts(int(row.today or 0), int(row.waiting or 0), int(row.high or 0))

        return await self._read(run)
