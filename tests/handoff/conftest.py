"""Fixtures for the staff area: the real gateway app on SQLite in a temp dir, a clock the
tests move, and helpers that sign in through the real pages with computed TOTP codes."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.app import STORE, create_app
from bot.settings import Secret, Settings
from bot.storage import Store
from handoff import totp
from handoff.accounts import Accounts, Policy
from handoff.web import STATE
from tests.bot.conftest import ScriptedDialogue

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery"
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


class FakeClock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class Member:
    """A signed-in member of staff: their own client (cookie jar) on the shared server."""

    id: str
    username: str
    role: str
    secret: bytes
    client: TestClient

    async def csrf(self) -> str:
        return csrf_of(await (await self.client.get("/staff/")).text())

    async def post(self, path: str, data: dict[str, str] | None = None, **kw: Any) -> Any:
        form = {"csrf": await self.csrf(), **(data or {})}
        return await self.client.post(
            path, data=form, headers={"Origin": origin(self.client)}, allow_redirects=False, **kw
        )


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "no CSRF field in the page"
    return found.group(1)


def origin(client: TestClient) -> str:
    return f"http://{client.server.host}:{client.server.port}"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        var_dir=tmp_path,
        content_dir=ROOT / "content",
        nlg_token=Secret("n" * 32),
        internal_token=Secret("i" * 32),
        rasa_url="http://127.0.0.1:9",
    )


@pytest.fixture
async def client(aiohttp_client: Any, settings: Settings, clock: FakeClock) -> TestClient:
    app = create_app(settings, dialogue=ScriptedDialogue())
    started: TestClient = await aiohttp_client(app)
    app._subapps[0][STATE].clock = clock  # the staff area reads this clock
    return started


def staff_state(client: TestClient) -> Any:
    return client.app._subapps[0][STATE]


def store_of(client: TestClient) -> Store:
    return client.app[STORE]


def accounts_of(client: TestClient) -> Accounts:
    state = staff_state(client)
    return Accounts(
        store_of(client), Policy.from_settings(state.settings), state.throttle, state.clock
    )


async def enrol(client: TestClient, username: str, role: str) -> tuple[str, bytes]:
    """Create an account and complete its setup link through the real pages."""
    clock: FakeClock = staff_state(client).clock
    record = await store_of(client).staff.create(username, role, clock())
    token = await accounts_of(client).issue_setup(record.id)
    secret = await complete_setup_page(client, token)
    return record.id, secret


async def complete_setup_page(client: TestClient, token: str) -> bytes:
    clock: FakeClock = staff_state(client).clock
    page = await client.get(f"/staff/setup/{token}")
    assert page.status == 200
    html = await page.text()
    secret_b32 = re.search(r'<code id="secret">([A-Z2-7]+)</code>', html)
    assert secret_b32
    import base64

    raw = secret_b32.group(1)
    secret = base64.b32decode(raw + "=" * (-len(raw) % 8))
    resp = await client.post(
        f"/staff/setup/{token}",
        data={
            "csrf": csrf_of(html),
            "password": PASSWORD,
            "confirm": PASSWORD,
            "code": totp.code_at(secret, clock().timestamp()),
        },
        headers={"Origin": origin(client)},
    )
    assert resp.status == 200, await resp.text()
    clock.advance(seconds=totp.STEP)  # the next sign-in needs a fresh code
    return secret


async def sign_in(
    client: TestClient, username: str, secret: bytes, *, password: str = PASSWORD
) -> Any:
    clock: FakeClock = staff_state(client).clock
    page = await client.get("/staff/login")
    return await client.post(
        "/staff/login",
        data={
            "csrf": csrf_of(await page.text()),
            "username": username,
            "password": password,
            "code": totp.code_at(secret, clock().timestamp()),
        },
        headers={"Origin": origin(client)},
        allow_redirects=False,
    )


MemberFactory = Callable[[str, str], Any]


@pytest.fixture
def member(aiohttp_client: Any, client: TestClient) -> MemberFactory:
    """`await member("ana", "counsellor")`: an enrolled, signed-in member with own client."""

    async def make(username: str, role: str) -> Member:
        own = await aiohttp_client(client.server)
        staff_id, secret = await enrol(own, username, role)
        resp = await sign_in(own, username, secret)
        assert resp.status == 303, await resp.text()
        staff_state(client).clock.advance(seconds=totp.STEP)
        return Member(staff_id, username, role, secret, own)

    return make
