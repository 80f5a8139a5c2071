"""The handoff queue's storage (`store.queue`) on SQLite and PostgreSQL: every transition
and its refusals, the atomic claim, the console's view, the timers' marks, and the
counsellors' notes (sealed, shredded with the conversation)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import select, text, update

from bot.storage import (
    CLOSE_OUTCOMES,
    Channel,
    ConversationNotFound,
    ConversationState,
    DecryptionError,
    Language,
    QueueEntry,
    RiskLabel,
    Store,
)
from bot.storage.models import conversations, handoff_notes, handoff_requests, messages

NOW = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)
NOTE = "Chị ấy nói chồng có dao, hẹn gọi lại lúc 20h"


def at(minutes: float) -> datetime:
    return NOW + timedelta(minutes=minutes)


async def _new(store: Store, risk: str | None = None) -> str:
    conv = await store.create_conversation("web", "vi", None)
    if risk is not None:
        await store.update_conversation(conv.id, risk=risk)
    return conv.id


async def _queued(store: Store, level: str = "none", when: datetime = NOW) -> str:
    cid = await _new(store)
    assert await store.queue.enqueue(cid, "user_request", level, ["intent:request_human"], when)
    return cid


async def _state(store: Store, cid: str) -> tuple[str, str | None, str | None]:
    async with store.engine.connect() as conn:
        row = (
            await conn.execute(
                select(
                    conversations.c.state, conversations.c.assigned_to, conversations.c.outcome
                ).where(conversations.c.id == cid)
            )
        ).one()
    return row.state, row.assigned_to, row.outcome


async def _episodes(store: Store, cid: str) -> list[Any]:
    async with store.engine.connect() as conn:
        return list(
            (
                await conn.execute(
                    select(handoff_requests)
                    .where(handoff_requests.c.conversation_id == cid)
                    .order_by(handoff_requests.c.id)
                )
            ).all()
        )


async def _count(store: Store, table: Any, cid: str) -> int:
    async with store.engine.connect() as conn:
        rows = (await conn.execute(select(table).where(table.c.conversation_id == cid))).all()
    return len(rows)


# -- enqueue --------------------------------------------------------------------------------


async def test_enqueue_puts_a_bot_conversation_in_the_queue(store: Store) -> None:
    cid = await _new(store, risk="elevated")
    entry = await store.queue.enqueue(
        cid, "lap_screen", "high", ["lap_1:yes", "lap_3:yes", "lap_1:yes"], NOW
    )
    assert entry == QueueEntry(
        conversation_id=cid,
        channel=Channel.WEB,
        language=Language.VI,
        state=ConversationState.QUEUED,
        risk=RiskLabel.HIGH,
        reason="lap_screen",
        reasons=("lap_1:yes", "lap_3:yes"),
        queued_at=NOW,
        claimed_by=None,
        claimed_at=None,
        escalated_at=None,
        awaiting_since=None,
        outcome=None,
    )
    assert await _state(store, cid) == ("queued", None, None)
    assert await store.queue.entry(cid) == entry
    (episode,) = await _episodes(store, cid)
    assert episode.ended_at is None and episode.level == "high"


async def test_risk_is_the_higher_of_the_conversation_and_the_request(store: Store) -> None:
    cid = await _new(store, risk="imminent")
    entry = await store.queue.enqueue(cid, "user_request", "none", [], NOW)
    assert entry is not None and entry.risk is RiskLabel.IMMINENT


async def test_enqueue_again_raises_the_level_and_merges_reasons_never_lowers(
    store: Store,
) -> None:
    cid = await _new(store)
    await store.queue.enqueue(cid, "user_request", "elevated", ["intent:request_human"], NOW)
    raised = await store.queue.enqueue(cid, "risk_high", "high", ["sig:weapon"], at(1))
    assert raised is not None
    assert raised.risk is RiskLabel.HIGH and raised.reason == "user_request"
    assert raised.reasons == ("intent:request_human", "sig:weapon")
    assert raised.queued_at == NOW  # the same episode, the same place
    lower = await store.queue.enqueue(
        cid, "user_request", "none", ["sig:weapon", "sig:threat"], at(2)
    )
    assert lower is not None and lower.risk is RiskLabel.HIGH
    assert lower.reasons == ("intent:request_human", "sig:weapon", "sig:threat")
    assert len(await _episodes(store, cid)) == 1

    # while human too: raised, and the claim is untouched
    await store.queue.claim(cid, "s" * 32, at(3))
    imminent = await store.queue.enqueue(cid, "risk_imminent", "imminent", [], at(4))
    assert imminent is not None and imminent.state is ConversationState.HUMAN
    assert imminent.risk is RiskLabel.IMMINENT and imminent.claimed_by == "s" * 32
    assert len(await _episodes(store, cid)) == 1


async def test_enqueue_refuses_closed_missing_and_forgotten(store: Store) -> None:
    closed = await _queued(store)
    assert await store.queue.close(closed, None, "resolved", at(1))
    assert await store.queue.enqueue(closed, "user_request", "high", [], at(2)) is None
    assert await _state(store, closed) == ("closed", None, "resolved")
    assert await store.queue.enqueue("0" * 32, "user_request", "high", [], NOW) is None
    gone = await _new(store)
    await store.forget_conversation(gone)
    assert await store.queue.enqueue(gone, "user_request", "high", [], NOW) is None


async def test_bad_codes_and_naive_times_are_refused(store: Store) -> None:
    cid = await _new(store)
    with pytest.raises(ValueError):
        await store.queue.enqueue(cid, "he has a knife", "high", [], NOW)
    with pytest.raises(ValueError):
        await store.queue.enqueue(cid, "user_request", "very high", [], NOW)
    with pytest.raises(ValueError):
        await store.queue.enqueue(cid, "user_request", "high", ["my husband hit me"], NOW)
    with pytest.raises(ValueError):
        await store.queue.enqueue(cid, "user_request", "high", [], datetime(2026, 12, 8, 9))
    with pytest.raises(ValueError):
        await store.queue.claim(cid, "not a staff id!", NOW)
    assert await _state(store, cid) == ("bot", None, None)
    queued = await _queued(store)
    for outcome in ("fine", "left", "handed_back", ""):
        with pytest.raises(ValueError):
            await store.queue.close(queued, None, outcome, NOW)
    assert await _state(store, queued) == ("queued", None, None)


# -- claim ----------------------------------------------------------------------------------


async def test_claim_takes_a_queued_conversation(store: Store) -> None:
    ana = await store.staff.create("ana", "counsellor", NOW)
    cid = await _queued(store)
    entry = await store.queue.claim(cid, ana.id, at(2))
    assert entry is not None and entry.state is ConversationState.HUMAN
    assert entry.claimed_by == ana.id and entry.claimed_at == at(2)
    assert entry.awaiting_since == at(2) and entry.queued_at == NOW
    assert await _state(store, cid) == ("human", ana.id, None)
    assert await store.staff.assignment(cid) == (True, ana.id)


async def test_claim_refuses_what_is_not_queued(store: Store) -> None:
    bot = await _new(store)
    assert await store.queue.claim(bot, "a" * 32, NOW) is None
    human = await _queued(store)
    assert await store.queue.claim(human, "a" * 32, NOW) is not None
    assert await store.queue.claim(human, "b" * 32, NOW) is None  # already taken
    assert await _state(store, human) == ("human", "a" * 32, None)
    closed = await _queued(store)
    assert await store.queue.mark_left(closed, NOW)
    assert await store.queue.claim(closed, "a" * 32, NOW) is None
    assert await store.queue.claim("0" * 32, "a" * 32, NOW) is None
    # queued by hand, without an episode: nothing to claim
    bare = await _new(store)
    await store.update_conversation(bare, state="queued")
    assert await store.queue.claim(bare, "a" * 32, NOW) is None
    assert await _state(store, bare) == ("queued", None, None)


async def test_two_concurrent_claims_have_exactly_one_winner(store: Store) -> None:
    for _ in range(5):
        cid = await _queued(store)
        results = await asyncio.gather(
            store.queue.claim(cid, "a" * 32, NOW), store.queue.claim(cid, "b" * 32, NOW)
        )
        winners = [r for r in results if r is not None]
        assert len(winners) == 1
        assert await _state(store, cid) == ("human", winners[0].claimed_by, None)


async def test_concurrent_claims_from_two_stores_have_exactly_one_winner(
    db_url: str, store: Store
) -> None:
    """Two Stores on one database (two gateway processes): the database decides."""
    other = await Store.open(db_url, store.keyring)
    try:
        for _ in range(5):
            cid = await _queued(store)
            results = await asyncio.gather(
                *(
                    s.queue.claim(cid, staff_id, NOW)
                    for s, staff_id in ((store, "a" * 32), (other, "b" * 32)) * 2
                )
            )
            winners = [r for r in results if r is not None]
            assert len(winners) == 1
            (episode,) = await _episodes(store, cid)
            assert episode.claimed_by == winners[0].claimed_by
    finally:
        await other.close()


# -- requeue, hand back, close, left --------------------------------------------------------


async def test_requeue_keeps_the_place_and_clears_the_claim(store: Store) -> None:
    cid = await _queued(store)
    assert await store.queue.mark_escalated(cid, at(5))
    await store.queue.claim(cid, "a" * 32, at(6))
    assert await store.queue.requeue(cid, "b" * 32, at(7)) is None  # not theirs
    assert await store.queue.requeue("0" * 32, None, at(7)) is None
    entry = await store.queue.requeue(cid, "a" * 32, at(12))
    assert entry is not None and entry.state is ConversationState.QUEUED
    assert entry.queued_at == NOW and entry.escalated_at == at(5)
    assert entry.claimed_by is None and entry.claimed_at is None
    assert entry.awaiting_since is None
    assert await _state(store, cid) == ("queued", None, None)
    assert await store.queue.requeue(cid, None, at(13)) is None  # queued, not human

    again = await store.queue.claim(cid, "b" * 32, at(14))
    assert again is not None and again.claimed_by == "b" * 32
    assert await store.queue.requeue(cid, None, at(15)) is not None  # whoever holds it
    assert len(await _episodes(store, cid)) == 1


async def test_hand_back_ends_the_episode(store: Store) -> None:
    cid = await _queued(store)
    await store.queue.claim(cid, "a" * 32, at(1))
    assert not await store.queue.hand_back(cid, "b" * 32, at(2))  # not theirs
    assert await store.queue.hand_back(cid, "a" * 32, at(3))
    assert await _state(store, cid) == ("bot", None, None)
    assert await store.queue.entry(cid) is None
    (episode,) = await _episodes(store, cid)
    assert episode.ended_at == at(3) and episode.outcome == "handed_back"
    assert episode.awaiting_since is None
    assert not await store.queue.hand_back(cid, None, at(4))  # bot already

    # queued (unclaimed) can be handed back by whoever may (staff_id None)
    assert await store.queue.enqueue(cid, "user_request", "none", [], at(10))
    assert await store.queue.hand_back(cid, None, at(11))
    episodes = await _episodes(store, cid)
    assert [(e.created_at, e.ended_at, e.outcome) for e in episodes] == [
        (NOW, at(3), "handed_back"),
        (at(10), at(11), "handed_back"),
    ]


async def test_close_sets_the_outcome(store: Store) -> None:
    assert set(CLOSE_OUTCOMES) == {"resolved", "referred", "no_response", "duplicate", "other"}
    cid = await _queued(store)
    await store.queue.claim(cid, "a" * 32, at(1))
    assert not await store.queue.close(cid, "b" * 32, "referred", at(2))
    assert await store.queue.close(cid, "a" * 32, "referred", at(3))
    assert await _state(store, cid) == ("closed", "a" * 32, "referred")
    (episode,) = await _episodes(store, cid)
    assert episode.ended_at == at(3) and episode.outcome == "referred"
    assert await store.queue.entry(cid) is None
    assert not await store.queue.close(cid, None, "resolved", at(4))  # closed already
    assert await _state(store, cid) == ("closed", "a" * 32, "referred")

    queued = await _queued(store)
    assert await store.queue.close(queued, None, "duplicate", at(5))
    assert await _state(store, queued) == ("closed", None, "duplicate")
    assert not await store.queue.close(await _new(store), None, "resolved", at(5))  # bot


async def test_mark_left_from_any_state_but_closed(store: Store) -> None:
    bot = await _new(store)
    assert await store.queue.mark_left(bot, NOW)
    assert await _state(store, bot) == ("closed", None, "left")
    assert await store.queue.entry(bot) is None  # never in the queue: nothing to show

    queued = await _queued(store)
    assert await store.queue.mark_left(queued, at(1))
    left = await store.queue.entry(queued)
    assert left is not None and left.state is ConversationState.CLOSED
    assert left.outcome == "left" and left.queued_at == NOW
    (episode,) = await _episodes(store, queued)
    assert episode.ended_at == at(1) and episode.outcome == "left"

    human = await _queued(store)
    await store.queue.claim(human, "a" * 32, at(1))
    assert await store.queue.mark_left(human, at(2))
    assert await _state(store, human) == ("closed", "a" * 32, "left")
    entry = await store.queue.entry(human)
    assert entry is not None and entry.outcome == "left" and entry.claimed_by == "a" * 32
    assert entry.awaiting_since is None

    assert not await store.queue.mark_left(human, at(3))  # closed already
    closed = await _queued(store)
    await store.queue.close(closed, None, "resolved", at(1))
    assert not await store.queue.mark_left(closed, at(2))
    assert await _state(store, closed) == ("closed", None, "resolved")
    assert not await store.queue.mark_left("0" * 32, NOW)


# -- the console's view ---------------------------------------------------------------------


async def test_open_entries_in_queue_order_with_recent_leavers(store: Store) -> None:
    old_none = await _queued(store, "none", NOW)
    high = await _queued(store, "high", at(5))
    elevated = await _queued(store, "elevated", at(1))
    imminent = await _queued(store, "imminent", at(9))
    new_none = await _queued(store, "none", at(3))
    human = await _queued(store, "high", at(2))
    await store.queue.claim(human, "a" * 32, at(4))
    left_early = await _queued(store, "high", at(1))
    await store.queue.mark_left(left_early, at(6))
    left_late = await _queued(store, "none", at(1))
    await store.queue.mark_left(left_late, at(20))
    handed_back = await _queued(store)
    await store.queue.hand_back(handed_back, None, at(7))
    closed = await _queued(store)
    await store.queue.close(closed, None, "resolved", at(8))
    bot_left = await _new(store)
    await store.queue.mark_left(bot_left, at(21))
    await _new(store)  # bot, never queued

    entries = await store.queue.open_entries(left_since=at(10))
    assert [e.conversation_id for e in entries] == [
        imminent,
        human,  # high, queued at 2
        high,  # high, queued at 5
        elevated,
        old_none,
        left_late,  # none, queued at 1
        new_none,
    ]
    states = {e.conversation_id: (e.state, e.outcome) for e in entries}
    assert states[left_late] == (ConversationState.CLOSED, "left")
    assert states[human] == (ConversationState.HUMAN, None)
    everyone = await store.queue.open_entries(left_since=at(0))
    assert {e.conversation_id for e in everyone} == {*states, left_early}


async def test_forgotten_conversations_leave_the_queue(store: Store) -> None:
    cid = await _queued(store)
    await store.forget_conversation(cid)
    assert await store.queue.open_entries(NOW) == []
    assert await store.queue.entry(cid) is None


async def test_recent_waits(store: Store) -> None:
    first = await _queued(store, when=NOW)
    second = await _queued(store, when=at(1))
    third = await _queued(store, when=at(2))
    await _queued(store, when=at(3))  # not claimed
    await store.queue.claim(first, "a" * 32, at(2))  # waited 120 s
    await store.queue.claim(second, "a" * 32, at(1.5))  # waited 30 s
    await store.queue.claim(third, "a" * 32, at(10))  # waited 480 s
    await store.queue.close(third, None, "resolved", at(11))  # still counts
    assert await store.queue.recent_waits(NOW) == [30.0, 120.0, 480.0]
    assert await store.queue.recent_waits(at(2)) == [120.0, 480.0]
    assert await store.queue.recent_waits(at(11)) == []


# -- timers' marks --------------------------------------------------------------------------


async def test_mark_escalated_once_and_only_while_queued(store: Store) -> None:
    cid = await _queued(store)
    assert await store.queue.mark_escalated(cid, at(5))
    assert not await store.queue.mark_escalated(cid, at(6))
    entry = await store.queue.entry(cid)
    assert entry is not None and entry.escalated_at == at(5)
    human = await _queued(store)
    await store.queue.claim(human, "a" * 32, at(1))
    assert not await store.queue.mark_escalated(human, at(5))
    assert not await store.queue.mark_escalated(await _new(store), at(5))
    assert not await store.queue.mark_escalated("0" * 32, at(5))


async def test_person_waiting_and_counsellor_replied(store: Store) -> None:
    cid = await _queued(store)
    await store.queue.person_waiting(cid, at(1))  # queued: no reply clock yet
    entry = await store.queue.entry(cid)
    assert entry is not None and entry.awaiting_since is None

    await store.queue.claim(cid, "a" * 32, at(2))
    await store.queue.person_waiting(cid, at(3))  # already waiting since the claim
    entry = await store.queue.entry(cid)
    assert entry is not None and entry.awaiting_since == at(2)

    await store.queue.counsellor_replied(cid, at(4))
    entry = await store.queue.entry(cid)
    assert entry is not None and entry.awaiting_since is None
    await store.queue.person_waiting(cid, at(5))
    await store.queue.person_waiting(cid, at(6))
    entry = await store.queue.entry(cid)
    assert entry is not None and entry.awaiting_since == at(5)
    await store.queue.counsellor_replied(cid, at(7))
    (episode,) = await _episodes(store, cid)
    assert episode.first_reply_at == at(4) and episode.awaiting_since is None

    # on a conversation without an episode, nothing happens
    await store.queue.person_waiting("0" * 32, at(8))
    await store.queue.counsellor_replied(await _new(store), at(8))


# -- notes ----------------------------------------------------------------------------------


async def test_notes_are_sealed_and_signed_by_their_author(store: Store) -> None:
    ana = await store.staff.create("ana", "counsellor", NOW)
    cid = await _queued(store)
    first = await store.queue.add_note(cid, ana.id, NOTE, at(1))
    assert first.staff_id == ana.id and first.username == "ana"
    assert first.text == NOTE and first.created_at == at(1)
    second = await store.queue.add_note(cid, "f" * 32, "second", at(2))  # no such account
    assert second.username is None and second.id > first.id
    assert await store.queue.notes(cid) == [first, second]
    assert await store.queue.notes(await _new(store)) == []

    async with store.engine.connect() as conn:
        bodies = (await conn.execute(select(handoff_notes.c.body))).scalars().all()
    assert len(bodies) == 2
    for body in bodies:
        assert NOTE.encode() not in bytes(body) and b"second" not in bytes(body)
        assert "Chị ấy".encode() not in bytes(body)

    with pytest.raises(ValueError):
        await store.queue.add_note(cid, ana.id, "   ", at(3))
    with pytest.raises(ConversationNotFound):
        await store.queue.add_note("0" * 32, ana.id, NOTE, at(3))
    with pytest.raises(ConversationNotFound):
        await store.queue.notes("0" * 32)


async def test_a_note_cannot_pass_for_a_message_or_another_author(store: Store) -> None:
    cid = await _queued(store)
    await store.append_message(cid, "user", "xin chào")
    await store.queue.add_note(cid, "a" * 32, NOTE, NOW)
    async with store.engine.begin() as conn:
        sealed = (await conn.execute(select(handoff_notes.c.body))).scalar_one()
        message_body = (await conn.execute(select(messages.c.body))).scalar_one()
        await conn.execute(update(messages).values(body=sealed))
    with pytest.raises(DecryptionError):
        await store.messages_after(cid, 0)
    async with store.engine.begin() as conn:
        await conn.execute(update(messages).values(body=message_body))
        await conn.execute(update(handoff_notes).values(staff_id="b" * 32))
    with pytest.raises(DecryptionError):
        await store.queue.notes(cid)
    async with store.engine.begin() as conn:
        await conn.execute(update(handoff_notes).values(body=message_body))
    with pytest.raises(DecryptionError):
        await store.queue.notes(cid)


async def test_forget_removes_notes_and_episodes(store: Store) -> None:
    cid = await _queued(store)
    await store.queue.add_note(cid, "a" * 32, NOTE, NOW)
    keep = await _queued(store)
    await store.queue.add_note(keep, "a" * 32, "keep", NOW)
    assert await store.forget_conversation(cid)
    with pytest.raises(ConversationNotFound):
        await store.queue.notes(cid)
    with pytest.raises(ConversationNotFound):
        await store.queue.add_note(cid, "a" * 32, "late", NOW)
    assert await _count(store, handoff_notes, cid) == 0
    assert await _count(store, handoff_requests, cid) == 0
    assert [n.text for n in await store.queue.notes(keep)] == ["keep"]


async def test_notes_of_a_shredded_conversation_are_unreadable_then_purged(
    store: Store,
) -> None:
    cid = await _queued(store)
    await store.queue.add_note(cid, "a" * 32, NOTE, NOW)
    async with store.engine.begin() as conn:  # a crash between the two steps of a shred
        await conn.execute(
            update(conversations).where(conversations.c.id == cid).values(wrapped_key=None)
        )
    with pytest.raises(ConversationNotFound):
        await store.queue.notes(cid)
    assert await _count(store, handoff_notes, cid) == 1
    assert await store.purge_inactive(timedelta(days=30)) == 1
    assert await _count(store, handoff_notes, cid) == 0


async def test_purge_inactive_removes_notes(store: Store) -> None:
    cid = await _queued(store)
    await store.queue.add_note(cid, "a" * 32, NOTE, NOW)
    await store.queue.close(cid, None, "resolved", NOW)
    assert await store.purge_inactive(timedelta(days=30), now=datetime.now(UTC)) == 0
    assert await _count(store, handoff_notes, cid) == 1
    later = datetime.now(UTC) + timedelta(days=31)
    assert await store.purge_inactive(timedelta(days=30), now=later) == 1
    assert await _count(store, handoff_notes, cid) == 0
    assert await _count(store, handoff_requests, cid) == 0


async def test_the_migration_ends_requests_recorded_before_the_queue(store: Store) -> None:
    from bot.storage import store as store_module

    def migrate(connection: Any, target: str, down: bool) -> None:
        config = Config(str(store_module._ALEMBIC_INI))
        config.set_main_option("script_location", str(store_module._MIGRATIONS))
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, target)

    bot = await _new(store)
    queued = await _new(store)
    await store.update_conversation(queued, state="queued")
    await store.append_message(bot, "user", "still here")
    async with store.engine.begin() as conn:
        await conn.run_sync(migrate, "0003", True)
        columns = {
            "sqlite": "SELECT name FROM pragma_table_info('handoff_requests')",
            "postgresql": "SELECT column_name FROM information_schema.columns"
            " WHERE table_name = 'handoff_requests'",
        }[store.engine.dialect.name]
        assert "ended_at" not in {row[0] for row in (await conn.execute(text(columns))).all()}
        for cid in (bot, queued):
            await conn.execute(
                text(
                    "INSERT INTO handoff_requests (conversation_id, reason, level, reasons,"
                    " created_at) VALUES (:cid, 'user_request', 'high', '[]', :at)"
                ),
                {"cid": cid, "at": NOW.replace(tzinfo=None)},
            )
        await conn.run_sync(migrate, "head", False)
    (ended,) = await _episodes(store, bot)
    assert ended.ended_at == NOW
    (kept,) = await _episodes(store, queued)
    assert kept.ended_at is None
    entry = await store.queue.entry(queued)
    assert entry is not None and entry.state is ConversationState.QUEUED
    assert [m.text for m in await store.messages_after(bot, 0)] == ["still here"]
