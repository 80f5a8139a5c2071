"""Resuming the dialogue after a counsellor hands a conversation back, against the real
Rasa (trained model), action server and the gateway's NLG endpoint."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import aiohttp
import pytest

from bot.content import ContentLibrary, load_content_dir
from bot.launcher import ROOT, Stack
from bot.messages import BotText
from bot.rasa_client import CircuitBreaker, RasaClient, RasaReply

pytestmark = pytest.mark.integration
LIBRARY = ContentLibrary(load_content_dir(ROOT / "content"))
QUESTIONS = {f"utter_ask_lap_{i}" for i in range(1, 12)}


def texts(key: str, language: str = "vi") -> set[str]:
    return {m.text for m in LIBRARY.variations(key, language)}


def question_texts(language: str = "vi") -> set[str]:
    return set().union(*(texts(key, language) for key in QUESTIONS))


def said(reply: RasaReply | list[BotText]) -> list[str]:
    messages = reply.messages if isinstance(reply, RasaReply) else reply
    return [m.text for m in messages]


@pytest.fixture
async def rasa(stack: Stack) -> AsyncIterator[RasaClient]:
    async with aiohttp.ClientSession() as session:
        # the first turns of a conversation start a session (action server): 10 s is ample
        yield RasaClient(
            session, stack.rasa_url, stack.env["RASA_TOKEN"], 10.0, CircuitBreaker(3, 60)
        )


async def test_hand_back_during_the_screening_ends_the_form(rasa: RasaClient) -> None:
    cid = uuid.uuid4().hex
    meta = {"language": "vi", "channel": "web"}
    first = await rasa.send(cid, "/start_screening", meta)
    assert texts("utter_ask_lap_1") & set(said(first)), said(first)
    second = await rasa.send(cid, "/deny", meta)  # lap_1 answered: the form is mid-way
    assert texts("utter_ask_lap_2") & set(said(second)), said(second)

    resumed = await rasa.resume(cid, "vi", "web")
    assert said(resumed) and set(said(resumed)) <= texts("utter_handed_back"), said(resumed)
    assert "/request_human" in {b.payload for b in resumed[0].buttons}
    assert not question_texts() & set(said(resumed))

    hello = await rasa.send(cid, "xin chào", meta)
    assert texts("utter_greet") & set(said(hello)), said(hello)
    assert not question_texts() & set(said(hello)), "the screening form came back"

    # The interrupted screening's answers were discarded: a new one starts at question 1.
    again = await rasa.send(cid, "/start_screening", meta)
    assert texts("utter_ask_lap_1") & set(said(again)), said(again)


async def test_hand_back_answers_in_the_given_language_after_rasa_forgot(
    rasa: RasaClient,
) -> None:
    cid = uuid.uuid4().hex
    meta = {"language": "en", "channel": "telegram"}
    await rasa.send(cid, "/find_service", meta)  # location_form asks for a province
    assert await rasa.forget(cid)  # the janitor cleared Rasa's tracker while a human talked

    resumed = await rasa.resume(cid, "en", "telegram")
    assert said(resumed) and set(said(resumed)) <= texts("utter_handed_back", "en"), said(resumed)

    hello = await rasa.send(cid, "hello", meta)
    assert texts("utter_greet", "en") & set(said(hello)), said(hello)
    assert not texts("utter_ask_province", "en") & set(said(hello))


async def test_hand_back_of_a_conversation_without_a_form(rasa: RasaClient) -> None:
    cid = uuid.uuid4().hex
    meta = {"language": "vi", "channel": "web"}
    await rasa.send(cid, "/request_human", meta)
    resumed = await rasa.resume(cid, "vi", "web")
    assert said(resumed) and set(said(resumed)) <= texts("utter_handed_back"), said(resumed)
    again = await rasa.resume(cid, "vi", "web")  # a repeated hand-back is harmless
    assert set(said(again)) <= texts("utter_handed_back"), said(again)
