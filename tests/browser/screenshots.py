"""Take the widget screenshots in docs/ (docs/widget-mobile.png, docs/widget-desktop.png):

    .venv/bin/python -m tests.browser.screenshots [OUT_DIR]

The real gateway with the approved texts from content/ in place of Rasa's choice of them,
the gateway's demo page in Debian's Chromium, a short conversation in Vietnamese.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect, sync_playwright

from bot.content import ContentLibrary, load_content_dir
from bot.rasa_client import RasaReply
from bot.settings import Secret, Settings
from tests.browser.conftest import ROOT, Gateway, StubDialogue, free_port, watch_sockets

LIBRARY = ContentLibrary(load_content_dir(ROOT / "content"))
COUNSELLOR = "Chào bạn, mình là tư vấn viên. Mình đang đọc tin nhắn của bạn."


class ContentDialogue(StubDialogue):
    """Answers with the approved content, as Rasa would for these messages."""

    async def send(self, conversation_id: str, text: str, metadata: Mapping[str, Any]) -> RasaReply:
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


def main(out: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            port=free_port(),
            var_dir=Path(tmp),
            content_dir=ROOT / "content",
            nlg_token=Secret("n" * 32),
            internal_token=Secret("i" * 32),
            rasa_url="http://127.0.0.1:9",
        )
        gateway = Gateway(settings, ContentDialogue())
        gateway.start()
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=shutil.which("chromium"))
                for name, viewport, counsellor in (
                    ("mobile", {"width": 360, "height": 740}, False),
                    ("desktop", {"width": 1024, "height": 700}, True),
                ):
                    context = browser.new_context(viewport=viewport, device_scale_factor=1)
                    page = context.new_page()
                    converse(page, gateway.url + "/", counsellor)
                    page.screenshot(path=str(out / f"widget-{name}.png"))
                    context.close()
                browser.close()
        finally:
            gateway.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs")
