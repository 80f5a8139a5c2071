"""Custom actions. Names and payload shapes follow docs/CONTRACTS.md.

Texts never come from here: every reply is a response key that the gateway's NLG
endpoint renders, or a custom `handoff` payload the gateway acts on.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import (
    ActionExecuted,
    EventType,
    FollowupAction,
    SessionStarted,
    SlotSet,
)
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.gateway import GatewayClient, GatewayError, ServiceList

LAP_SLOTS: tuple[str, ...] = tuple(f"lap_{i}" for i in range(1, 12))
LAP_TRIGGER_SLOTS = LAP_SLOTS[:3]  # questions 1-3: any "yes" means high danger
LAP_OTHER_SLOTS = LAP_SLOTS[3:]  # questions 4-11: four or more "yes" mean high danger
LAP_OTHER_YES_NEEDED = 4
LAP_ANSWERS = frozenset({"yes", "no", "skipped"})

LANGUAGES = frozenset({"vi", "en"})
CHANNELS = frozenset({"web", "telegram"})
SERVICE_KINDS = frozenset(
    {"one_stop_centre", "shelter", "legal_aid", "police", "hospital", "hotline"}
)
# Slots worth keeping across sessions. Screening answers are never carried over: a new
# screening must ask every question again.
CARRIED_SLOTS: tuple[str, ...] = ("language", "channel", "province", "province_id")
MAX_PLACE_CHARS = 200
# Intents that end a form (rules in data/rules.yml); their messages never fill a slot.
INTERRUPTING = frozenset({"danger_now", "suicidal", "child_at_risk", "stop", "request_human"})


def gateway() -> GatewayClient:
    """The gateway client, configured from GATEWAY_URL and INTERNAL_TOKEN."""
    return GatewayClient.from_env()


# --- LAP rule ----------------------------------------------------------------------


def lap_early_trigger(answers: Mapping[str, str | None]) -> bool:
    """True when any of questions 1-3 was answered "yes"."""
    return any(answers.get(slot) == "yes" for slot in LAP_TRIGGER_SLOTS)


def lap_is_high(answers: Mapping[str, str | None]) -> bool:
    """The LAP rule: "yes" to any of 1-3, or "yes" to at least 4 of 4-11."""
    others_yes = sum(1 for slot in LAP_OTHER_SLOTS if answers.get(slot) == "yes")
    return lap_early_trigger(answers) or others_yes >= LAP_OTHER_YES_NEEDED


def reset_lap_slots() -> list[EventType]:
    return [SlotSet(slot, None) for slot in LAP_SLOTS]


# --- helpers -----------------------------------------------------------------------


def _latest_intent(tracker: Tracker) -> str | None:
    intent = (tracker.latest_message or {}).get("intent") or {}
    name = intent.get("name") if isinstance(intent, dict) else None
    return name if isinstance(name, str) else None


def _metadata(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def message_location(metadata: Mapping[str, Any]) -> tuple[float, float] | None:
    """`metadata.location` as (lat, lon), or None when absent or not a valid point."""
    location = metadata.get("location")
    if not isinstance(location, dict):
        return None
    lat, lon = location.get("lat"), location.get("lon")
    if isinstance(lat, bool) or isinstance(lon, bool):
        return None
    if not isinstance(lat, (int, float)) or not isinstance(lon, (int, float)):
        return None
    lat, lon = float(lat), float(lon)
    if not (math.isfinite(lat) and math.isfinite(lon)):
        return None
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        return None
    return lat, lon


# --- session -----------------------------------------------------------------------


class ActionSessionStart(Action):
    """Starts a session; `language` and `channel` come from the message metadata."""

    def name(self) -> str:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        events: list[EventType] = [SessionStarted()]
        session_config = _metadata(domain.get("session_config"))
        if session_config.get("carry_over_slots_to_new_session", True):
            for slot in CARRIED_SLOTS:
                value = tracker.get_slot(slot)
                if value is not None:
                    events.append(SlotSet(slot, value))
        metadata = _metadata(tracker.get_slot("session_started_metadata")) or _metadata(
            (tracker.latest_message or {}).get("metadata")
        )
        for key, allowed in (("language", LANGUAGES), ("channel", CHANNELS)):
            value = metadata.get(key)
            if isinstance(value, str) and value in allowed:
                events.append(SlotSet(key, value))
        events.append(ActionExecuted("action_listen"))
        return events


# --- location and services ---------------------------------------------------------


class ValidateLocationForm(FormValidationAction):
    """Resolves the place the person named to one of the 34 provinces."""

    def name(self) -> str:
        return "validate_location_form"

    async def extract_province(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """When NLU found no place in a message, let the gateway's resolver look through the
        whole text: entity extraction misses names typed without diacritics ("minh o ha
        noi, tim nha tam lanh"). Not for messages that must interrupt the form."""
        if tracker.get_slot("province") is not None or _latest_intent(tracker) in INTERRUPTING:
            return {}
        latest = tracker.latest_message or {}
        if any(isinstance(e, dict) and e.get("entity") == "province"
               for e in latest.get("entities") or []):
            return {}
        text = str(latest.get("text") or "").strip()[:MAX_PLACE_CHARS]
        if not text or text.startswith("/"):
            return {}
        try:
            place = await gateway().resolve_place(text)
        except GatewayError:
            return {}
        return {} if place is None else {"province": text}

    async def validate_province(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        text = slot_value.strip()[:MAX_PLACE_CHARS] if isinstance(slot_value, str) else ""
        if not text:
            return {"province": None, "province_id": None}
        try:
            place = await gateway().resolve_place(text)
        except GatewayError:
            # Keep the raw text: the form ends and action_find_services falls back to
            # national services instead of asking again and again.
            return {"province": text, "province_id": None}
        if place is None:
            # Unknown place: the form asks again (action_ask_province).
            return {"province": None, "province_id": None}
        return {"province": text, "province_id": place.province_id}


class ActionAskProvince(Action):
    """Asks for the province; after an unrecognised place, asks again differently."""

    def name(self) -> str:
        return "action_ask_province"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        latest = tracker.latest_message or {}
        entities = latest.get("entities") or []
        named_a_place = _latest_intent(tracker) == "inform_location" or any(
            isinstance(e, dict) and e.get("entity") == "province" for e in entities
        )
        if named_a_place and tracker.get_slot("province") is None:
            dispatcher.utter_message(response="utter_ask_province_again")
        else:
            dispatcher.utter_message(response="utter_ask_province")
        return []


class ActionFindServices(Action):
    """Lists services for the resolved province or the shared location."""

    def name(self) -> str:
        return "action_find_services"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        raw_kind = tracker.get_slot("service_kind")
        kind = raw_kind if raw_kind in SERVICE_KINDS else None
        province_id = tracker.get_slot("province_id")
        province_id = province_id if isinstance(province_id, str) else None
        location = None
        if _latest_intent(tracker) == "share_location":
            location = message_location(_metadata((tracker.latest_message or {}).get("metadata")))
            if location is None and province_id is None:
                # A location share without a usable point: ask for the place instead.
                return [FollowupAction("location_form")]

        result: ServiceList | None
        try:
            if location is not None:
                result = await gateway().nearest(location[0], location[1], kind)
            else:
                # Without a province_id (the gateway could not resolve the place) the
                # gateway answers with national services only.
                result = await gateway().services(province_id, kind)
        except GatewayError:
            result = None

        if result is not None and result.service_ids:
            dispatcher.utter_message(
                response="utter_services_found",
                service_ids=result.service_ids,
                province_id=result.province_id,
            )
        else:
            dispatcher.utter_message(response="utter_no_services")
        return [SlotSet("service_kind", None)]


# --- screening (LAP) ---------------------------------------------------------------


class ValidateScreeningForm(FormValidationAction):
    """Keeps answers to yes/no/skipped and ends the form early on a LAP 1-3 "yes"."""

    def name(self) -> str:
        return "validate_screening_form"

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        updates: dict[str, str | None] = {}
        for slot, value in tracker.slots_to_validate().items():
            if slot in LAP_SLOTS:
                updates[slot] = value if value in LAP_ANSWERS else None
        answers: dict[str, str | None] = {s: tracker.get_slot(s) for s in LAP_SLOTS}
        answers.update(updates)
        if lap_early_trigger(answers):
            for slot in LAP_SLOTS:
                if answers[slot] is None:
                    updates[slot] = "skipped"
        return [SlotSet(slot, value) for slot, value in updates.items()]


class ActionScoreScreening(Action):
    """Applies the LAP rule. Never tells anyone they are safe."""

    def name(self) -> str:
        return "action_score_screening"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        answers: dict[str, str] = {}
        for slot in LAP_SLOTS:
            value = tracker.get_slot(slot)
            if isinstance(value, str) and value in LAP_ANSWERS:
                answers[slot] = value
        if lap_is_high(answers):
            dispatcher.utter_message(
                json_message={"handoff": {"reason": "lap_screen", "answers": answers}}
            )
            dispatcher.utter_message(response="utter_screening_high")
            result = "high"
        else:
            dispatcher.utter_message(response="utter_screening_not_triggered")
            result = "not_triggered"
        return [SlotSet("screening_result", result), *reset_lap_slots()]


class ActionResetScreening(Action):
    """After the screening was stopped or interrupted: forget the answers."""

    def name(self) -> str:
        return "action_reset_screening"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        return [SlotSet("screening_result", "stopped"), *reset_lap_slots()]


class ActionRequestCounsellor(Action):
    """Asks the gateway to record a handoff request; the gateway writes the reply."""

    def name(self) -> str:
        return "action_request_counsellor"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(json_message={"handoff": {"reason": "user_request"}})
        return []
