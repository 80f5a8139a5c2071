"""The statistics queries (``store.stats``) on SQLite and PostgreSQL, over seeded data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert

from bot.storage import Store
from bot.storage.models import messages
from tests.storage.stats_seed import EXPECTED, period, seed


async def test_conversations_per_day_and_channel(store: Store) -> None:
    seeded = await seed(store)
    start, end = period(seeded)
    rows = await store.stats.conversations_per_day(start, end)
    expected = sorted(
        (seeded.days[2 - back], channel, n) for (back, channel), n in EXPECTED["per_day"].items()
    )
    assert rows == expected
    # the period is half-open and in UTC days
    assert await store.stats.conversations_per_day(start, start + timedelta(days=1)) == [
        (seeded.days[0], "telegram", 2),
        (seeded.days[0], "web", 7),
    ]
    assert await store.stats.conversations_per_day(end, end + timedelta(days=5)) == []


async def test_max_risk_per_conversation(store: Store) -> None:
    seeded = await seed(store)
    assert await store.stats.max_risk(*period(seeded)) == EXPECTED["max_risk"]
    empty = datetime(2000, 1, 1, tzinfo=UTC)
    assert await store.stats.max_risk(empty, empty + timedelta(days=1)) == {
        "none": 0,
        "elevated": 0,
        "high": 0,
        "imminent": 0,
    }


async def test_intents_reasons_outcomes(store: Store) -> None:
    seeded = await seed(store)
    start, end = period(seeded)
    assert await store.stats.intents(start, end) == EXPECTED["intents"]
    assert list(await store.stats.intents(start, end)) == ["greet", "ask_hotline"]  # by count
    assert await store.stats.handoff_reasons(start, end) == EXPECTED["reasons"]
    assert await store.stats.outcomes(start, end) == EXPECTED["outcomes"]


async def test_wait_histogram(store: Store) -> None:
    seeded = await seed(store)
    assert await store.stats.waits(*period(seeded)) == EXPECTED["waits"]


async def test_live_counts(store: Store) -> None:
    seeded = await seed(store)
    live = await store.stats.live(datetime.combine(seeded.days[2], datetime.min.time(), UTC))
    assert live.conversations_today == 5
    assert live.waiting == 2
    await store.update_conversation(seeded.conversation_ids[18], risk="imminent")
    await store.update_conversation(seeded.conversation_ids[19], risk="none")
    live = await store.stats.live(datetime.combine(seeded.days[2], datetime.min.time(), UTC))
    assert (live.waiting, live.high_risk_waiting) == (2, 1)
    await store.forget_conversation(seeded.conversation_ids[18])
    assert (await store.stats.live(seeded.base)).waiting == 1


async def test_no_message_body_is_read(store: Store) -> None:
    """A message whose body is garbage (cannot be decrypted) is counted like any other:
    the queries never touch bodies."""
    seeded = await seed(store)
    async with store.engine.begin() as conn:
        await conn.execute(
            insert(messages).values(
                conversation_id=seeded.conversation_ids[0],
                seq=99,
                sender="user",
                created_at=seeded.base,
                body=b"not a sealed blob",
                intent="greet",
                risk=None,
            )
        )
    intents = await store.stats.intents(*period(seeded))
    assert intents["greet"] == EXPECTED["intents"]["greet"] + 1


async def test_naive_datetimes_are_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="naive"):
        await store.stats.intents(datetime(2024, 1, 1), datetime(2024, 2, 1))
