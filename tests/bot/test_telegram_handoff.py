# ruff: noqa: F811  (the Telegram fixtures are imported from tests/bot/test_telegram.py)
"""The handoff queue over Telegram: a counsellor's reply and typing reach the chat through
the real python-telegram-bot Bot against the local Bot API stand-in; while held, the
person's messages are relayed and never reach Rasa; /exit marks the conversation "left —
do not contact" and deletes the counsellor's messages too."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from aiohttp.test_utils import TestClient

from bot.app import STORE
from bot.content import ContentLibrary
from bot.messages import BotText
from bot.rasa_client import RasaReply
from bot.storage import Channel, ConversationState, Sender
from handoff.queue import ConsoleLink, HandoffError
from handoff.roles import Role
from handoff.web import QUEUE
from tests.bot.conftest import ScriptedDialogue, texts
from tests.bot.test_telegram import CHAT, deliver, fake, idle, post, sent_texts, tg  # noqa: F401
from tests.telegram_fake import FakeBotApi

ASK = "cho mình nói chuyện với người thật"
HUMAN = RasaReply(
    (BotText("(handoff)"),), "request_human", 0.99, ({"handoff": {"reason": "user_request"}},)
)


async def queued_chat(tg: TestClient, fake: FakeBotApi, dialogue: ScriptedDialogue) -> str:
    dialogue.replies[ASK] = HUMAN
    await deliver(tg, fake, fake.message_update(CHAT, "/start"), 1)
    await deliver(tg, fake, fake.message_update(CHAT, ASK), 2)
    found = await tg.app[STORE].find_open_conversation(Channel.TELEGRAM, str(CHAT))
    assert found is not None and found.state == ConversationState.QUEUED
    return found.id


async def claimed(tg: TestClient, conversation_id: str) -> ConsoleLink:
    staff = await tg.app[STORE].staff.create("ana", "counsellor", datetime.now(UTC))
    link = ConsoleLink(staff.id, staff.username, Role.COUNSELLOR)
    tg.app[QUEUE].connect(link)
    await tg.app[QUEUE].claim(link, conversation_id)
    return link


async def test_counsellor_reply_reaches_the_chat_and_answers_are_relayed(
    tg: TestClient, fake: FakeBotApi, dialogue: ScriptedDialogue, library: ContentLibrary
) -> None:
    conversation_id = await queued_chat(tg, fake, dialogue)
    link = await claimed(tg, conversation_id)
    assert sent_texts(fake)[-1] in texts(library, "gw_counsellor_joined", "vi")
    result = await tg.app[QUEUE].reply(link, conversation_id, "Chào bạn, mình ở đây.", "r1")
    assert result["delivered"] is True
    assert sent_texts(fake)[-1] == "Chào bạn, mình ở đây."
    assert fake.calls_of("sendMessage")[-1].params["chat_id"] == CHAT
    stored = await tg.app[STORE].messages_after(conversation_id, 0)
    assert (stored[-1].sender, stored[-1].text) == (Sender.COUNSELLOR, "Chào bạn, mình ở đây.")

    calls, sent = len(dialogue.calls), len(sent_texts(fake))
    assert await post(tg, fake.message_update(CHAT, "cảm ơn")) == 200
    for _ in range(250):  # the inbox worker picks the update up
        stored = await tg.app[STORE].messages_after(conversation_id, 0)
        if stored[-1].text == "cảm ơn":
            break
        await asyncio.sleep(0.02)
    await idle(tg)
    assert stored[-1].text == "cảm ơn" and stored[-1].sender == Sender.USER
    assert len(dialogue.calls) == calls  # never Rasa while a counsellor holds it
    assert len(sent_texts(fake)) == sent  # and no automatic answer: the counsellor answers


async def test_counsellor_typing_shows_in_the_chat(
    tg: TestClient, fake: FakeBotApi, dialogue: ScriptedDialogue
) -> None:
    conversation_id = await queued_chat(tg, fake, dialogue)
    link = await claimed(tg, conversation_id)
    before = len(fake.calls_of("sendChatAction"))
    await tg.app[QUEUE].typing(link, conversation_id, True)
    actions = fake.calls_of("sendChatAction")
    assert len(actions) == before + 1 and actions[-1].params["action"] == "typing"


async def test_exit_marks_left_and_nobody_can_send(
    tg: TestClient, fake: FakeBotApi, dialogue: ScriptedDialogue
) -> None:
    conversation_id = await queued_chat(tg, fake, dialogue)
    link = await claimed(tg, conversation_id)
    await tg.app[QUEUE].reply(link, conversation_id, "Bạn còn đó không?", "r1")
    counsellor_message = fake.calls_of("sendMessage")[-1].params["_result"]["message_id"]
    await deliver(tg, fake, fake.message_update(CHAT, "/exit"), 1)
    assert counsellor_message in fake.calls_of("deleteMessages")[-1].params["message_ids"]
    entry = await tg.app[STORE].queue.entry(conversation_id)
    assert entry is not None and entry.outcome == "left"
    with pytest.raises(HandoffError) as refused:
        await tg.app[QUEUE].reply(link, conversation_id, "hello?", "r2")
    assert refused.value.code == "left"


async def test_forget_removes_the_entry_from_the_queue(
    tg: TestClient, fake: FakeBotApi, dialogue: ScriptedDialogue
) -> None:
    conversation_id = await queued_chat(tg, fake, dialogue)
    link = await claimed(tg, conversation_id)
    await deliver(tg, fake, fake.message_update(CHAT, "/forget"), 1)
    assert await tg.app[STORE].queue.entry(conversation_id) is None
    frames = []
    while not link.frames.empty():
        frames.append(link.frames.get_nowait())
    assert {"type": "removed", "conversation_id": conversation_id} in frames
    with pytest.raises(HandoffError) as refused:
        await tg.app[QUEUE].reply(link, conversation_id, "hello?", "r2")
    assert refused.value.code == "not_found"
