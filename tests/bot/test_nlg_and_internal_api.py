"""Rasa's NLG endpoint and the action server's internal API."""

from __future__ import annotations

from bot.content import ContentLibrary
from tests.bot.conftest import INTERNAL_TOKEN, NLG_TOKEN, texts


def nlg_body(key: str, language: str | None = "en", **arguments: object) -> dict[str, object]:
    metadata = {"language": language} if language else {}
    return {
        "response": key,
        "arguments": arguments,
        "tracker": {
            "sender_id": "c1",
            "slots": {"language": "vi"},
            "latest_message": {
                "intent": {"name": "ask_hotline", "confidence": 0.93},
                "metadata": metadata,
            },
        },
        "channel": {"name": "rest"},
    }


async def test_nlg_refuses_missing_or_wrong_token(client) -> None:
    for url in ("/nlg", "/nlg?token=wrong", f"/nlg?token={NLG_TOKEN}x"):
        resp = await client.post(url, json=nlg_body("utter_greet"))
        assert resp.status == 403
        assert await resp.json() == {"error": "forbidden"}


async def test_nlg_renders_in_the_message_language_with_intent_meta(
    client, library: ContentLibrary
) -> None:
    resp = await client.post(f"/nlg?token={NLG_TOKEN}", json=nlg_body("utter_hotlines", "en"))
    assert resp.status == 200
    body = await resp.json()
    assert body["text"] in texts(library, "utter_hotlines", "en")
    assert "113" in body["text"]
    assert body["custom"] == {"_gw": {"intent": "ask_hotline", "confidence": 0.93}}


async def test_nlg_falls_back_to_the_language_slot(client, library: ContentLibrary) -> None:
    resp = await client.post(f"/nlg?token={NLG_TOKEN}", json=nlg_body("utter_greet", None))
    assert (await resp.json())["text"] in texts(library, "utter_greet", "vi")


async def test_nlg_renders_services_for_a_province(client, library: ContentLibrary) -> None:
    ids = [s.id for s in library.services_for("quang_ninh")]
    resp = await client.post(
        f"/nlg?token={NLG_TOKEN}",
        json=nlg_body("utter_services_found", "vi", service_ids=ids, province_id="quang_ninh"),
    )
    text = (await resp.json())["text"]
    assert "Quảng Ninh" in text
    assert library.hotline("anh_duong_quang_ninh") in text


async def test_nlg_unknown_key_still_answers_with_the_fail_safe(
    client, library: ContentLibrary
) -> None:
    resp = await client.post(f"/nlg?token={NLG_TOKEN}", json=nlg_body("utter_nonexistent", "en"))
    assert resp.status == 200
    assert (await resp.json())["text"] in texts(library, "gw_unavailable", "en")


async def test_nlg_rejects_malformed_bodies(client) -> None:
    resp = await client.post(
        f"/nlg?token={NLG_TOKEN}", data=b"{oops", headers={"Content-Type": "application/json"}
    )
    assert resp.status == 400
    resp = await client.post(f"/nlg?token={NLG_TOKEN}", json=[1])
    assert resp.status == 400


AUTH = {"Authorization": f"Bearer {INTERNAL_TOKEN}"}


async def test_internal_api_requires_the_bearer_token(client) -> None:
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": INTERNAL_TOKEN}):
        for path in (
            "/internal/places/resolve?q=hanoi",
            "/internal/services",
            "/internal/services/nearest?lat=1&lon=1",
        ):
            resp = await client.get(path, headers=headers)
            assert resp.status == 403, (path, headers)


async def test_places_resolve_current_former_and_unaccented_names(client) -> None:
    cases = {
        "Hà Nội": "ha_noi",
        "toi o ha noi": "ha_noi",
        "Bình Dương": "ho_chi_minh",
        "binh duong": "ho_chi_minh",
        "Saigon": "ho_chi_minh",
        "hoa binh": "phu_tho",
        "Hà Giang": "tuyen_quang",
    }
    for query, expected in cases.items():
        resp = await client.get("/internal/places/resolve", params={"q": query}, headers=AUTH)
        assert resp.status == 200, query
        assert (await resp.json())["province_id"] == expected, query
    resp = await client.get("/internal/places/resolve", params={"q": "Atlantis"}, headers=AUTH)
    assert resp.status == 404 and (await resp.json()) == {"error": "unknown_place"}


async def test_services_in_province_come_before_national_ones(
    client, library: ContentLibrary
) -> None:
    resp = await client.get(
        "/internal/services", params={"province_id": "quang_ninh"}, headers=AUTH
    )
    ids = (await resp.json())["service_ids"]
    kinds = [library.services[i].province_id for i in ids]
    assert kinds[0] == "quang_ninh"
    assert None in kinds and kinds.index(None) > 0
    resp = await client.get("/internal/services", params={"province_id": "mars"}, headers=AUTH)
    assert resp.status == 404


async def test_nearest_services_follow_the_shared_location(client) -> None:
    resp = await client.get(
        "/internal/services/nearest", params={"lat": 20.95, "lon": 107.08}, headers=AUTH
    )
    assert (await resp.json())["province_id"] == "quang_ninh"
    resp = await client.get(
        "/internal/services/nearest", params={"lat": "x", "lon": 1}, headers=AUTH
    )
    assert resp.status == 400


def test_a_kind_missing_locally_keeps_the_local_centre(library: ContentLibrary) -> None:
    services = library.services_for("quang_ninh", "shelter")
    local = [s for s in services if s.province_id == "quang_ninh"]
    national = [s for s in services if s.province_id is None]
    assert services[: len(local)] == local and local  # local first, even of another kind
    assert {s.kind for s in local} == {"one_stop_centre"}
    assert {s.kind for s in national} == {"shelter"}  # the kind where it exists


def test_the_requested_kind_narrows_each_group(library: ContentLibrary) -> None:
    kinds = {s.kind for s in library.services_for("ha_noi", "shelter")}
    assert kinds == {"shelter"}
    assert len(library.services_for("ha_noi")) > len(library.services_for("ha_noi", "shelter"))
