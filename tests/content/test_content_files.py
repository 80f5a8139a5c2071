"""Checks the shipped content files (content/*.yml) against docs/CONTRACTS.md.

Only PyYAML and the standard library: the gateway and CI run this before anything else.
The contract is parsed, not copied, so adding a key to CONTRACTS.md without writing its
texts fails here.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.content import CANNED_KEYS  # the keys the console offers

ROOT = Path(__file__).resolve().parents[2]
CONTENT = ROOT / "content"
CONTRACTS = ROOT / "docs" / "CONTRACTS.md"

LANGS = ("vi", "en")
KINDS = {"one_stop_centre", "shelter", "legal_aid", "police", "hospital", "hotline"}
# Variables other than {hotline.<id>}: the keys that take them, and which (each variation
# of such a key uses all of them, in vi and en alike; no other key takes any).
KEY_VARIABLES: dict[str, frozenset[str]] = {
    "utter_services_found": frozenset({"province", "services"}),
    "gw_queue_joined": frozenset({"position", "wait"}),
    "gw_queue_joined_unknown": frozenset({"position"}),
    "gw_queue_waiting": frozenset({"position"}),
    "gw_wait_minutes": frozenset({"minutes"}),
}
# The gateway's messages about the queue and the counsellor (docs/HANDOFF.md).
HANDOFF_KEYS = (
    "gw_queue_joined",
    "gw_queue_joined_unknown",
    "gw_queue_offline",
    "gw_queue_waiting",
    "gw_counsellor_joined",
    "gw_queue_returned",
    "gw_handed_back",
    "gw_conversation_closed",
)
# Phrases the gateway puts into {wait}: not messages of their own.
WAIT_KEYS = ("gw_wait_minutes", "gw_wait_one_minute", "gw_wait_under_minute")
LEGAL_KEYS = (
    "utter_legal_rights",
    "utter_protection_order",
    "utter_forms_of_violence",
    "utter_evidence",
)
VARIABLE = re.compile(r"\{([^{}]*)\}")
VARIABLE_NAME = re.compile(r"[a-z_][a-z0-9_.]*")
ID = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")
VI_LETTERS = re.compile(
    "[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]", re.IGNORECASE
)

# Words that must not show in a notification preview on a phone someone else may watch.
FLAGGED_PHRASES = (
    "bạo lực",
    "bạo hành",
    "ngược đãi",
    "xâm hại",
    "hiếp",
    "cưỡng bức",
    "giết",
    "vũ khí",
    "bóp cổ",
    "siết cổ",
    "đánh đập",
    "bị đánh",
    "tự tử",
    "vũ phu",
)
FLAGGED_WORDS = re.compile(
    r"\b(?:violence|violent|abuse[sd]?|abusive|abuser|domestic|rape[sd]?|assault\w*|"
    r"kill\w*|weapons?|guns?|chok\w*|strangl\w*|beat(?:en|ing)?|hit|suicid\w*)\b",
    re.IGNORECASE,
)
PREVIEW_CHARS = 80  # roughly what a collapsed notification shows

# Digit runs that are not phone numbers: law numbers (13/2022/QH15), dates (1/7/2023)
# and years (2023). Anything else with three or more digits is treated as a phone number.
LAW_NUMBER = re.compile(r"\b\d{1,3}/\d{4}/[A-ZĐ][A-Za-zĐ0-9-]*")
DATE = re.compile(r"\b\d{1,2}/\d{1,2}/(?:199\d|20[0-4]\d)\b")
YEAR = re.compile(r"(?<!\d)(?<!\d[\s.,/-])(?:199\d|20[0-4]\d)(?!\d)(?![\s.,/-]\d)")
PHONE_LIKE = re.compile(r"\d(?:[ .\-]?\d){2,}")


# ---- loading ------------------------------------------------------------------------------


@functools.cache
def load(name: str) -> Any:
    with (CONTENT / f"{name}.yml").open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@functools.cache
def contract_text() -> str:
    return CONTRACTS.read_text(encoding="utf-8")


def contract_section(heading: str) -> str:
    text = contract_text()
    start = text.index(heading)
    rest = text[start + len(heading) :]
    nxt = re.search(r"^#{2,3} ", rest, re.MULTILINE)
    return rest[: nxt.start()] if nxt else rest


@functools.cache
def contract_response_keys() -> frozenset[str]:
    section = contract_section("## Response keys")
    keys = set(re.findall(r"\b(?:utter|gw|canned)_[a-z0-9_]*[a-z0-9]\b", section))
    # "utter_ask_lap_1 … utter_ask_lap_11" stands for the whole numbered range
    numbered = r"\b((?:utter|gw)_[a-z0-9_]*?_)(\d+)\s*(?:…|\.\.\.)\s*\1(\d+)\b"
    for prefix, first, last in re.findall(numbered, section):
        keys.update(f"{prefix}{i}" for i in range(int(first), int(last) + 1))
    return frozenset(keys)


@functools.cache
def contract_hotline_ids() -> frozenset[str]:
    match = re.search(r"\(ids: `([^`]+)`\)", contract_section("### Response file shape"))
    assert match, "CONTRACTS.md no longer lists the hotline ids as (ids: `...`)"
    return frozenset(part.strip() for part in match.group(1).split(","))


@functools.cache
def contract_intents() -> frozenset[str]:
    section = contract_section("## Intents")
    match = re.search(r"`([^`]+)`", section)
    assert match, "CONTRACTS.md no longer lists the intents"
    return frozenset(part.strip() for part in match.group(1).split(",")) | {"nlu_fallback"}


def variations(key: str) -> list[tuple[str, dict[str, Any]]]:
    entry = load("responses")[key]
    return [(lang, v) for lang in LANGS for v in entry.get(lang) or []]


def variables(text: str) -> set[str]:
    return set(VARIABLE.findall(text))


def fold(text: str) -> str:
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if unicodedata.category(c) != "Mn").casefold()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def phone_like(text: str) -> list[str]:
    for pattern in (LAW_NUMBER, DATE, YEAR):
        text = pattern.sub(" ", text)
    return PHONE_LIKE.findall(text)


def flagged(text: str) -> list[str]:
    lowered = unicodedata.normalize("NFC", text).casefold()
    return [p for p in FLAGGED_PHRASES if p in lowered] + FLAGGED_WORDS.findall(text)


def rendered(text: str) -> str:
    hotlines = load("hotlines")
    text = re.sub(r"\{hotline\.([a-z0-9_]+)\}", lambda m: str(hotlines[m.group(1)]["number"]), text)
    return text.replace("{province}", "Thành phố Hồ Chí Minh").replace("{services}", "•")


def is_iso_date(value: Any) -> bool:
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def lang_map(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and set(value) == set(LANGS)
        and all(isinstance(value[lang], str) and value[lang].strip() for lang in LANGS)
    )


ALL_KEYS = sorted(contract_response_keys())


# ---- the contract parser itself --------------------------------------------------------------


def test_contract_parser_finds_the_known_keys() -> None:
    keys = contract_response_keys()
    assert {"utter_greet", "utter_ok", "gw_unavailable", "gw_safety_notice"} <= keys
    assert {f"utter_ask_lap_{i}" for i in range(1, 12)} <= keys
    assert "utter_ask_lap_12" not in keys
    assert {"utter_handed_back", *HANDOFF_KEYS, *CANNED_KEYS, *WAIT_KEYS} <= keys
    assert "gw_handoff_recorded" not in keys  # live chat exists now: that text was untrue
    assert {"police", "peace_house", "anh_duong_phu_tho"} <= contract_hotline_ids()
    assert {"affirm", "deny", "stop", "request_human"} <= contract_intents()


def test_phone_filter_catches_numbers_and_spares_law_citations() -> None:
    for text in ("gọi 113", "1900 969 680", "024 3333 5599", "call 1800-1768", "1 1 3", "1900"):
        assert phone_like(text), text
    for text in (
        "Luật số 13/2022/QH15",
        "từ 1/7/2023",
        "Legal Aid Law 2017, Art. 7",
        "Câu 10/11",
        "(24/7)",
        "up to 3 days",
        "Question 11 of 11",
    ):
        assert not phone_like(text), text


# ---- responses.yml -----------------------------------------------------------------------------


def test_responses_have_exactly_the_contract_keys() -> None:
    shipped = set(load("responses"))
    expected = set(contract_response_keys())
    assert not expected - shipped, f"missing: {sorted(expected - shipped)}"
    assert not shipped - expected, f"not in CONTRACTS.md: {sorted(shipped - expected)}"


@pytest.mark.parametrize("key", ALL_KEYS)
def test_response_shape(key: str) -> None:
    entry = load("responses")[key]
    assert set(entry) <= {"sources", *LANGS}
    for lang in LANGS:
        items = entry.get(lang)
        assert isinstance(items, list) and 1 <= len(items) <= 3, f"{key}.{lang}: 1-3 variations"
        for item in items:
            assert set(item) <= {"text", "buttons"}
            assert isinstance(item["text"], str) and item["text"].strip()
            assert len(item["text"]) <= 1000, f"{key}.{lang} is too long for a phone"
    for source in entry.get("sources", []):
        assert source in load("sources"), f"{key}: unknown source {source}"


@pytest.mark.parametrize("key", ALL_KEYS)
def test_response_variables(key: str) -> None:
    per_lang: dict[str, set[str]] = {lang: set() for lang in LANGS}
    for lang, item in variations(key):
        texts = [item["text"], *(b["title"] for b in item.get("buttons") or [])]
        for text in texts:
            for name in variables(text):
                assert VARIABLE_NAME.fullmatch(name), f"{key}.{lang}: bad variable {{{name}}}"
                if name.startswith("hotline."):
                    assert name.removeprefix("hotline.") in load("hotlines"), f"{key}: {name}"
                else:
                    assert name in KEY_VARIABLES.get(key, ()), (
                        f"{key}.{lang}: variable {{{name}}} has no value here"
                    )
            per_lang[lang] |= variables(text)
    assert per_lang["vi"] == per_lang["en"], f"{key}: vi and en use different variables"
    for lang, item in variations(key):
        missing = KEY_VARIABLES.get(key, frozenset()) - variables(item["text"])
        assert not missing, f"{key}.{lang}: the text never shows {sorted(missing)}"


@pytest.mark.parametrize("key", ALL_KEYS)
def test_no_literal_phone_numbers(key: str) -> None:
    for lang, item in variations(key):
        for text in [item["text"], *(b["title"] for b in item.get("buttons") or [])]:
            assert not phone_like(text), f"{key}.{lang}: write {{hotline.<id>}}, not a number"


@pytest.mark.parametrize("key", ALL_KEYS)
def test_first_line_is_neutral(key: str) -> None:
    for lang, item in variations(key):
        text = item["text"]
        first_line = text.split("\n", 1)[0]
        assert not flagged(first_line), f"{key}.{lang} first line: {flagged(first_line)}"
        # The screening questions only ever follow a button the person just pressed.
        if not key.startswith("utter_ask_lap_"):
            full = rendered(text)
            cut = PREVIEW_CHARS + len(re.split(r"\s", full[PREVIEW_CHARS:], maxsplit=1)[0])
            preview = full[:cut]  # a word cut at the edge still shows
            assert not flagged(preview), f"{key}.{lang} preview: {flagged(preview)}"


@pytest.mark.parametrize("key", ALL_KEYS)
def test_vietnamese_has_diacritics(key: str) -> None:
    for lang, item in variations(key):
        if lang == "vi":
            assert VI_LETTERS.search(item["text"]), f"{key}.vi looks unaccented"


@pytest.mark.parametrize("key", ALL_KEYS)
def test_buttons(key: str) -> None:
    intents = contract_intents()
    for lang, item in variations(key):
        buttons = item.get("buttons") or []
        assert isinstance(buttons, list)
        for button in buttons:
            assert set(button) == {"title", "payload"}, f"{key}.{lang}: {button}"
            assert isinstance(button["title"], str) and button["title"].strip()
            assert len(button["title"]) <= 40
            match = re.fullmatch(r"/([a-z_]+)", str(button["payload"]))
            assert match and match.group(1) in intents, f"{key}.{lang}: {button['payload']}"


def test_menus_carry_buttons() -> None:
    for key in ("utter_menu", "utter_greet", "utter_default", "utter_offer_screening"):
        for lang, item in variations(key):
            assert item.get("buttons"), f"{key}.{lang} needs buttons"


@pytest.mark.parametrize("number", range(1, 12))
def test_screening_questions(number: int) -> None:
    key = f"utter_ask_lap_{number}"
    for lang, item in variations(key):
        payloads = [b["payload"] for b in item["buttons"]]
        assert payloads == ["/affirm", "/deny", "/stop"], f"{key}.{lang}"
        first_line = item["text"].split("\n", 1)[0]
        label = f"Câu {number}/11" if lang == "vi" else f"Question {number} of 11"
        assert first_line == label
        assert "?" in item["text"]


def test_legal_statements_carry_sources() -> None:
    responses = load("responses")
    for key in LEGAL_KEYS:
        assert "law_13_2022" in responses[key].get("sources", []), key
    for key in ALL_KEYS:
        cites_law = any(LAW_NUMBER.search(item["text"]) for _lang, item in variations(key))
        if cites_law:
            assert responses[key].get("sources"), f"{key} cites a law without sources"


def test_never_tells_someone_they_are_safe() -> None:
    en = re.compile(r"\b(?:you are|you're|you'll be|you will be) safe\b", re.IGNORECASE)
    vi = re.compile(r"bạn (?:đã |đang |sẽ |có |được )?an toàn", re.IGNORECASE)
    for key in ALL_KEYS:
        for lang, item in variations(key):
            text = item["text"]
            for match in (en if lang == "en" else vi).finditer(text):
                before = text[max(0, match.start() - 40) : match.start()].casefold()
                negated = ("not", "n't", "whether") if lang == "en" else ("không",)
                assert any(n in before for n in negated), f"{key}.{lang}: {match.group(0)!r}"


def test_safety_critical_messages_name_the_right_numbers() -> None:
    def all_vars(key: str) -> list[set[str]]:
        return [variables(item["text"]) for _lang, item in variations(key)]

    for found in all_vars("gw_unavailable"):
        assert {"hotline.police", "hotline.peace_house", "hotline.child"} <= found
    # Nobody on duty: the person must leave with numbers that answer around the clock.
    for key in ("gw_queue_offline", "gw_conversation_closed"):
        for found in all_vars(key):
            assert {"hotline.police", "hotline.peace_house", "hotline.farmers_union"} <= found
    for key in ("gw_queue_joined", "gw_queue_joined_unknown", "gw_queue_returned"):
        for found in all_vars(key):
            assert {"hotline.police", "hotline.peace_house"} <= found, key
    for key in ("gw_imminent", "utter_danger_now"):
        for _lang, item in variations(key):
            assert "{hotline.police}" in item["text"].split("\n", 1)[0], key
    for key in (
        "utter_screening_high",
        "utter_screening_not_triggered",
        "gw_safety_notice",
        "utter_suicidal",
        "utter_child_at_risk",
        "gw_rate_limited",
        "gw_queue_waiting",
        "gw_handed_back",
        "utter_handed_back",
        "canned_emergency",
    ):
        for found in all_vars(key):
            assert "hotline.police" in found, key
    for _lang, item in variations("canned_emergency"):
        assert "{hotline.police}" in item["text"].split("\n", 1)[0]


def test_handoff_messages_are_plain_system_notices() -> None:
    for key in HANDOFF_KEYS:
        for lang, item in variations(key):
            assert not item.get("buttons"), f"{key}.{lang}: system notices carry no buttons"
            assert "\n" in item["text"], f"{key}.{lang}: a neutral first line, then the rest"


def test_handed_back_offers_a_counsellor_again() -> None:
    for lang, item in variations("utter_handed_back"):
        payloads = [b["payload"] for b in item.get("buttons") or []]
        assert "/request_human" in payloads, lang


def test_canned_replies_one_each_no_buttons() -> None:
    responses = load("responses")
    shipped = {key for key in responses if key.startswith("canned_")}
    assert shipped == set(CANNED_KEYS)
    for key in CANNED_KEYS:
        for lang in LANGS:
            items = responses[key][lang]
            assert len(items) == 1, f"{key}.{lang}: one text, inserted as it is"
            assert not items[0].get("buttons"), f"{key}.{lang}: a counsellor's reply is text"


def test_wait_phrases_fit_into_a_sentence() -> None:
    for key in WAIT_KEYS:
        for lang, item in variations(key):
            text = item["text"]
            assert "\n" not in text and len(text) <= 40, f"{key}.{lang}"
            assert text == text.strip() and text[0].islower(), f"{key}.{lang}: mid-sentence"
            assert not text.endswith((".", "!", "?")), f"{key}.{lang}: mid-sentence"
            assert not item.get("buttons"), f"{key}.{lang}"
    for lang in LANGS:
        # one variation each: a phrase inside another message must not change at random
        assert all(len(load("responses")[key][lang]) == 1 for key in WAIT_KEYS), lang


# ---- sources.yml ------------------------------------------------------------------------------


def test_sources() -> None:
    sources = load("sources")
    assert isinstance(sources, dict) and sources
    for sid, source in sources.items():
        assert ID.fullmatch(sid), sid
        assert set(source) <= {"title", "url", "verified_on", "checked_against"}, sid
        for field in ("title", "url"):
            assert isinstance(source.get(field), str) and source[field].strip(), f"{sid}.{field}"
        assert is_iso_date(source.get("verified_on")), f"{sid}.verified_on"


# ---- hotlines.yml -----------------------------------------------------------------------------


def test_hotline_ids_match_contract() -> None:
    assert set(load("hotlines")) == set(contract_hotline_ids())


@pytest.mark.parametrize("hid", sorted(contract_hotline_ids()))
def test_hotline(hid: str) -> None:
    line = load("hotlines")[hid]
    assert set(line) <= {"number", "name", "hours", "free", "source", "verified_on", "unverified"}
    assert isinstance(line["number"], str) and re.fullmatch(r"\d[\d ]*\d", line["number"])
    assert lang_map(line["name"]), hid
    assert isinstance(line["hours"], str) and line["hours"].strip()
    assert "free" in line and line["free"] in (True, False, None)
    assert line["source"] in load("sources"), hid
    assert is_iso_date(line["verified_on"]), hid
    assert isinstance(line.get("unverified", False), bool)
    for lang in LANGS:
        assert not phone_like(line["name"][lang]), hid


def test_hotline_flags_from_the_reference() -> None:
    hotlines = load("hotlines")
    assert hotlines["peace_house"]["free"] is None  # whether 1900 calls cost money: UNVERIFIED
    assert hotlines["anh_duong_phu_tho"].get("unverified") is True  # single source
    numbers = [h["number"].replace(" ", "") for h in hotlines.values()]
    assert len(numbers) == len(set(numbers))


# ---- provinces.yml ----------------------------------------------------------------------------


def test_provinces() -> None:
    provinces = load("provinces")
    assert len(provinces) == 34
    owner: dict[str, str] = {}
    former_total = 0
    merged = 0
    for pid, province in provinces.items():
        assert ID.fullmatch(pid) and pid.isascii(), pid
        assert set(province) - {"towns"} == {"name", "former", "aliases", "centre"}, pid
        assert lang_map(province["name"]), pid
        for field in ("former", "aliases"):
            assert isinstance(province[field], list), pid
            assert all(isinstance(x, str) and x.strip() for x in province[field]), pid
        former_total += len(province["former"])
        merged += bool(province["former"])
        centre = province["centre"]
        assert set(centre) == {"lat", "lon", "source"}, pid
        assert 8.0 <= centre["lat"] <= 23.5 and 102.0 <= centre["lon"] <= 110.0, pid
        assert round(centre["lat"], 2) == centre["lat"] and round(centre["lon"], 2) == centre["lon"]
        assert isinstance(centre["source"], str) and centre["source"].strip(), pid
        for town in province.get("towns", []):
            assert set(town) == {"name", "lat", "lon", "source"}, pid
            assert 8.0 <= town["lat"] <= 23.5 and 102.0 <= town["lon"] <= 110.0, pid
            assert town["source"].strip(), pid
        assert bool(province.get("towns")) == bool(province["former"]), pid
        names = [*province["name"].values(), *province["former"], *province["aliases"]]
        for name in names:
            key = fold(name)
            assert key, f"{pid}: {name!r} folds to nothing"
            assert owner.setdefault(key, pid) == pid, f"{name!r}: {pid} and {owner[key]}"
    # 63 units before 1 July 2025 -> 34: 23 merged units absorbed 29 former ones
    assert merged == 23 and former_total == 29


def test_province_aliases_requested() -> None:
    index = {
        fold(n): pid
        for pid, p in load("provinces").items()
        for n in [*p["name"].values(), *p["former"], *p["aliases"]]
    }
    expected = {
        "HN": "ha_noi",
        "Hanoi": "ha_noi",
        "Sài Gòn": "ho_chi_minh",
        "Saigon": "ho_chi_minh",
        "TP HCM": "ho_chi_minh",
        "TPHCM": "ho_chi_minh",
        "HCMC": "ho_chi_minh",
        "Huế": "hue",
        "Hue": "hue",
        "Đà Nẵng": "da_nang",
        "Danang": "da_nang",
        "Vũng Tàu": "ho_chi_minh",
        "BRVT": "ho_chi_minh",
        "Bình Dương": "ho_chi_minh",
        "Hòa Bình": "phu_tho",
        "Kiên Giang": "an_giang",
        "Quảng Nam": "da_nang",
    }
    for name, pid in expected.items():
        assert index.get(fold(name)) == pid, name


# ---- services.yml -----------------------------------------------------------------------------


def test_services() -> None:
    services = load("services")
    provinces = load("provinces")
    hotlines = load("hotlines")
    allowed = {
        "id",
        "name",
        "kind",
        "province_id",
        "address",
        "phone",
        "hours",
        "coordinates",
        "source",
        "verified_on",
        "unverified",
        "note",
    }
    ids = [s["id"] for s in services]
    assert len(ids) == len(set(ids))
    for service in services:
        sid = service["id"]
        assert ID.fullmatch(sid), sid
        assert set(service) <= allowed, sid
        for field in (
            "name",
            "kind",
            "province_id",
            "address",
            "phone",
            "hours",
            "coordinates",
            "source",
            "verified_on",
        ):
            assert field in service, f"{sid}: {field} missing (use null)"
        assert lang_map(service["name"]), sid
        assert service["kind"] in KINDS, sid
        assert service["province_id"] is None or service["province_id"] in provinces, sid
        assert service["address"] is None or lang_map(service["address"]), sid
        phone = service["phone"]
        assert phone is None or phone in hotlines, f"{sid}: phone must be a hotline id"
        if phone is not None and hotlines[phone].get("unverified"):
            assert service.get("unverified") is True, f"{sid}: uses an unverified number"
        assert service["hours"] is None or isinstance(service["hours"], str), sid
        coordinates = service["coordinates"]
        assert coordinates is None or set(coordinates) == {"lat", "lon", "source"}, sid
        assert service["source"] in load("sources"), sid
        assert is_iso_date(service["verified_on"]), sid
        assert isinstance(service.get("unverified", False), bool), sid
        if "note" in service:
            assert lang_map(service["note"]), sid
        texts = [*service["name"].values(), *(service.get("note") or {}).values()]
        assert not any(phone_like(t) for t in texts), f"{sid}: numbers belong in hotlines.yml"


def test_every_hotline_is_used_by_a_response_or_service() -> None:
    used = {s["phone"] for s in load("services") if s["phone"]}
    for key in ALL_KEYS:
        for _lang, item in variations(key):
            used |= {v.removeprefix("hotline.") for v in variables(item["text"])}
    unused = set(load("hotlines")) - used - {"fire", "disaster"}  # general emergency lines
    assert not unused, f"hotlines nobody shows: {sorted(unused)}"
