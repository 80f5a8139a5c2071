"""The access matrix: every route of the gateway, and what anonymous visitors,
counsellors, supervisors and administrators get from it, checked with real requests and
real sessions (signed in through the login page with computed TOTP codes).

This is the one route guard of the app: a route that is not in MATRIX fails the test, so
whoever adds a route states who may use it. State-changing requests are sent the way a
browser of this site would (same Origin, the page's CSRF token), so that what is tested is
the access decision, not the CSRF check (tests/handoff/test_staff_web.py covers that).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aiohttp.test_utils import TestClient

from bot.app import STATIC
from tests.handoff.conftest import MemberFactory, accounts_of, csrf_of, enrol, origin, store_of

ROLES = ("anonymous", "counsellor", "supervisor", "administrator")


def everyone(status: int) -> dict[str, int]:
    return dict.fromkeys(ROLES, status)


def cells(anonymous: int, counsellor: int, supervisor: int, administrator: int) -> dict[str, int]:
    return dict(zip(ROLES, (anonymous, counsellor, supervisor, administrator), strict=True))


@dataclass(frozen=True)
class Case:
    path: str  # with {placeholders} filled from the fixtures' ids
    expect: dict[str, int]
    data: dict[str, str] | None = None


STATIC_FILE = sorted(p.name for p in STATIC.iterdir() if p.is_file())[0]

# (method, route) -> cases. Placeholders: {unassigned}, {assigned} (conversations; the
# second is assigned to the counsellor), {setup} (a valid setup token), {target} (an account
# that the administrator's requests act on).
MATRIX: dict[tuple[str, str], list[Case]] = {
    # -- public: the person seeking help, Rasa, the action server, Telegram ----------------
    ("GET", "/"): [Case("/", everyone(200))],
    ("GET", "/static"): [Case(f"/static/{STATIC_FILE}", everyone(200))],
    ("GET", "/widget.js"): [Case("/widget.js", everyone(200))],
    ("GET", "/widget/frame"): [Case("/widget/frame", everyone(200))],
    ("GET", "/healthz"): [Case("/healthz", everyone(200))],
    ("GET", "/ws"): [Case("/ws", everyone(400))],  # not a WebSocket upgrade
    ("POST", "/nlg"): [Case("/nlg", everyone(403))],  # no ?token=
    ("GET", "/internal/places/resolve"): [Case("/internal/places/resolve", everyone(403))],
    ("GET", "/internal/services"): [Case("/internal/services", everyone(403))],
    ("GET", "/internal/services/nearest"): [Case("/internal/services/nearest", everyone(403))],
    # Telegram is off in these settings (no bot token): the webhook does not exist (404);
    # with it on, a request without the secret header is refused (the channel's tests).
    ("POST", "/telegram/webhook"): [Case("/telegram/webhook", everyone(404))],
    # -- the staff area ------------------------------------------------------------------
    ("GET", "/staff/login"): [Case("/staff/login", cells(200, 303, 303, 303))],
    ("POST", "/staff/login"): [Case("/staff/login", everyone(401), {"username": "x"})],
    ("GET", "/staff/setup/{token}"): [
        Case("/staff/setup/{setup}", everyone(200)),
        Case("/staff/setup/not-a-token", everyone(404)),
    ],
    ("POST", "/staff/setup/{token}"): [
        Case("/staff/setup/{setup}", everyone(400), {"password": "short"}),
        Case("/staff/setup/not-a-token", everyone(404)),
    ],
    ("GET", "/staff/"): [Case("/staff/", cells(302, 200, 200, 200))],
    ("GET", "/staff/conversations/{conversation_id}"): [
        Case("/staff/conversations/{unassigned}", cells(302, 404, 200, 200)),
        Case("/staff/conversations/{assigned}", cells(302, 200, 200, 200)),
        Case("/staff/conversations/" + "0" * 32, cells(302, 404, 404, 404)),
    ],
    ("GET", "/staff/console"): [Case("/staff/console", cells(302, 200, 200, 200))],
    # Without an Origin of this site (and not an upgrade): refused before anything else;
    # tests/handoff/test_console.py covers the upgrade for each role.
    ("GET", "/staff/console/ws"): [Case("/staff/console/ws", everyone(403))],
    ("GET", "/staff/static"): [
        Case("/staff/static/console.js", everyone(200)),
        Case("/staff/static/nothing.js", everyone(404)),
    ],
    ("GET", "/staff/admin/staff"): [Case("/staff/admin/staff", cells(302, 403, 403, 200))],
    ("POST", "/staff/admin/staff"): [
        Case("/staff/admin/staff", cells(403, 403, 403, 400), {"username": ""})
    ],
    ("POST", "/staff/admin/staff/{staff_id}/disable"): [
        Case("/staff/admin/staff/{target}/disable", cells(403, 403, 403, 303))
    ],
    ("POST", "/staff/admin/staff/{staff_id}/enable"): [
        Case("/staff/admin/staff/{target}/enable", cells(403, 403, 403, 303))
    ],
    ("POST", "/staff/admin/staff/{staff_id}/reset-2fa"): [
        Case("/staff/admin/staff/{target}/reset-2fa", cells(403, 403, 403, 200))
    ],
    ("GET", "/staff/admin/audit"): [
        Case("/staff/admin/audit", cells(302, 403, 403, 200)),
        Case("/staff/admin/audit?format=csv", cells(302, 403, 403, 200)),
    ],
    # -- admin: content --
    ("GET", "/staff/admin/content"): [
        Case("/staff/admin/content", cells(302, 403, 403, 200)),
        Case("/staff/admin/content?q=bạn", cells(302, 403, 403, 200)),
    ],
    ("GET", "/staff/admin/content/{key}"): [
        Case("/staff/admin/content/utter_greet", cells(302, 403, 403, 200)),
        Case("/staff/admin/content/utter_nothing", cells(302, 403, 403, 404)),
    ],
    ("POST", "/staff/admin/content/{key}"): [
        Case("/staff/admin/content/utter_greet", cells(403, 403, 403, 200), {"action": "preview"})
    ],
    ("GET", "/staff/admin/content/versions"): [
        Case("/staff/admin/content/versions", cells(302, 403, 403, 200))
    ],
    ("POST", "/staff/admin/content/versions/{version}/restore"): [
        Case("/staff/admin/content/versions/1/restore", cells(403, 403, 403, 303)),
        Case("/staff/admin/content/versions/999/restore", cells(403, 403, 403, 404)),
    ],
    ("GET", "/staff/admin/content/export"): [
        Case("/staff/admin/content/export", cells(302, 403, 403, 200))
    ],
    ("POST", "/staff/admin/content/import"): [
        Case("/staff/admin/content/import", cells(403, 403, 403, 400))  # no file
    ],
    # -- admin: home and statistics --
    ("GET", "/staff/admin/"): [Case("/staff/admin/", cells(302, 403, 200, 200))],
    ("GET", "/staff/admin/stats"): [
        Case("/staff/admin/stats", cells(302, 403, 200, 200)),
        Case("/staff/admin/stats?format=csv", cells(302, 403, 200, 200)),
        Case("/staff/admin/stats?from=2024-01-01&to=2025-12-31", cells(302, 403, 400, 400)),
    ],
    # -- admin: services --
    ("GET", "/staff/admin/services"): [
        Case("/staff/admin/services", cells(302, 403, 403, 200)),
        Case("/staff/admin/services?q=ha+noi&stale=1&retired=all", cells(302, 403, 403, 200)),
    ],
    ("POST", "/staff/admin/services"): [
        Case("/staff/admin/services", cells(403, 403, 403, 400), {"id": ""})
    ],
    ("GET", "/staff/admin/services/new"): [
        Case("/staff/admin/services/new", cells(302, 403, 403, 200))
    ],
    ("GET", "/staff/admin/services/nearest"): [
        Case("/staff/admin/services/nearest?lat=21.03&lon=105.85", cells(302, 403, 403, 200))
    ],
    ("GET", "/staff/admin/services/export.csv"): [
        Case("/staff/admin/services/export.csv", cells(302, 403, 403, 200))
    ],
    ("GET", "/staff/admin/services/import"): [
        Case("/staff/admin/services/import", cells(302, 403, 403, 200))
    ],
    ("POST", "/staff/admin/services/import"): [
        Case("/staff/admin/services/import", cells(403, 403, 403, 400))  # no file
    ],
    ("GET", "/staff/admin/services/{service_id}"): [
        Case("/staff/admin/services/anh_duong_quang_ninh", cells(302, 403, 403, 200)),
        Case("/staff/admin/services/no_such_service", cells(302, 403, 403, 404)),
    ],
    ("POST", "/staff/admin/services/{service_id}"): [
        Case(
            "/staff/admin/services/anh_duong_quang_ninh", cells(403, 403, 403, 400), {"phone": "9"}
        )
    ],
    ("POST", "/staff/admin/services/{service_id}/retire"): [
        Case("/staff/admin/services/anh_duong_quang_ninh/retire", cells(403, 403, 403, 303))
    ],
    ("POST", "/staff/admin/services/{service_id}/unretire"): [
        Case("/staff/admin/services/anh_duong_quang_ninh/unretire", cells(403, 403, 403, 303))
    ],
    # last: it ends the sessions
    ("POST", "/staff/logout"): [Case("/staff/logout", cells(403, 303, 303, 303))],
}


def app_routes(client: TestClient) -> set[tuple[str, str]]:
    return {
        (route.method, route.resource.canonical)
        for route in client.app.router.routes()
        if route.resource is not None and route.method != "HEAD"
    }


def test_matrix_rows_are_well_formed() -> None:
    for cases in MATRIX.values():
        for case in cases:
            assert set(case.expect) == set(ROLES)


async def test_every_route_is_in_the_access_matrix(client: TestClient) -> None:
    routes = app_routes(client)
    missing = sorted(routes - MATRIX.keys())
    assert not missing, f"routes without a row in the access matrix: {missing}"


async def test_every_cell_of_the_access_matrix(
    client: TestClient, aiohttp_client: Any, member: MemberFactory
) -> None:
    clients: dict[str, TestClient] = {"anonymous": await aiohttp_client(client.server)}
    counsellor = await member("cora", "counsellor")
    clients["counsellor"] = counsellor.client
    clients["supervisor"] = (await member("sam", "supervisor")).client
    clients["administrator"] = (await member("ada", "administrator")).client
    target_id, _ = await enrol(client, "tara", "counsellor")
    store = store_of(client)
    pending = await store.staff.create("pending", "counsellor", datetime.now(UTC))
    unassigned = await store.create_conversation("web", "vi", None)
    assigned = await store.create_conversation("telegram", "en", "chat-1")
    await store.staff.assign(assigned.id, counsellor.id)
    ids = {
        "unassigned": unassigned.id,
        "assigned": assigned.id,
        "setup": await accounts_of(client).issue_setup(pending.id),
        "target": target_id,
    }

    async def token_for(role: str) -> str:
        page = await clients[role].get("/staff/login" if role == "anonymous" else "/staff/")
        return csrf_of(await page.text())

    failures = []
    routes = app_routes(client)
    for (method, route), cases in MATRIX.items():
        if (method, route) not in routes:
            continue  # a row written ahead of its route (another change in progress)
        for case in cases:
            path = case.path.format(**ids)
            for role in ROLES:
                http = clients[role]
                kwargs: dict[str, Any] = {"allow_redirects": False}
                if method != "GET":
                    kwargs["headers"] = {"Origin": origin(http)}
                    kwargs["data"] = {"csrf": await token_for(role), **(case.data or {})}
                resp = await http.request(method, path, **kwargs)
                await resp.read()
                if resp.status != case.expect[role]:
                    failures.append(
                        f"{method} {path} as {role}: {resp.status}, expected {case.expect[role]}"
                    )
    assert not failures, "\n".join(failures)
