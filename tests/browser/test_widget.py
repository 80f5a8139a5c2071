"""The widget in real Chromium: embedding, conversation, buttons, typing, reconnect and
replay, quick exit, keyboard-only use, mobile and desktop, counsellor messages, location."""

from __future__ import annotations

import time
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, FrameLocator, Page, expect

from bot.app import CORE
from bot.content import ContentLibrary, load_content_dir
from bot.storage import ConversationState, Keyring, Sender, Store
from tests.browser.conftest import (
    EXIT_URL,
    PARTNER,
    ROOT,
    Gateway,
    StubDialogue,
    make_context,
    watch_sockets,
)

LIBRARY = ContentLibrary(load_content_dir(ROOT / "content"))
NOTICE_VI = LIBRARY.render("gw_safety_notice", "vi").text.split("\n")[0]


def open_chat(page: Page, url: str = PARTNER + "/", launcher: str = "Hỏi đáp") -> FrameLocator:
    page.goto(url)
    page.get_by_role("button", name=launcher).click()
    chat = page.frame_locator("iframe")
    expect(chat.locator(".msg.bot").first).to_contain_text(NOTICE_VI)
    return chat


def say(chat: FrameLocator, text: str) -> None:
    chat.get_by_label("Tin nhắn", exact=True).fill(text)
    chat.get_by_role("button", name="Gửi").click()


def storage_is_empty(page: Page, context: BrowserContext) -> None:
    assert page.evaluate("localStorage.length + sessionStorage.length") == 0
    assert context.cookies() == []


def conversation_state(gateway: Gateway, dialogue: StubDialogue) -> str:
    record = gateway.run(gateway.store.get_conversation(dialogue.conversation_id()))
    assert record is not None
    return str(record.state)


def test_conversation_with_buttons_and_typing_from_an_embedding_site(
    page: Page, gateway: Gateway, dialogue: StubDialogue
) -> None:
    requests: list[str] = []
    errors: list[str] = []  # a CSP violation would be reported here
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    chat = open_chat(page)

    say(chat, "xin chào")
    expect(chat.locator(".msg.user")).to_have_text(["Bạn: xin chào"])
    expect(chat.locator(".msg.bot").last).to_contain_text("Chào bạn, mình có thể giúp gì?")
    chat.get_by_role("button", name="Số điện thoại").click()
    expect(chat.locator(".msg.bot").last).to_contain_text("Đây là các số bạn có thể gọi.")
    assert dialogue.calls[-1][1] == "/ask_hotlines"  # the payload, not the title
    expect(chat.get_by_role("button", name="Số điện thoại")).to_be_disabled()

    say(chat, "chậm")  # the stub takes 0.8 s: the typing indicator shows meanwhile
    expect(chat.locator("#status")).to_have_text("Đang trả lời")
    expect(chat.locator(".msg.bot").last).to_contain_text("Đã nhận: chậm")
    expect(chat.locator("#status")).to_have_text("")

    allowed = (PARTNER + "/", gateway.url + "/")
    assert requests and all(u.startswith(allowed) for u in requests), requests
    storage_is_empty(page, page.context)
    assert errors == []


def test_a_host_page_with_a_strict_policy_of_its_own(page: Page, gateway: Gateway) -> None:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    chat = open_chat(page, PARTNER + "/strict")  # no 'unsafe-inline' for the loader's styles
    say(chat, "xin chào")
    expect(chat.locator(".msg.bot").last).to_contain_text("Chào bạn")
    launcher = page.get_by_role("button", name="Thu nhỏ")
    assert launcher.evaluate("e => getComputedStyle(e).position") == "fixed"
    assert page.locator("iframe").evaluate("e => getComputedStyle(e).position") == "fixed"
    assert errors == []


def test_quick_exit_button_replaces_the_page_and_leaves_nothing(
    page: Page, context: BrowserContext, gateway: Gateway, dialogue: StubDialogue
) -> None:
    page.goto("about:blank")
    chat = open_chat(page)
    say(chat, "xin chào")
    expect(chat.locator(".msg.bot")).to_have_count(2)

    chat.get_by_role("button", name="Thoát nhanh").click()
    page.wait_for_url(EXIT_URL)
    expect(page.locator("h1")).to_have_text("Thời tiết")
    storage_is_empty(page, context)
    deadline = time.monotonic() + 5
    while conversation_state(gateway, dialogue) != ConversationState.CLOSED:
        assert time.monotonic() < deadline, "the exit frame did not end the conversation"
        time.sleep(0.05)

    page.go_back()  # Back goes where the person was before, never to the chat
    assert page.url == "about:blank"
    assert page.frames == [page.main_frame]


def test_esc_twice_in_the_chat_leaves(page: Page, gateway: Gateway, dialogue: StubDialogue) -> None:
    chat = open_chat(page)
    say(chat, "xin chào")
    expect(chat.locator(".msg.bot")).to_have_count(2)
    chat.locator("#text").press("Escape")
    time.sleep(1.2)  # two presses more than a second apart are not a quick exit
    chat.locator("#text").press("Escape")
    page.wait_for_timeout(300)
    assert page.url == PARTNER + "/"
    expect(chat.locator("#exit")).to_be_visible()
    chat.locator("#text").press("Escape")
    page.wait_for_url(EXIT_URL)
    assert conversation_state(gateway, dialogue) == ConversationState.CLOSED


def test_esc_twice_on_the_host_page_leaves_and_says_goodbye(
    page: Page, gateway: Gateway, dialogue: StubDialogue
) -> None:
    chat = open_chat(page)
    say(chat, "xin chào")
    expect(chat.locator(".msg.bot")).to_have_count(2)
    page.locator("h1").click()  # focus back on the host page
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    page.wait_for_url(EXIT_URL)
    # the host asked the chat to send its exit frame before leaving
    deadline = time.monotonic() + 5
    while conversation_state(gateway, dialogue) != ConversationState.CLOSED:
        assert time.monotonic() < deadline
        time.sleep(0.05)


def test_esc_twice_leaves_even_before_the_chat_was_opened(page: Page, gateway: Gateway) -> None:
    page.goto(PARTNER + "/")
    expect(page.get_by_role("button", name="Thoát nhanh")).to_be_hidden()  # neutral until used
    page.locator("h1").click()
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    page.wait_for_url(EXIT_URL)


def active_id(chat_frame: Any) -> str:
    return str(chat_frame.evaluate("document.activeElement && document.activeElement.id"))


def test_keyboard_only_use(page: Page, gateway: Gateway, dialogue: StubDialogue) -> None:
    page.goto(PARTNER + "/")
    page.keyboard.press("Tab")  # the widget comes first in the page's tab order
    launcher = page.get_by_role("button", name="Hỏi đáp")
    expect(launcher).to_be_focused()
    page.keyboard.press("Enter")
    chat = page.frame_locator("iframe")
    expect(chat.locator(".msg.bot").first).to_contain_text(NOTICE_VI)
    expect(chat.locator("#text")).to_be_focused()
    frame = page.frames[1]

    page.keyboard.type("xin chào")
    page.keyboard.press("Enter")
    expect(chat.get_by_role("button", name="Tìm nơi hỗ trợ")).to_be_visible()

    order = []
    for _ in range(7):  # backwards from the input: the quick exit is the first stop
        page.keyboard.press("Shift+Tab")
        order.append(active_id(frame) or frame.evaluate("document.activeElement.textContent"))
    assert order == ["loc", "Tìm nơi hỗ trợ", "Số điện thoại", "log", "min", "lang", "exit"]
    first = frame.evaluate(
        "[...document.querySelectorAll('button,select,input,[tabindex]')]"
        ".filter(e => !e.disabled && e.offsetParent !== null)[0].id"
    )
    assert first == "exit"

    for _ in range(4):  # language, minimise, the message log, the greeting's first button
        page.keyboard.press("Tab")
    assert frame.evaluate("document.activeElement.textContent") == "Số điện thoại"
    page.keyboard.press("Enter")
    expect(chat.locator(".msg.bot").last).to_contain_text("Đây là các số bạn có thể gọi.")

    frame.focus("#exit")
    expect(chat.locator("#exit")).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url(EXIT_URL)


def test_focus_is_visible(page: Page, gateway: Gateway) -> None:
    chat = open_chat(page)
    frame = page.frames[1]
    page.keyboard.press("Shift+Tab")  # from the input to the location button, by keyboard
    outline = frame.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"
    expect(chat.locator("#loc")).to_be_focused()


def test_reconnect_after_a_server_restart_replays_missed_messages(
    page: Page, gateway: Gateway, dialogue: StubDialogue
) -> None:
    chat = open_chat(page)
    say(chat, "xin chào")
    expect(chat.locator(".msg.bot")).to_have_count(2)
    conversation_id = dialogue.conversation_id()

    gateway.stop()
    expect(chat.locator("#status")).to_have_text("Mất kết nối, đang kết nối lại…")
    say(chat, "tin nhắn khi mất mạng")  # kept until the connection is back

    async def counsellor_writes() -> None:  # while the person was away
        keyring = Keyring.load_or_create(gateway.settings.var_dir, None, None)
        store = await Store.open(gateway.settings.resolved_database_url, keyring)
        await store.append_message(conversation_id, Sender.COUNSELLOR, "Mình là tư vấn viên.")
        await store.close()

    gateway.run(counsellor_writes())
    gateway.start()

    counsellor = chat.locator(".msg.counsellor")
    expect(counsellor).to_have_count(1, timeout=10_000)
    expect(counsellor.locator(".who")).to_have_text("Tư vấn viên")
    expect(counsellor).to_contain_text("Mình là tư vấn viên.")
    expect(chat.locator(".msg.bot").last).to_contain_text("Đã nhận: tin nhắn khi mất mạng")
    expect(chat.locator("#status")).to_have_text("")
    # nothing shown twice: notice + greeting + the late answer; the two typed messages once
    expect(chat.locator(".msg.bot")).to_have_count(3)
    expect(chat.locator(".msg.user")).to_have_count(2)
    assert sum(1 for c in dialogue.calls if c[1] == "tin nhắn khi mất mạng") == 1
    colours = chat.locator(".msg.counsellor").evaluate("e => getComputedStyle(e).backgroundColor")
    bot_colour = chat.locator(".msg.bot").first.evaluate("e => getComputedStyle(e).backgroundColor")
    assert colours != bot_colour


def test_socket_dropped_mid_answer_gets_the_answer_by_replay(
    page: Page, gateway: Gateway, dialogue: StubDialogue
) -> None:
    sockets = watch_sockets(page)
    chat = open_chat(page)
    dialogue.delays["chậm"] = 1.0
    say(chat, "chậm")
    expect(chat.locator("#status")).to_have_text("Đang trả lời")
    sockets[-1].close()  # the connection drops while the answer is being made
    expect(chat.locator(".msg.bot").last).to_contain_text("Đã nhận: chậm", timeout=10_000)
    assert len(sockets) >= 2
    expect(chat.locator(".msg.user")).to_have_count(1)
    assert sum(1 for c in dialogue.calls if c[1] == "chậm") == 1  # not sent twice


def test_a_counsellor_writing_is_shown_differently(page: Page, gateway: Gateway) -> None:
    sockets = watch_sockets(page)
    chat = open_chat(page)
    sockets[-1].send('{"type":"typing","on":true,"from":"counsellor"}')
    expect(chat.locator("#status")).to_have_text("Tư vấn viên đang viết")
    sockets[-1].send(
        '{"type":"message","seq":50,"from":"counsellor","text":"Chào bạn.","buttons":[]}'
    )
    expect(chat.locator(".msg.counsellor")).to_contain_text("Chào bạn.")
    expect(chat.locator("#status")).to_have_text("")
    sockets[-1].send('{"type":"typing","on":true}')
    expect(chat.locator("#status")).to_have_text("Đang trả lời")


@pytest.mark.parametrize(
    ("viewport", "full_screen"),
    [({"width": 360, "height": 740}, True), ({"width": 1280, "height": 800}, False)],
)
def test_mobile_and_desktop_layout(
    browser: Any, gateway: Gateway, viewport: dict[str, int], full_screen: bool
) -> None:
    context = make_context(
        browser, gateway, viewport=viewport, is_mobile=full_screen, has_touch=full_screen
    )
    try:
        page = context.new_page()
        chat = open_chat(page)
        say(chat, "xin chào")
        expect(chat.get_by_role("button", name="Tìm nơi hỗ trợ")).to_be_visible()
        box = page.locator("iframe").bounding_box()
        assert box is not None
        launcher = page.get_by_role("button", name="Thu nhỏ")
        if full_screen:
            assert box["width"] == viewport["width"] and box["height"] == viewport["height"]
            expect(launcher).to_be_hidden()
            chat.get_by_role("button", name="Thu nhỏ").click()  # the chat's own minimise
            expect(page.locator("iframe")).to_be_hidden()
            expect(page.get_by_role("button", name="Hỏi đáp")).to_be_visible()
        else:
            assert 360 <= box["width"] <= 400 and box["height"] >= 500
            expect(launcher).to_be_visible()
            launcher.click()
            expect(page.locator("iframe")).to_be_hidden()
        # the text stays readable and nothing overflows sideways
        frame = page.frames[1]
        assert frame.evaluate("document.documentElement.scrollWidth <= innerWidth + 1")
        # minimised, the chat leaves a quick exit on the page (a phone has no Esc key)
        page.get_by_role("button", name="Thoát nhanh").click()
        page.wait_for_url(EXIT_URL)
    finally:
        context.close()


def test_location_is_shared_only_after_asking(
    browser: Any, gateway: Gateway, dialogue: StubDialogue
) -> None:
    context = make_context(
        browser,
        gateway,
        geolocation={"latitude": 21.028511, "longitude": 105.804817},
        permissions=["geolocation"],
    )
    try:
        page = context.new_page()
        chat = open_chat(page, gateway.url + "/")  # the gateway's own demo page
        chat.get_by_role("button", name="Chia sẻ vị trí của tôi").click()
        why = chat.get_by_role("dialog")
        expect(why).to_contain_text(LIBRARY.render("gw_location_ask", "vi").text.split("\n")[0])
        assert not any(c[1] == "/share_location" for c in dialogue.calls)  # not before asked
        chat.get_by_role("button", name="Không, cảm ơn").click()
        expect(why).to_be_hidden()
        assert not any(c[1] == "/share_location" for c in dialogue.calls)

        chat.get_by_role("button", name="Chia sẻ vị trí của tôi").click()
        chat.get_by_role("button", name="Chia sẻ vị trí", exact=True).click()
        expect(chat.locator(".msg.bot").last).to_contain_text("Nơi hỗ trợ gần 21.03, 105.8")
        expect(chat.locator(".msg.user").last).to_contain_text("(Đã chia sẻ vị trí)")
        assert dialogue.calls[-1][2]["location"] == {"lat": 21.03, "lon": 105.8}  # rounded
    finally:
        context.close()


def test_language_switch_and_disguise(page: Page, gateway: Gateway, dialogue: StubDialogue) -> None:
    page.goto(PARTNER + "/disguised")
    launcher = page.get_by_role("button", name="Công thức")
    expect(launcher.locator("img")).to_have_attribute("src", PARTNER + "/icon.svg")
    launcher.click()
    chat = page.frame_locator("iframe")
    expect(chat.locator("h1")).to_have_text("Công thức")
    expect(chat.locator(".msg.bot").first).to_contain_text(NOTICE_VI)

    chat.get_by_label("Ngôn ngữ").select_option("en")
    expect(chat.get_by_role("button", name="Quick exit")).to_be_visible()
    expect(chat.get_by_label("Message", exact=True)).to_be_visible()
    chat.get_by_label("Message", exact=True).fill("ok")
    chat.get_by_role("button", name="Send").click()
    expect(chat.locator(".msg.bot").last).to_contain_text("Đã nhận: ok")
    assert dialogue.calls[-1][2]["language"] == "en"
    expect(chat.locator(".msg.bot")).to_have_count(2)  # the switch replayed nothing twice
    expect(page.get_by_role("button", name="Minimise")).to_be_visible()  # the host follows


def test_a_site_not_on_the_allow_list_cannot_embed_the_chat(browser: Any, gateway: Gateway) -> None:
    context = make_context(browser, gateway)
    try:
        page = context.new_page()
        other = PARTNER.replace("localhost", "127.0.0.1")  # same pages, another origin
        page.goto(other + "/")
        page.get_by_role("button", name="Hỏi đáp").click()
        page.wait_for_timeout(1000)
        chat = page.frame_locator("iframe")
        expect(chat.locator("#exit")).to_have_count(0)  # blocked by frame-ancestors
    finally:
        context.close()


def test_the_chat_page_opened_on_its_own_also_exits_without_a_trace(
    page: Page, context: BrowserContext, gateway: Gateway, dialogue: StubDialogue
) -> None:
    page.goto("about:blank")
    page.goto(f"{gateway.url}/widget/frame#lang=en&exit={EXIT_URL}")
    expect(page.get_by_role("button", name="Minimise")).to_be_hidden()  # nothing to go back to
    say_en = page.get_by_label("Message", exact=True)
    say_en.fill("hello")
    say_en.press("Enter")
    expect(page.locator(".msg.bot").last).to_contain_text("Chào bạn, mình có thể giúp gì?")
    assert dialogue.calls[-1][2]["language"] == "en"
    page.get_by_role("button", name="Quick exit").click()
    page.wait_for_url(EXIT_URL)
    storage_is_empty(page, context)
    page.go_back()
    assert page.url == "about:blank"


def test_a_conversation_ended_elsewhere_starts_anew_after_a_reconnect(
    page: Page, gateway: Gateway, dialogue: StubDialogue
) -> None:
    sockets = watch_sockets(page)
    chat = open_chat(page)
    say(chat, "xin chào")
    expect(chat.locator(".msg.bot")).to_have_count(2)
    gateway.run(gateway.app[CORE].end(dialogue.conversation_id()))  # e.g. retention
    sockets[-1].close()
    expect(chat.locator(".note")).to_have_text(
        "Cuộc trò chuyện trước đã kết thúc. Đây là cuộc trò chuyện mới."
    )
    expect(chat.locator(".msg.bot")).to_have_count(3)  # a new safety notice
    say(chat, "xin chào")
    expect(chat.locator(".msg.bot")).to_have_count(4)
    assert dialogue.calls[-1][0] != dialogue.calls[0][0]


CONTRAST = """els => els.map(e => {
  const rgb = c => c.match(/[\\d.]+/g).map(Number);
  const lum = ([r, g, b]) => {
    const f = v => (v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  let n = e, bg = null;
  while (n && n.nodeType === 1) {
    const c = getComputedStyle(n).backgroundColor;
    if (!/rgba\\(.*,\\s*0\\)$/.test(c) && c !== "transparent") { bg = c; break; }
    n = n.parentElement;
  }
  const a = lum(rgb(getComputedStyle(e).color)), b = lum(rgb(bg || "rgb(255,255,255)"));
  return [e.className || e.id || e.tagName, (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)];
})"""


def test_text_contrast_is_at_least_4_5_to_1(page: Page, gateway: Gateway) -> None:
    chat = open_chat(page)
    say(chat, "xin chào")
    expect(chat.get_by_role("button", name="Số điện thoại")).to_be_visible()
    page.keyboard.press("Escape")  # leaves a note-free status; one press does not exit
    frame = page.frames[1]
    frame.evaluate(
        "() => { const n = document.createElement('div'); n.className = 'note';"
        " n.textContent = 'x'; document.getElementById('log').appendChild(n);"
        " const c = document.createElement('div'); c.className = 'msg counsellor';"
        " c.innerHTML = '<span class=who>T</span>x'; document.getElementById('log').appendChild(c);"
        " document.getElementById('status').textContent = 'x'; }"
    )
    selectors = "header *, .msg, .who, .note, .status, .buttons button, form button, input"
    ratios = frame.locator(selectors).evaluate_all(CONTRAST)
    low = [(name, round(ratio, 2)) for name, ratio in ratios if ratio < 4.5]
    assert len(ratios) > 10 and not low, low
    launcher = page.get_by_role("button", name="Thu nhỏ")
    assert launcher.evaluate_all(CONTRAST)[0][1] >= 4.5
