"""Seeded data for the statistics tests (storage queries and admin pages): conversations on
three days and both channels, risk labels on conversations and messages, intents, queue
episodes with known waits and outcomes. ``EXPECTED`` is what the queries must return."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import update

from bot.storage import Store
from bot.storage.models import conversations, messages


@dataclass(frozen=True)
class Seeded:
    base: datetime  # noon UTC of the newest seeded day
    days: tuple[date, date, date]
    conversation_ids: list[str]


# (days before base, channel, how many)
PLAN = ((2, "web", 7), (2, "telegram", 2), (1, "web", 3), (1, "telegram", 6), (0, "web", 5))
WAITS = (60, 120, 180, 240, 300, 600)  # seconds, the claimed episodes
CLOSED = ("resolved", "resolved", "resolved", "resolved", "resolved", "referred")

EXPECTED: dict[str, Any] = {
    "per_day": {
        (2, "web"): 7,
        (2, "telegram"): 2,
        (1, "web"): 3,
        (1, "telegram"): 6,
        (0, "web"): 5,
    },
    "max_risk": {"none": 14, "elevated": 1, "high": 6, "imminent": 2},
    "intents": {"greet": 8, "ask_hotline": 3},
    "reasons": {"user_request": 6, "risk_high": 2},
    "outcomes": {"resolved": 5, "referred": 1, "open": 2},
    "waits": {w: 1 for w in WAITS},
    "p50": 180,
    "p90": 600,
}


def default_base() -> datetime:
    """Yesterday, noon UTC: inside the default last-30-days range."""
    return datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0) - timedelta(days=1)


async def seed(store: Store, base: datetime | None = None) -> Seeded:
    base = base or default_base()
    ids: list[str] = []
    when: dict[str, datetime] = {}
    for back, channel, count in PLAN:
        for i in range(count):
            conv = await store.create_conversation(channel, "vi", None)
            ids.append(conv.id)
            when[conv.id] = base - timedelta(days=back, minutes=i)
    # risks: 6 high on the conversation, 2 imminent on a message only, 1 elevated
    for cid in ids[:6]:
        await store.update_conversation(cid, risk="high")
    for cid in ids[6:8]:
        await store.append_message(cid, "user", "nguy hiểm", risk="imminent")
    await store.append_message(ids[8], "user", "lo lắng", risk="elevated")
    # intents: 8 greet, 3 ask_hotline (and messages without one)
    for cid in ids[:8]:
        await store.append_message(cid, "user", "xin chào", intent="greet")
    for cid in ids[8:11]:
        await store.append_message(cid, "user", "số điện thoại?", intent="ask_hotline")
    await store.append_message(ids[11], "bot", "Chào bạn")
    # episodes: 6 user_request (claimed after WAITS, closed), 2 risk_high (still queued)
    counsellor = await store.staff.create("stats-counsellor", "counsellor", base)
    for n, cid in enumerate(ids[12:18]):
        queued_at = when[cid] + timedelta(minutes=1)
        assert await store.queue.enqueue(cid, "user_request", "none", [], queued_at)
        claimed_at = queued_at + timedelta(seconds=WAITS[n])
        assert await store.queue.claim(cid, counsellor.id, claimed_at)
        closed_at = claimed_at + timedelta(minutes=5)
        assert await store.queue.close(cid, counsellor.id, CLOSED[n], closed_at)
    for cid in ids[18:20]:
        assert await store.queue.enqueue(
            cid, "risk_high", "high", ["risk_high"], when[cid] + timedelta(minutes=1)
        )
    async with store.engine.begin() as conn:
        for cid, at in when.items():
            await conn.execute(
                update(conversations).where(conversations.c.id == cid).values(created_at=at)
            )
            await conn.execute(
                update(messages)
                .where(messages.c.conversation_id == cid)
                .values(created_at=at + timedelta(seconds=30))
            )
    days = tuple((base - timedelta(days=back)).date() for back in (2, 1, 0))
    return Seeded(base, days, ids)  # type: ignore[arg-type]


def period(seeded: Seeded) -> tuple[datetime, datetime]:
    start = datetime.combine(seeded.days[0], datetime.min.time(), UTC)
    return start, start + timedelta(days=3)
