"""The services directory's rules, without a web framework: validation of one service (a
form or a CSV row), CSV export and all-or-nothing CSV import, staleness.

A service record is a dict shaped like an entry of ``content/services.yml``; the
``services`` content document is a list of them. Retired services stay in the document
with ``retired: true`` and ``retired_on`` (ISO date); ``ContentLibrary`` skips them, so the
bot never offers them.

CSV columns (``COLUMNS``, one row per service, UTF-8 with a byte-order mark so that Excel
reads Vietnamese correctly; the header row is row 1, so the first service is row 2, as a
spreadsheet shows it):

==============  =======================================================================
id              slug: lower-case letters, digits, single ``_`` (``anh_duong_ha_noi``)
name_vi/en      the name in each language (both required)
kind            one of ``KINDS``
province        a province id, its Vietnamese or English name, a former province name or
                an alias (mapped to the current province), or ``national``
address_vi/en   both or neither
phone           a hotline id from hotlines.yml, or a Vietnamese number (digits, spaces,
                dots, optional +84); three-digit numbers only 111, 113, 114, 115; or empty
hours           free text, or empty
lat, lon        decimal degrees inside Vietnam's bounding box, both or neither
source          an id in sources.yml (required)
verified_on     ISO date YYYY-MM-DD, not in the future (required)
unverified      yes/no: the number rests on a single source
note_vi/en      both or neither
retired         yes/no
retired_on      ISO date (empty: today when retired)
==============  =======================================================================

A cell starting with ``= + - @`` is written with a leading ``'`` (so a spreadsheet does not
run it as a formula) and read back without it.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Final

from bot.content import ContentLibrary, Service

KINDS: Final = ("one_stop_centre", "shelter", "legal_aid", "police", "hospital", "hotline")
NATIONAL: Final = "national"
LANGS: Final = ("vi", "en")
COLUMNS: Final = (
    "id",
    "name_vi",
    "name_en",
    "kind",
    "province",
    "address_vi",
    "address_en",
    "phone",
    "hours",
    "lat",
    "lon",
    "source",
    "verified_on",
    "unverified",
    "note_vi",
    "note_en",
    "retired",
    "retired_on",
)
MAX_UPLOAD_BYTES: Final = 1_000_000
MAX_TEXT: Final = 1000
# Mainland, Hoàng Sa and Trường Sa, with a small margin.
LAT_RANGE: Final = (7.0, 23.5)
LON_RANGE: Final = (102.0, 117.5)
EMERGENCY_NUMBERS: Final = frozenset({"111", "113", "114", "115"})
RESERVED_IDS: Final = frozenset({"new", "nearest", "import", "export"})
SLUG: Final = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")
_PHONE_CHARS: Final = re.compile(r"\+?[0-9][0-9 .]*")
_ISO_DATE: Final = re.compile(r"\d{4}-\d{2}-\d{2}")
_YES: Final = frozenset({"yes", "y", "true", "1", "x", "có"})
_NO: Final = frozenset({"", "no", "n", "false", "0", "không"})
_FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a service: the field (column) and why. ``code`` is stable
    (tests, reports): unknown_province, bad_phone, missing_source, unknown_source,
    missing_verified_on, bad_verified_on, duplicate_id, bad_coordinates, …"""

    field: str
    code: str
    message: str


@dataclass(frozen=True, slots=True)
class Catalog:
    """What a service may refer to: the provinces (through the library), the hotlines and
    the sources of the published content."""

    library: ContentLibrary
    hotlines: Mapping[str, Any]
    sources: Mapping[str, Any]

    @classmethod
    def from_documents(cls, docs: Mapping[str, Any]) -> Catalog:
        return cls(
            ContentLibrary(docs), dict(docs.get("hotlines") or {}), dict(docs.get("sources") or {})
        )


@dataclass(slots=True)
class Parsed:
    """The outcome of checking one form or CSV row: a record, or problems."""

    record: dict[str, Any] | None
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # e.g. a former province name mapped


def _clean(value: str | None) -> str:
    return " ".join((value or "").replace("\x00", "").split())


def phone_problem(phone: str, hotlines: Mapping[str, Any]) -> str | None:
    """Why ``phone`` is not acceptable, or None. A hotline id is always fine."""
    if phone in hotlines:
        return None
    if not _PHONE_CHARS.fullmatch(phone):
        return (
            "Use a hotline id from hotlines.yml or a number with digits, spaces and dots "
            "(optionally +84)."
        )
    digits = re.sub(r"[ .]", "", phone)
    if digits.startswith("+"):
        if not digits.startswith("+84"):
            return "Only Vietnamese numbers: +84 or a number starting with 0 or 1."
        rest = digits[3:]
        if not rest or rest.startswith("0"):
            return "After +84 leave out the leading 0 (+84 24 …, not +84 024 …)."
        digits = "0" + rest
    if len(digits) == 3:
        if digits in EMERGENCY_NUMBERS:
            return None
        return "Three-digit numbers: only 111, 113, 114 or 115 (or use a hotline id)."
    if digits.startswith(("1800", "1900")) and len(digits) in (8, 10):
        return None
    if digits.startswith("0") and len(digits) in (10, 11):
        return None
    return (
        "Not a Vietnamese phone number: 10 or 11 digits starting with 0, 1800/1900 numbers, "
        "or 111/113/114/115."
    )


def _date(value: str) -> date | None:
    if not _ISO_DATE.fullmatch(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _flag(value: str, name: str, problems: list[Problem]) -> bool:
    folded = value.lower()
    if folded in _YES:
        return True
    if folded not in _NO:
        problems.append(Problem(name, f"bad_{name}", f"Write yes or no, not “{value}”."))
    return False


def _pair(
    fields: Mapping[str, str], name: str, problems: list[Problem], *, required: bool
) -> dict[str, str] | None:
    values = {lang: _clean(fields.get(f"{name}_{lang}")) for lang in LANGS}
    for lang, text in values.items():
        if len(text) > MAX_TEXT:
            problems.append(
                Problem(f"{name}_{lang}", f"long_{name}", f"At most {MAX_TEXT} characters.")
            )
    filled = [lang for lang, text in values.items() if text]
    if not filled:
        if required:
            problems.append(Problem(f"{name}_vi", f"missing_{name}", f"The {name} is required."))
        return None
    if len(filled) != len(LANGS):
        missing = next(lang for lang in LANGS if lang not in filled)
        problems.append(
            Problem(
                f"{name}_{missing}",
                f"missing_{name}",
                f"Give the {name} in every language ({', '.join(LANGS)}), or in none.",
            )
        )
        return None
    return values


def _province(value: str, catalog: Catalog, problems: list[Problem], notes: list[str]) -> Any:
    """A province id, None for national, or the sentinel ``False`` on error."""
    if value.lower() == NATIONAL:
        return None
    if not value:
        problems.append(Problem("province", "missing_province", "Give a province, or national."))
        return False
    provinces = catalog.library.provinces
    if value in provinces:
        return value
    found = catalog.library.resolve_place(value)
    if found is None:
        problems.append(
            Problem(
                "province",
                "unknown_province",
                f"“{value}” is not one of the 34 provinces (nor a former name or alias).",
            )
        )
        return False
    notes.append(f"“{value}” is now {found.name.get('vi', found.id)} ({found.id}).")
    return found.id


def _coordinates(
    fields: Mapping[str, str], problems: list[Problem], source: str | None, old: Any
) -> dict[str, Any] | None:
    lat_text, lon_text = _clean(fields.get("lat")), _clean(fields.get("lon"))
    if not lat_text and not lon_text:
        return None
    try:
        lat, lon = float(lat_text.replace(",", ".")), float(lon_text.replace(",", "."))
    except ValueError:
        problems.append(
            Problem("lat", "bad_coordinates", "Give both latitude and longitude as numbers.")
        )
        return None
    inside = LAT_RANGE[0] <= lat <= LAT_RANGE[1] and LON_RANGE[0] <= lon <= LON_RANGE[1]
    if not inside:
        problems.append(
            Problem(
                "lat",
                "bad_coordinates",
                f"{lat}, {lon} is outside Vietnam (latitude {LAT_RANGE[0]} to {LAT_RANGE[1]}, "
                f"longitude {LON_RANGE[0]} to {LON_RANGE[1]}).",
            )
        )
        return None
    lat, lon = round(lat, 6), round(lon, 6)
    if (
        isinstance(old, dict)
        and old.get("lat") == lat
        and old.get("lon") == lon
        and "source" in old
    ):
        return {"lat": lat, "lon": lon, "source": old["source"]}
    return {"lat": lat, "lon": lon, "source": source}


def parse_service(
    fields: Mapping[str, str],
    catalog: Catalog,
    today: date,
    *,
    existing: Mapping[str, Any] | None = None,
) -> Parsed:
    """Check one service given as text fields (the names of ``COLUMNS``). With
    ``existing`` (an update), its id is kept, and keys this module does not know survive."""
    problems: list[Problem] = []
    notes: list[str] = []
    sid = existing["id"] if existing else _clean(fields.get("id"))
    if not existing:
        if not sid:
            problems.append(Problem("id", "missing_id", "The id is required."))
        elif not SLUG.fullmatch(sid) or len(sid) > 64:
            problems.append(
                Problem(
                    "id",
                    "bad_id",
                    "The id: lower-case letters and digits, words joined by _ (at most 64).",
                )
            )
        elif sid in RESERVED_IDS:
            problems.append(Problem("id", "bad_id", f"“{sid}” is reserved; choose another id."))
    name = _pair(fields, "name", problems, required=True)
    kind = _clean(fields.get("kind"))
    if kind not in KINDS:
        problems.append(
            Problem("kind", "unknown_kind", f"The kind must be one of: {', '.join(KINDS)}.")
        )
    province_id = _province(_clean(fields.get("province")), catalog, problems, notes)
    address = _pair(fields, "address", problems, required=False)
    phone = _clean(fields.get("phone")) or None
    if phone is not None and (why := phone_problem(phone, catalog.hotlines)):
        problems.append(Problem("phone", "bad_phone", why))
    hours = _clean(fields.get("hours")) or None
    source = _clean(fields.get("source"))
    if not source:
        problems.append(Problem("source", "missing_source", "The source is required."))
    elif source not in catalog.sources:
        problems.append(
            Problem("source", "unknown_source", f"“{source}” is not an id in sources.yml.")
        )
    verified_text = _clean(fields.get("verified_on"))
    verified = _date(verified_text)
    if not verified_text:
        problems.append(
            Problem("verified_on", "missing_verified_on", "The verified date is required.")
        )
    elif verified is None:
        problems.append(Problem("verified_on", "bad_verified_on", "Write the date as YYYY-MM-DD."))
    elif verified > today:
        problems.append(
            Problem("verified_on", "bad_verified_on", "The verified date is in the future.")
        )
    coordinates = _coordinates(
        fields, problems, source or None, existing.get("coordinates") if existing else None
    )
    unverified = _flag(_clean(fields.get("unverified")), "unverified", problems)
    if phone is not None and (catalog.hotlines.get(phone) or {}).get("unverified"):
        unverified = True  # the number itself rests on a single source
    note = _pair(fields, "note", problems, required=False)
    retired = _flag(_clean(fields.get("retired")), "retired", problems)
    retired_text = _clean(fields.get("retired_on"))
    retired_on = _date(retired_text) if retired_text else None
    if retired_text and retired_on is None:
        problems.append(Problem("retired_on", "bad_retired_on", "Write the date as YYYY-MM-DD."))
    if problems:
        return Parsed(None, problems, notes)
    record: dict[str, Any] = dict(existing or {})
    for key in ("unverified", "note", "retired", "retired_on"):
        record.pop(key, None)
    record.update(
        id=sid,
        name=name,
        kind=kind,
        province_id=province_id,
        address=address,
        phone=phone,
        hours=hours,
        coordinates=coordinates,
        source=source,
        verified_on=verified_text,
    )
    if unverified:
        record["unverified"] = True
    if note:
        record["note"] = note
    if retired:
        record["retired"] = True
        record["retired_on"] = (retired_on or today).isoformat()
    return Parsed(record, [], notes)


# -- conversions ------------------------------------------------------------------------


def _text(value: Any, lang: str) -> str:
    if isinstance(value, Mapping):
        return str(value.get(lang) or "")
    return "" if value is None else str(value)


def to_fields(record: Mapping[str, Any]) -> dict[str, str]:
    """A stored service as text fields (a form, a CSV row)."""
    coordinates = record.get("coordinates")
    lat = lon = ""
    if isinstance(coordinates, Mapping) and "lat" in coordinates and "lon" in coordinates:
        lat, lon = str(coordinates["lat"]), str(coordinates["lon"])
    fields = {
        "id": str(record.get("id") or ""),
        "kind": str(record.get("kind") or ""),
        "province": str(record.get("province_id") or NATIONAL),
        "phone": str(record.get("phone") or ""),
        "hours": str(record.get("hours") or ""),
        "lat": lat,
        "lon": lon,
        "source": str(record.get("source") or ""),
        "verified_on": str(record.get("verified_on") or ""),
        "unverified": "yes" if record.get("unverified") else "",
        "retired": "yes" if record.get("retired") else "",
        "retired_on": str(record.get("retired_on") or "") if record.get("retired") else "",
    }
    for name in ("name", "address", "note"):
        for lang in LANGS:
            fields[f"{name}_{lang}"] = _text(record.get(name), lang)
    return {column: fields[column] for column in COLUMNS}


def with_retired(record: Mapping[str, Any], retired: bool, today: date) -> dict[str, Any]:
    updated = dict(record)
    updated.pop("retired", None)
    updated.pop("retired_on", None)
    if retired:
        updated["retired"] = True
        updated["retired_on"] = today.isoformat()
    return updated


def is_stale(verified_on: str | None, today: date, days: int) -> bool:
    """Never verified, unreadable, or verified more than ``days`` days before ``today``."""
    verified = _date(verified_on or "")
    return verified is None or verified < today - timedelta(days=days)


def stale_services(library: ContentLibrary, today: date, days: int) -> list[Service]:
    """The services the bot offers whose verified date is older than ``days`` days, the
    longest unchecked first (for the admin home page)."""
    stale = [s for s in library.services.values() if is_stale(s.verified_on, today, days)]
    return sorted(stale, key=lambda s: (s.verified_on or "", s.id))


def matches(record: Mapping[str, Any], query: str, library: ContentLibrary) -> bool:
    """Search: the folded query is in the name (vi/en), the province or the kind."""
    from bot.text import fold

    needle = " ".join(fold(query).split())
    if not needle:
        return True
    province = library.provinces.get(str(record.get("province_id") or ""))
    haystack = [
        str(record.get("id") or ""),
        _text(record.get("name"), "vi"),
        _text(record.get("name"), "en"),
        str(record.get("kind") or "").replace("_", " "),
        str(record.get("province_id") or NATIONAL),
        *(province.name.values() if province else ()),
    ]
    return any(needle in fold(text) for text in haystack)


# -- CSV ---------------------------------------------------------------------------------


def _guard(cell: str) -> str:
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


def _unguard(cell: str) -> str:
    if cell.startswith("'") and cell[1:].startswith(_FORMULA_START):
        return cell[1:]
    return cell


def export_csv(services: Iterable[Mapping[str, Any]]) -> bytes:
    """Every service, one row each, ``COLUMNS`` in order; UTF-8 with a BOM, CRLF."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for record in services:
        row = to_fields(record)
        writer.writerow([_guard(row[column]) for column in COLUMNS])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


@dataclass(frozen=True, slots=True)
class RowReport:
    row: int  # as a spreadsheet numbers it: the header is row 1
    service_id: str
    problems: tuple[Problem, ...]
    notes: tuple[str, ...] = ()
    action: str = ""  # added | updated | unchanged (clean rows)


@dataclass(slots=True)
class ImportResult:
    """``services`` is the new document when every row is clean, else None (nothing is
    imported); ``errors`` are problems with the file itself (size, encoding, columns)."""

    services: list[dict[str, Any]] | None
    rows: list[RowReport] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def bad_rows(self) -> list[RowReport]:
        return [r for r in self.rows if r.problems]

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)


def _decode(data: bytes) -> str | None:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def import_csv(
    data: bytes, catalog: Catalog, current: Sequence[Mapping[str, Any]], today: date
) -> ImportResult:
    """Check every row; only if all are clean, return the new document: rows update the
    service with the same id or add one; services the file does not name are kept as they
    are (retire them to stop the bot offering them)."""
    if len(data) > MAX_UPLOAD_BYTES:
        return ImportResult(
            None, errors=[f"The file is larger than {MAX_UPLOAD_BYTES // 1_000_000} MB."]
        )
    text = _decode(data)
    if text is None:
        return ImportResult(
            None, errors=["The file is not UTF-8 text (in Excel: Save as → CSV UTF-8)."]
        )
    first = text.split("\n", 1)[0]
    delimiter = ";" if ";" in first and "," not in first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        table = list(reader)
    except csv.Error as exc:
        return ImportResult(None, errors=[f"The file is not readable as CSV: {exc}."])
    if not table or not any(cell.strip() for cell in table[0]):
        return ImportResult(
            None, errors=["The file is empty: the first row must name the columns."]
        )
    header = [cell.strip().lower() for cell in table[0]]
    missing = [c for c in COLUMNS if c not in header]
    unknown = [c for c in header if c not in COLUMNS]
    doubled = sorted({c for c in header if header.count(c) > 1})
    errors = []
    if missing:
        errors.append(f"Missing columns: {', '.join(missing)}.")
    if unknown:
        errors.append(f"Unknown columns: {', '.join(unknown)} (the columns: {', '.join(COLUMNS)}).")
    if doubled:
        errors.append(f"Columns named twice: {', '.join(doubled)}.")
    if errors:
        return ImportResult(None, errors=errors)
    by_id = {str(s.get("id")): s for s in current}
    seen: dict[str, int] = {}
    reports: list[RowReport] = []
    parsed_rows: list[dict[str, Any]] = []
    for index, cells in enumerate(table[1:]):
        row = index + 2
        if not any(cell.strip() for cell in cells):
            continue
        problems: list[Problem] = []
        if len(cells) > len(header):
            problems.append(
                Problem("", "extra_cells", f"{len(cells)} cells, but {len(header)} columns.")
            )
        fields = {
            name: _unguard(cells[i]) if i < len(cells) else "" for i, name in enumerate(header)
        }
        sid = _clean(fields.get("id"))
        existing = by_id.get(sid)
        parsed = parse_service(fields, catalog, today, existing=existing)
        problems.extend(parsed.problems)
        if sid and sid in seen:
            problems.append(
                Problem("id", "duplicate_id", f"The id “{sid}” is also on row {seen[sid]}.")
            )
        elif sid:
            seen[sid] = row
        action = ""
        if not problems and parsed.record is not None:
            parsed_rows.append(parsed.record)
            if existing is None:
                action = "added"
            elif parsed.record == dict(existing):
                action = "unchanged"
            else:
                action = "updated"
        reports.append(RowReport(row, sid, tuple(problems), tuple(parsed.notes), action))
    result = ImportResult(None, reports)
    if not reports:
        result.errors.append("The file has no service rows.")
        return result
    if result.bad_rows:
        return result
    incoming = {str(r["id"]): r for r in parsed_rows}
    services = [incoming.pop(str(s.get("id")), dict(s)) for s in current]
    services.extend(incoming.values())
    result.services = services
    return result
