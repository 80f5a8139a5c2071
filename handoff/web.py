"""The staff area under /staff: sign-in, account setup, home, transcripts, administration.

``create_staff_app(settings, store_key)`` returns a sub-application for
``app.add_subapp("/staff", ...)``. Its middleware resolves the session cookie once per
request and guards every state-changing request (same origin + CSRF token) before any
handler runs. Pages are server-rendered (Jinja2, autoescape on, no inline script/style).

| route | anonymous | counsellor | supervisor | administrator |
|---|---|---|---|---|
| GET/POST /staff/login, GET/POST /staff/setup/{token} | yes | yes | yes | yes |
| GET /staff/, POST /staff/logout | → sign-in / 403 | yes | yes | yes |
| GET /staff/conversations/{id} | → sign-in | assigned only (else 404) | yes | yes |
| GET /staff/console | → sign-in | yes | yes | yes |
| GET /staff/console/ws | 403 | yes (same origin only) | yes | yes |
| GET /staff/static/* | yes (the console's script and style) | yes | yes | yes |
| /staff/admin/* | → sign-in / 403 | 403 | 403 | yes |

What each role may do inside the console is decided by `handoff/queue.py` (holder-only
commands; transcripts for the holder and the oversight roles; see docs/HANDOFF.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import logging
import re
import secrets
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import jinja2
from aiohttp import web
from aiohttp.typedefs import Handler

from bot.content import ContentHolder
from bot.settings import Settings
from bot.storage import ConversationNotFound, Store
from handoff import passwords, totp
from handoff.access import (
    SESSION,
    access_conversation,
    access_csrf,
    access_role,
    access_same_origin,
    access_staff,
    access_staff_socket,
    not_found,
)
from handoff.accounts import (
    Accounts,
    AccountsError,
    Clock,
    LoginFailed,
    LoginThrottled,
    Policy,
    StaffSession,
    utcnow,
)
from handoff.console import serve_console
from handoff.qr import qr_data_uri
from handoff.queue import HandoffQueue
from handoff.roles import Role
from handoff.throttle import Throttle

log = logging.getLogger(__name__)
SWEEP_INTERVAL: Final = 900.0
TEMPLATES: Final = Path(__file__).parent / "templates"
STATIC: Final = Path(__file__).parent / "static"
QUEUE: Final = web.AppKey("handoff_queue", HandoffQueue)  # set by bot/app.py
SESSION_COOKIE: Final = "staff_session"
PRE_COOKIE: Final = "staff_pre"
COOKIE_PATH: Final = "/staff"
SAFE_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS"})
AUDIT_PAGE_ROWS: Final = 500
AUDIT_ACTIONS: Final = (
    "admin_created",
    "audit_exported",
    "audit_viewed",
    "content_draft_saved",
    "content_exported",
    "content_imported",
    "content_published",
    "content_restored",
    "conversation_claimed",
    "conversation_closed",
    "conversation_handed_back",
    "conversation_released",
    "login",
    "login_failed",
    "logout",
    "service_created",
    "service_retired",
    "service_unretired",
    "service_updated",
    "services_exported",
    "services_imported",
    "setup_completed",
    "staff_2fa_reset",
    "staff_disabled",
    "staff_enabled",
    "staff_invited",
    "stats_exported",
    "transcript_denied",
    "transcript_opened",
)
_ID: Final = re.compile(r"[0-9a-f]{32}")
_ACCOUNTS: Final = web.RequestKey("staff_accounts", Accounts)
_FORM_TYPES: Final = ("application/x-www-form-urlencoded", "multipart/form-data")


@dataclass(slots=True)
class StaffState:
    """Per-app state of the staff area. ``clock`` may be replaced by tests."""

    settings: Settings
    store_key: web.AppKey[Store]
    content_key: web.AppKey[ContentHolder]
    throttle: Throttle = field(default_factory=Throttle)
    clock: Clock = utcnow
    templates: jinja2.Environment = field(
        default_factory=lambda: jinja2.Environment(
            loader=jinja2.FileSystemLoader(TEMPLATES),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
        )
    )


STATE: Final = web.AppKey("staff_state", StaffState)


def _accounts(request: web.Request) -> Accounts:
    return request[_ACCOUNTS]


def _store(request: web.Request) -> Store:
    state = request.config_dict[STATE]
    return request.config_dict[state.store_key]


def _settings(request: web.Request) -> Settings:
    return request.config_dict[STATE].settings


def _render(
    request: web.Request, template: str, *, status: int = 200, **context: Any
) -> web.Response:
    page = request.config_dict[STATE].templates.get_template(template)
    html = page.render(me=request.get(SESSION), **context)
    return web.Response(text=html, content_type="text/html", status=status)


def _redirect(location: str) -> web.Response:
    return web.Response(status=303, headers={"Location": location})


def _set_cookie(request: web.Request, response: web.StreamResponse, name: str, value: str) -> None:
    response.set_cookie(
        name,
        value,
        path=COOKIE_PATH,
        httponly=True,
        samesite="Strict",
        secure=request.secure or _settings(request).staff_secure_cookies,
    )


def _clear_cookie(response: web.StreamResponse, name: str) -> None:
    response.del_cookie(name, path=COOKIE_PATH)


def _as_response(exc: web.HTTPException) -> web.Response:
    headers = {k: v for k, v in exc.headers.items() if k.lower() != "content-type"}
    return web.Response(status=exc.status, text=exc.text, headers=headers)


async def _form(request: web.Request) -> dict[str, str]:
    if request.content_type not in _FORM_TYPES:
        return {}
    data = await request.post()
    return {k: v for k, v in data.items() if isinstance(v, str)}


def content_of(request: web.Request) -> ContentHolder:
    """The published content (replace `.library` to publish)."""
    state = request.config_dict[STATE]
    return request.config_dict[state.content_key]


# -- middleware -----------------------------------------------------------------------------


@web.middleware
async def staff_context(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Resolve the session; refuse a state change without same origin and CSRF token."""
    state = request.config_dict[STATE]
    accounts = Accounts(
        request.config_dict[state.store_key],
        Policy.from_settings(state.settings),
        state.throttle,
        state.clock,
    )
    request[_ACCOUNTS] = accounts
    token = request.cookies.get(SESSION_COOKIE)
    session = await accounts.resume(token) if token else None
    if session is not None:
        request[SESSION] = session
    try:
        if request.method not in SAFE_METHODS:
            access_same_origin(request, state.settings)
            given = request.headers.get("X-CSRF-Token") or (await _form(request)).get("csrf")
            pre = request.cookies.get(PRE_COOKIE)
            expected = [session.csrf] if session else []
            if pre:  # anonymous forms (sign-in, setup link) are bound to this cookie
                expected.append(accounts.csrf_token(f"pre:{pre}"))
            access_csrf(given, *expected)
        response = await handler(request)
    except web.HTTPException as exc:
        response = _as_response(exc)
    response.headers["Referrer-Policy"] = "same-origin"  # browsers then send Origin on POST
    if token and session is None:
        _clear_cookie(response, SESSION_COOKIE)
    return response


def _pre_token(request: web.Request) -> tuple[str, bool]:
    """The pre-session cookie value of an anonymous form, and whether it is new."""
    pre = request.cookies.get(PRE_COOKIE)
    if pre and len(pre) <= 128:
        return pre, False
    return secrets.token_urlsafe(32), True


def _anonymous_form(
    request: web.Request, template: str, *, status: int = 200, **context: Any
) -> web.Response:
    pre, new = _pre_token(request)
    response = _render(
        request,
        template,
        status=status,
        csrf=_accounts(request).csrf_token(f"pre:{pre}"),
        **context,
    )
    if new:
        _set_cookie(request, response, PRE_COOKIE, pre)
    return response


# -- sign-in --------------------------------------------------------------------------------


async def login_page(request: web.Request) -> web.StreamResponse:
    if request.get(SESSION) is not None:
        return _redirect("/staff/")
    return _anonymous_form(request, "login.html", error=None, username="")


async def login(request: web.Request) -> web.StreamResponse:
    form = await _form(request)
    username = form.get("username", "")[:64]
    try:
        session = await _accounts(request).login(
            username, form.get("password", ""), form.get("code", ""), request.remote or "-"
        )
    except LoginThrottled as exc:
        response = _anonymous_form(
            request, "login.html", status=429, error=str(exc), username=username
        )
        response.headers["Retry-After"] = str(max(1, round(exc.retry_after)))
        return response
    except LoginFailed as exc:
        return _anonymous_form(request, "login.html", status=401, error=str(exc), username=username)
    response = _redirect("/staff/")
    _set_cookie(request, response, SESSION_COOKIE, session.token)
    _clear_cookie(response, PRE_COOKIE)
    return response


async def logout(request: web.Request) -> web.StreamResponse:
    session = access_staff(request)
    await _accounts(request).logout(session)
    response = _redirect("/staff/login")
    _clear_cookie(response, SESSION_COOKIE)
    return response


# -- setup links ----------------------------------------------------------------------------


def _setup_page(request: web.Request, setup: Any, token: str, **context: Any) -> web.Response:
    issuer = _settings(request).staff_totp_issuer
    uri = totp.provisioning_uri(setup.totp_secret, setup.staff.username, issuer)
    return _anonymous_form(
        request,
        "setup.html",
        token=token,
        username=setup.staff.username,
        role=setup.staff.role,
        expires=setup.expires_at.strftime("%Y-%m-%d %H:%M"),
        uri=uri,
        qr=qr_data_uri(uri),
        secret=totp.base32(setup.totp_secret),
        min_length=passwords.MIN_LENGTH,
        **context,
    )


async def setup_page(request: web.Request) -> web.StreamResponse:
    token = request.match_info["token"]
    setup = await _accounts(request).setup(token)
    if setup is None:
        raise not_found()
    return _setup_page(request, setup, token, error=None)


async def setup(request: web.Request) -> web.StreamResponse:
    token = request.match_info["token"]
    accounts = _accounts(request)
    found = await accounts.setup(token)
    if found is None:
        raise not_found()
    form = await _form(request)
    try:
        await accounts.complete_setup(
            token, form.get("password", ""), form.get("confirm", ""), form.get("code", "")
        )
    except AccountsError as exc:
        return _setup_page(request, found, token, status=400, error=str(exc))
    return _render(
        request,
        "message.html",
        heading="Account ready",
        text="The password and the second factor are set. Sign in with them now.",
        link="/staff/login",
        link_text="Sign in",
    )


# -- pages for signed-in staff --------------------------------------------------------------


async def home(request: web.Request) -> web.StreamResponse:
    session = access_staff(request)
    store = _store(request)
    return _render(
        request,
        "home.html",
        queued=await store.staff.queue_count(),
        assigned=await store.staff.assigned_conversations(session.staff_id),
    )


async def conversation(request: web.Request) -> web.StreamResponse:
    session = access_staff(request)
    conversation_id = request.match_info["conversation_id"]
    if not _ID.fullmatch(conversation_id):
        raise not_found()
    store, accounts = _store(request), _accounts(request)
    try:
        await access_conversation(store, session, conversation_id)
    except web.HTTPNotFound:
        await accounts.audit(session, "transcript_denied", conversation_id=conversation_id)
        raise
    await accounts.audit(session, "transcript_opened", conversation_id=conversation_id)
    record = await store.get_conversation(conversation_id)
    try:
        messages = await store.messages_after(conversation_id, 0)
    except ConversationNotFound:
        raise not_found() from None
    if record is None:
        raise not_found()
    return _render(request, "transcript.html", conversation=record, messages=messages)


# -- the counsellor console ----------------------------------------------------------------


async def console_page(request: web.Request) -> web.StreamResponse:
    access_staff(request)
    return _render(request, "console.html", ws_path="/staff/console/ws")


async def console_socket(request: web.Request) -> web.StreamResponse:
    """A WebSocket is covered by neither SameSite cookies nor CORS: the upgrade must come
    from a page of this site, with a valid session."""
    access_same_origin(request, _settings(request))
    session = access_staff_socket(request)
    accounts = _accounts(request)
    token = request.cookies.get(SESSION_COOKIE, "")

    async def still_valid() -> bool:
        current = await accounts.resume(token)
        return current is not None and current.staff_id == session.staff_id

    return await serve_console(request, request.config_dict[QUEUE], session, still_valid)


# -- administration -------------------------------------------------------------------------


async def _staff_page(
    request: web.Request, session: StaffSession, *, status: int = 200, **context: Any
) -> web.Response:
    context.setdefault("error", None)
    context.setdefault("link", None)
    return _render(
        request,
        "admin_staff.html",
        status=status,
        staff=await _store(request).staff.all(),
        roles=[r.value for r in Role],
        ttl_hours=round(_settings(request).staff_setup_hours),
        **context,
    )


def _setup_link(request: web.Request, token: str) -> str:
    base = _settings(request).staff_public_url or f"{request.scheme}://{request.host}"
    return f"{base}/staff/setup/{token}"


def _admin(request: web.Request) -> StaffSession:
    session = access_staff(request)
    access_role(session, Role.ADMINISTRATOR)
    return session


def _staff_id(request: web.Request) -> str:
    staff_id = request.match_info["staff_id"]
    if not _ID.fullmatch(staff_id):
        raise not_found()
    return staff_id


async def staff_list(request: web.Request) -> web.StreamResponse:
    return await _staff_page(request, _admin(request))


async def staff_invite(request: web.Request) -> web.StreamResponse:
    session = _admin(request)
    form = await _form(request)
    try:
        record, token = await _accounts(request).invite(
            session, form.get("username", ""), form.get("role", "")
        )
    except AccountsError as exc:
        return await _staff_page(request, session, status=400, error=str(exc))
    return await _staff_page(
        request, session, link=_setup_link(request, token), link_for=record.username
    )


def _toggle(disabled: bool) -> Handler:
    async def handler(request: web.Request) -> web.StreamResponse:
        session = _admin(request)
        staff_id = _staff_id(request)
        if await _store(request).staff.get(staff_id) is None:
            raise not_found()
        try:
            await _accounts(request).set_disabled(session, staff_id, disabled)
        except AccountsError as exc:
            return await _staff_page(request, session, status=400, error=str(exc))
        return _redirect("/staff/admin/staff")

    return handler


async def staff_reset_2fa(request: web.Request) -> web.StreamResponse:
    session = _admin(request)
    staff_id = _staff_id(request)
    if await _store(request).staff.get(staff_id) is None:
        raise not_found()
    try:
        record, token = await _accounts(request).reset_second_factor(session, staff_id)
    except AccountsError as exc:
        return await _staff_page(request, session, status=400, error=str(exc))
    return await _staff_page(
        request, session, link=_setup_link(request, token), link_for=record.username
    )


async def audit_log(request: web.Request) -> web.StreamResponse:
    session = _admin(request)
    action = request.query.get("action", "")
    if action not in AUDIT_ACTIONS:
        action = ""
    store, accounts = _store(request), _accounts(request)
    if request.query.get("format") == "csv":
        await accounts.audit(session, "audit_exported")
        entries = await store.staff.audit_entries(action=action or None)
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(["id", "at", "staff_id", "username", "action", "conversation_id", "target"])
        for e in entries:
            writer.writerow(
                [
                    e.id,
                    e.at.isoformat(),
                    e.staff_id or "",
                    e.username or "",
                    e.action,
                    e.conversation_id or "",
                    e.target or "",
                ]
            )
        return web.Response(
            text=out.getvalue(),
            content_type="text/csv",
            headers={"Content-Disposition": 'attachment; filename="audit-log.csv"'},
        )
    await accounts.audit(session, "audit_viewed")
    entries = await store.staff.audit_entries(limit=AUDIT_PAGE_ROWS, action=action or None)
    return _render(
        request,
        "audit.html",
        entries=entries,
        actions=AUDIT_ACTIONS,
        action=action,
        limit=AUDIT_PAGE_ROWS,
    )


async def _sweep(app: web.Application, state: StaffState) -> None:
    policy = Policy.from_settings(state.settings)
    while True:
        try:
            now = state.clock()
            removed = await app[state.store_key].staff.delete_expired_sessions(
                now - policy.idle, now - policy.absolute
            )
            if removed:
                log.info("removed %d expired staff sessions", removed)
        except Exception:
            log.exception("removing expired staff sessions failed; retrying later")
        await asyncio.sleep(SWEEP_INTERVAL)


def _housekeeping(state: StaffState) -> Callable[[web.Application], AsyncIterator[None]]:
    async def ctx(app: web.Application) -> AsyncIterator[None]:
        if not await app[state.store_key].staff.count():
            log.warning(
                "no staff account yet: run `python -m bot create-admin --username <name>` "
                "to create the first administrator"
            )
        task = asyncio.create_task(_sweep(app, state))
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    return ctx


def create_staff_app(
    settings: Settings, store_key: web.AppKey[Store], content_key: web.AppKey[ContentHolder]
) -> web.Application:
    from handoff import admin_content, admin_services, admin_stats  # they use this module

    app = web.Application(middlewares=[staff_context])
    app[STATE] = StaffState(settings, store_key, content_key)
    app.router.add_get("/", home)
    app.router.add_get("/login", login_page)
    app.router.add_post("/login", login)
    app.router.add_post("/logout", logout)
    app.router.add_get("/setup/{token}", setup_page)
    app.router.add_post("/setup/{token}", setup)
    app.router.add_get("/conversations/{conversation_id}", conversation)
    app.router.add_get("/console", console_page)
    app.router.add_get("/console/ws", console_socket)
    app.router.add_static("/static/", STATIC)
    app.router.add_get("/admin/staff", staff_list)
    app.router.add_post("/admin/staff", staff_invite)
    app.router.add_post("/admin/staff/{staff_id}/disable", _toggle(True))
    app.router.add_post("/admin/staff/{staff_id}/enable", _toggle(False))
    app.router.add_post("/admin/staff/{staff_id}/reset-2fa", staff_reset_2fa)
    app.router.add_get("/admin/audit", audit_log)
    admin_content.install(app)  # /admin/content/*: responses, versions, import/export
    admin_services.install(app)  # /admin/services/*: the services directory, CSV
    admin_stats.install(app)  # /admin/ and /admin/stats/*: home, statistics
    return app


def add_staff_area(
    app: web.Application,
    settings: Settings,
    store_key: web.AppKey[Store],
    content_key: web.AppKey[ContentHolder],
) -> None:
    """Mount the staff area at /staff; its housekeeping runs once the store is open (add
    this after the storage cleanup context)."""
    staff_app = create_staff_app(settings, store_key, content_key)
    app.cleanup_ctx.append(_housekeeping(staff_app[STATE]))
    app.add_subapp("/staff", staff_app)


# What the admin pages (handoff/admin_*.py) build on: the same renderer, form reader,
# store, settings, accounts (for audit entries) and access checks as the pages above.
render = _render
redirect = _redirect
read_form = _form
store_of = _store
settings_of = _settings
accounts_of = _accounts
require_admin = _admin
