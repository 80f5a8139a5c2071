"""`Store.queue_message`: messages queued without waiting keep their order and are all
committed; the SQLite writer keeps working across many transactions on its one connection."""

from __future__ import annotations

import asyncio

import pytest

from bot.storage import ConversationNotFound, Store
from bot.storage.types import Sender


async def test_queued_messages_get_seqs_in_queue_order_and_are_stored(store: Store) -> None:
    conversation = await store.create_conversation("web", "vi", None)
    first = store.queue_message(conversation.id, Sender.USER, "một")
    second = store.queue_message(conversation.id, Sender.BOT, "hai", buttons=[])
    third = store.queue_message(conversation.id, Sender.BOT, "ba")
    stored = await asyncio.gather(first, second, third)
    assert [m.seq for m in stored] == [1, 2, 3]
    replay = await store.messages_after(conversation.id, 0)
    assert [(m.seq, m.sender, m.text) for m in replay] == [
        (1, Sender.USER, "một"),
        (2, Sender.BOT, "hai"),
        (3, Sender.BOT, "ba"),
    ]


async def test_bad_arguments_raise_at_once_and_queue_nothing(store: Store) -> None:
    conversation = await store.create_conversation("web", "vi", None)
    with pytest.raises(ValueError):
        store.queue_message(conversation.id, Sender.USER, "x", intent="free text here")
    with pytest.raises(ValueError):
        store.queue_message(conversation.id, "nobody", "x")
    assert await store.messages_after(conversation.id, 0) == []


async def test_queued_message_of_unknown_conversation_fails_alone(store: Store) -> None:
    conversation = await store.create_conversation("web", "vi", None)
    good = store.queue_message(conversation.id, Sender.USER, "ok")
    bad = store.queue_message("0" * 32, Sender.USER, "lost")
    assert (await good).seq == 1
    with pytest.raises(ConversationNotFound):
        await bad


async def test_many_transactions_in_a_row_then_reopen(store: Store, db_url: str) -> None:
    """Hundreds of write transactions (appends and other writes interleaved) on the
    writer's long-lived connection; everything is there after closing and reopening."""
    conversation = await store.create_conversation("web", "vi", None)
    for i in range(150):
        await store.append_message(conversation.id, Sender.USER, f"m{i}")
        await store.update_conversation(conversation.id, risk="elevated" if i % 2 else "none")
    await store.close()
    reopened = await Store.open(db_url, store.keyring)
    try:
        stored = await reopened.messages_after(conversation.id, 0)
        assert [m.text for m in stored] == [f"m{i}" for i in range(150)]
        assert [m.seq for m in stored] == list(range(1, 151))
        record = await reopened.get_conversation(conversation.id)
        assert record is not None and record.risk == "elevated"
    finally:
        await reopened.close()
