"""Take the screenshots in docs/: the widget (docs/widget-mobile.png,
docs/widget-desktop.png), the counsellor console (docs/console.png, 1280x800) and the
admin area (docs/admin-content.png, docs/admin-services.png, 1280x800):

    .venv/bin/python -m tests.browser.screenshots [OUT_DIR] [widget|console|admin ...]

The real gateway with the approved texts from content/ in place of Rasa's choice of them,
the gateway's demo page in Debian's Chromium, short conversations in Vietnamese. For the
console: a counsellor signed in through the real login page, three people in the queue at
different risk levels, one of them claimed, with a few messages and a private note. For the
admin area: an administrator editing the greeting with its preview, and the report of a
services CSV with one row naming a province that does not exist. Every name and message is
made up.
"""

from __future__ import annotations

import csv
import io
import shutil
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, expect, sync_playwright

from bot.content import ContentLibrary, load_content_dir
from bot.rasa_client import RasaReply
from bot.settings import Secret, Settings
from tests.browser.conftest import (
    ASK_HUMAN,
    ROOT,
    Gateway,
    StubDialogue,
    enrol,
    free_port,
    staff_sign_in,
    watch_sockets,
)

LIBRARY = ContentLibrary(load_content_dir(ROOT / "content"))
COUNSELLOR = "Chào bạn, mình là tư vấn viên. Mình đang đọc tin nhắn của bạn."
CONSOLE_REPLY = (
    "Cảm ơn bạn đã kể cho mình. Lúc này bạn có đang ở một nơi an toàn không? "
    "Bạn có thể trả lời ngắn thôi cũng được."
)
CONSOLE_NOTE = "Chỉ nhắn tin sau 8 giờ sáng. Không gọi điện."


class ContentDialogue(StubDialogue):
    """Answers with the approved content, as Rasa would for these messages."""

    async def send(self, conversation_id: str, text: str, metadata: Mapping[str, Any]) -> RasaReply:
        if text == ASK_HUMAN:  # a handoff request: the gateway writes the answer
            return await super().send(conversation_id, text, metadata)
        self.calls.append((conversation_id, text, dict(metadata)))
        key = {"xin chào": "utter_greet", "chồng em hay đánh em": "utter_disclosure"}.get(text)
        return RasaReply((LIBRARY.variations(key or "utter_default", "vi")[0],), "greet", 0.99)


def converse(page: Page, url: str, counsellor: bool) -> None:
    sockets: list[Any] = watch_sockets(page) if counsellor else []
    page.goto(url)
    page.get_by_role("button", name="Hỏi đáp").click()
    chat = page.frame_locator("iframe")
    box = chat.get_by_label("Tin nhắn", exact=True)
    turns = (("xin chào", 2), ("chồng em hay đánh em", 3))
    for text, answers in turns if counsellor else turns[:1]:
        box.fill(text)
        box.press("Enter")
        expect(chat.locator(".msg.bot")).to_have_count(answers)
    if counsellor:
        frame = '{"type":"message","seq":90,"from":"counsellor","text":"%s","buttons":[]}'
        sockets[-1].send(frame % COUNSELLOR)
        sockets[-1].send('{"type":"typing","on":true,"from":"counsellor"}')
        expect(chat.locator(".msg.counsellor")).to_have_count(1)
    # mobile: the start (safety notice, greeting); desktop: the latest messages
    chat.locator("#log").evaluate(f"e => e.scrollTop = {'e.scrollHeight' if counsellor else 0}")
    page.wait_for_timeout(300)


def person(browser: Browser, url: str, *texts: str) -> Page:
    """Someone in the widget on the demo page who writes these messages."""
    page = browser.new_context(viewport={"width": 1024, "height": 700}).new_page()
    page.goto(url)
    page.get_by_role("button", name="Hỏi đáp").click()
    chat = page.frame_locator("iframe")
    expect(chat.locator(".msg.bot")).to_have_count(1)
    for i, text in enumerate(texts, 1):
        chat.get_by_label("Tin nhắn", exact=True).fill(text)
        chat.get_by_label("Tin nhắn", exact=True).press("Enter")
        expect(chat.locator(".msg.user")).to_have_count(i)
        expect(chat.locator("#status")).to_have_text("")
    return page


def console(browser: Browser, gateway: Gateway, dialogue: StubDialogue) -> Page:
    """The console of a counsellor holding one conversation, two more people waiting."""
    secret = enrol(gateway, "mai")
    context = browser.new_context(viewport={"width": 1280, "height": 800}, device_scale_factor=1)
    page = context.new_page()
    staff_sign_in(page, gateway, "mai", secret)
    page.goto(gateway.url + "/staff/console")
    expect(page.get_by_test_id("connection-status")).to_have_attribute("data-state", "open")
    waiting = page.get_by_test_id("queue-waiting").get_by_test_id("queue-entry")

    held = person(browser, gateway.url + "/", "xin chào", "chồng em hay đánh em", ASK_HUMAN)
    held_id = dialogue.conversation_id()
    expect(waiting).to_have_count(1)
    page.locator(f'[data-conversation-id="{held_id}"]').get_by_test_id("claim").click()
    pane = page.get_by_test_id("conversation")
    box = pane.get_by_test_id("reply-box")
    box.fill(CONSOLE_REPLY)
    box.press("Enter")
    chat = held.frame_locator("iframe")
    expect(chat.locator(".msg.counsellor")).to_have_count(1)
    chat.get_by_label("Tin nhắn", exact=True).fill("em đang ở nhà mẹ, chồng em không biết")
    chat.get_by_label("Tin nhắn", exact=True).press("Enter")
    expect(pane.get_by_test_id("transcript-message").last).to_have_attribute("data-from", "user")
    pane.get_by_test_id("note-box").fill(CONSOLE_NOTE)
    pane.get_by_test_id("note-add").click()
    expect(pane.get_by_test_id("note")).to_have_count(1)
    expect(pane.get_by_test_id("note")).not_to_have_attribute("data-pending", "true")

    person(browser, gateway.url + "/", "anh ấy dọa sẽ giết em nếu em bỏ đi")
    person(browser, gateway.url + "/", ASK_HUMAN)
    expect(waiting).to_have_count(2)
    expect(waiting.first).to_have_attribute("data-risk", "high")
    page.evaluate("document.activeElement.blur()")  # no focus ring in the picture
    page.wait_for_timeout(1200)  # the waits tick once a second: let them show a few seconds
    return page


ADMIN_GREETING = (
    "Chào bạn, mình là trợ lý của Nhà Bình Yên. Mình ở đây để lắng nghe và chỉ cho bạn "
    "những nơi có thể giúp đỡ.\nBạn muốn bắt đầu từ đâu?"
)


def admin(browser: Browser, gateway: Gateway, out: Path) -> None:
    """An administrator edits the greeting (with its preview), then imports a services CSV
    where one row names a province that does not exist."""
    secret = enrol(gateway, "lan", "administrator")
    context = browser.new_context(viewport={"width": 1280, "height": 800}, device_scale_factor=1)
    page = context.new_page()
    staff_sign_in(page, gateway, "lan", secret)
    page.goto(gateway.url + "/staff/admin/content/utter_greet")
    page.locator("#vi-0-text").fill(ADMIN_GREETING)
    page.get_by_role("button", name="Preview").click()
    expect(page.locator('#preview [lang="vi"] .widget-bubble').first).to_contain_text("Bình Yên")
    page.locator("h1").scroll_into_view_if_needed()
    page.evaluate("document.activeElement.blur()")
    page.screenshot(path=str(out / "admin-content.png"))

    page.goto(gateway.url + "/staff/admin/services")
    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    text = download.value.path().read_bytes().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    rows[3]["province"] = "Tỉnh Hoa Sen"  # made up: not one of the 34 provinces
    rows.append(
        dict(rows[0])
        | {"id": "nha_tam_lanh_hoa_sen", "name_vi": "Nhà tạm lánh Hoa Sen", "phone": "x"}
    )
    data = io.StringIO()
    writer = csv.DictWriter(data, list(rows[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    page.get_by_role("link", name="Import CSV").click()
    page.get_by_label("CSV file").set_input_files(
        {"name": "dich-vu.csv", "mimeType": "text/csv", "buffer": data.getvalue().encode()}
    )
    page.get_by_role("button", name="Import").click()
    expect(page.locator("#bad-rows tbody tr")).to_have_count(2)
    page.evaluate("document.activeElement.blur()")
    page.screenshot(path=str(out / "admin-services.png"))
    context.close()


def main(out: Path, which: tuple[str, ...] = ("widget", "console", "admin")) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            port=free_port(),
            var_dir=Path(tmp),
            content_dir=ROOT / "content",
            nlg_token=Secret("n" * 32),
            internal_token=Secret("i" * 32),
            rasa_url="http://127.0.0.1:9",
        )
        dialogue = ContentDialogue()
        gateway = Gateway(settings, dialogue)
        gateway.start()
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=shutil.which("chromium"))
                if "admin" in which:
                    admin(browser, gateway, out)
                if "console" in which:
                    page = console(browser, gateway, dialogue)
                    page.screenshot(path=str(out / "console.png"))
                for name, viewport, counsellor in (
                    ("mobile", {"width": 360, "height": 740}, False),
                    ("desktop", {"width": 1024, "height": 700}, True),
                ):
                    if "widget" not in which:
                        break
                    context = browser.new_context(viewport=viewport, device_scale_factor=1)
                    page = context.new_page()
                    converse(page, gateway.url + "/", counsellor)
                    page.screenshot(path=str(out / f"widget-{name}.png"))
                    context.close()
                browser.close()
        finally:
            gateway.close()


if __name__ == "__main__":
    main(
        Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs",
        tuple(sys.argv[2:]) or ("widget", "console", "admin"),
    )
