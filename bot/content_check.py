"""The content check: runs before content is published (admin area) and on the shipped
files (`tests/content`). Only PyYAML and the standard library.

``check(documents, domain_keys)`` takes the five content documents (the shapes of the
files in `content/`, see content/README.md) and the `utter_*` keys the Rasa domain lists,
and returns every problem found, each with a message an administrator can act on. An
empty list means the content may be published.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import yaml

from bot.content import CANNED_KEYS

LANGS: Final = ("vi", "en")
DOCUMENTS: Final = ("responses", "hotlines", "services", "provinces", "sources")
# Where the Rasa domain is read from: $RASA_DOMAIN_FILE, else the repository's file.
DOMAIN_FILE: Final = Path(
    os.environ.get(
        "RASA_DOMAIN_FILE", Path(__file__).resolve().parents[1] / "rasa_project" / "domain.yml"
    )
)

# What the gateway itself sends (never in the Rasa domain): these keys must exist.
GATEWAY_KEYS: Final = frozenset(
    {
        "gw_unavailable",
        "gw_imminent",
        "gw_truncated",
        "gw_rate_limited",
        "gw_not_text",
        "gw_safety_notice",
        "gw_location_ask",
        "gw_queue_joined",
        "gw_queue_joined_unknown",
        "gw_queue_offline",
        "gw_queue_waiting",
        "gw_counsellor_joined",
        "gw_queue_returned",
        "gw_handed_back",
        "gw_conversation_closed",
        "gw_wait_minutes",
        "gw_wait_one_minute",
        "gw_wait_under_minute",
        "gw_tg_start",
        "gw_tg_later",
        "gw_tg_help",
        "gw_tg_exit_done",
        "gw_tg_forget_done",
        "gw_tg_location_ask",
        *CANNED_KEYS,
    }
)
# Variables other than {hotline.<id>}: the keys the code fills them for (docs/CONTRACTS.md).
KEY_VARIABLES: Final[Mapping[str, frozenset[str]]] = {
    "utter_services_found": frozenset({"province", "services"}),
    "gw_queue_joined": frozenset({"position", "wait"}),
    "gw_queue_joined_unknown": frozenset({"position"}),
    "gw_queue_waiting": frozenset({"position"}),
    "gw_wait_minutes": frozenset({"minutes"}),
}
VARIABLE: Final = re.compile(r"\{([^{}]*)\}")
VARIABLE_NAME: Final = re.compile(r"[a-z_][a-z0-9_.]*")
PAYLOAD: Final = re.compile(r"^/[a-z_]{1,40}$")  # what bot/core.py accepts as a button
MAX_VARIATIONS: Final = 3
MAX_TEXT: Final = 1000

# Digit runs that are not phone numbers: law numbers (13/2022/QH15), dates (1/7/2023)
# and years (2023). Anything else with three or more digits is treated as a phone number.
LAW_NUMBER: Final = re.compile(r"\b\d{1,3}/\d{4}/[A-ZĐ][A-Za-zĐ0-9-]*")
DATE: Final = re.compile(r"\b\d{1,2}/\d{1,2}/(?:199\d|20[0-4]\d)\b")
YEAR: Final = re.compile(r"(?<!\d)(?<!\d[\s.,/-])(?:199\d|20[0-4]\d)(?!\d)(?![\s.,/-]\d)")
PHONE_LIKE: Final = re.compile(r"\d(?:[ .\-]?\d){2,}")


@dataclass(frozen=True, slots=True)
class Problem:
    where: str  # "responses.utter_greet.en", "hotlines.police", ...
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


def phone_like(text: str) -> list[str]:
    """Digit runs in ``text`` that look like phone numbers (law numbers, dates, years and
    short counts are not)."""
    for pattern in (LAW_NUMBER, DATE, YEAR):
        text = pattern.sub(" ", text)
    return PHONE_LIKE.findall(text)


def variables(text: str) -> set[str]:
    return set(VARIABLE.findall(text))


def domain_response_keys(path: Path | None = None) -> set[str]:
    """The `utter_*` keys listed under `responses:` in the Rasa domain file."""
    with (path or DOMAIN_FILE).open(encoding="utf-8") as fh:
        domain = yaml.safe_load(fh) or {}
    responses = domain.get("responses") or {}
    if not isinstance(responses, dict):
        raise ValueError("the Rasa domain's `responses` is not a mapping")
    return {str(key) for key in responses}


def is_iso_date(value: Any) -> bool:
    if isinstance(value, dt.date):  # YAML reads an unquoted 2026-11-22 as a date
        return True
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def check(documents: Mapping[str, Any], domain_keys: set[str]) -> list[Problem]:
    """Every problem in ``documents`` (empty: fit to publish)."""
    problems: list[Problem] = []
    for name in DOCUMENTS:
        if name not in documents or documents[name] is None:
            problems.append(Problem(name, "the document is missing"))
    sources = documents.get("sources")
    sources = sources if isinstance(sources, dict) else {}
    hotlines = documents.get("hotlines")
    hotlines = hotlines if isinstance(hotlines, dict) else {}
    problems += _check_sources(sources)
    problems += _check_hotlines(hotlines, sources)
    problems += _check_services(documents.get("services"), sources)
    problems += _check_responses(documents.get("responses"), hotlines, sources, domain_keys)
    return problems


def _check_sources(sources: Mapping[str, Any]) -> Iterator[Problem]:
    for sid, source in sources.items():
        if not isinstance(source, dict):
            yield Problem(f"sources.{sid}", "must be a mapping with title, url and verified_on")
            continue
        for field in ("title", "url"):
            if not isinstance(source.get(field), str) or not source[field].strip():
                yield Problem(f"sources.{sid}", f"{field} is missing")
        if not is_iso_date(source.get("verified_on")):
            yield Problem(f"sources.{sid}", "verified_on must be a date (YYYY-MM-DD)")


def _sourced(where: str, entry: Mapping[str, Any], sources: Mapping[str, Any]) -> Iterator[Problem]:
    source = entry.get("source")
    if not source:
        yield Problem(where, "has no source (an id in sources)")
    elif source not in sources:
        yield Problem(where, f"source {source!r} does not exist in sources")
    if not is_iso_date(entry.get("verified_on")):
        yield Problem(where, "verified_on must be a date (YYYY-MM-DD)")


def _check_hotlines(hotlines: Mapping[str, Any], sources: Mapping[str, Any]) -> Iterator[Problem]:
    for hid, line in hotlines.items():
        where = f"hotlines.{hid}"
        if not isinstance(line, dict):
            yield Problem(where, "must be a mapping")
            continue
        number = line.get("number")
        if not isinstance(number, str) or not re.fullmatch(r"\d[\d ]*\d", number):
            yield Problem(where, "number must be digits (and spaces), as a string")
        yield from _sourced(where, line, sources)


def _check_services(services: Any, sources: Mapping[str, Any]) -> Iterator[Problem]:
    if services is None:
        return
    if not isinstance(services, list):
        yield Problem("services", "must be a list")
        return
    seen: set[str] = set()
    for index, service in enumerate(services):
        if not isinstance(service, dict) or not service.get("id"):
            yield Problem(f"services[{index}]", "must be a mapping with an id")
            continue
        sid = str(service["id"])
        if sid in seen:
            yield Problem(f"services.{sid}", "the id is used twice")
        seen.add(sid)
        if service.get("retired"):
            continue
        if service.get("phone") or service.get("address"):
            yield from _sourced(f"services.{sid}", service, sources)


def _check_responses(
    responses: Any,
    hotlines: Mapping[str, Any],
    sources: Mapping[str, Any],
    domain_keys: set[str],
) -> Iterator[Problem]:
    if responses is None:
        return
    if not isinstance(responses, dict):
        yield Problem("responses", "must be a mapping of keys")
        return
    for key in sorted(domain_keys - responses.keys()):
        yield Problem(f"responses.{key}", "the Rasa domain uses this key but it has no text")
    for key in sorted(GATEWAY_KEYS - responses.keys()):
        yield Problem(f"responses.{key}", "the gateway sends this key but it has no text")
    for key in sorted(responses):
        if key.startswith("utter_") and key not in domain_keys:
            yield Problem(f"responses.{key}", "orphan: the Rasa domain does not use this key")
        elif not key.startswith("utter_") and key not in GATEWAY_KEYS:
            yield Problem(f"responses.{key}", "orphan: nothing sends this key")
        yield from _check_response(key, responses[key], hotlines, sources)


def _check_response(
    key: str, entry: Any, hotlines: Mapping[str, Any], sources: Mapping[str, Any]
) -> Iterator[Problem]:
    where = f"responses.{key}"
    if not isinstance(entry, dict):
        yield Problem(where, "must be a mapping with vi and en")
        return
    for extra in sorted(set(entry) - {"sources", *LANGS}):
        yield Problem(where, f"unknown field {extra!r}")
    cited = entry.get("sources") or []
    if not isinstance(cited, list):
        yield Problem(where, "sources must be a list of source ids")
        cited = []
    for source in cited:
        if source not in sources:
            yield Problem(where, f"source {source!r} does not exist in sources")
        elif not is_iso_date((sources[source] or {}).get("verified_on")):
            yield Problem(where, f"source {source!r} has no verified date")
    per_lang: dict[str, set[str]] = {}
    cites_law = False
    for lang in LANGS:
        lw = f"{where}.{lang}"
        items = entry.get(lang)
        if not isinstance(items, list) or not items:
            yield Problem(lw, f"no {lang} text (every key needs vi and en)")
            continue
        if len(items) > MAX_VARIATIONS:
            yield Problem(lw, f"at most {MAX_VARIATIONS} variations")
        used: set[str] = set()
        for number, item in enumerate(items, start=1):
            iw = f"{lw}[{number}]"
            text = item.get("text") if isinstance(item, dict) else None
            if not isinstance(text, str) or not text.strip():
                yield Problem(iw, "the text is empty")
                continue
            if len(text) > MAX_TEXT:
                yield Problem(iw, f"the text is longer than {MAX_TEXT} characters")
            cites_law = cites_law or bool(LAW_NUMBER.search(text))
            texts = [text]
            buttons = item.get("buttons") or []
            if not isinstance(buttons, list):
                yield Problem(iw, "buttons must be a list")
                buttons = []
            for button in buttons:
                title = button.get("title") if isinstance(button, dict) else None
                payload = button.get("payload") if isinstance(button, dict) else None
                if not isinstance(title, str) or not title.strip():
                    yield Problem(iw, "a button has no title")
                    continue
                texts.append(title)
                if not isinstance(payload, str) or not PAYLOAD.fullmatch(payload):
                    yield Problem(iw, f"button {title!r}: the payload must look like /intent_name")
            for shown in texts:
                if phone_like(shown):
                    yield Problem(
                        iw, "a phone number is written in the text: use {hotline.<id>} instead"
                    )
                found = variables(shown)
                used |= found
                yield from _check_variables(iw, key, found, hotlines)
            missing = KEY_VARIABLES.get(key, frozenset()) - variables(text)
            if missing:
                names = ", ".join(f"{{{m}}}" for m in sorted(missing))
                yield Problem(iw, f"the text never shows {names}")
        per_lang[lang] = used
    if len(per_lang) == len(LANGS):
        first, *others = LANGS
        for lang in others:
            if per_lang[lang] != per_lang[first]:
                only_first = sorted(per_lang[first] - per_lang[lang])
                only_other = sorted(per_lang[lang] - per_lang[first])
                detail = "; ".join(
                    part
                    for part in (
                        f"only in {first}: {', '.join('{' + v + '}' for v in only_first)}"
                        if only_first
                        else "",
                        f"only in {lang}: {', '.join('{' + v + '}' for v in only_other)}"
                        if only_other
                        else "",
                    )
                    if part
                )
                yield Problem(where, f"{first} and {lang} use different variables ({detail})")
    if cites_law and not cited:
        yield Problem(where, "cites a law but lists no sources")


def _check_variables(
    where: str, key: str, found: set[str], hotlines: Mapping[str, Any]
) -> Iterator[Problem]:
    for name in sorted(found):
        if not VARIABLE_NAME.fullmatch(name):
            yield Problem(where, f"{{{name}}} is not a variable name")
        elif name.startswith("hotline."):
            if name.removeprefix("hotline.") not in hotlines:
                yield Problem(where, f"{{{name}}}: no such hotline id in hotlines")
        elif name not in KEY_VARIABLES.get(key, frozenset()):
            yield Problem(where, f"{{{name}}} has no value in this message")
