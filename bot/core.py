"""The channel-neutral conversation core: one person's message in, answers out.

The path of a message (see ARCHITECTURE.md):
normalise → danger screen (rules, always) → imminent? emergency numbers first → store →
route by state → Rasa (bounded; fail-safe static answer) → triage (screen + intent) →
handoff decision → store and emit every answer.

Channels call `handle()` with an `emit` callback; each answer is stored before it is
emitted, so a reconnecting client can replay it. Turns of one conversation are
serialised; different conversations run concurrently.

While a conversation is queued for, or held by, a counsellor, the core never calls Rasa:
it screens and stores the message and passes it to the handoff queue (the `Handoff`
protocol, implemented by `handoff/queue.py`). Messages that do not answer a turn (a
counsellor's reply, "a counsellor has joined") reach the person through `deliver()`:
stored first, then pushed to the channel's outlet (Telegram) or to the live connections
attached to the conversation (the widget); a widget that is not connected gets them when
it resumes (replay). See docs/HANDOFF.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import weakref
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Protocol

from bot.content import ContentLibrary
from bot.errors import BadInput, ContentError, RasaUnavailable
from bot.messages import BotText, Button
from bot.rasa_client import RasaReply
from bot.screen import RiskLevel, screen
from bot.storage import ConversationNotFound, ConversationRecord, Store, StoredMessage
from bot.storage.types import Channel, ConversationState, Language, RiskLabel, Sender
from bot.text import detect_language, normalize
from bot.triage import Assessment, assess
from handoff.policy import HandoffDecision, decide

log = logging.getLogger(__name__)

RECORD_CACHE_SIZE = 10_000
PAYLOAD = re.compile(r"^/[a-z_]{1,40}$")
LOCATION_PAYLOAD = "/share_location"
# Only if the content itself cannot be rendered. 113 (police, 24/7) per
# shared/reference/vietnam-gbv-facts.md (source: kienthucykhoa.edu.vn/113-la-so-dien-thoai-gi/).
LAST_RESORT = "Khẩn cấp: gọi 113 (công an). Emergency: call 113 (police)."


@dataclass(frozen=True, slots=True)
class Inbound:
    """What a person sent. `text` is what they typed or the title of the button they
    pressed; `payload` is the button's payload; `location` a shared (lat, lon)."""

    text: str
    payload: str | None = None
    location: tuple[float, float] | None = None


@dataclass(frozen=True, slots=True)
class Outbound:
    seq: int
    sender: Sender
    message: BotText


@dataclass(frozen=True, slots=True)
class TurnResult:
    assessment: Assessment
    intent: str | None
    confidence: float | None
    rasa_answered: bool


Emit = Callable[[Outbound], Awaitable[None]]
Typing = Callable[[bool], Awaitable[None]]


class Dialogue(Protocol):
    async def send(
        self, conversation_id: str, text: str, metadata: Mapping[str, Any]
    ) -> RasaReply: ...


class Handoff(Protocol):
    """What the core tells the handoff queue (handoff/queue.py)."""

    async def requested(
        self,
        conversation: ConversationRecord,
        decision: HandoffDecision,
        language: str,
        emit: Emit,
    ) -> None:
        """A bot turn decided the conversation needs a human: queue it, tell the person."""

    async def person_wrote(
        self,
        conversation: ConversationRecord,
        message: StoredMessage,
        assessment: Assessment,
        language: str,
        emit: Emit,
    ) -> None:
        """The person wrote while queued or with a counsellor (stored, screened)."""

    async def person_left(self, conversation_id: str, *, forgotten: bool) -> None:
        """The person left (quick exit, /exit) or had everything forgotten."""

    def observed(self, conversation_id: str, out: Outbound) -> None:
        """A bot, system or counsellor message was stored and sent (consoles show it)."""


class ChannelOutlet(Protocol):
    """How a channel without live connections (Telegram) receives `deliver()`ed messages."""

    async def deliver(self, conversation_id: str, out: Outbound) -> None: ...

    async def typing(self, conversation_id: str, on: bool) -> None: ...


@dataclass(frozen=True, slots=True, eq=False)
class Listener:
    """A live connection of the person (a widget socket) attached to a conversation."""

    emit: Emit
    typing: Typing


class ConversationCore:
    def __init__(
        self,
        store: Store,
        dialogue: Dialogue,
        content: Callable[[], ContentLibrary],
        max_chars: int = 2000,
    ) -> None:
        self._store = store
        self._dialogue = dialogue
        self._content = content
        self._max_chars = max_chars
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
        # Write-through cache of conversation records: every change of a conversation
        # goes through this core (one gateway process owns its conversations), so a turn
        # does not need to read the row back. Bounded; a miss reads the database.
        self._records: OrderedDict[str, ConversationRecord] = OrderedDict()
        self._handoff: Handoff | None = None
        self._outlets: dict[Channel, ChannelOutlet] = {}
        self._listeners: dict[str, set[Listener]] = {}

    # -- wiring ----------------------------------------------------------------------

    def attach_handoff(self, handoff: Handoff) -> None:
        self._handoff = handoff

    @property
    def handoff(self) -> Handoff:
        if self._handoff is None:
            raise RuntimeError("no handoff queue attached to the conversation core")
        return self._handoff

    def set_outlet(self, channel: Channel, outlet: ChannelOutlet | None) -> None:
        """The outlet of a channel without live connections (Telegram); None removes it."""
        if outlet is None:
            self._outlets.pop(channel, None)
        else:
            self._outlets[channel] = outlet

    def listen(self, conversation_id: str, listener: Listener) -> Callable[[], None]:
        """Attach a live connection; returns the function that detaches it."""
        self._listeners.setdefault(conversation_id, set()).add(listener)

        def detach() -> None:
            attached = self._listeners.get(conversation_id)
            if attached is not None:
                attached.discard(listener)
                if not attached:
                    del self._listeners[conversation_id]

        return detach

    async def deliver(
        self, conversation_id: str, sender: Sender, message: BotText
    ) -> tuple[Outbound, bool]:
        """Store one message outside a turn (a counsellor's reply, a queue notice) and push
        it to the person's channel; True if it reached the channel or a live connection.
        Stored first: a widget that was not connected gets it when it resumes.
        Raises ConversationNotFound."""
        record = await self._conversation(conversation_id)
        if record is None:
            raise ConversationNotFound("conversation not found")
        buttons = [{"title": b.title, "payload": b.payload} for b in message.buttons]
        stored = await self._store.append_message(
            conversation_id, sender, message.text, buttons=buttons
        )
        out = Outbound(seq=stored.seq, sender=sender, message=message)
        self.handoff.observed(conversation_id, out)
        delivered = False
        outlet = self._outlets.get(record.channel)
        if outlet is not None:
            try:
                await outlet.deliver(conversation_id, out)
                delivered = True
            except Exception as exc:
                log.warning("delivery to the person's channel failed (%s)", type(exc).__name__)
        for listener in tuple(self._listeners.get(conversation_id, ())):
            try:
                await listener.emit(out)
                delivered = True
            except Exception as exc:  # stored: the person gets it on resume
                log.info("delivery to a live connection failed (%s)", type(exc).__name__)
        return out, delivered

    async def typing(self, conversation_id: str, channel: Channel, on: bool) -> None:
        """Show (or stop showing) that a counsellor is writing. Best effort."""
        outlet = self._outlets.get(channel)
        try:
            if outlet is not None:
                await outlet.typing(conversation_id, on)
            for listener in tuple(self._listeners.get(conversation_id, ())):
                await listener.typing(on)
        except Exception as exc:
            log.info("typing indicator failed (%s)", type(exc).__name__)

    # -- sessions ------------------------------------------------------------------

    async def open_web(self, language: str) -> tuple[ConversationRecord, str]:
        conversation = await self._store.create_conversation(Channel.WEB, language, None)
        self._remember(conversation)
        token = await self._store.issue_web_session(conversation.id)
        return conversation, token

    async def resume_web(self, token: str) -> ConversationRecord | None:
        conversation = await self._store.conversation_for_session(token)
        if conversation is None or conversation.state == ConversationState.CLOSED:
            return None
        return conversation

    async def replay(self, conversation_id: str, after_seq: int) -> list[Outbound]:
        """Everything stored after `after_seq`, for a client that reconnects. A turn still
        running (its connection dropped mid-answer) finishes first: its answers are part of
        the replay instead of going to the closed socket."""
        lock = self._locks.get(conversation_id)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[conversation_id] = lock
        async with lock:
            stored = await self._store.messages_after(conversation_id, after_seq)
        return [
            Outbound(
                seq=m.seq,
                sender=Sender(m.sender),
                message=BotText(m.text, tuple(Button(b["title"], b["payload"]) for b in m.buttons)),
            )
            for m in stored
        ]

    async def end(self, conversation_id: str, *, forgotten: bool = False) -> None:
        """The person left (the widget's quick exit, Telegram's /exit): the conversation is
        closed as "left — do not contact", no turn runs in it any more and its session id
        no longer resumes it. `forgotten`: its rows are already gone (/forget). Unknown
        or forgotten: nothing more to do."""
        with contextlib.suppress(ConversationNotFound):
            await self.handoff.person_left(conversation_id, forgotten=forgotten)
        self.invalidate(conversation_id)

    async def set_language(self, conversation_id: str, language: str) -> ConversationRecord:
        """The person chose another language (e.g. the widget's language switch)."""
        await self._store.update_conversation(conversation_id, language=language)
        self.invalidate(conversation_id)
        record = await self._conversation(conversation_id)
        if record is None:
            raise ConversationNotFound("conversation not found")
        return record

    async def say(
        self,
        conversation_id: str,
        key: str,
        language: str,
        emit: Emit,
        variables: Mapping[str, str] | None = None,
    ) -> None:
        """Store and emit one approved gateway text (e.g. the safety notice)."""
        await self._emit(conversation_id, self._content().render(key, language, variables), emit)

    # -- one turn --------------------------------------------------------------------

    async def handle(self, conversation_id: str, inbound: Inbound, emit: Emit) -> TurnResult:
        lock = self._locks.get(conversation_id)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[conversation_id] = lock
        async with lock:
            return await self._turn(conversation_id, inbound, emit)

    async def _turn(self, conversation_id: str, inbound: Inbound, emit: Emit) -> TurnResult:
        conversation = await self._conversation(conversation_id)
        if conversation is None or conversation.state == ConversationState.CLOSED:
            raise BadInput("no_conversation", "This conversation has ended.")
        if inbound.payload is not None and not PAYLOAD.match(inbound.payload):
            raise BadInput("bad_payload", "Unknown button.")

        text = normalize(inbound.text)
        truncated = len(text) > self._max_chars
        text = text[: self._max_chars]
        if not text and inbound.location is None:
            raise BadInput("empty", "The message is empty.")

        language: str = conversation.language
        if inbound.payload is None and inbound.location is None:
            language = detect_language(text, default="en" if language == "en" else "vi")
        library = self._content()
        screened = screen(text)

        stored_text = text if inbound.location is None else "(location shared)"
        # Queued, not awaited: the dialogue runs while it is stored, and the first answer
        # usually shares its commit. No answer is emitted before it is stored (`first`).
        first = self._store.queue_message(
            conversation_id, Sender.USER, stored_text, risk=screened.level.label
        )
        first.add_done_callback(_retrieved)
        imminent_sent = False
        if screened.level >= RiskLevel.IMMINENT:
            await self._emit(conversation_id, library.render("gw_imminent", language), emit, first)
            imminent_sent = True
        if truncated:
            await self._emit(conversation_id, library.render("gw_truncated", language), emit, first)

        if conversation.state != ConversationState.BOT:
            # Queued or with a counsellor: the gateway never calls Rasa then. The message is
            # stored and passed to the queue, which relays it and answers when it should.
            assessment = assess(screened, None, None)
            stored = await first
            await self._finish(conversation, language, assessment)
            await self.handoff.person_wrote(conversation, stored, assessment, language, emit)
            return TurnResult(assessment, None, None, rasa_answered=False)

        reply = await self._ask_rasa(conversation, text, inbound, language)
        assessment = assess(
            screened, reply.intent if reply else None, reply.confidence if reply else None
        )
        if assessment.level >= RiskLevel.IMMINENT and not imminent_sent:
            await self._emit(conversation_id, library.render("gw_imminent", language), emit, first)
        if reply is None:
            await self._emit(
                conversation_id, library.render("gw_unavailable", language), emit, first
            )
        else:
            for message in reply.messages:
                await self._emit(conversation_id, message, emit, first)
        await first

        decision = decide(
            assessment, reply.payloads if reply else (), RiskLevel.parse(conversation.risk)
        )
        await self._finish(conversation, language, assessment)
        if decision is not None:
            current = await self._conversation(conversation_id)
            await self.handoff.requested(current or conversation, decision, language, emit)
        return TurnResult(
            assessment,
            reply.intent if reply else None,
            reply.confidence if reply else None,
            rasa_answered=reply is not None,
        )

    async def _ask_rasa(
        self, conversation: ConversationRecord, text: str, inbound: Inbound, language: str
    ) -> RasaReply | None:
        metadata: dict[str, Any] = {"language": language, "channel": str(conversation.channel)}
        message = inbound.payload or text
        if inbound.location is not None:
            lat, lon = inbound.location
            metadata["location"] = {"lat": lat, "lon": lon}
            message = LOCATION_PAYLOAD
        try:
            return await self._dialogue.send(conversation.id, message, metadata)
        except RasaUnavailable as exc:
            log.warning("rasa unavailable, static answer sent (%s)", exc)
            return None

    async def _finish(
        self, conversation: ConversationRecord, language: str, assessment: Assessment
    ) -> None:
        previous = RiskLevel.parse(conversation.risk)
        risk = max(previous, assessment.level)
        if language != conversation.language or risk != previous:
            await self._store.update_conversation(
                conversation.id, language=language, risk=risk.label
            )
            self._remember(
                replace(conversation, language=Language(language), risk=RiskLabel(risk.label))
            )

    async def _conversation(self, conversation_id: str) -> ConversationRecord | None:
        record = self._records.get(conversation_id)
        if record is None:
            record = await self._store.get_conversation(conversation_id)
            if record is not None:
                self._remember(record)
        return record

    def invalidate(self, conversation_id: str) -> None:
        """Forget the cached record: call after changing a conversation outside this core."""
        self._records.pop(conversation_id, None)

    def _remember(self, record: ConversationRecord) -> None:
        self._records[record.id] = record
        self._records.move_to_end(record.id)
        while len(self._records) > RECORD_CACHE_SIZE:
            self._records.popitem(last=False)

    async def emit_text(self, conversation_id: str, message: BotText, emit: Emit) -> None:
        """Store and emit one answer in a turn (the queue's notices to the person)."""
        await self._emit(conversation_id, message, emit)

    async def _emit(
        self,
        conversation_id: str,
        message: BotText,
        emit: Emit,
        first: asyncio.Future[StoredMessage] | None = None,
    ) -> None:
        """Store, then emit, one answer; with `first` (the person's message, queued
        earlier), only once that is stored too."""
        buttons = [{"title": b.title, "payload": b.payload} for b in message.buttons]
        stored = self._store.queue_message(
            conversation_id, Sender.BOT, message.text, buttons=buttons
        )
        stored.add_done_callback(_retrieved)
        if first is not None:
            await first
        out = Outbound(seq=(await stored).seq, sender=Sender.BOT, message=message)
        if self._handoff is not None:
            self._handoff.observed(conversation_id, out)
        await emit(out)


def _retrieved(future: asyncio.Future[Any]) -> None:
    """Mark a queued write's failure as seen: whoever awaits the future still gets it, and
    a turn that stopped early does not leave a "never retrieved" error in the log."""
    if not future.cancelled():
        future.exception()


def fail_safe(library: ContentLibrary, language: str) -> BotText:
    """The approved static answer, or a last-resort text if content itself is broken."""
    try:
        return library.render("gw_unavailable", language)
    except ContentError:
        return BotText(LAST_RESORT)
