"""The admin area (issue 5) in real Chromium: an administrator edits a Vietnamese response,
previews it, publishes it, and the next widget conversation shows the new text; a services
CSV with one bad row imports nothing and reports the row; `<script>` stored in every text
field (responses, buttons, services, counsellor replies, notes, a person's message) stays
text in the console, the widget and every admin page.

Staff are enrolled through the accounts API and sign in through the real /staff/login page
with a computed TOTP code. The stand-in for Rasa answers with fixed texts, so the edited
response is one the gateway itself sends from the published content: the widget's safety
notice, said at the start of every new widget conversation. No page may log a JavaScript
error, open a dialog or get an HTTP error.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import quote

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Frame,
    FrameLocator,
    Locator,
    Page,
    expect,
)

from bot.content import ContentLibrary, load_content_dir
from tests.browser.conftest import (
    ASK_HUMAN,
    PARTNER,
    ROOT,
    Gateway,
    StubDialogue,
    Watched,
    enrol,
    have_attributes,
    make_context,
    staff_sign_in,
)

LIBRARY = ContentLibrary(load_content_dir(ROOT / "content"))
NOTICE = "gw_safety_notice"
OLD_FIRST_LINE = "Trước khi bắt đầu, đây là vài điều về sự riêng tư."
NEW_FIRST_LINE = "Chào bạn. Trước khi trò chuyện, mời bạn đọc vài điều về sự riêng tư."
CONTENT = "/staff/admin/content"
SERVICES = "/staff/admin/services"


def notice(first_line: str = OLD_FIRST_LINE) -> str:
    """The safety notice as the widget shows it, with this first line."""
    text = LIBRARY.render(NOTICE, "vi").text
    assert text.startswith(OLD_FIRST_LINE + "\n")
    return first_line + text[len(OLD_FIRST_LINE) :]


@dataclass
class Browsers:
    browser: Browser
    gateway: Gateway
    contexts: list[BrowserContext] = field(default_factory=list)
    watched: list[Watched] = field(default_factory=list)

    def watch(self, page: Page) -> Watched:
        watched = Watched(page)
        self.watched.append(watched)
        return watched

    def staff(self, username: str, role: str) -> Watched:
        """Enrolled, signed in through the login page (a context of its own)."""
        secret = enrol(self.gateway, username, role)
        # no request routing here: with routing on, Chromium never asks for /favicon.ico
        context = self.browser.new_context(viewport={"width": 1280, "height": 800})
        self.contexts.append(context)
        staff = self.watch(context.new_page())
        staff_sign_in(staff.page, self.gateway, username, secret)
        return staff

    def widget(self) -> tuple[Watched, FrameLocator]:
        """A new widget conversation on the embedding site, in a new context."""
        context = make_context(self.browser, self.gateway)
        self.contexts.append(context)
        person = self.watch(context.new_page())
        person.page.goto(PARTNER + "/")
        person.page.get_by_role("button", name="Hỏi đáp").click()
        chat = person.page.frame_locator("iframe")
        expect(chat.locator(".msg.bot")).not_to_have_count(0)
        return person, chat

    def no_errors(self) -> None:
        for watched in self.watched:
            assert watched.errors == [], watched.errors


@pytest.fixture
def browsers(browser: Browser, gateway: Gateway) -> Iterator[Browsers]:
    made = Browsers(browser, gateway)
    yield made
    for context in made.contexts:
        context.close()


def first_bot_message(chat: FrameLocator) -> Locator:
    return chat.locator(".msg.bot").first


def test_an_administrator_edits_previews_and_publishes_a_vietnamese_response(
    browsers: Browsers, gateway: Gateway
) -> None:
    admin = browsers.staff("lan", "administrator")
    page = admin.page
    page.get_by_role("link", name="Admin", exact=True).click()
    page.get_by_role("link", name="Content", exact=True).click()
    expect(page).to_have_url(gateway.url + CONTENT)
    page.get_by_label("Search keys and texts").fill("riêng tư")
    page.get_by_role("button", name="Search").click()
    row = page.locator("tr", has=page.get_by_role("link", name=NOTICE, exact=True))
    expect(row.locator('td[lang="vi"]')).to_have_text(OLD_FIRST_LINE)
    row.get_by_role("link", name=NOTICE).click()
    expect(page).to_have_url(gateway.url + f"{CONTENT}/{NOTICE}")

    # edit the Vietnamese text (the English one stays), then preview it
    box = page.locator("#vi-0-text")
    old = box.input_value()
    assert old.startswith(OLD_FIRST_LINE + "\n")
    box.fill(NEW_FIRST_LINE + old[len(OLD_FIRST_LINE) :])
    # the preview follows the typing (handoff/static/admin_content.js), then the button
    expect(page.locator('#preview[data-live="updated"]')).to_have_count(1)
    for shown in (".preview-telegram .tg-text", ".preview-widget .widget-bubble"):
        expect(page.locator(f'#preview [lang="vi"]{shown}')).to_have_text(notice(NEW_FIRST_LINE))
    page.get_by_role("button", name="Preview").click()
    for shown in (".preview-telegram .tg-text", ".preview-widget .widget-bubble"):
        vi, en = (page.locator(f'#preview [lang="{lang}"]{shown}') for lang in ("vi", "en"))
        expect(vi).to_have_text(notice(NEW_FIRST_LINE))  # as Telegram, as the widget shows it
        expect(vi).to_be_visible()
        expect(en).to_have_text(LIBRARY.render(NOTICE, "en").text)
    expect(page.locator("#vi-0-text")).to_have_value(NEW_FIRST_LINE + old[len(OLD_FIRST_LINE) :])
    expect(page.locator("#problems")).to_have_count(0)

    # a draft: the bot still says the published text
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator("#notice")).to_contain_text("Draft saved as version")
    expect(page.locator("#notice")).to_contain_text("still says the published text")
    expect(page.locator(".draft-marker")).to_have_text("has a draft")
    _, chat = browsers.widget()
    expect(first_bot_message(chat)).to_have_text("Trợ lý: " + notice())

    # published: the next widget conversation starts with the new text
    page.get_by_role("button", name="Publish").click()
    expect(page.locator("#notice")).to_contain_text("Published as version")
    expect(page.locator("#notice")).to_contain_text("the next reply uses it")
    expect(page.locator(".draft-marker")).to_have_count(0)
    _, chat = browsers.widget()
    expect(first_bot_message(chat)).to_have_text("Trợ lý: " + notice(NEW_FIRST_LINE))
    live = gateway.run(gateway.store.load_documents())["responses"][NOTICE]
    assert live["vi"][0]["text"].startswith(NEW_FIRST_LINE + "\n")

    # the versions page names the author of both versions; the list shows it published
    page.goto(gateway.url + f"{CONTENT}/versions")
    expect(page.get_by_role("cell", name="lan", exact=True)).to_have_count(2)
    page.goto(gateway.url + f"{CONTENT}?q=" + NEW_FIRST_LINE.split(".")[0])
    row = page.locator("tr", has=page.get_by_role("link", name=NOTICE, exact=True))
    expect(row.locator('td[lang="vi"]')).to_have_text(NEW_FIRST_LINE)
    expect(row).to_contain_text("published")
    browsers.no_errors()


def test_a_services_csv_with_one_bad_row_imports_nothing_and_reports_the_row(
    browsers: Browsers, gateway: Gateway
) -> None:
    admin = browsers.staff("lan", "administrator")
    page = admin.page
    page.goto(gateway.url + "/staff/admin/")
    page.get_by_role("link", name="Services", exact=True).click()
    expect(page).to_have_url(gateway.url + SERVICES)
    listed = page.locator("#services tbody tr")
    before = listed.all_inner_texts()
    caption = page.locator("#services caption").inner_text()
    assert len(before) > 3, before

    # the export, as a person downloads it
    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    assert download.value.suggested_filename.endswith(".csv")
    data = download.value.path().read_bytes()
    assert data.startswith("\ufeff".encode()), "Excel needs the byte-order mark"
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert len(rows) == len(before)
    header = list(rows[0])

    # row 4 of the spreadsheet (the third service) gets a province that does not exist;
    # a new, correct service is added at the end
    bad = rows[2]
    bad["province"] = "Tỉnh Atlantis"
    good = dict(rows[0]) | {
        "id": "nha_tam_lanh_thu_nghiem",
        "name_vi": "Nhà tạm lánh Thử Nghiệm",
        "name_en": "Test Shelter",
    }
    out = io.StringIO()
    writer = csv.DictWriter(out, header, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows([*rows, good])

    page.get_by_role("link", name="Import CSV").click()
    page.get_by_label("CSV file").set_input_files(
        {"name": "services.csv", "mimeType": "text/csv", "buffer": out.getvalue().encode()}
    )
    admin.refused[f"{gateway.url}{SERVICES}/import"] = 400  # the report: nothing imported
    with page.expect_response(lambda r: r.url.endswith("/import")) as answer:
        page.get_by_role("button", name="Import").click()
    assert answer.value.status == 400
    report = page.locator("#bad-rows")
    expect(report.locator("caption")).to_have_text(
        f"Nothing was imported: 1 of {len(rows) + 1} rows have problems"
    )
    expect(report.locator("tbody tr")).to_have_count(1)
    cells = report.locator("tbody tr").first.locator("td")
    expect(cells.nth(0)).to_have_text("4")
    expect(cells.nth(1)).to_have_text(bad["id"])
    expect(cells.nth(2)).to_have_text(
        "province: “Tỉnh Atlantis” is not one of the 34 provinces (nor a former name or alias)."
    )
    expect(page.locator("#imported")).to_have_count(0)

    # nothing changed: the list is the same, without the new service
    page.get_by_role("link", name="Services directory").click()
    expect(page.locator("#services caption")).to_have_text(caption)
    assert listed.all_inner_texts() == before
    expect(page.locator("#service-nha_tam_lanh_thu_nghiem")).to_have_count(0)
    services = gateway.run(gateway.store.load_documents())["services"]
    assert [s["id"] for s in services] == [r["id"] for r in rows]
    browsers.no_errors()


# -- escaping: <script> in every text field ----------------------------------------------------

PAYLOAD = '<script>window.__xss=1;alert(1)</script><img src=x onerror="window.__xss=2;alert(2)">'
SHORT = "<img src=x onerror=window.__xss=3>"  # a button title: at most 40 characters
NOTE = "Ghi chú " + PAYLOAD
REPLY = "Tư vấn viên: " + PAYLOAD
SAID = "Em viết " + PAYLOAD
SERVICE = "xss_test_ha_noi"


def untouched(frame: Page | Frame | None, where: str) -> None:
    """No stored script ran here (a dialog or a failed <img> would be an error too)."""
    assert frame is not None
    assert frame.evaluate("typeof window.__xss") == "undefined", where
    assert frame.locator("script:not([src])").count() == 0, where


def publish(page: Page, gateway: Gateway, key: str, text: str, title: str = "") -> None:
    """The Vietnamese text (and a first button) of a response, published through the form."""
    page.goto(gateway.url + f"{CONTENT}/{key}")
    box = page.locator("#vi-0-text")
    box.fill(text + "\n" + box.input_value())
    if title:
        page.locator('input[name="vi-0-b0-title"]').fill(title)
        page.locator('input[name="vi-0-b0-payload"]').fill("/ask_hotlines")
    page.get_by_role("button", name="Publish").click()
    expect(page.locator("#notice")).to_contain_text("Published as version")
    for preview in (".tg-text", ".widget-bubble"):
        expect(page.locator(f'#preview [lang="vi"] {preview}').first).to_contain_text(text)
    if title:
        expect(page.locator('#preview [lang="vi"] .tg-button')).to_have_text(title)
        expect(page.locator('#preview [lang="vi"] .widget-chip')).to_have_text(title)


def test_stored_script_stays_text_in_the_console_the_widget_and_the_admin_pages(
    browsers: Browsers, gateway: Gateway, dialogue: StubDialogue
) -> None:
    admin = browsers.staff("lan", "administrator")
    page = admin.page

    # a response text and a button title the widget shows; a counsellor's saved reply
    publish(page, gateway, NOTICE, PAYLOAD, SHORT)
    publish(page, gateway, "canned_greeting", PAYLOAD)

    # a service in Hà Nội: names, addresses and notes
    page.goto(gateway.url + f"{SERVICES}/new")
    page.get_by_label("Id", exact=True).fill(SERVICE)
    for name in ("name_vi", "name_en", "address_vi", "address_en", "note_vi", "note_en"):
        page.locator(f"#{name}").fill(PAYLOAD)
    page.get_by_label("Kind", exact=True).select_option("shelter")
    page.get_by_label("Province", exact=True).select_option("ha_noi")
    page.get_by_label("Source", exact=True).select_option(index=1)
    page.get_by_label("Hours", exact=True).fill(SHORT)
    page.get_by_role("button", name="Save and publish").click()
    expect(page.locator("#saved")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(PAYLOAD)

    # a counsellor and a person: the person's message, a reply, a note
    mai = browsers.staff("mai", "counsellor")
    mai.page.goto(gateway.url + "/staff/console")
    expect(mai.page.get_by_test_id("connection-status")).to_have_attribute("data-state", "open")
    person, chat = browsers.widget()
    notice = chat.locator(".msg.bot").first
    expect(notice).to_contain_text(PAYLOAD)
    expect(notice.get_by_role("button", name=SHORT)).to_be_visible()
    chat.get_by_label("Tin nhắn", exact=True).fill(SAID)
    chat.get_by_label("Tin nhắn", exact=True).press("Enter")
    expect(chat.locator(".msg.bot").last).to_have_text("Trợ lý: Đã nhận: " + SAID)
    chat.get_by_label("Tin nhắn", exact=True).fill(ASK_HUMAN)
    chat.get_by_label("Tin nhắn", exact=True).press("Enter")
    conversation_id = dialogue.conversation_id()
    entry = mai.page.locator(
        f'[data-testid="queue-entry"][data-conversation-id="{conversation_id}"]'
    )
    entry.get_by_test_id("claim").click()
    pane = mai.page.get_by_test_id("conversation")
    transcript = pane.get_by_test_id("transcript-message")
    said = transcript.filter(has_text=SAID)
    have_attributes(said, "data-from", ["user", "bot"])  # and the stand-in's "Đã nhận: …"
    expect(transcript.first).to_contain_text(PAYLOAD)  # the safety notice
    canned = pane.get_by_test_id("canned-select")
    expect(canned.locator('option[data-key="canned_greeting"]')).to_have_attribute(
        "title", re.compile(re.escape(PAYLOAD))
    )
    canned.select_option(
        canned.locator('option[data-key="canned_greeting"]').get_attribute("value")
    )
    expect(pane.get_by_test_id("reply-box")).to_have_value(re.compile(re.escape(PAYLOAD)))
    pane.get_by_test_id("reply-box").fill(REPLY)
    pane.get_by_test_id("reply-box").press("Enter")
    expect(chat.locator(".msg.counsellor")).to_contain_text(REPLY)
    expect(transcript.filter(has_text=REPLY)).not_to_have_attribute("data-pending", "true")
    pane.get_by_test_id("note-box").fill(NOTE)
    pane.get_by_test_id("note-add").click()
    expect(pane.get_by_test_id("note")).to_contain_text(NOTE)
    expect(pane.get_by_test_id("note")).not_to_have_attribute("data-pending", "true")
    untouched(person.page, "the embedding page")
    untouched(person.page.locator("iframe").element_handle().content_frame(), "the widget")
    untouched(mai.page, "the console")

    # the console after a reload, from the stored transcript
    mai.page.reload()
    expect(mai.page.get_by_test_id("connection-status")).to_have_attribute("data-state", "open")
    mai.page.get_by_test_id("conversation-tab").click()
    have_attributes(said, "data-from", ["user", "bot"])
    expect(transcript.filter(has_text=REPLY)).to_have_attribute("data-from", "counsellor")
    expect(transcript.first).to_contain_text(PAYLOAD)
    expect(pane.get_by_test_id("note")).to_contain_text(NOTE)
    untouched(mai.page, "the console, reloaded")

    # every admin page, and the transcript page; where the payload is shown, as text
    pages = {
        "/staff/admin/": (),
        f"/staff/conversations/{conversation_id}": (SAID, REPLY, SHORT),  # no notes there
        CONTENT: (PAYLOAD,),
        f"{CONTENT}?q=" + quote(PAYLOAD): (PAYLOAD,),
        f"{CONTENT}/{NOTICE}": (PAYLOAD, SHORT),
        f"{CONTENT}/canned_greeting": (PAYLOAD,),
        f"{CONTENT}/utter_services_found": (),
        f"{CONTENT}/versions": (),
        SERVICES: (PAYLOAD,),
        f"{SERVICES}?q=" + quote(PAYLOAD): (),
        f"{SERVICES}?q=xss&province=ha_noi": (PAYLOAD,),
        f"{SERVICES}/{SERVICE}": (PAYLOAD,),
        f"{SERVICES}/nearest?lat=21.03&lon=105.85": (PAYLOAD,),
        f"{SERVICES}/import": (),
        "/staff/admin/stats": (),
        "/staff/admin/staff": (),
        "/staff/admin/audit": (SERVICE,),
        "/staff/admin/audit?action=" + quote(PAYLOAD): (),
    }
    for path, shown in pages.items():
        page.goto(gateway.url + path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        for text in shown:
            expect(page.locator("main")).to_contain_text(text)
        untouched(page, path)
    for field_ in ("name_vi", "address_en", "note_vi"):  # the edit form keeps the values
        page.goto(gateway.url + f"{SERVICES}/{SERVICE}")
        expect(page.locator(f"#{field_}")).to_have_value(PAYLOAD)
    page.goto(gateway.url + f"{CONTENT}/{NOTICE}")
    expect(page.locator("#vi-0-text")).to_have_value(re.compile("^" + re.escape(PAYLOAD)))
    expect(page.locator('input[name="vi-0-b0-title"]')).to_have_value(SHORT)
    untouched(page, "the content edit form")
    browsers.no_errors()
