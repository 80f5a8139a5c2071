"""Real Chromium (Debian's `chromium`, driven by Playwright) against the real gateway app,
served in-process on a loopback port, with a scripted stand-in for Rasa.

The gateway runs on its own event loop in a thread (Playwright's sync API owns the test's
thread); `Gateway.run()` executes a coroutine there, e.g. to read the store. The embedding
site is a second little server on `localhost` (another origin than the gateway's
`127.0.0.1`); the quick-exit site is answered by Playwright's request routing: nothing
leaves the machine.
"""

from __future__ import annotations

import asyncio
import dataclasses
import re
import shutil
import threading
import time
from collections.abc import Coroutine, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest
from aiohttp import web
from playwright.sync_api import ConsoleMessage, Dialog, Locator, Page, Response, expect

from bot.app import STORE, create_app
from bot.launcher import free_port
from bot.messages import BotText, Button
from bot.rasa_client import RasaReply
from bot.settings import Secret, Settings
from bot.storage import Store
from handoff import totp
from handoff.accounts import Accounts, Policy
from handoff.throttle import Throttle

ROOT = Path(__file__).resolve().parents[2]
PARTNER_PORT = free_port()
PARTNER = f"http://localhost:{PARTNER_PORT}"
EXIT_URL = "http://neutral.test/weather"
ASK_HUMAN = "cho em nói chuyện với tư vấn viên"  # the stub dialogue asks for a counsellor
STAFF_PASSWORD = "correct horse battery"
T = TypeVar("T")

try:
    from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright
except ImportError:  # pragma: no cover - listed in requirements/gateway.lock
    pytest.fail("playwright is missing: run 'make setup'", pytrace=False)


class StubDialogue:
    """Stands in for Rasa: answers by message text (or payload), records every call.
    `ASK_HUMAN` (or the payload /request_human) answers with a handoff request, as
    Rasa's request_human rule does."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, dict[str, Any]]] = []
        self.delays: dict[str, float] = {"chậm": 0.8}

    async def send(self, conversation_id: str, text: str, metadata: Mapping[str, Any]) -> RasaReply:
        self.calls.append((conversation_id, text, dict(metadata)))
        await asyncio.sleep(self.delays.get(text, 0.0))
        if text in ("xin chào", "hello"):
            buttons = (
                Button("Số điện thoại", "/ask_hotlines"),
                Button("Tìm nơi hỗ trợ", "/find_service"),
            )
            return RasaReply((BotText("Chào bạn, mình có thể giúp gì?", buttons),), "greet", 0.99)
        if text in ("/request_human", ASK_HUMAN):  # the gateway writes the answer
            return RasaReply((), "request_human", 0.99, ({"handoff": {"reason": "user_request"}},))
        if text == "/ask_hotlines":
            return RasaReply((BotText("Đây là các số bạn có thể gọi."),), "ask_hotlines", 0.99)
        if text == "/share_location":
            where = metadata.get("location", {})
            reply = f"Nơi hỗ trợ gần {where.get('lat')}, {where.get('lon')}"
            return RasaReply((BotText(reply),), "share_location", 1.0)
        return RasaReply((BotText(f"Đã nhận: {text}"),), "inform", 0.9)

    def conversation_id(self) -> str:
        assert self.calls, "the dialogue was never called"
        return self.calls[-1][0]


class Gateway:
    """The real gateway app on 127.0.0.1:<port>, restartable on the same port and data."""

    def __init__(self, settings: Settings, dialogue: StubDialogue) -> None:
        self.settings = settings
        self.dialogue = dialogue
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.runner: web.AppRunner | None = None
        self.app: web.Application | None = None
        self.partner: web.AppRunner | None = None
        self.paths: list[str] = []  # every path the gateway answered, in order

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.settings.port}"

    @property
    def store(self) -> Store:
        assert self.app is not None
        return self.app[STORE]

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 20.0) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def start(self) -> None:
        async def up() -> None:
            self.app = create_app(self.settings, dialogue=self.dialogue)
            self.app.on_response_prepare.append(self._answered)
            self.runner = web.AppRunner(self.app, shutdown_timeout=0.5)
            await self.runner.setup()
            await web.TCPSite(self.runner, "127.0.0.1", self.settings.port).start()
            if self.partner is None:
                self.partner = web.AppRunner(partner_app(self.url))
                await self.partner.setup()
                await web.TCPSite(self.partner, "localhost", PARTNER_PORT).start()

        self.run(up())

    async def _answered(self, request: web.Request, response: web.StreamResponse) -> None:
        self.paths.append(request.path)

    def stop(self) -> None:
        if self.runner is not None:
            self.run(self.runner.cleanup())
            self.runner = None

    def close(self) -> None:
        self.stop()
        if self.partner is not None:
            self.run(self.partner.cleanup())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


@pytest.fixture
def dialogue() -> StubDialogue:
    return StubDialogue()


@pytest.fixture
def gateway(tmp_path: Path, dialogue: StubDialogue) -> Iterator[Gateway]:
    settings = Settings(
        port=free_port(),
        var_dir=tmp_path,
        content_dir=ROOT / "content",
        nlg_token=Secret("n" * 32),
        internal_token=Secret("i" * 32),
        rasa_url="http://127.0.0.1:9",
        ws_rate=50.0,
        ws_burst=50,
        allowed_origins=(PARTNER,),
    )
    gw = Gateway(settings, dialogue)
    gw.start()
    yield gw
    gw.close()


# Module-scoped, not session-scoped: while Playwright's sync API is up, its event loop
# counts as running in this thread, and the asyncio tests of later folders cannot start.
@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Debian's chromium is missing: run 'make chromium' (make test does it)")
    browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
    yield browser
    browser.close()


def watch_sockets(page: Page) -> list[Any]:
    """Relay the page's chat WebSockets unchanged and collect them, so that a test can
    drop a connection (`close()`) or inject a server frame (`send()`)."""
    sockets: list[Any] = []

    def relay(ws: Any) -> None:
        sockets.append(ws)
        ws.connect_to_server()

    page.route_web_socket(re.compile(r".*/ws$"), relay)
    return sockets


def host_page(gateway_url: str, attributes: str = "") -> str:
    """A page of an embedding site: nothing but text and the one script tag."""
    lang = "" if "data-lang" in attributes else 'data-lang="vi" '
    tag = f'<script src="{gateway_url}/widget.js" {lang}{attributes}></script>'
    return (
        "<!doctype html><html lang='vi'><head><meta charset='utf-8'><title>Partner</title>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'></head>"
        "<body><h1>Một trang bình thường</h1><p><a href='/other'>Liên kết</a></p>"
        f"{tag}</body></html>"
    )


# Pages of the embedding site, by path: the one script tag with these data-* attributes.
PARTNER_PAGES = {
    "/": f'data-exit-url="{EXIT_URL}"',
    "/disguised": f'data-exit-url="{EXIT_URL}" data-title="Công thức" data-icon="/icon.svg"',
    "/en": f'data-lang="en" data-exit-url="{EXIT_URL}"',
    "/strict": f'data-exit-url="{EXIT_URL}"',
}
ICON = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
    '<circle cx="5" cy="5" r="4" fill="#fff"/></svg>'
)


def partner_app(gateway_url: str) -> web.Application:
    """The embedding site: another origin (localhost vs 127.0.0.1) on another port."""

    async def page(request: web.Request) -> web.Response:
        attributes = PARTNER_PAGES.get(request.path)
        if attributes is None:
            raise web.HTTPNotFound()
        response = web.Response(text=host_page(gateway_url, attributes), content_type="text/html")
        if request.path == "/strict":  # a site with a strict policy of its own
            response.headers["Content-Security-Policy"] = (
                f"default-src 'self'; script-src {gateway_url}; frame-src {gateway_url}; "
                "style-src 'self'; img-src 'self'"
            )
        return response

    async def icon(request: web.Request) -> web.Response:
        return web.Response(text=ICON, content_type="image/svg+xml")

    app = web.Application()
    app.router.add_get("/icon.svg", icon)
    app.router.add_get("/{name:.*}", page)
    return app


def make_context(
    browser: Browser, gateway: Gateway, *, viewport: dict[str, int] | None = None, **kwargs: Any
) -> BrowserContext:
    context = browser.new_context(viewport=viewport or {"width": 1280, "height": 800}, **kwargs)
    context.route(
        "http://neutral.test/**",
        lambda route: route.fulfill(
            content_type="text/html; charset=utf-8", body="<h1>Thời tiết</h1>"
        ),
    )
    return context


@pytest.fixture
def context(browser: Browser, gateway: Gateway) -> Iterator[BrowserContext]:
    context = make_context(browser, gateway)
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


def settings_with(gateway: Gateway, **changes: Any) -> Settings:
    return dataclasses.replace(gateway.settings, **changes)


# -- staff ----------------------------------------------------------------------------------


def enrol(gateway: Gateway, username: str, role: str = "counsellor") -> bytes:
    """A staff account with its setup done (password and second factor); its TOTP secret.

    The setup is confirmed with the code of the previous 30-second step, so that the code
    of the next step (`staff_code`) is always new for the sign-in: a step is used once."""

    async def create() -> bytes:
        store = gateway.store
        accounts = Accounts(store, Policy(), Throttle())
        record = await store.staff.create(username, role, accounts.clock())
        token = await accounts.issue_setup(record.id)
        setup = await accounts.setup(token)
        assert setup is not None
        code = totp.code_at(setup.totp_secret, time.time() - totp.STEP)
        await accounts.complete_setup(token, STAFF_PASSWORD, STAFF_PASSWORD, code)
        return setup.totp_secret

    return gateway.run(create())


def staff_code(secret: bytes) -> str:
    """The code of the next 30-second step (accepted: one step of tolerance)."""
    return totp.code_at(secret, time.time() + totp.STEP)


def staff_sign_in(page: Page, gateway: Gateway, username: str, secret: bytes) -> None:
    """Sign in through the real /staff/login page, as a person would."""
    page.goto(gateway.url + "/staff/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_label("Code from the authenticator app").fill(staff_code(secret))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(gateway.url + "/staff/")


# -- shared by the browser tests: a watched page, ordered attributes --------------------


@dataclass
class Watched:
    """A page, with every JavaScript error, console error, dialog and HTTP error it had."""

    page: Page
    errors: list[str] = field(default_factory=list)
    refused: dict[str, int] = field(default_factory=dict)  # url: an expected 4xx answer

    def __post_init__(self) -> None:
        self.page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))
        self.page.on("console", self._console)
        self.page.on("dialog", self._dialog)
        self.page.on("response", self._response)

    def _console(self, message: ConsoleMessage) -> None:
        expected = self.refused.get(message.location.get("url", ""))
        if message.type == "error" and not (expected and str(expected) in message.text):
            self.errors.append(f"console: {message.text} ({message.location.get('url')})")

    def _response(self, response: Response) -> None:
        if response.status >= 400 and self.refused.get(response.url) != response.status:
            self.errors.append(f"HTTP {response.status} {response.url}")

    def _dialog(self, dialog: Dialog) -> None:
        self.errors.append(f"dialog: {dialog.type} {dialog.message}")
        dialog.dismiss()


def have_attributes(items: Locator, name: str, values: list[str]) -> None:
    """The items, in order, have these values of an attribute (waits for each)."""
    expect(items).to_have_count(len(values))
    for i, value in enumerate(values):
        expect(items.nth(i)).to_have_attribute(name, value)
