"""Every access decision of the staff area, one function each, one condition per line.

* ``access_same_origin`` and ``access_csrf`` guard every state-changing request (403);
* ``access_staff`` needs a signed-in session (pages redirect to the sign-in, other
  requests get 403); ``access_staff_socket`` the same for a WebSocket upgrade (403);
* ``access_role`` needs one of some roles (403);
* ``access_conversation``: supervisors and administrators see every conversation, a
  counsellor only those assigned to them; missing and forbidden look the same (404).
"""

from __future__ import annotations

import hmac
from typing import Final
from urllib.parse import urlsplit

from aiohttp import web

from bot.settings import Settings
from bot.storage import Store
from handoff.accounts import StaffSession
from handoff.roles import OVERSIGHT, Role

SESSION: Final = web.RequestKey("staff_session", StaffSession)  # absent: anonymous
LOGIN_PATH: Final = "/staff/login"
NOT_FOUND_BODY: Final = "Not found"
FORBIDDEN_BODY: Final = "Forbidden"


def not_found() -> web.HTTPNotFound:
    return web.HTTPNotFound(text=NOT_FOUND_BODY)


def forbidden() -> web.HTTPForbidden:
    return web.HTTPForbidden(text=FORBIDDEN_BODY)


def _origin(url: str) -> str | None:
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


def own_origins(request: web.Request, settings: Settings) -> set[str]:
    origins = {f"{request.scheme}://{request.host}"}
    if settings.staff_secure_cookies:
        origins.add(f"https://{request.host}")
    if settings.staff_public_url and (public := _origin(settings.staff_public_url)):
        origins.add(public)
    return origins


def access_same_origin(request: web.Request, settings: Settings) -> None:
    """The request comes from a page of this site: Origin, or else Referer, must match."""
    origin = request.headers.get("Origin")
    if origin is None and (referer := request.headers.get("Referer")):
        origin = _origin(referer)
    if origin is None:
        raise forbidden()
    if origin not in own_origins(request, settings):
        raise forbidden()


def access_csrf(given: str | None, *expected: str) -> None:
    """The request carries a CSRF token of its session or of its pre-session cookie
    (constant-time comparison)."""
    if not given:
        raise forbidden()
    if not any(hmac.compare_digest(given.encode(), token.encode()) for token in expected):
        raise forbidden()


def access_staff(request: web.Request) -> StaffSession:
    session = request[SESSION] if SESSION in request else None
    if session is None and request.method in ("GET", "HEAD"):
        raise web.HTTPFound(LOGIN_PATH)
    if session is None:
        raise forbidden()
    return session


def access_staff_socket(request: web.Request) -> StaffSession:
    """A WebSocket upgrade needs a signed-in session (403, never a redirect)."""
    session = request[SESSION] if SESSION in request else None
    if session is None:
        raise forbidden()
    return session


def access_role(session: StaffSession, *roles: Role) -> None:
    if session.role not in roles:
        raise forbidden()


async def access_conversation(store: Store, session: StaffSession, conversation_id: str) -> None:
    exists, assigned_to = await store.staff.assignment(conversation_id)
    if not exists:
        raise not_found()
    if session.role in OVERSIGHT:
        return
    if assigned_to == session.staff_id:
        return
    raise not_found()  # the same answer as a missing conversation
