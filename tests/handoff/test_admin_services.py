"""The services directory pages (handoff/admin_services.py) with real requests and real
sessions: who may use them, create → the bot's internal API offers it, retire → it is no
longer offered, CSV import all-or-nothing with its report, export → import, audit entries."""

from __future__ import annotations

import csv
import io
from typing import Any

from aiohttp import FormData
from aiohttp.test_utils import TestClient

from bot.services_admin import COLUMNS, MAX_UPLOAD_BYTES
from tests.handoff.conftest import Member, MemberFactory, origin, store_of

INTERNAL = {"Authorization": "Bearer " + "i" * 32}
BASE = "/staff/admin/services"
NEW = {
    "id": "test_shelter_ha_noi",
    "name_vi": "Nhà tạm lánh thử <script>",
    "name_en": "Test shelter",
    "kind": "shelter",
    "province": "ha_noi",
    "phone": "024 3333 4444",
    "hours": "24/7",
    "lat": "21.03",
    "lon": "105.85",
    "source": "kienthucykhoa_113",
    "verified_on": "2026-11-22",
}


async def offered(client: TestClient, query: str) -> list[str]:
    resp = await client.get(f"/internal/services?{query}", headers=INTERNAL)
    assert resp.status == 200
    ids: list[str] = (await resp.json())["service_ids"]
    return ids


async def upload(admin: Member, data: bytes) -> Any:
    form = FormData()
    form.add_field("csrf", await admin.csrf())
    form.add_field("file", data, filename="services.csv", content_type="text/csv")
    return await admin.client.post(
        f"{BASE}/import",
        data=form,
        headers={"Origin": origin(admin.client)},
        allow_redirects=False,
    )


async def audit_actions(client: TestClient) -> list[str]:
    return [e.action for e in await store_of(client).staff.audit_entries()]


async def test_counsellors_and_supervisors_get_403(member: MemberFactory) -> None:
    for role in ("counsellor", "supervisor"):
        someone = await member(f"{role[:3]}x", role)
        for path in (BASE, f"{BASE}/new", f"{BASE}/export.csv", f"{BASE}/nearest"):
            assert (await someone.client.get(path, allow_redirects=False)).status == 403
        assert (await someone.post(BASE, NEW)).status == 403
        assert (await someone.post(f"{BASE}/anh_duong_quang_ninh/retire")).status == 403


async def test_create_is_offered_by_the_bot_at_once(
    client: TestClient, member: MemberFactory
) -> None:
    admin = await member("ada", "administrator")
    assert "test_shelter_ha_noi" not in await offered(client, "province_id=ha_noi")
    resp = await admin.post(BASE, NEW)
    assert resp.status == 303, await resp.text()
    assert resp.headers["Location"] == f"{BASE}/test_shelter_ha_noi?saved=1"
    assert "test_shelter_ha_noi" in await offered(client, "province_id=ha_noi")
    near = await client.get("/internal/services/nearest?lat=21.0&lon=105.8", headers=INTERNAL)
    assert "test_shelter_ha_noi" in (await near.json())["service_ids"]
    docs = await store_of(client).load_documents()
    record = next(s for s in docs["services"] if s["id"] == "test_shelter_ha_noi")
    assert record["coordinates"] == {"lat": 21.03, "lon": 105.85, "source": "kienthucykhoa_113"}
    page = await (await admin.client.get(f"{BASE}?q=test+shelter")).text()
    assert "Nhà tạm lánh thử &lt;script&gt;" in page and "<script>" not in page
    assert "service_created" in await audit_actions(client)
    again = await admin.post(BASE, NEW)  # the same id twice
    assert again.status == 400 and "has this id already" in await again.text()


async def test_a_bad_form_saves_nothing_and_says_why(
    client: TestClient, member: MemberFactory
) -> None:
    admin = await member("ada", "administrator")
    before = await store_of(client).load_documents()
    resp = await admin.post(BASE, NEW | {"phone": "999", "source": "", "province": "Atlantis"})
    assert resp.status == 400
    html = await resp.text()
    assert "Three-digit numbers" in html and "The source is required" in html
    assert "not one of the 34 provinces" in html
    assert await store_of(client).load_documents() == before


async def test_edit_retire_and_unretire(client: TestClient, member: MemberFactory) -> None:
    admin = await member("ada", "administrator")
    sid = "anh_duong_quang_ninh"
    assert sid in await offered(client, "province_id=quang_ninh")
    form = await (await admin.client.get(f"{BASE}/{sid}")).text()
    assert "Ngôi nhà Ánh Dương Quảng Ninh" in form
    fields = {
        "name_vi": "Ngôi nhà Ánh Dương Quảng Ninh",
        "name_en": "Ánh Dương House, Quảng Ninh",
        "kind": "one_stop_centre",
        "province": "Quảng Ninh",
        "phone": "anh_duong_quang_ninh",
        "hours": "7:00-22:00",
        "source": "vietnamplus_anh_duong",
        "verified_on": "2026-11-30",
        "note_vi": "Ghi chú",
        "note_en": "Note",
    }
    assert (await admin.post(f"{BASE}/{sid}", fields)).status == 303
    docs = await store_of(client).load_documents()
    record = next(s for s in docs["services"] if s["id"] == sid)
    assert record["hours"] == "7:00-22:00" and record["verified_on"] == "2026-11-30"

    assert (await admin.post(f"{BASE}/{sid}/retire")).status == 303
    assert sid not in await offered(client, "province_id=quang_ninh")
    near = await client.get("/internal/services/nearest?lat=21.0&lon=107.3", headers=INTERNAL)
    assert sid not in (await near.json())["service_ids"]
    assert sid not in await (await admin.client.get(BASE)).text()
    assert sid in await (await admin.client.get(f"{BASE}?retired=only")).text()
    check = await (await admin.client.get(f"{BASE}/nearest?lat=21.0&lon=107.3")).text()
    assert "Quảng Ninh" in check and sid not in check

    assert (await admin.post(f"{BASE}/{sid}/unretire")).status == 303
    assert sid in await offered(client, "province_id=quang_ninh")
    actions = await audit_actions(client)
    for action in ("service_updated", "service_retired", "service_unretired"):
        assert action in actions
    assert (await admin.post(f"{BASE}/no_such_service/retire")).status == 404


async def test_stale_services_are_flagged(client: TestClient, member: MemberFactory) -> None:
    admin = await member("ada", "administrator")
    assert (await admin.post(BASE, NEW | {"verified_on": "2020-01-01"})).status == 303
    page = await (await admin.client.get(f"{BASE}?stale=1")).text()
    assert "test_shelter_ha_noi" in page and "stale: verify again" in page


async def test_nearest_check(member: MemberFactory) -> None:
    admin = await member("ada", "administrator")
    page = await (await admin.client.get(f"{BASE}/nearest?lat=10.78&lon=106.70")).text()
    assert "Nearest province: Thành phố Hồ Chí Minh (ho_chi_minh)" in page
    assert "anh_duong_ho_chi_minh" in page
    bad = await admin.client.get(f"{BASE}/nearest?lat=48.8&lon=2.3")
    assert bad.status == 400


def rows_of(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def csv_of(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode()


async def test_export_import_round_trip(client: TestClient, member: MemberFactory) -> None:
    admin = await member("ada", "administrator")
    before = await store_of(client).load_documents()
    resp = await admin.client.get(f"{BASE}/export.csv")
    assert resp.status == 200 and resp.content_type == "text/csv"
    assert "attachment" in resp.headers["Content-Disposition"]
    data = await resp.read()
    assert data.startswith("\ufeff".encode())
    assert len(rows_of(data)) == len(before["services"])
    imported = await upload(admin, data)
    assert imported.status == 200, await imported.text()
    assert f"0 added, 0 updated, {len(before['services'])} unchanged" in await imported.text()
    after = await store_of(client).load_documents()
    assert after["services"] == before["services"]
    actions = await audit_actions(client)
    assert "services_exported" in actions and "services_imported" in actions


async def test_one_bad_row_imports_nothing_and_reports_the_row(
    client: TestClient, member: MemberFactory
) -> None:
    admin = await member("ada", "administrator")
    before = await store_of(client).load_documents()
    rows = rows_of(await (await admin.client.get(f"{BASE}/export.csv")).read())
    rows[0]["hours"] = "changed"  # a good change that must not be applied either
    rows[2]["province"] = "Atlantis"  # spreadsheet row 4
    rows.append(rows[1] | {"id": "brand_new", "province": "Bình Dương"})
    resp = await upload(admin, csv_of(rows))
    assert resp.status == 400
    html = await resp.text()
    assert "Nothing was imported" in html
    assert "<td>4</td>" in html and "“Atlantis” is not one of the 34 provinces" in html
    assert await store_of(client).load_documents() == before
    assert "brand_new" not in await offered(client, "province_id=ho_chi_minh")
    assert "services_imported" not in await audit_actions(client)

    rows[2]["province"] = "national"
    resp = await upload(admin, csv_of(rows))
    assert resp.status == 200, await resp.text()
    html = await resp.text()
    assert "1 added, 2 updated" in html and "“Bình Dương” is now" in html
    assert "brand_new" in await offered(client, "province_id=ho_chi_minh")


async def test_upload_limits(member: MemberFactory) -> None:
    admin = await member("ada", "administrator")
    big = await upload(admin, b"x" * (MAX_UPLOAD_BYTES + 10))
    assert big.status == 413 and "larger than 1 MB" in await big.text()
    empty = await admin.post(f"{BASE}/import")
    assert empty.status == 400 and "Choose a CSV file" in await empty.text()
