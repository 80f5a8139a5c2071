"""The services directory (issue 5): list, search, edit, retire, CSV import/export, and a
map-free "nearest" check. Routes under /staff/admin/services, administrators only.

The rules live in bot/services_admin.py. Every save publishes a new version of the
``services`` content document and replaces the published library, so the bot offers the
change with its next reply.

| route | what |
|---|---|
| GET /admin/services | the list: search ``q``; ``kind``, ``province``, ``stale=1``, ``retired`` |
| GET /admin/services/new, POST /admin/services | create |
| GET/POST /admin/services/{id} | edit |
| POST /admin/services/{id}/retire, /unretire | stop / resume offering it |
| GET /admin/services/nearest?lat=&lon=&kind= | the province and services offered there |
| GET /admin/services/export.csv | every service, one row each |
| GET/POST /admin/services/import | CSV upload: all or nothing, with a per-row report |
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import date
from typing import Any, Final
from zoneinfo import ZoneInfo

from aiohttp import web
from aiohttp.typedefs import Handler

from bot.content import ContentLibrary
from bot.services_admin import (
    COLUMNS,
    KINDS,
    LAT_RANGE,
    LON_RANGE,
    MAX_UPLOAD_BYTES,
    NATIONAL,
    SLUG,
    Catalog,
    Parsed,
    Problem,
    export_csv,
    import_csv,
    is_stale,
    matches,
    parse_service,
    to_fields,
    with_retired,
)
from handoff.access import not_found
from handoff.accounts import StaffSession
from handoff.web import (
    STATE,
    accounts_of,
    content_of,
    redirect,
    render,
    require_admin,
    settings_of,
    store_of,
)

BASE: Final = "/staff/admin/services"
_LOCK: Final = web.AppKey("services_lock", asyncio.Lock)
_ID: Final = "{service_id:[a-z][a-z0-9_]{0,63}}"


def _today(request: web.Request) -> date:
    """Today where the organisation works (a date typed in Vietnam is not "in the future")."""
    now = request.config_dict[STATE].clock()
    return now.astimezone(ZoneInfo(settings_of(request).handoff_timezone)).date()


async def _documents(request: web.Request) -> dict[str, Any]:
    return await store_of(request).load_documents()


def _services(docs: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [dict(s) for s in docs.get("services") or []]


async def _publish(request: web.Request, services: list[dict[str, Any]]) -> int:
    """A new published version of the services document; the bot uses it at once."""
    store = store_of(request)
    version = await store.save_document("services", services, published=True)
    content_of(request).library = ContentLibrary(await store.load_documents())
    return version


def _service_id(request: web.Request) -> str:
    service_id = request.match_info["service_id"]
    if not SLUG.fullmatch(service_id):
        raise not_found()
    return service_id


def _find(services: list[dict[str, Any]], service_id: str) -> int:
    for index, record in enumerate(services):
        if record.get("id") == service_id:
            return index
    raise not_found()


async def _read_fields(request: web.Request) -> dict[str, str]:
    if request.content_type not in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return {}
    data = await request.post()
    return {k: v.strip() for k, v in data.items() if isinstance(v, str) and k in COLUMNS}


def _choices(docs: Mapping[str, Any]) -> dict[str, Any]:
    library = ContentLibrary(docs)
    provinces = sorted(library.provinces.values(), key=lambda p: p.name.get("vi", p.id))
    return {
        "kinds": KINDS,
        "provinces": provinces,
        "hotlines": sorted(docs.get("hotlines") or {}),
        "sources": sorted(docs.get("sources") or {}),
        "national": NATIONAL,
    }


# -- list -----------------------------------------------------------------------------------


async def service_list(request: web.Request) -> web.StreamResponse:
    require_admin(request)
    docs = await _documents(request)
    library = ContentLibrary(docs)
    today = _today(request)
    days = settings_of(request).services_stale_days
    q = request.query.get("q", "")[:100]
    kind = request.query.get("kind", "")
    province = request.query.get("province", "")
    stale_only = request.query.get("stale") == "1"
    retired = request.query.get("retired", "")
    rows = []
    for record in _services(docs):
        is_retired = bool(record.get("retired"))
        stale = not is_retired and is_stale(record.get("verified_on"), today, days)
        if retired == "only" and not is_retired:
            continue
        if retired not in ("only", "all") and is_retired:
            continue
        if kind and record.get("kind") != kind:
            continue
        if province and (record.get("province_id") or NATIONAL) != province:
            continue
        if stale_only and not stale:
            continue
        if not matches(record, q, library):
            continue
        place = library.provinces.get(str(record.get("province_id") or ""))
        rows.append(
            {
                "record": record,
                "province": place.name.get("vi", place.id) if place else "national",
                "stale": stale,
                "retired": is_retired,
            }
        )
    return render(
        request,
        "admin_services.html",
        rows=rows,
        q=q,
        kind=kind,
        province=province,
        stale_only=stale_only,
        retired=retired,
        days=days,
        **_choices(docs),
    )


# -- create and edit --------------------------------------------------------------------------


def _form_page(
    request: web.Request,
    docs: Mapping[str, Any],
    fields: Mapping[str, str],
    *,
    existing: Mapping[str, Any] | None,
    parsed: Parsed | None = None,
    status: int = 200,
    saved: bool = False,
) -> web.Response:
    problems = parsed.problems if parsed else []
    return render(
        request,
        "admin_services_form.html",
        status=status,
        fields=dict.fromkeys(COLUMNS, "") | dict(fields),
        existing=existing,
        problems=problems,
        by_field={p.field: p.message for p in problems},
        notes=parsed.notes if parsed else [],
        saved=saved,
        stale_days=settings_of(request).services_stale_days,
        **_choices(docs),
    )


async def new_form(request: web.Request) -> web.StreamResponse:
    require_admin(request)
    docs = await _documents(request)
    return _form_page(
        request, docs, {"province": NATIONAL, "verified_on": _today(request).isoformat()},
        existing=None,
    )  # fmt: skip


async def create(request: web.Request) -> web.StreamResponse:
    session = require_admin(request)
    fields = await _read_fields(request)
    fields.pop("retired", None)
    fields.pop("retired_on", None)
    async with request.config_dict[_LOCK]:
        docs = await _documents(request)
        services = _services(docs)
        parsed = parse_service(fields, Catalog.from_documents(docs), _today(request))
        if parsed.record is not None and any(s.get("id") == parsed.record["id"] for s in services):
            taken = Problem("id", "duplicate_id", "A service has this id already.")
            parsed = Parsed(None, [taken], parsed.notes)
        if parsed.record is None:
            return _form_page(request, docs, fields, existing=None, parsed=parsed, status=400)
        services.append(parsed.record)
        await _publish(request, services)
    await _audit(request, session, "service_created", parsed.record["id"])
    return redirect(f"{BASE}/{parsed.record['id']}?saved=1")


async def edit_form(request: web.Request) -> web.StreamResponse:
    require_admin(request)
    service_id = _service_id(request)
    docs = await _documents(request)
    services = _services(docs)
    record = services[_find(services, service_id)]
    return _form_page(
        request, docs, to_fields(record), existing=record, saved=request.query.get("saved") == "1"
    )


async def update(request: web.Request) -> web.StreamResponse:
    session = require_admin(request)
    service_id = _service_id(request)
    fields = await _read_fields(request)
    async with request.config_dict[_LOCK]:
        docs = await _documents(request)
        services = _services(docs)
        index = _find(services, service_id)
        existing = services[index]
        # Retiring has its own buttons: the edit form keeps the current state.
        fields["retired"] = "yes" if existing.get("retired") else ""
        fields["retired_on"] = str(existing.get("retired_on") or "")
        parsed = parse_service(
            fields, Catalog.from_documents(docs), _today(request), existing=existing
        )
        if parsed.record is None:
            return _form_page(request, docs, fields, existing=existing, parsed=parsed, status=400)
        services[index] = parsed.record
        await _publish(request, services)
    await _audit(request, session, "service_updated", service_id)
    return redirect(f"{BASE}/{service_id}?saved=1")


def _retire(retired: bool) -> Handler:
    async def handler(request: web.Request) -> web.StreamResponse:
        session = require_admin(request)
        service_id = _service_id(request)
        async with request.config_dict[_LOCK]:
            services = _services(await _documents(request))
            index = _find(services, service_id)
            if bool(services[index].get("retired")) != retired:
                services[index] = with_retired(services[index], retired, _today(request))
                await _publish(request, services)
        action = "service_retired" if retired else "service_unretired"
        await _audit(request, session, action, service_id)
        return redirect(f"{BASE}/{service_id}")

    return handler


async def _audit(
    request: web.Request, session: StaffSession, action: str, target: str | None = None
) -> None:
    await accounts_of(request).audit(session, action, target=target)


# -- nearest ---------------------------------------------------------------------------------


async def nearest(request: web.Request) -> web.StreamResponse:
    require_admin(request)
    library = content_of(request).library
    lat_text = request.query.get("lat", "").strip()[:32]
    lon_text = request.query.get("lon", "").strip()[:32]
    kind = request.query.get("kind", "")
    kind = kind if kind in KINDS else ""
    error = None
    province = None
    offered: list[Any] = []
    status = 200
    if lat_text or lon_text:
        try:
            lat, lon = float(lat_text.replace(",", ".")), float(lon_text.replace(",", "."))
        except ValueError:
            lat = lon = float("nan")
        inside = LAT_RANGE[0] <= lat <= LAT_RANGE[1] and LON_RANGE[0] <= lon <= LON_RANGE[1]
        if not inside:
            error = (
                f"Give a latitude between {LAT_RANGE[0]} and {LAT_RANGE[1]} and a longitude "
                f"between {LON_RANGE[0]} and {LON_RANGE[1]} (decimal degrees)."
            )
            status = 400
        else:
            province = library.nearest_province(lat, lon)
            offered = library.services_for(province.id if province else None, kind or None)
    return render(
        request,
        "admin_services_nearest.html",
        status=status,
        lat=lat_text,
        lon=lon_text,
        kind=kind,
        kinds=KINDS,
        error=error,
        province=province,
        offered=offered,
    )


# -- CSV --------------------------------------------------------------------------------------


async def export(request: web.Request) -> web.StreamResponse:
    session = require_admin(request)
    services = _services(await _documents(request))
    await _audit(request, session, "services_exported", f"{len(services)} services")
    name = f"services-{_today(request).isoformat()}.csv"
    return web.Response(
        body=export_csv(services),
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _import_page(request: web.Request, *, status: int = 200, **context: Any) -> web.Response:
    context.setdefault("result", None)
    context.setdefault("errors", [])
    context.setdefault("version", None)
    return render(
        request,
        "admin_services_import.html",
        status=status,
        columns=COLUMNS,
        max_mb=MAX_UPLOAD_BYTES // 1_000_000,
        **context,
    )


async def import_form(request: web.Request) -> web.StreamResponse:
    require_admin(request)
    return _import_page(request)


async def _upload(request: web.Request) -> bytes | None:
    """The uploaded file's bytes (at most one byte over the limit), or None."""
    if request.content_type != "multipart/form-data":
        return None
    data = await request.post()  # already read (and size-limited) by the middleware
    upload = data.get("file")
    if not isinstance(upload, web.FileField):
        return None
    content: bytes = upload.file.read(MAX_UPLOAD_BYTES + 1)
    return content


async def import_upload(request: web.Request) -> web.StreamResponse:
    session = require_admin(request)
    data = await _upload(request)
    if not data:
        return _import_page(request, status=400, errors=["Choose a CSV file to import."])
    if len(data) > MAX_UPLOAD_BYTES:
        return _import_page(
            request,
            status=413,
            errors=[
                f"The file is larger than {MAX_UPLOAD_BYTES // 1_000_000} MB: nothing imported."
            ],
        )
    async with request.config_dict[_LOCK]:
        docs = await _documents(request)
        result = import_csv(data, Catalog.from_documents(docs), _services(docs), _today(request))
        if result.services is None:
            return _import_page(request, status=400, result=result, errors=result.errors)
        version = await _publish(request, result.services)
    await _audit(request, session, "services_imported", f"{len(result.rows)} rows")
    return _import_page(request, result=result, version=version)


def install(app: web.Application) -> None:
    """Add this area's routes to the staff sub-application (fixed paths before ids)."""
    app[_LOCK] = asyncio.Lock()
    app.router.add_get("/admin/services", service_list)
    app.router.add_post("/admin/services", create)
    app.router.add_get("/admin/services/new", new_form)
    app.router.add_get("/admin/services/nearest", nearest)
    app.router.add_get("/admin/services/export.csv", export)
    app.router.add_get("/admin/services/import", import_form)
    app.router.add_post("/admin/services/import", import_upload)
    app.router.add_get(f"/admin/services/{_ID}", edit_form)
    app.router.add_post(f"/admin/services/{_ID}", update)
    app.router.add_post(f"/admin/services/{_ID}/retire", _retire(True))
    app.router.add_post(f"/admin/services/{_ID}/unretire", _retire(False))
