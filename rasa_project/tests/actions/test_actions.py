"""Unit tests of the custom actions and the gateway client.

Run from the repository root:  .venv-rasa/bin/python -m pytest rasa_project/tests/actions
The gateway is a real aiohttp server on loopback, not a mock.
"""

from __future__ import annotations

import asyncio
import re
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
import yaml
from aiohttp import web
from rasa_sdk import Tracker
from rasa_sdk.events import (
    ActionExecuted,
    FollowupAction,
    SessionStarted,
    SlotSet,
)
from rasa_sdk.executor import CollectingDispatcher

PROJECT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(PROJECT))

from actions import actions as act  # noqa: E402
from actions.gateway import GatewayClient, GatewayError  # noqa: E402

TOKEN = "test-internal-token"
LAP = [f"lap_{i}" for i in range(1, 12)]


# --- helpers -----------------------------------------------------------------------


def make_tracker(
    slots: dict[str, Any] | None = None,
    intent: str | None = None,
    entities: list[dict[str, Any]] | None = None,
    metadata: dict[str, Any] | None = None,
    events: list[dict[str, Any]] | None = None,
    active_loop: str | None = None,
    text: str = "",
) -> Tracker:
    latest = {
        "intent": {"name": intent, "confidence": 1.0} if intent else {},
        "entities": entities or [],
        "text": text,
        "metadata": metadata or {},
    }
    return Tracker(
        "conversation-id",
        dict(slots or {}),
        latest,
        list(events or []),
        False,
        None,
        {"name": active_loop} if active_loop else {},
        "action_listen",
    )


def domain() -> dict[str, Any]:
    loaded = yaml.safe_load((PROJECT / "domain.yml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def responses(dispatcher: CollectingDispatcher) -> list[str | None]:
    return [m.get("response") for m in dispatcher.messages]


def slot_events(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


# --- a fake gateway on loopback ----------------------------------------------------


class FakeGateway:
    """The internal API of docs/CONTRACTS.md with a tiny fixed directory."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.fail_with: int | None = None
        self.delay_s = 0.0
        self.services: dict[str | None, list[str]] = {
            "hue": ["hue_one_stop", "national_hotline"],
            None: ["national_hotline"],
        }

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/internal/places/resolve", self.resolve)
        app.router.add_get("/internal/services", self.list_services)
        app.router.add_get("/internal/services/nearest", self.nearest)
        return app

    async def _check(self, request: web.Request) -> web.Response | None:
        self.requests.append((request.path, dict(request.query)))
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return web.json_response({"error": "unauthorised"}, status=401)
        if self.fail_with:
            return web.json_response({"error": "boom"}, status=self.fail_with)
        return None

    async def resolve(self, request: web.Request) -> web.Response:
        if (denied := await self._check(request)) is not None:
            return denied
        query = request.query.get("q", "").casefold()
        words = " ".join("".join(c if c.isalnum() else " " for c in query).split())
        if query in {"huế", "hue", "thừa thiên huế"} or " hue " in f" {words} ":
            return web.json_response(
                {"province_id": "hue", "name": {"vi": "Huế", "en": "Hue"}, "former": False}
            )
        return web.json_response({"error": "unknown_place"}, status=404)

    async def list_services(self, request: web.Request) -> web.Response:
        if (denied := await self._check(request)) is not None:
            return denied
        province_id = request.query.get("province_id")
        ids = self.services.get(province_id, [])
        if request.query.get("kind") == "shelter":
            ids = [i for i in ids if "hotline" not in i]
        return web.json_response({"province_id": province_id, "service_ids": ids})

    async def nearest(self, request: web.Request) -> web.Response:
        if (denied := await self._check(request)) is not None:
            return denied
        return web.json_response({"province_id": "hue", "service_ids": ["hue_one_stop"]})


@pytest_asyncio.fixture
async def fake_gateway(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeGateway]:
    fake = FakeGateway()
    runner = web.AppRunner(fake.app())
    await runner.setup()
    port = free_port()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    monkeypatch.setenv("GATEWAY_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("INTERNAL_TOKEN", TOKEN)
    try:
        yield fake
    finally:
        await runner.cleanup()


@pytest.fixture
def gateway_down(monkeypatch: pytest.MonkeyPatch) -> None:
    # Nothing listens on this port: connection refused.
    monkeypatch.setenv("GATEWAY_URL", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setenv("INTERNAL_TOKEN", TOKEN)


# --- the LAP rule ------------------------------------------------------------------


def answers_from(yes: list[int], no_rest: bool = True) -> dict[str, str | None]:
    return {f"lap_{i}": ("yes" if i in yes else ("no" if no_rest else None)) for i in range(1, 12)}


@pytest.mark.parametrize(
    "yes, high",
    [
        ([], False),
        ([1], True),
        ([2], True),
        ([3], True),
        ([4, 5, 6], False),
        ([4, 5, 6, 7], True),
        ([8, 9, 10, 11], True),
        ([5, 7, 9], False),
        ([4, 5, 6, 7, 8, 9, 10, 11], True),
        ([1, 4], True),
        ([11], False),
    ],
)
def test_lap_rule_table(yes: list[int], high: bool) -> None:
    assert act.lap_is_high(answers_from(yes)) is high


def test_lap_skipped_and_missing_answers_are_not_yes() -> None:
    answers: dict[str, str | None] = {s: "skipped" for s in LAP}
    assert not act.lap_is_high(answers)
    assert not act.lap_is_high({})
    # three "yes" among 4-11 plus unanswered ones are not enough
    assert not act.lap_is_high({"lap_4": "yes", "lap_5": "yes", "lap_6": "yes"})


# --- validate_screening_form -------------------------------------------------------


async def run_screening_validation(
    known: dict[str, str | None], new: dict[str, str]
) -> dict[str, Any]:
    """Run validate_screening_form as Rasa calls it: new candidates as last events."""
    slots = {**known, **new, "requested_slot": None}
    events = [{"event": "user", "text": ""}] + [
        {"event": "slot", "name": k, "value": v} for k, v in new.items()
    ]
    tracker = make_tracker(slots, intent="affirm", events=events, active_loop="screening_form")
    dispatcher = CollectingDispatcher()
    result = await act.ValidateScreeningForm().run(dispatcher, tracker, domain())
    assert dispatcher.messages == []
    return slot_events(result)


@pytest.mark.asyncio
@pytest.mark.parametrize("question", [1, 2, 3])
async def test_yes_to_questions_1_to_3_ends_the_form_at_once(question: int) -> None:
    known = {f"lap_{i}": "no" for i in range(1, question)}
    set_ = await run_screening_validation(known, {f"lap_{question}": "yes"})
    assert set_[f"lap_{question}"] == "yes"
    for i in range(question + 1, 12):
        assert set_[f"lap_{i}"] == "skipped"
    for i in range(1, question):
        assert f"lap_{i}" not in set_  # earlier answers are left alone
    assert "requested_slot" not in set_ or set_["requested_slot"] is None


@pytest.mark.asyncio
async def test_no_early_end_on_no_or_on_yes_after_question_3() -> None:
    assert await run_screening_validation({}, {"lap_1": "no"}) == {"lap_1": "no"}
    known = {f"lap_{i}": "no" for i in range(1, 4)}
    assert await run_screening_validation(known, {"lap_4": "yes"}) == {"lap_4": "yes"}


@pytest.mark.asyncio
async def test_unexpected_answer_value_is_dropped() -> None:
    assert await run_screening_validation({}, {"lap_1": "maybe"}) == {"lap_1": None}


# --- action_score_screening --------------------------------------------------------


@pytest.mark.asyncio
async def test_score_high_sends_handoff_first_and_resets_answers() -> None:
    slots: dict[str, Any] = {s: "skipped" for s in LAP}
    slots.update({"lap_1": "no", "lap_2": "yes"})
    dispatcher = CollectingDispatcher()
    events = await act.ActionScoreScreening().run(dispatcher, make_tracker(slots), domain())
    assert dispatcher.messages[0]["custom"] == {
        "handoff": {"reason": "lap_screen", "answers": slots}
    }
    assert responses(dispatcher) == [None, "utter_screening_high"]
    set_ = slot_events(events)
    assert set_["screening_result"] == "high"
    assert all(set_[s] is None for s in LAP)


@pytest.mark.asyncio
async def test_score_not_triggered_sends_no_handoff() -> None:
    slots = {s: "no" for s in LAP}
    slots.update({"lap_4": "yes", "lap_9": "yes", "lap_11": "yes"})
    dispatcher = CollectingDispatcher()
    events = await act.ActionScoreScreening().run(dispatcher, make_tracker(slots), domain())
    assert responses(dispatcher) == ["utter_screening_not_triggered"]
    assert all(not m.get("custom") for m in dispatcher.messages)
    set_ = slot_events(events)
    assert set_["screening_result"] == "not_triggered"
    assert all(set_[s] is None for s in LAP)


@pytest.mark.asyncio
async def test_reset_screening_marks_stopped() -> None:
    events = await act.ActionResetScreening().run(
        CollectingDispatcher(), make_tracker({"lap_1": "no"}), domain()
    )
    set_ = slot_events(events)
    assert set_["screening_result"] == "stopped"
    assert all(set_[s] is None for s in LAP)


@pytest.mark.asyncio
async def test_request_counsellor_payload() -> None:
    dispatcher = CollectingDispatcher()
    events = await act.ActionRequestCounsellor().run(dispatcher, make_tracker(), domain())
    assert events == []
    assert [m["custom"] for m in dispatcher.messages] == [{"handoff": {"reason": "user_request"}}]


# --- action_session_start ----------------------------------------------------------


@pytest.mark.asyncio
async def test_session_start_takes_language_and_channel_from_metadata() -> None:
    tracker = make_tracker(
        {
            "session_started_metadata": {"language": "en", "channel": "telegram"},
            "province": "Huế",
            "province_id": "hue",
            "lap_1": "no",
            "screening_result": "stopped",
        }
    )
    events = await act.ActionSessionStart().run(CollectingDispatcher(), tracker, domain())
    assert events[0] == SessionStarted()
    assert events[-1] == ActionExecuted("action_listen")
    set_ = slot_events(events)
    assert set_ == {
        "language": "en",
        "channel": "telegram",
        "province": "Huế",
        "province_id": "hue",
    }


@pytest.mark.asyncio
async def test_session_start_falls_back_to_message_metadata_and_checks_values() -> None:
    tracker = make_tracker({}, metadata={"language": "vi", "channel": "fax"})
    events = await act.ActionSessionStart().run(CollectingDispatcher(), tracker, domain())
    assert slot_events(events) == {"language": "vi"}


# --- gateway client ----------------------------------------------------------------


@pytest.mark.asyncio
async def test_client_resolves_places_over_http(fake_gateway: FakeGateway) -> None:
    client = GatewayClient.from_env()
    place = await client.resolve_place("Huế")
    assert place is not None and place.province_id == "hue" and place.name["en"] == "Hue"
    assert await client.resolve_place("Atlantis") is None
    assert fake_gateway.requests == [
        ("/internal/places/resolve", {"q": "Huế"}),
        ("/internal/places/resolve", {"q": "Atlantis"}),
    ]


@pytest.mark.asyncio
async def test_client_lists_services(fake_gateway: FakeGateway) -> None:
    client = GatewayClient.from_env()
    local = await client.services("hue", "shelter")
    assert local.province_id == "hue" and local.service_ids == ["hue_one_stop"]
    national = await client.services(None)
    assert national.province_id is None and national.service_ids == ["national_hotline"]
    near = await client.nearest(16.46, 107.59)
    assert near.province_id == "hue"
    assert fake_gateway.requests == [
        ("/internal/services", {"province_id": "hue", "kind": "shelter"}),
        ("/internal/services", {}),
        ("/internal/services/nearest", {"lat": "16.46", "lon": "107.59"}),
    ]


@pytest.mark.asyncio
async def test_client_raises_on_errors(
    fake_gateway: FakeGateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_gateway.fail_with = 500
    with pytest.raises(GatewayError):
        await GatewayClient.from_env().services("hue")
    fake_gateway.fail_with = None
    monkeypatch.setenv("INTERNAL_TOKEN", "wrong")
    with pytest.raises(GatewayError):  # 401 is not a "not found"
        await GatewayClient.from_env().resolve_place("Huế")


@pytest.mark.asyncio
async def test_client_times_out(fake_gateway: FakeGateway) -> None:
    fake_gateway.delay_s = 1.0
    client = GatewayClient(base_url=GatewayClient.from_env()._base_url, token=TOKEN, timeout_s=0.2)
    with pytest.raises(GatewayError):
        await client.resolve_place("Huế")


@pytest.mark.asyncio
async def test_client_when_gateway_is_down(gateway_down: None) -> None:
    with pytest.raises(GatewayError):
        await GatewayClient.from_env().resolve_place("Huế")


def test_client_default_url_and_timeout() -> None:
    client = GatewayClient.from_env({})
    assert client._base_url == "http://127.0.0.1:8080"
    assert client._timeout.total == 2.0


# --- validate_location_form --------------------------------------------------------


async def validate_province(value: Any) -> dict[str, Any]:
    return await act.ValidateLocationForm().validate_province(
        value, CollectingDispatcher(), make_tracker(), domain()
    )


@pytest.mark.asyncio
async def test_known_place_sets_province_id(fake_gateway: FakeGateway) -> None:
    assert await validate_province(" Huế ") == {"province": "Huế", "province_id": "hue"}


@pytest.mark.asyncio
async def test_unknown_place_is_asked_again(fake_gateway: FakeGateway) -> None:
    assert await validate_province("Atlantis") == {"province": None, "province_id": None}


@pytest.mark.asyncio
async def test_gateway_down_keeps_the_raw_place(gateway_down: None) -> None:
    assert await validate_province("Huế") == {"province": "Huế", "province_id": None}


@pytest.mark.asyncio
async def test_location_form_validation_end_to_end(fake_gateway: FakeGateway) -> None:
    tracker = make_tracker(
        {"province": "Huế", "requested_slot": "province"},
        intent="inform_location",
        events=[
            {"event": "user", "text": ""},
            {"event": "slot", "name": "province", "value": "Huế"},
        ],
        active_loop="location_form",
    )
    events = await act.ValidateLocationForm().run(CollectingDispatcher(), tracker, domain())
    assert slot_events(events) == {"province": "Huế", "province_id": "hue"}


@pytest.mark.asyncio
async def test_ask_province_first_time_and_again() -> None:
    first = CollectingDispatcher()
    await act.ActionAskProvince().run(first, make_tracker(intent="find_service"), domain())
    again = CollectingDispatcher()
    await act.ActionAskProvince().run(
        again,
        make_tracker(
            intent="find_service",
            entities=[{"entity": "province", "value": "Atlantis"}],
        ),
        domain(),
    )
    assert responses(first) == ["utter_ask_province"]
    assert responses(again) == ["utter_ask_province_again"]


# --- action_find_services ----------------------------------------------------------


async def find_services(
    slots: dict[str, Any], intent: str = "inform_location", metadata: Any = None
) -> tuple[CollectingDispatcher, list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = await act.ActionFindServices().run(
        dispatcher, make_tracker(slots, intent=intent, metadata=metadata), domain()
    )
    return dispatcher, events


@pytest.mark.asyncio
async def test_services_found_for_province(fake_gateway: FakeGateway) -> None:
    dispatcher, events = await find_services({"province_id": "hue", "service_kind": "shelter"})
    assert responses(dispatcher) == ["utter_services_found"]
    assert dispatcher.messages[0]["service_ids"] == ["hue_one_stop"]
    assert dispatcher.messages[0]["province_id"] == "hue"
    assert events == [SlotSet("service_kind", None)]
    assert fake_gateway.requests == [
        ("/internal/services", {"province_id": "hue", "kind": "shelter"})
    ]


@pytest.mark.asyncio
async def test_unknown_service_kind_is_not_sent(fake_gateway: FakeGateway) -> None:
    await find_services({"province_id": "hue", "service_kind": "nhà an toàn"})
    assert fake_gateway.requests == [("/internal/services", {"province_id": "hue"})]


@pytest.mark.asyncio
async def test_unresolved_place_gets_national_services(fake_gateway: FakeGateway) -> None:
    dispatcher, _ = await find_services({"province": "Huế", "province_id": None})
    assert responses(dispatcher) == ["utter_services_found"]
    assert dispatcher.messages[0]["service_ids"] == ["national_hotline"]


@pytest.mark.asyncio
async def test_no_services_answer(fake_gateway: FakeGateway) -> None:
    fake_gateway.services["hue"] = []
    dispatcher, events = await find_services({"province_id": "hue"})
    assert responses(dispatcher) == ["utter_no_services"]
    assert events == [SlotSet("service_kind", None)]


@pytest.mark.asyncio
async def test_gateway_down_means_no_services(gateway_down: None) -> None:
    dispatcher, events = await find_services({"province_id": "hue", "service_kind": "police"})
    assert responses(dispatcher) == ["utter_no_services"]
    assert events == [SlotSet("service_kind", None)]


@pytest.mark.asyncio
async def test_shared_location_uses_nearest(fake_gateway: FakeGateway) -> None:
    dispatcher, _ = await find_services(
        {"province_id": None},
        intent="share_location",
        metadata={"location": {"lat": 16.46, "lon": 107.59}},
    )
    assert fake_gateway.requests == [
        ("/internal/services/nearest", {"lat": "16.46", "lon": "107.59"})
    ]
    assert dispatcher.messages[0]["province_id"] == "hue"


@pytest.mark.asyncio
async def test_share_without_usable_location_asks_for_the_province(
    fake_gateway: FakeGateway,
) -> None:
    for bad in (None, {"location": {"lat": "x", "lon": 1}}, {"location": {"lat": 91, "lon": 0}}):
        dispatcher, events = await find_services({}, intent="share_location", metadata=bad)
        assert events == [FollowupAction("location_form")]
        assert dispatcher.messages == []
    assert fake_gateway.requests == []


def test_message_location_validation() -> None:
    assert act.message_location({"location": {"lat": 21, "lon": 105.8}}) == (21.0, 105.8)
    assert act.message_location({"location": {"lat": True, "lon": 1}}) is None
    assert act.message_location({"location": {"lat": float("nan"), "lon": 1}}) is None
    assert act.message_location({"location": [21, 105]}) is None
    assert act.message_location({}) is None


# --- the domain against the contract -------------------------------------------------


def contract_utter_keys() -> list[str]:
    contracts = (PROJECT.parent / "docs" / "CONTRACTS.md").read_text(encoding="utf-8")
    section = contracts.split("Domain (`utter_*`):", 1)[1].split("Gateway (`gw_*`)", 1)[0]
    keys = re.findall(r"utter_[a-z0-9_]+", section)
    assert "utter_ask_lap_1" in keys and "utter_ask_lap_11" in keys
    keys += [f"utter_ask_lap_{i}" for i in range(2, 11)]  # "utter_ask_lap_1 … _11"
    return sorted(set(keys))


def test_domain_lists_exactly_the_contract_responses_as_placeholders() -> None:
    domain_responses = domain()["responses"]
    assert sorted(domain_responses) == contract_utter_keys()
    for key, variations in domain_responses.items():
        assert variations == [{"text": key}]


def test_every_custom_action_in_the_domain_is_implemented() -> None:
    implemented = {
        cls().name()
        for cls in vars(act).values()
        if isinstance(cls, type) and cls.__module__ == act.__name__ and hasattr(cls, "run")
    }
    assert implemented == set(domain()["actions"])


@pytest.mark.asyncio
async def test_place_in_free_text_fills_the_province(fake_gateway: FakeGateway) -> None:
    form = act.ValidateLocationForm()
    tracker = make_tracker(intent="find_service", text="minh o hue, tim nha tam lanh",
                           active_loop="location_form")
    found = await form.extract_province(CollectingDispatcher(), tracker, domain())
    assert found == {"province": "minh o hue, tim nha tam lanh"}


@pytest.mark.asyncio
async def test_free_text_extraction_leaves_other_messages_alone(fake_gateway: FakeGateway) -> None:
    form = act.ValidateLocationForm()
    cases = [
        make_tracker(intent="find_service", text="tim nha tam lanh"),  # no place in it
        make_tracker(intent="danger_now", text="cuu em o hue"),  # must interrupt the form
        make_tracker({"province": "Huế"}, intent="find_service", text="o hue"),  # already set
        make_tracker(intent="find_service", text="o hue",
                     entities=[{"entity": "province", "value": "hue"}]),  # NLU found it
    ]
    for tracker in cases:
        assert await form.extract_province(CollectingDispatcher(), tracker, domain()) == {}
    assert [r for r in fake_gateway.requests if r[0] == "/internal/places/resolve"] == [
        ("/internal/places/resolve", {"q": "tim nha tam lanh"})
    ]
