"""Content editing (issue 5): responses per language, drafts, versions, publish,
import/export. Routes under /staff/admin/content, administrators only.

| route | what |
|---|---|
| GET /admin/content | every response key, grouped, with search and a draft marker |
| GET /admin/content/{key} | the edit form (vi, en: variations, buttons) and a preview |
| POST /admin/content/{key} | ``action``: ``preview`` (re-render), ``draft``, ``publish`` |
| GET /admin/content/versions | every version of the responses document |
| POST /admin/content/versions/{version}/restore | a new published copy of a version |
| GET /admin/content/export | a zip of the published documents as the `content/` files |
| POST /admin/content/import | a zip or single YAML files: all published, or nothing |

Content lives in the store's ``content_documents`` (versioned JSON documents). A draft is
a new version of ``responses`` with ``published=False``: the bot only ever reads published
versions (``Store.load_documents``), so drafts never change what it says. Publishing,
restoring and importing run ``bot.content_check.check`` on the would-be published
documents first; a clean check saves published versions and swaps the live library
(``content_of(request).library``), so the next reply uses them (no restart, no
retraining). Who made each version is in the audit log (``target`` = ``responses:<n>``).
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any, Final

import yaml
from aiohttp import web
from sqlalchemy import func, insert, select
from sqlalchemy.exc import SQLAlchemyError

from bot.content import ContentLibrary
from bot.content_check import (
    DOCUMENTS,
    LANGS,
    MAX_VARIATIONS,
    PAYLOAD,
    Problem,
    check,
    domain_response_keys,
)
from bot.errors import ContentError
from bot.storage import Store
from bot.storage.models import content_documents as documents_table
from handoff.accounts import StaffSession, utcnow
from handoff.web import (
    accounts_of,
    content_of,
    read_form,
    redirect,
    render,
    require_admin,
    store_of,
)

BASE: Final = "/staff/admin/content"
RESPONSES: Final = "responses"
MAX_BUTTONS: Final = 8  # form slots per variation
MAX_UPLOAD: Final = 2 * 1024 * 1024  # per YAML file, unpacked
KEY_PATTERN: Final = r"(?:utter|gw|canned)_[a-z0-9_]{1,60}"
MENU_KEYS: Final = ("utter_greet", "utter_menu", "utter_default", "utter_offer_screening")
GROUPS: Final = (
    ("menus", "Menus"),
    ("utter", "Rasa responses (utter_*)"),
    ("gw", "Gateway messages (gw_*)"),
    ("gw_tg", "Telegram messages (gw_tg_*)"),
    ("canned", "Counsellors' canned replies (canned_*)"),
)
_AUTHORED: Final = (
    "content_draft_saved",
    "content_published",
    "content_restored",
    "content_imported",
)
_TARGET_VERSION: Final = re.compile(r"\bresponses:(\d+)\b")


def group_of(key: str) -> str:
    if key in MENU_KEYS:
        return "menus"
    if key.startswith("gw_tg_"):
        return "gw_tg"
    return key.split("_", 1)[0]


# -- the documents --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Version:
    version: int
    created_at: dt.datetime
    published: bool
    author: str | None = None


@dataclass(frozen=True, slots=True)
class State:
    """The published documents, and the newest responses draft if it is newer."""

    published: dict[str, Any]
    live_version: int
    draft: dict[str, Any] | None
    draft_version: int | None

    @property
    def working(self) -> dict[str, Any]:
        """What an edit starts from: the pending draft, else the published responses."""
        return self.draft if self.draft is not None else self.published.get(RESPONSES) or {}

    def drafted_keys(self) -> set[str]:
        if self.draft is None:
            return set()
        live = self.published.get(RESPONSES) or {}
        keys = set(self.draft) | set(live)
        return {k for k in keys if self.draft.get(k) != live.get(k)}


async def _versions(store: Store) -> list[Version]:
    table = documents_table
    query = (
        select(table.c.version, table.c.created_at, table.c.published)
        .where(table.c.name == RESPONSES)
        .order_by(table.c.version.desc())
    )
    async with store.engine.connect() as conn:
        rows = (await conn.execute(query)).all()
    return [Version(int(r.version), r.created_at, bool(r.published)) for r in rows]


async def _body(store: Store, version: int) -> Any:
    table = documents_table
    query = select(table.c.body).where(table.c.name == RESPONSES, table.c.version == version)
    async with store.engine.connect() as conn:
        return (await conn.execute(query)).scalar_one_or_none()


async def _state(store: Store) -> State:
    published = await store.load_documents()
    versions = await _versions(store)
    live = next((v.version for v in versions if v.published), 0)
    newest = versions[0] if versions else None
    if newest is not None and not newest.published and newest.version > live:
        body = await _body(store, newest.version)
        return State(published, live, body if isinstance(body, dict) else {}, newest.version)
    return State(published, live, None, None)


async def _publish(
    request: web.Request, store: Store, docs: Mapping[str, Any]
) -> dict[str, int] | list[Problem]:
    """Check the would-be published documents (the live ones with ``docs`` over them);
    if clean, save every document of ``docs`` as a new published version in one
    transaction and make the live library use them."""
    live = await store.load_documents()
    would_be = {**live, **docs}
    problems = check(would_be, domain_keys(live))
    if problems:
        return problems
    try:
        ContentLibrary(would_be)  # the services and provinces must build too
    except (ContentError, KeyError, TypeError, ValueError) as exc:
        return [Problem("content", f"the content cannot be loaded: {exc}")]
    saved = await _save_published(store, docs)
    content_of(request).library = ContentLibrary(await store.load_documents())
    return saved


async def _save_published(store: Store, docs: Mapping[str, Any]) -> dict[str, int]:
    table = documents_table
    saved: dict[str, int] = {}
    async with store.engine.begin() as conn:  # all documents, or none
        for name, body in docs.items():
            newest = select(func.max(table.c.version)).where(table.c.name == name)
            version = ((await conn.execute(newest)).scalar_one_or_none() or 0) + 1
            await conn.execute(
                insert(table).values(
                    name=name, version=version, body=body, created_at=utcnow(), published=True
                )
            )
            saved[name] = version
    return saved


def domain_keys(live: Mapping[str, Any]) -> set[str]:
    """The Rasa domain's response keys ($RASA_DOMAIN_FILE). Where the gateway runs without
    the Rasa project (its container ships `content/` only), the `utter_*` keys of the live
    (published) responses stand in: nothing the bot answers today can then be removed."""
    try:
        return domain_response_keys()
    except (OSError, ValueError, yaml.YAMLError):
        return {k for k in live.get(RESPONSES) or {} if str(k).startswith("utter_")}


async def _authors(request: web.Request) -> dict[int, str]:
    staff = store_of(request).staff
    authors: dict[int, str] = {}
    for action in _AUTHORED:
        for entry in await staff.audit_entries(action=action):
            found = _TARGET_VERSION.search(entry.target or "")
            if found:
                authors.setdefault(int(found.group(1)), entry.username or entry.staff_id or "?")
    return authors


async def _audit(request: web.Request, session: StaffSession, action: str, target: str) -> None:
    await accounts_of(request).audit(session, action, target=target[:64])


# -- the list -------------------------------------------------------------------------------


def _texts(entry: Any) -> list[str]:
    if not isinstance(entry, dict):
        return []
    out = []
    for lang in LANGS:
        for item in entry.get(lang) or []:
            if isinstance(item, dict):
                out.append(str(item.get("text", "")))
                out += [str(b.get("title", "")) for b in item.get("buttons") or []]
    return out


def _summary(entry: Any, lang: str) -> str:
    items = entry.get(lang) if isinstance(entry, dict) else None
    if not items or not isinstance(items[0], dict):
        return ""
    first = str(items[0].get("text", "")).split("\n", 1)[0]
    return first if len(first) <= 90 else first[:89] + "…"


async def content_list(request: web.Request) -> web.StreamResponse:
    require_admin(request)
    state = await _state(store_of(request))
    query = request.query.get("q", "").strip()[:100]
    needle = query.casefold()
    working = state.working
    drafted = state.drafted_keys()
    groups = []
    for gid, title in GROUPS:
        rows = []
        for key in sorted(k for k in working if group_of(k) == gid):
            entry = working[key]
            if (
                needle
                and needle not in key
                and not any(needle in t.casefold() for t in _texts(entry))
            ):
                continue
            rows.append(
                {
                    "key": key,
                    "vi": _summary(entry, "vi"),
                    "en": _summary(entry, "en"),
                    "draft": key in drafted,
                }
            )
        groups.append({"id": gid, "title": title, "rows": rows})
    return render(
        request,
        "admin_content.html",
        groups=groups,
        q=query,
        state=state,
        drafted=sorted(drafted),
        count=sum(len(g["rows"]) for g in groups),
    )


# -- one key: edit, preview, draft, publish -------------------------------------------------


@dataclass(slots=True)
class Slot:
    """One variation as the form shows it (empty slots let an editor add more)."""

    text: str
    buttons: list[tuple[str, str]]


def _slots(entry: Mapping[str, Any], lang: str) -> list[Slot]:
    slots = []
    for item in entry.get(lang) or []:
        buttons = [
            (str(b.get("title", "")), str(b.get("payload", ""))) for b in item.get("buttons") or []
        ]
        slots.append(Slot(str(item.get("text", "")), buttons))
    if len(slots) < MAX_VARIATIONS:
        slots.append(Slot("", []))  # room for one more
    for slot in slots:
        room = min(MAX_BUTTONS, len(slot.buttons) + 2) - len(slot.buttons)
        slot.buttons += [("", "")] * max(0, room)
    return slots


def _entry_from_form(
    form: Mapping[str, str], base: Mapping[str, Any]
) -> tuple[dict[str, Any], list[Problem]]:
    entry: dict[str, Any] = {}
    if base.get("sources"):
        entry["sources"] = list(base["sources"])
    errors: list[Problem] = []
    for lang in LANGS:
        items: list[dict[str, Any]] = []
        for i in range(MAX_VARIATIONS):
            text = form.get(f"{lang}-{i}-text", "").replace("\r\n", "\n").strip()
            buttons = []
            for j in range(MAX_BUTTONS):
                title = form.get(f"{lang}-{i}-b{j}-title", "").strip()
                payload = form.get(f"{lang}-{i}-b{j}-payload", "").strip()
                if not title and not payload:
                    continue
                where = f"{lang} variation {i + 1}, button {j + 1}"
                if not title:
                    errors.append(Problem(where, "a button needs a title"))
                if not PAYLOAD.fullmatch(payload):
                    errors.append(
                        Problem(where, f"payload {payload!r} must look like /intent_name")
                    )
                buttons.append({"title": title, "payload": payload})
            if not text:
                if buttons:
                    errors.append(Problem(f"{lang} variation {i + 1}", "buttons without a text"))
                continue
            item: dict[str, Any] = {"text": text}
            if buttons:
                item["buttons"] = buttons
            items.append(item)
        if items:
            entry[lang] = items
    return entry, errors


def _sample_variables(library: ContentLibrary, lang: str) -> dict[str, str]:
    values = {"position": "2", "minutes": "5"}
    province = library.provinces.get("ha_noi") or next(iter(library.provinces.values()), None)
    if province is not None:
        values["province"] = province.name.get(lang, province.id)
        services = library.services_for(province.id)[:3]
        values["services"] = library.format_services([s.id for s in services], lang)
    try:
        values["wait"] = library.render("gw_wait_minutes", lang, {"minutes": "5"}).text
    except ContentError:
        values["wait"] = "5"
    return values


def _preview(docs: Mapping[str, Any], key: str) -> dict[str, list[dict[str, Any]]]:
    """Every variation rendered per language, or the reason it cannot be."""
    out: dict[str, list[dict[str, Any]]] = {}
    try:
        library = ContentLibrary(docs)
    except (ContentError, KeyError, TypeError, ValueError) as exc:
        return {lang: [{"error": f"the content cannot be loaded: {exc}"}] for lang in LANGS}
    for lang in LANGS:
        shown: list[dict[str, Any]] = []
        try:
            messages = library.variations(key, lang, _sample_variables(library, lang))
        except ContentError as exc:
            shown.append({"error": str(exc)})
        else:
            shown += [{"error": None, "text": m.text, "buttons": m.buttons} for m in messages]
        out[lang] = shown
    return out


async def _edit_page(
    request: web.Request,
    key: str,
    entry: Mapping[str, Any],
    state: State,
    *,
    status: int = 200,
    problems: list[Problem] | None = None,
    notice: str | None = None,
) -> web.Response:
    responses = copy.deepcopy(state.working)
    responses[key] = dict(entry)
    docs = {**state.published, RESPONSES: responses}
    return render(
        request,
        "admin_content_edit.html",
        status=status,
        key=key,
        group=dict(GROUPS)[group_of(key)],
        langs=LANGS,
        slots={lang: _slots(entry, lang) for lang in LANGS},
        sources=list(entry.get("sources") or []),
        preview=_preview(docs, key),
        problems=problems or [],
        notice=notice,
        state=state,
        has_draft=key in state.drafted_keys(),
        other_drafts=sorted(state.drafted_keys() - {key}),
    )


def _key(request: web.Request, state: State) -> str:
    key = request.match_info["key"]
    if key not in state.working and key not in (state.published.get(RESPONSES) or {}):
        raise web.HTTPNotFound(text="no such response key")
    return key


async def content_edit(request: web.Request) -> web.StreamResponse:
    require_admin(request)
    state = await _state(store_of(request))
    key = _key(request, state)
    entry = state.working.get(key) or state.published[RESPONSES][key]
    return await _edit_page(request, key, entry, state)


async def content_save(request: web.Request) -> web.StreamResponse:
    session = require_admin(request)
    store = store_of(request)
    state = await _state(store)
    key = _key(request, state)
    form = await read_form(request)
    base = state.working.get(key) or {}
    entry, errors = _entry_from_form(form, base)
    action = form.get("action", "preview")
    if action == "preview" or action not in ("draft", "publish"):
        return await _edit_page(request, key, entry, state, problems=errors)
    if errors:
        return await _edit_page(request, key, entry, state, status=400, problems=errors)
    responses = copy.deepcopy(state.working)
    responses[key] = entry
    if action == "draft":
        version = await store.save_document(RESPONSES, responses, published=False)
        await _audit(request, session, "content_draft_saved", f"responses:{version} {key}")
        state = await _state(store)
        would_be = {**state.published, RESPONSES: responses}
        warnings = check(would_be, domain_keys(state.published))
        notice = f"Draft saved as version {version}. The bot still says the published text."
        if warnings:
            notice += " It cannot be published until the problems below are fixed."
        return await _edit_page(request, key, entry, state, problems=warnings, notice=notice)
    result = await _publish(request, store, {RESPONSES: responses})
    if isinstance(result, list):
        return await _edit_page(
            request,
            key,
            entry,
            state,
            status=400,
            problems=result,
            notice="Not published: the content check found the problems below.",
        )
    version = result[RESPONSES]
    await _audit(request, session, "content_published", f"responses:{version} {key}")
    state = await _state(store)
    return await _edit_page(
        request,
        key,
        entry,
        state,
        notice=f"Published as version {version}: the next reply uses it.",
    )


# -- versions -------------------------------------------------------------------------------


async def versions_page(
    request: web.Request,
    *,
    status: int = 200,
    problems: list[Problem] | None = None,
    notice: str | None = None,
) -> web.Response:
    store = store_of(request)
    authors = await _authors(request)
    versions = [
        Version(v.version, v.created_at, v.published, authors.get(v.version))
        for v in await _versions(store)
    ]
    state = await _state(store)
    return render(
        request,
        "admin_content_versions.html",
        status=status,
        versions=versions,
        live=state.live_version,
        problems=problems or [],
        notice=notice,
    )


async def content_versions(request: web.Request) -> web.StreamResponse:
    require_admin(request)
    return await versions_page(request)


async def content_restore(request: web.Request) -> web.StreamResponse:
    session = require_admin(request)
    store = store_of(request)
    try:
        old = int(request.match_info["version"])
    except ValueError:
        raise web.HTTPNotFound() from None
    body = await _body(store, old)
    if body is None:
        raise web.HTTPNotFound(text="no such version")
    result = await _publish(request, store, {RESPONSES: body})
    if isinstance(result, list):
        return await versions_page(
            request,
            status=400,
            problems=result,
            notice=f"Version {old} was not restored: the content check found these problems.",
        )
    version = result[RESPONSES]
    await _audit(request, session, "content_restored", f"responses:{version} from:{old}")
    return redirect(f"{BASE}/versions")


# -- export and import ----------------------------------------------------------------------


def _yaml(body: Any) -> str:
    return yaml.safe_dump(body, allow_unicode=True, sort_keys=False, width=100)


async def content_export(request: web.Request) -> web.StreamResponse:
    session = require_admin(request)
    docs = await store_of(request).load_documents()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in DOCUMENTS:
            if name in docs:
                archive.writestr(f"content/{name}.yml", _yaml(docs[name]))
    await _audit(request, session, "content_exported", "content.zip")
    stamp = utcnow().strftime("%Y%m%d-%H%M")
    return web.Response(
        body=out.getvalue(),
        content_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="content-{stamp}.zip"'},
    )


def _dates_as_text(value: Any) -> Any:
    """YAML reads an unquoted 2026-11-22 as a date; the documents keep ISO strings."""
    if isinstance(value, dict):
        return {k: _dates_as_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_dates_as_text(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _document_name(filename: str) -> str | None:
    path = PurePosixPath(filename.replace("\\", "/"))
    if path.suffix not in (".yml", ".yaml") or path.stem not in DOCUMENTS:
        return None
    return path.stem


def _read_uploads(files: list[tuple[str, bytes]]) -> tuple[dict[str, Any], list[str]]:
    """Documents by name from the uploaded zips and YAML files, and what was wrong."""
    raw: dict[str, tuple[str, bytes]] = {}
    errors: list[str] = []

    def add(filename: str, data: bytes) -> None:
        name = _document_name(filename)
        if name is None:
            errors.append(f"{filename}: not one of {', '.join(f'{d}.yml' for d in DOCUMENTS)}")
        elif name in raw:
            errors.append(f"{filename}: {name}.yml is given twice")
        elif len(data) > MAX_UPLOAD:
            errors.append(f"{filename}: larger than {MAX_UPLOAD // 1024} KiB")
        else:
            raw[name] = (filename, data)

    for filename, data in files:
        if filename.lower().endswith(".zip"):
            try:
                with zipfile.ZipFile(io.BytesIO(data)) as archive:
                    for info in archive.infolist():
                        if info.is_dir() or PurePosixPath(info.filename).name.startswith("."):
                            continue
                        if info.file_size > MAX_UPLOAD:
                            errors.append(f"{info.filename}: larger than {MAX_UPLOAD // 1024} KiB")
                            continue
                        add(info.filename, archive.read(info))
            except (zipfile.BadZipFile, OSError) as exc:
                errors.append(f"{filename}: not a readable zip file ({exc})")
        else:
            add(filename, data)
    docs: dict[str, Any] = {}
    for name, (filename, data) in raw.items():
        try:
            docs[name] = _dates_as_text(yaml.safe_load(data.decode("utf-8")))
        except UnicodeDecodeError:
            errors.append(f"{filename}: not UTF-8 text")
        except yaml.YAMLError as exc:
            errors.append(f"{filename}: not valid YAML: {exc}")
        else:
            if docs[name] is None:
                errors.append(f"{filename}: the file is empty")
    return docs, errors


async def content_import(request: web.Request) -> web.StreamResponse:
    session = require_admin(request)
    store = store_of(request)
    files: list[tuple[str, bytes]] = []
    if request.content_type == "multipart/form-data":
        for field in (await request.post()).values():
            if isinstance(field, web.FileField) and field.filename:
                files.append((field.filename, field.file.read(MAX_UPLOAD * 4 + 1)))
    if not files:
        return await _import_report(request, 400, ["No file was uploaded."], [])
    docs, errors = _read_uploads(files)
    if errors:
        return await _import_report(request, 400, errors, [])
    result = await _safe_publish(request, store, docs)
    if isinstance(result, list):
        return await _import_report(request, 400, [str(p) for p in result], [])
    target = " ".join(f"{name}:{version}" for name, version in result.items())
    await _audit(request, session, "content_imported", target)
    return await _import_report(request, 200, [], sorted(result.items()))


async def _safe_publish(
    request: web.Request, store: Store, docs: Mapping[str, Any]
) -> dict[str, int] | list[Problem]:
    try:
        return await _publish(request, store, docs)
    except SQLAlchemyError as exc:  # e.g. a body the JSON column cannot hold
        return [Problem("import", f"nothing was saved: {type(exc).__name__}")]


async def _import_report(
    request: web.Request, status: int, problems: list[str], saved: list[tuple[str, int]]
) -> web.Response:
    return render(
        request,
        "admin_content_report.html",
        status=status,
        problems=problems,
        saved=saved,
    )


def install(app: web.Application) -> None:
    """Add this area's routes to the staff sub-application."""
    app.router.add_get("/admin/content", content_list)
    app.router.add_get("/admin/content/versions", content_versions)
    app.router.add_post("/admin/content/versions/{version:[0-9]{1,9}}/restore", content_restore)
    app.router.add_get("/admin/content/export", content_export)
    app.router.add_post("/admin/content/import", content_import)
    app.router.add_get("/admin/content/{key:" + KEY_PATTERN + "}", content_edit)
    app.router.add_post("/admin/content/{key:" + KEY_PATTERN + "}", content_save)
