"""The counsellor console in real Chromium, end to end. The handoff issue's definition of
done: "two counsellor browsers and a widget user; an imminent message appears at the top
of both queues; one claims it, the other sees it taken; the reply reaches the widget; hand
back; the bot answers again."

Counsellors are enrolled through the accounts API (password and second factor) and sign in
through the real /staff/login page with a computed TOTP code, each in a browser context of
their own; people use the widget on the embedding site, in another context. The gateway is
the real one, with the scripted stand-in for Rasa of conftest.py (`ASK_HUMAN` is answered
with a handoff request, as Rasa's request_human rule does). No page may log a JavaScript
error or get an HTTP error.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    FrameLocator,
    Locator,
    WebSocketRoute,
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
IMMINENT = "cứu em với, chồng em đang cầm dao đòi giết em"
HIGH = "anh ấy dọa sẽ giết em nếu em bỏ đi"
REPLY = "Chào bạn, mình là tư vấn viên. Bạn đang ở đâu, bạn có thể ra khỏi nhà không?"


def approved(key: str, **variables: str) -> str:
    """An approved text of content/ (these have one variation each)."""
    texts = {m.text for m in LIBRARY.variations(key, "vi", variables)}
    assert len(texts) == 1, f"{key}: several variations"
    return texts.pop()


class Staff(Watched):
    """A counsellor's console page."""

    def waiting(self) -> Locator:
        return self.page.get_by_test_id("queue-waiting").get_by_test_id("queue-entry")

    def entry(self, conversation_id: str) -> Locator:
        return self.page.locator(
            f'[data-testid="queue-entry"][data-conversation-id="{conversation_id}"]'
        )

    def alerts(self, conversation_id: str) -> Locator:
        return self.page.locator(f'[data-testid="alert"][data-conversation-id="{conversation_id}"]')

    def conversation(self, conversation_id: str) -> Locator:
        return self.page.locator(
            f'[data-testid="conversation"][data-conversation-id="{conversation_id}"]'
        )


class Person(Watched):
    """Someone in the widget on the embedding site."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.page.goto(PARTNER + "/")
        self.page.get_by_role("button", name="Hỏi đáp").click()
        expect(self.bot.first).to_contain_text(approved("gw_safety_notice"))

    @property
    def chat(self) -> FrameLocator:
        return self.page.frame_locator("iframe")

    @property
    def bot(self) -> Locator:
        return self.chat.locator(".msg.bot")

    def say(self, text: str) -> None:
        box = self.chat.get_by_label("Tin nhắn", exact=True)
        box.fill(text)
        box.press("Enter")
        expect(self.chat.locator(".msg.user").last).to_contain_text(text)


@dataclass
class Browsers:
    browser: Browser
    gateway: Gateway
    contexts: list[BrowserContext] = field(default_factory=list)
    watched: list[Watched] = field(default_factory=list)

    def context(self) -> BrowserContext:
        context = make_context(self.browser, self.gateway)
        self.contexts.append(context)
        return context

    def staff_context(self) -> BrowserContext:
        # no request routing here: with routing on, Chromium never asks for /favicon.ico
        context = self.browser.new_context(viewport={"width": 1280, "height": 800})
        self.contexts.append(context)
        return context

    def counsellor(self, username: str) -> Staff:
        """Enrolled, signed in through the login page, the console open and connected."""
        secret = enrol(self.gateway, username)
        staff = Staff(self.staff_context().new_page())
        self.watched.append(staff)
        staff_sign_in(staff.page, self.gateway, username, secret)
        staff.page.goto(self.gateway.url + "/staff/console")
        expect(staff.page.get_by_test_id("connection-status")).to_have_attribute(
            "data-state", "open"
        )
        return staff

    def person(self, context: BrowserContext) -> Person:
        person = Person(context.new_page())
        self.watched.append(person)
        return person

    def no_errors(self) -> None:
        for watched in self.watched:
            assert watched.errors == [], watched.errors
        assert "/favicon.ico" not in self.gateway.paths  # the staff pages say they have none


@pytest.fixture
def browsers(browser: Browser, gateway: Gateway) -> Iterator[Browsers]:
    made = Browsers(browser, gateway)
    yield made
    for context in made.contexts:
        context.close()


def available(staff: Staff) -> Locator:
    return staff.page.get_by_test_id("health").locator(
        '[data-field="counsellors-available"] .health-value'
    )


def test_two_counsellors_and_a_person_in_danger(browsers: Browsers, dialogue: StubDialogue) -> None:
    mai = browsers.counsellor("mai")
    hoa = browsers.counsellor("hoa")
    for staff in (mai, hoa):
        expect(available(staff)).to_have_text("2")

    # somebody is waiting already, with a calm request
    people = browsers.context()
    other = browsers.person(people)
    other.say(ASK_HUMAN)
    expect(other.bot.last).to_have_text(
        "Trợ lý: " + approved("gw_queue_joined_unknown", position="1")
    )
    other_id = dialogue.conversation_id()

    # the person of this test talks with the bot, then asks for a counsellor (calm too)
    person = browsers.person(people)
    person.say("xin chào")
    expect(person.bot.last).to_contain_text("Chào bạn, mình có thể giúp gì?")
    person.say(ASK_HUMAN)
    expect(person.bot.last).to_contain_text(approved("gw_queue_joined_unknown", position="2"))
    person_id = dialogue.conversation_id()
    assert person_id != other_id
    for staff in (mai, hoa):  # the same risk: the longest wait first
        expect(staff.waiting()).to_have_count(2)
        expect(staff.waiting().first).to_have_attribute("data-conversation-id", other_id)
        expect(staff.entry(person_id)).to_have_attribute("data-risk", "none")

    # now in danger: the emergency numbers first, and the top of both queues
    answered = person.bot.count()
    calls = len(dialogue.calls)
    person.say(IMMINENT)
    expect(person.bot.nth(answered)).to_contain_text(approved("gw_imminent"))
    for staff in (mai, hoa):
        top = staff.waiting().first
        expect(top).to_have_attribute("data-conversation-id", person_id)
        expect(top).to_have_attribute("data-risk", "imminent")
        expect(top.get_by_test_id("risk")).to_have_text("Imminent risk")
        expect(staff.waiting().nth(1)).to_have_attribute("data-conversation-id", other_id)
        expect(staff.alerts(person_id)).to_have_attribute("data-kind", "imminent")
    expect(person.bot).to_have_count(answered + 1)  # the numbers only: queued, no reminder yet
    assert len(dialogue.calls) == calls  # queued: Rasa is never asked

    # Mai claims it; Hoa sees it taken
    mai.waiting().first.get_by_test_id("claim").click()
    taken = hoa.entry(person_id)
    expect(taken).to_have_attribute("data-state", "human")
    expect(hoa.page.get_by_test_id("queue-human").get_by_test_id("queue-entry")).to_have_count(1)
    expect(taken.get_by_test_id("claimed-by")).to_have_text("Claimed by mai")
    expect(taken.get_by_test_id("claim")).to_have_count(1)
    expect(taken.get_by_test_id("claim")).to_be_hidden()
    expect(taken.get_by_test_id("open")).to_be_hidden()  # a counsellor cannot read it
    expect(hoa.waiting()).to_have_count(1)
    expect(hoa.waiting().first).to_have_attribute("data-conversation-id", other_id)
    expect(hoa.alerts(person_id)).to_have_count(0)
    expect(hoa.page.get_by_test_id("conversation-tab")).to_have_count(0)
    expect(person.chat.locator(".msg.system").last).to_contain_text(
        approved("gw_counsellor_joined")
    )

    # Mai's tab opens on the transcript
    tab = mai.page.get_by_test_id("conversation-tab")
    expect(tab).to_have_count(1)
    expect(tab).to_have_attribute("aria-selected", "true")
    expect(tab).to_have_attribute("data-risk", "imminent")
    expect(mai.entry(person_id).get_by_test_id("claimed-by")).to_have_text("Claimed by you")
    expect(mai.alerts(person_id)).to_have_count(0)
    pane = mai.conversation(person_id)
    expect(pane).to_be_visible()
    expect(pane).to_have_attribute("data-readonly", "false")
    expect(pane.get_by_test_id("conversation-risk")).to_have_text("Imminent risk")
    transcript = pane.get_by_test_id("transcript-message")
    have_attributes(
        transcript, "data-from", ["bot", "user", "bot", "user", "bot", "user", "bot", "system"]
    )
    expect(transcript.filter(has_text=IMMINENT)).to_have_attribute("data-from", "user")
    expect(transcript.nth(6)).to_contain_text(approved("gw_imminent"))

    # she writes: the person sees "a counsellor is writing", then her reply
    box = pane.get_by_test_id("reply-box")
    box.press_sequentially(REPLY[:24])
    expect(person.chat.locator("#status")).to_have_text("Tư vấn viên đang viết")
    box.press_sequentially(REPLY[24:])
    box.press("Enter")
    answer = person.chat.locator(".msg.counsellor")
    expect(answer).to_have_count(1)
    expect(answer).to_contain_text(REPLY)
    expect(answer.locator(".who")).to_have_text("Tư vấn viên")
    expect(person.chat.locator("#status")).to_have_text("")
    mine = transcript.filter(has_text=REPLY)
    expect(mine).to_have_attribute("data-from", "counsellor")
    expect(mine).not_to_have_attribute("data-pending", "true")
    expect(pane.get_by_test_id("transcript-local")).to_be_hidden()
    expect(box).to_have_value("")

    # the person answers; Mai sees it at once
    # (hiding is a danger signal: she gets the emergency numbers first, and the console
    # shows what she was sent, after her message)
    person.say("em đang trốn trong nhà tắm")
    said = transcript.filter(has_text="em đang trốn trong nhà tắm")
    expect(said).to_have_attribute("data-from", "user")
    expect(transcript.last).to_have_attribute("data-from", "bot")
    expect(transcript.last).to_contain_text("113")
    expect(transcript.last).to_be_in_viewport(ratio=1)

    # meanwhile someone else joins the queue at high risk: a banner for it above her work,
    # and the end of her transcript stays in view
    third = browsers.person(people)
    third.say(HIGH)
    expect(third.bot.last).to_contain_text(approved("gw_queue_joined_unknown", position="1"))
    third_id = dialogue.conversation_id()
    for staff in (mai, hoa):
        expect(staff.alerts(third_id)).to_have_attribute("data-kind", "high_risk")
    expect(transcript.last).to_be_in_viewport(ratio=1)

    # hand back, after the confirm step: the person is told, and the bot answers again
    pane.get_by_test_id("hand-back").click()
    expect(pane.get_by_test_id("confirm")).to_be_visible()
    expect(pane.get_by_test_id("confirm")).to_be_focused()
    pane.get_by_test_id("confirm").click()
    expect(person.bot.last).to_contain_text(approved("gw_handed_back"))
    for staff in (mai, hoa):
        expect(staff.entry(person_id)).to_have_count(0)
        have_attributes(staff.waiting(), "data-conversation-id", [third_id, other_id])
        # no "no longer in the queue" notice: only the banner of the one still waiting
        have_attributes(staff.page.get_by_test_id("alert"), "data-conversation-id", [third_id])
    expect(mai.page.get_by_test_id("conversation-tab")).to_have_count(0)
    answered = person.bot.count()
    person.say("cảm ơn")
    expect(person.bot).to_have_count(answered + 1)
    expect(person.bot.last).to_have_text("Trợ lý: Đã nhận: cảm ơn")
    assert dialogue.calls[-1][:2] == (person_id, "cảm ơn")
    expect(answer).to_have_count(1)  # nothing more from a counsellor

    for waiting in (other, third):  # the others only got their place in the queue
        expect(waiting.chat.locator(".msg.counsellor, .msg.system")).to_have_count(0)
    browsers.no_errors()


def test_someone_in_danger_from_the_first_message_gets_one_alert_until_claimed(
    browsers: Browsers, dialogue: StubDialogue
) -> None:
    mai = browsers.counsellor("mai")
    hoa = browsers.counsellor("hoa")
    people = browsers.context()

    high = browsers.person(people)
    high.say(HIGH)  # a first message at high risk: queued by the risk alone
    expect(high.bot.last).to_contain_text(approved("gw_queue_joined_unknown", position="1"))
    high_id = dialogue.conversation_id()
    imminent = browsers.person(people)
    imminent.say(IMMINENT)
    expect(imminent.bot.nth(1)).to_contain_text(approved("gw_imminent"))
    expect(imminent.bot.last).to_contain_text(approved("gw_queue_joined_unknown", position="1"))
    imminent_id = dialogue.conversation_id()

    for staff in (mai, hoa):
        expect(staff.waiting()).to_have_count(2)
        have_attributes(staff.waiting(), "data-risk", ["imminent", "high"])
        expect(staff.waiting().first).to_have_attribute("data-conversation-id", imminent_id)
        expect(staff.entry(high_id).get_by_test_id("reason")).to_have_text("High risk detected")
        # one banner per person: the imminent one says more than the server's high_risk
        expect(staff.alerts(imminent_id)).to_have_attribute("data-kind", "imminent")
        expect(staff.alerts(high_id)).to_have_attribute("data-kind", "high_risk")
        expect(staff.alerts(high_id)).to_contain_text("waiting in the queue")

    hoa.entry(high_id).get_by_test_id("claim").click()
    expect(hoa.page.get_by_test_id("conversation-tab")).to_have_count(1)
    for staff in (mai, hoa):  # taken: nobody is told any more that it is waiting
        expect(staff.alerts(high_id)).to_have_count(0)
        expect(staff.alerts(imminent_id)).to_have_count(1)
    expect(mai.entry(high_id).get_by_test_id("claimed-by")).to_have_text("Claimed by hoa")
    browsers.no_errors()


@dataclass
class HeldOks:
    """The console's WebSocket routed through Playwright, holding back the `ok` of every
    reply until `release()`: the server's own copy of the reply, pushed to the consoles
    that have the conversation open, then reaches the console first (a race seen in CI)."""

    route: WebSocketRoute | None = None
    reply_refs: set[str] = field(default_factory=set)
    held: list[str] = field(default_factory=list)

    def __call__(self, ws: WebSocketRoute) -> None:
        self.route = ws
        server = ws.connect_to_server()

        def to_server(message: str | bytes) -> None:
            frame = json.loads(message) if isinstance(message, str) else {}
            if frame.get("type") == "reply":
                self.reply_refs.add(frame["ref"])
            server.send(message)

        def to_page(message: str | bytes) -> None:
            if isinstance(message, str):
                frame = json.loads(message)
                if frame.get("type") == "ok" and frame.get("ref") in self.reply_refs:
                    self.held.append(message)
                    return
            ws.send(message)

        ws.on_message(to_server)
        server.on_message(to_page)

    def release(self) -> None:
        assert self.route is not None
        for message in self.held:
            self.route.send(message)
        self.held.clear()


def test_a_reply_shows_once_when_its_copy_arrives_before_its_ok(
    browsers: Browsers, dialogue: StubDialogue
) -> None:
    held = HeldOks()
    secret = enrol(browsers.gateway, "lan")
    lan = Staff(browsers.staff_context().new_page())
    browsers.watched.append(lan)
    staff_sign_in(lan.page, browsers.gateway, "lan", secret)
    lan.page.route_web_socket(re.compile(r"/staff/console/ws"), held)
    lan.page.goto(browsers.gateway.url + "/staff/console")
    expect(lan.page.get_by_test_id("connection-status")).to_have_attribute("data-state", "open")
    person = browsers.person(browsers.context())
    person.say(ASK_HUMAN)
    conversation_id = dialogue.conversation_id()
    lan.entry(conversation_id).get_by_test_id("claim").click()
    pane = lan.conversation(conversation_id)
    pane.get_by_test_id("reply-box").fill(REPLY)
    pane.get_by_test_id("reply-box").press("Enter")
    expect(person.chat.locator(".msg.counsellor")).to_contain_text(REPLY)

    copies = pane.get_by_test_id("transcript-message").filter(has_text=REPLY)
    expect(copies).to_have_attribute("data-seq", re.compile(r"^\d+$"))
    expect(copies).to_have_count(1)  # not also "Sending…"
    assert len(held.held) == 1, "the reply's ok was not held back"
    held.release()
    expect(pane.get_by_text("Sending…")).to_have_count(0)
    expect(copies).to_have_count(1)
    browsers.no_errors()

