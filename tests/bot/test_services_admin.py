"""The services directory's rules (bot/services_admin.py): validation, CSV, staleness."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bot.content import ContentLibrary, load_content_dir
from bot.services_admin import (
    COLUMNS,
    MAX_UPLOAD_BYTES,
    Catalog,
    export_csv,
    import_csv,
    is_stale,
    parse_service,
    phone_problem,
    stale_services,
    to_fields,
    with_retired,
)

ROOT = Path(__file__).resolve().parents[2]
TODAY = date(2026, 12, 2)


@pytest.fixture(scope="module")
def docs() -> dict[str, Any]:
    return load_content_dir(ROOT / "content")


@pytest.fixture(scope="module")
def catalog(docs: dict[str, Any]) -> Catalog:
    return Catalog.from_documents(docs)


def good(**changes: str) -> dict[str, str]:
    fields = {
        "id": "test_centre",
        "name_vi": "Trung tâm thử",
        "name_en": "Test centre",
        "kind": "shelter",
        "province": "ha_noi",
        "address_vi": "",
        "address_en": "",
        "phone": "peace_house",
        "hours": "24/7",
        "lat": "",
        "lon": "",
        "source": "kienthucykhoa_113",
        "verified_on": "2026-11-22",
        "unverified": "",
        "note_vi": "",
        "note_en": "",
        "retired": "",
        "retired_on": "",
    }
    fields.update(changes)
    return fields


def codes(fields: dict[str, str], catalog: Catalog) -> set[str]:
    return {p.code for p in parse_service(fields, catalog, TODAY).problems}


def to_csv(rows: list[dict[str, str]], *, bom: bool = True) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return (("\ufeff" if bom else "") + out.getvalue()).encode()


# -- one service ---------------------------------------------------------------------------


def test_a_good_service_becomes_a_record_shaped_like_services_yml(catalog: Catalog) -> None:
    parsed = parse_service(good(lat="21.0285", lon="105.8542"), catalog, TODAY)
    assert parsed.problems == []
    assert parsed.record == {
        "id": "test_centre",
        "name": {"vi": "Trung tâm thử", "en": "Test centre"},
        "kind": "shelter",
        "province_id": "ha_noi",
        "address": None,
        "phone": "peace_house",
        "hours": "24/7",
        "coordinates": {"lat": 21.0285, "lon": 105.8542, "source": "kienthucykhoa_113"},
        "source": "kienthucykhoa_113",
        "verified_on": "2026-11-22",
    }


def test_national_and_former_names_and_aliases(catalog: Catalog) -> None:
    assert parse_service(good(province="national"), catalog, TODAY).record["province_id"] is None  # type: ignore[index]
    for typed, expected in (
        ("Bình Dương", "ho_chi_minh"),  # a former province, merged in 2025
        ("Saigon", "ho_chi_minh"),  # an alias
        ("Hà Giang", "tuyen_quang"),
        ("Thua Thien Hue", "hue"),
    ):
        parsed = parse_service(good(province=typed), catalog, TODAY)
        assert parsed.record is not None, (typed, parsed.problems)
        assert parsed.record["province_id"] == expected, typed
        assert parsed.notes, "the mapping is reported"
    assert codes(good(province="Atlantis"), catalog) == {"unknown_province"}
    assert codes(good(province=""), catalog) == {"missing_province"}


@pytest.mark.parametrize(
    "phone",
    ["peace_house", "113", "111", "114", "115", "1800 1567", "1800.1567", "024 3333 4444",
     "0912 345 678", "+84 24 3333 4444", "+84912345678", "1900 123456"],
)  # fmt: skip
def test_good_phones(phone: str, catalog: Catalog) -> None:
    assert phone_problem(phone, catalog.hotlines) is None


@pytest.mark.parametrize(
    "phone",
    ["112x", "999", "116", "12", "+1 202 555 0100", "+84 024 3333 4444", "0912-345-678",
     "091234", "call 113", "not_a_hotline", "0912 345 678 999"],
)  # fmt: skip
def test_bad_phones(phone: str, catalog: Catalog) -> None:
    assert phone_problem(phone, catalog.hotlines), phone
    assert codes(good(phone=phone), catalog) == {"bad_phone"}


def test_empty_phone_is_allowed(catalog: Catalog) -> None:
    assert parse_service(good(phone=""), catalog, TODAY).record["phone"] is None  # type: ignore[index]


def test_each_error_kind(catalog: Catalog) -> None:
    assert codes(good(source=""), catalog) == {"missing_source"}
    assert codes(good(source="wikipedia"), catalog) == {"unknown_source"}
    assert codes(good(verified_on=""), catalog) == {"missing_verified_on"}
    assert codes(good(verified_on="22/11/2026"), catalog) == {"bad_verified_on"}
    assert codes(good(verified_on="2026-02-30"), catalog) == {"bad_verified_on"}
    assert codes(good(verified_on="2026-12-03"), catalog) == {"bad_verified_on"}  # future
    assert codes(good(lat="48.85", lon="2.35"), catalog) == {"bad_coordinates"}  # Paris
    assert codes(good(lat="21.0", lon=""), catalog) == {"bad_coordinates"}
    assert codes(good(lat="north", lon="east"), catalog) == {"bad_coordinates"}
    assert codes(good(kind="spa"), catalog) == {"unknown_kind"}
    assert codes(good(id="Bad Id"), catalog) == {"bad_id"}
    assert codes(good(id="new"), catalog) == {"bad_id"}
    assert codes(good(name_en=""), catalog) == {"missing_name"}
    assert codes(good(address_vi="Số 1"), catalog) == {"missing_address"}
    assert codes(good(retired="maybe"), catalog) == {"bad_retired"}


def test_an_unverified_hotline_makes_the_service_unverified(
    catalog: Catalog, docs: dict[str, Any]
) -> None:
    unverified = next(h for h, v in docs["hotlines"].items() if v.get("unverified"))
    record = parse_service(good(phone=unverified), catalog, TODAY).record
    assert record is not None and record["unverified"] is True


def test_an_update_keeps_the_id_and_unknown_keys(catalog: Catalog) -> None:
    existing = {"id": "old_one", "future_key": 1, "note": {"vi": "x", "en": "y"}}
    record = parse_service(good(id="ignored"), catalog, TODAY, existing=existing).record
    assert record is not None
    assert record["id"] == "old_one" and record["future_key"] == 1
    assert "note" not in record  # emptied in the form


# -- retiring and staleness ------------------------------------------------------------------


def test_retired_services_are_never_offered(docs: dict[str, Any]) -> None:
    services = [with_retired(s, s["id"] == "anh_duong_quang_ninh", TODAY) for s in docs["services"]]
    assert services[0]["retired_on"] == TODAY.isoformat()
    library = ContentLibrary({**docs, "services": services})
    assert "anh_duong_quang_ninh" not in library.services
    offered = library.services_for("quang_ninh")
    assert "anh_duong_quang_ninh" not in [s.id for s in offered]
    assert offered, "the national services are still offered"
    near = library.nearest_province(21.0, 107.3)  # Hạ Long
    assert near is not None and near.id == "quang_ninh"
    assert "anh_duong_quang_ninh" not in [s.id for s in library.services_for(near.id)]
    back = ContentLibrary({**docs, "services": [with_retired(s, False, TODAY) for s in services]})
    assert "anh_duong_quang_ninh" in back.services


def test_stale_services(docs: dict[str, Any]) -> None:
    library = ContentLibrary(docs)
    assert stale_services(library, date(2026, 11, 23), 180) == []
    stale = stale_services(library, date(2027, 6, 1), 180)
    assert {s.id for s in stale} == set(library.services)
    assert is_stale(None, TODAY, 180) and is_stale("garbage", TODAY, 180)
    assert not is_stale("2026-06-05", TODAY, 180) and is_stale("2026-06-04", TODAY, 180)


# -- CSV -------------------------------------------------------------------------------------


def test_export_has_a_bom_the_columns_and_one_row_per_service(docs: dict[str, Any]) -> None:
    data = export_csv(docs["services"])
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert tuple(rows[0]) == COLUMNS
    assert len(rows) - 1 == len(docs["services"])
    assert "Ngôi nhà Ánh Dương Quảng Ninh" in rows[1]


def test_export_import_round_trip_changes_nothing(docs: dict[str, Any], catalog: Catalog) -> None:
    current = docs["services"]
    result = import_csv(export_csv(current), catalog, current, TODAY)
    assert result.errors == [] and result.bad_rows == []
    assert result.services == current
    assert result.count("unchanged") == len(current)


def test_formula_like_cells_are_guarded_and_read_back(catalog: Catalog) -> None:
    record = parse_service(good(phone="+84 24 3333 4444", hours="=1+1"), catalog, TODAY).record
    assert record is not None
    data = export_csv([record])
    assert "'+84 24 3333 4444" in data.decode("utf-8-sig")
    result = import_csv(data, catalog, [record], TODAY)
    assert result.services == [record]


def test_a_clean_file_adds_and_updates_and_keeps_the_rest(
    docs: dict[str, Any], catalog: Catalog
) -> None:
    current = docs["services"]
    changed = to_fields(current[0]) | {"hours": "8:00-17:00"}
    new = good(id="new_centre", province="Bình Dương")
    result = import_csv(to_csv([changed, new], bom=False), catalog, current, TODAY)
    assert result.bad_rows == [] and result.services is not None
    assert len(result.services) == len(current) + 1
    assert result.services[0]["hours"] == "8:00-17:00"
    assert result.services[-1]["province_id"] == "ho_chi_minh"
    assert result.services[1:-1] == current[1:]
    assert [r.action for r in result.rows] == ["updated", "added"]


def test_one_bad_row_imports_nothing_and_is_reported_by_spreadsheet_row(
    docs: dict[str, Any], catalog: Catalog
) -> None:
    rows = [
        good(id="a_one"),
        good(id="b_two", province="Atlantis"),
        good(id="c_three"),
        good(id="d_four", phone="999", source=""),
        good(id="a_one"),
        good(id="e_five", source="nowhere"),
        good(id="f_six", verified_on=""),
        good(id="g_seven", verified_on="tomorrow"),
        good(id="h_eight", lat="0", lon="0"),
    ]
    result = import_csv(to_csv(rows), catalog, docs["services"], TODAY)
    assert result.services is None
    report = {r.row: {p.code for p in r.problems} for r in result.bad_rows}
    assert report == {
        3: {"unknown_province"},
        5: {"bad_phone", "missing_source"},
        6: {"duplicate_id"},
        7: {"unknown_source"},
        8: {"missing_verified_on"},
        9: {"bad_verified_on"},
        10: {"bad_coordinates"},
    }
    duplicate = next(r for r in result.bad_rows if r.row == 6)
    assert "row 2" in duplicate.problems[0].message


def test_row_numbers_follow_the_spreadsheet_with_multiline_cells_and_blank_rows(
    catalog: Catalog,
) -> None:
    rows = [good(id="a_one", note_vi="dòng 1\ndòng 2", note_en="line 1\nline 2"), {}, good(id="")]
    result = import_csv(to_csv(rows), catalog, [], TODAY)
    assert [(r.row, {p.code for p in r.problems}) for r in result.bad_rows] == [(4, {"missing_id"})]


def test_file_level_errors(catalog: Catalog) -> None:
    assert import_csv(b"x" * (MAX_UPLOAD_BYTES + 1), catalog, [], TODAY).errors
    assert "UTF-8" in import_csv(b"id\xff\xfe", catalog, [], TODAY).errors[0]
    assert "Missing columns" in import_csv(b"id,name_vi\r\n", catalog, [], TODAY).errors[0]
    header = ",".join(COLUMNS)
    extra = import_csv(f"{header},colour\r\n".encode(), catalog, [], TODAY)
    assert "Unknown columns: colour" in extra.errors[0]
    assert import_csv(f"{header}\r\n".encode(), catalog, [], TODAY).errors == [
        "The file has no service rows."
    ]
    assert import_csv(b"", catalog, [], TODAY).services is None


def test_semicolon_separated_files_from_excel_are_read(catalog: Catalog) -> None:
    data = to_csv([good()]).decode("utf-8-sig").replace(",", ";").encode("utf-8-sig")
    result = import_csv(data, catalog, [], TODAY)
    assert result.bad_rows == [] and result.services is not None
