"""The web widget end to end in Chromium against the real stack (Rasa, action server,
gateway): greeting → disclosure → nearest service from a shared location → quick exit."""

from __future__ import annotations

import shutil
import sqlite3
import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from bot.content import ContentLibrary, load_content_dir
from bot.launcher import ROOT, Stack
from bot.settings import DEFAULT_EXIT_URL

pytestmark = pytest.mark.integration
LIBRARY = ContentLibrary(load_content_dir(ROOT / "content"))
HANOI = {"latitude": 21.0285, "longitude": 105.8542}


def texts(key: str, language: str = "vi") -> set[str]:
    return {m.text for m in LIBRARY.variations(key, language)}


@pytest.fixture
def page(stack: Stack) -> Iterator[Page]:
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Debian's chromium is missing: run 'make chromium'")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        context = browser.new_context(
            viewport={"width": 390, "height": 800},
            geolocation=HANOI,
            permissions=["geolocation"],
        )
        # the quick exit's default neutral site, answered here: nothing leaves the machine
        context.route(
            "https://www.google.com/**",
            lambda route: route.fulfill(
                content_type="text/html; charset=utf-8", body="<h1>Thời tiết</h1>"
            ),
        )
        yield context.new_page()
        browser.close()


def bot_texts(page: Page) -> list[str]:
    frame = page.frames[1]
    return list(
        frame.evaluate(
            "[...document.querySelectorAll('.msg.bot, .msg.system')]"
            ".map(e => e.childNodes[1] ? e.childNodes[1].textContent : '')"
        )
    )


def wait_for_answer(page: Page, before: int, expected: set[str], timeout: float = 20.0) -> str:
    """The first bot message after the first `before` ones whose text is in `expected`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for text in bot_texts(page)[before:]:
            if text in expected:
                return text
        time.sleep(0.1)
    raise AssertionError(f"none of the expected answers came: {bot_texts(page)[before:]}")


def test_widget_conversation_with_the_real_stack(page: Page, stack: Stack) -> None:
    page.goto(stack.gateway_url + "/")
    page.get_by_role("button", name="Hỏi đáp").click()
    chat = page.frame_locator("iframe")
    wait_for_answer(page, 0, texts("gw_safety_notice"))
    box = chat.get_by_label("Tin nhắn", exact=True)

    before = len(bot_texts(page))
    box.fill("xin chào")
    box.press("Enter")
    wait_for_answer(page, before, texts("utter_greet"))
    expect(chat.get_by_role("button", name="Tìm nơi hỗ trợ gần bạn").first).to_be_visible()

    before = len(bot_texts(page))
    box.fill("chồng em hay đánh em")
    box.press("Enter")
    wait_for_answer(page, before, texts("utter_disclosure"))

    before = len(bot_texts(page))
    chat.get_by_role("button", name="Chia sẻ vị trí của tôi").click()
    expect(chat.get_by_role("dialog")).to_be_visible()
    chat.get_by_role("button", name="Chia sẻ vị trí", exact=True).click()
    deadline = time.monotonic() + 20
    while not any("Hà Nội" in t for t in bot_texts(page)[before:]):
        assert time.monotonic() < deadline, bot_texts(page)[before:]
        time.sleep(0.1)
    found = next(t for t in bot_texts(page)[before:] if "Hà Nội" in t)
    assert found.startswith("Đây là những nơi có thể hỗ trợ bạn ở Hà Nội"), found

    chat.get_by_role("button", name="Thoát nhanh").click()
    page.wait_for_url(DEFAULT_EXIT_URL)
    expect(page.locator("h1")).to_have_text("Thời tiết")
    assert page.evaluate("localStorage.length + sessionStorage.length") == 0
    assert page.context.cookies() == []
    page.go_back()  # where the person was before the chat, never the chat
    assert page.url == "about:blank"
    assert len(page.frames) == 1

    # the exit frame ended the conversation on the server
    with sqlite3.connect(stack.var_dir / "gateway.db") as conn:
        deadline = time.monotonic() + 5
        while True:
            (state,) = conn.execute(
                "SELECT state FROM conversations ORDER BY created_at DESC LIMIT 1"
            ).fetchone()
            if state == "closed" or time.monotonic() > deadline:
                break
            time.sleep(0.1)
    assert state == "closed"
