"""Rasa's NLG endpoint: renders `utter_*` responses from the published content.

Rasa takes our answer as it is (no slot filling, no variation choice on its side). We add
a `custom._gw` block with the intent Rasa understood, for the gateway's triage; the core
strips it before anything reaches the person.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from bot.content import ContentLibrary
from bot.errors import ContentError
from bot.messages import BotText
from bot.rasa_client import META_KEY
from bot.settings import LANGUAGES

log = logging.getLogger(__name__)


def _language(tracker: Mapping[str, Any], default: str) -> str:
    latest = tracker.get("latest_message") or {}
    metadata = latest.get("metadata") or {}
    slots = tracker.get("slots") or {}
    for candidate in (metadata.get("language"), slots.get("language")):
        if candidate in LANGUAGES:
            return str(candidate)
    return default


def _meta(tracker: Mapping[str, Any]) -> dict[str, Any]:
    intent = (tracker.get("latest_message") or {}).get("intent") or {}
    return {"intent": intent.get("name"), "confidence": intent.get("confidence")}


def render_for_rasa(
    library: ContentLibrary, body: Mapping[str, Any], default_language: str
) -> dict[str, Any]:
    key = str(body.get("response", ""))
    arguments = body.get("arguments") or {}
    tracker = body.get("tracker") or {}
    language = _language(tracker, default_language)
    slots = tracker.get("slots") or {}
    variables: dict[str, str] = {}
    province_id = arguments.get("province_id") or slots.get("province_id")
    province = library.provinces.get(str(province_id)) if province_id else None
    if province is not None:
        variables["province"] = province.name.get(language, province.id)
    service_ids = arguments.get("service_ids")
    if isinstance(service_ids, list):
        variables["services"] = library.format_services([str(s) for s in service_ids], language)
    try:
        message = library.render(key, language, variables)
    except ContentError as exc:
        log.error("NLG could not render a response: %s", exc)
        message = library.render("gw_unavailable", language)
    return _answer(message, _meta(tracker))


def _answer(message: BotText, meta: dict[str, Any]) -> dict[str, Any]:
    return {
        "text": message.text,
        "buttons": [{"title": b.title, "payload": b.payload} for b in message.buttons],
        "custom": {META_KEY: meta},
    }
