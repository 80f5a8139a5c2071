"""The handoff queue: conversations waiting for, or held by, a counsellor (docs/HANDOFF.md).

One `HandoffQueue` per gateway process. It implements the core's `Handoff` protocol (a
turn asks for a human; the person writes while queued; the person leaves), carries out
the counsellors' commands from the console (claim, reply, note, release, hand back,
close, presence), runs the timers (escalation, unanswered person), and pushes events to
every connected console through a `ConsoleLink` outbox, so a slow console never holds up
a person's turn.

State lives in the database (`store.queue`); `_entries` is this process's view of the
open entries, loaded at start and kept current by every transition made here (one
gateway process per database, as for the core's record cache).

Never logged: message text, notes, ids of people.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import statistics
import weakref
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo

from bot.content import CANNED_KEYS, ContentLibrary
from bot.core import ConversationCore, Emit, Outbound
from bot.errors import ContentError, RasaUnavailable
from bot.messages import BotText
from bot.screen import RiskLevel
from bot.settings import Settings
from bot.storage import ConversationNotFound, ConversationRecord, Store, StoredMessage
from bot.storage.queue import CLOSE_OUTCOMES, QueueEntry
from bot.storage.types import ConversationState, RiskLabel, Sender
from bot.text import normalize
from bot.triage import Assessment
from handoff.policy import HandoffDecision
from handoff.roles import OVERSIGHT, Role

log = logging.getLogger(__name__)

PRESENCE: Final = ("available", "busy", "away")
OUTCOMES: Final = CLOSE_OUTCOMES  # what a counsellor may close with
MAX_REPLY: Final = 2000
MAX_NOTE: Final = 4000
LEFT_VISIBLE: Final = timedelta(hours=12)  # how long "left — do not contact" stays listed
WAIT_WINDOW: Final = timedelta(hours=24)
MIN_WAIT_SAMPLES: Final = 3
OUTBOX_LIMIT: Final = 1000  # frames queued for one console before it is disconnected
REF_MEMORY: Final = 10_000
RISK_ORDER: Final = {"imminent": 0, "high": 1, "elevated": 2, "none": 3}

Clock = Callable[[], datetime]
Resume = Callable[[str, str, str], Awaitable[list[BotText]]]
Audit = Callable[[str, str, datetime, str | None], Awaitable[None]]


def utcnow() -> datetime:
    return datetime.now(UTC)


class HandoffError(Exception):
    """A console command that cannot be carried out; `code` goes to the console."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def _not_found() -> HandoffError:
    # the same answer for a missing conversation and one this member of staff may not see
    return HandoffError("not_found", "No such conversation.")


@dataclass(eq=False)
class ConsoleLink:
    """One connected console. `frames` is drained by the console's writer task."""

    staff_id: str
    username: str
    role: Role
    opened: set[str] = field(default_factory=set)
    frames: asyncio.Queue[dict[str, Any] | None] = field(default_factory=asyncio.Queue)
    dropped: bool = False

    @property
    def oversight(self) -> bool:
        return self.role in OVERSIGHT

    def send(self, frame: dict[str, Any]) -> None:
        if self.dropped:
            return
        if self.frames.qsize() >= OUTBOX_LIMIT:  # the console stopped reading: drop it,
            self.dropped = True  # it reconnects and gets a fresh snapshot
            self.frames.put_nowait(None)
            return
        self.frames.put_nowait(frame)


def priority(entry: QueueEntry) -> tuple[int, datetime]:
    """Risk first, then the longest wait."""
    return RISK_ORDER.get(str(entry.risk), 9), entry.queued_at


def _view_state(entry: QueueEntry) -> str:
    if entry.state == ConversationState.CLOSED:
        return "left"
    return str(entry.state)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def message_view(message: StoredMessage) -> dict[str, Any]:
    return {
        "seq": message.seq,
        "from": str(message.sender),
        "text": message.text,
        "at": message.created_at.isoformat(),
    }


class HandoffQueue:
    def __init__(
        self,
        settings: Settings,
        store: Store,
        core: ConversationCore,
        content: Callable[[], ContentLibrary],
        resume: Resume,
        clock: Clock = utcnow,
    ) -> None:
        self._settings = settings
        self._store = store
        self._core = core
        self._content = content
        self._resume = resume
        self._clock = clock
        self._entries: dict[str, QueueEntry] = {}
        self._links: set[ConsoleLink] = set()
        self._presence: dict[str, str] = {}
        self._usernames: dict[str, str] = {}
        self._reminded: dict[str, datetime] = {}
        self._refs: OrderedDict[tuple[str, str], dict[str, Any]] = OrderedDict()
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
        self._tz = ZoneInfo(settings.handoff_timezone)
        self._task: asyncio.Task[None] | None = None

    # -- life cycle ----------------------------------------------------------------------

    async def start(self) -> None:
        now = self._clock()
        for entry in await self._store.queue.open_entries(now - LEFT_VISIBLE):
            self._entries[entry.conversation_id] = entry
        for member in await self._store.staff.all():
            self._usernames[member.id] = member.username
        self._task = asyncio.create_task(self._ticker())

    def close_consoles(self) -> None:
        """Ask every console connection to close (the gateway is shutting down)."""
        for link in tuple(self._links):
            link.dropped = True
            link.frames.put_nowait(None)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self.close_consoles()

    async def _ticker(self) -> None:
        while True:
            await asyncio.sleep(self._settings.handoff_tick_seconds)
            try:
                await self.tick()
            except Exception:
                log.exception("handoff timers failed; retrying on the next tick")

    # -- what the core tells the queue (bot.core.Handoff) --------------------------------

    async def requested(
        self,
        conversation: ConversationRecord,
        decision: HandoffDecision,
        language: str,
        emit: Emit,
    ) -> None:
        now = self._clock()
        entry = await self._store.queue.enqueue(
            conversation.id, decision.reason, decision.level.label, list(decision.reasons), now
        )
        self._core.invalidate(conversation.id)
        if entry is None:
            return
        self._entries[entry.conversation_id] = entry
        self._reminded[entry.conversation_id] = now
        self._broadcast_entry(entry)
        if entry.risk in (RiskLabel.HIGH, RiskLabel.IMMINENT):
            self._alert("high_risk", entry.conversation_id, oversight_only=False)
        await self._core.emit_text(conversation.id, await self._status(entry, language), emit)

    async def person_wrote(
        self,
        conversation: ConversationRecord,
        message: StoredMessage,
        assessment: Assessment,
        language: str,
        emit: Emit,
    ) -> None:
        conversation_id = conversation.id
        now = self._clock()
        async with self._lock(conversation_id):  # not interleaved with a claim or a timer
            entry = self._entries.get(conversation_id) or await self._store.queue.entry(
                conversation_id
            )
            if entry is None:
                raised_alert = changed = False
            else:
                before = entry
                raised_alert = False
                if assessment.level > RiskLevel.parse(str(entry.risk)):
                    raised = await self._store.queue.enqueue(
                        conversation_id,
                        f"risk_{assessment.level.label}",
                        assessment.level.label,
                        list(assessment.reasons),
                        now,
                    )
                    entry = raised or entry
                    raised_alert = entry.risk in (RiskLabel.HIGH, RiskLabel.IMMINENT)
                if entry.state == ConversationState.HUMAN and entry.awaiting_since is None:
                    await self._store.queue.person_waiting(conversation_id, now)
                    entry = replace(entry, awaiting_since=now)
                changed = before != entry or conversation_id not in self._entries
                self._entries[conversation_id] = entry
        if entry is None:  # held without a queue entry (should not happen): never silent
            log.warning("a held conversation has no queue entry; fail-safe answer sent")
            await self._core.emit_text(
                conversation_id, self._content().render("gw_unavailable", language), emit
            )
            return
        self._broadcast_message(conversation_id, message)
        if changed:
            self._broadcast_entry(entry)
        if raised_alert:
            self._alert("high_risk", conversation_id, oversight_only=False)
        if entry.state == ConversationState.QUEUED and self._reminder_due(conversation_id, now):
            self._reminded[conversation_id] = now
            await self._core.emit_text(
                conversation_id, await self._status(entry, language, reminder=True), emit
            )

    async def person_left(self, conversation_id: str, *, forgotten: bool) -> None:
        async with self._lock(conversation_id):
            if not forgotten:
                await self._store.queue.mark_left(conversation_id, self._clock())
            self._core.invalidate(conversation_id)
            self._reminded.pop(conversation_id, None)
            known = self._entries.pop(conversation_id, None)
            if known is None:
                return
            entry = None
            if not forgotten:
                entry = await self._store.queue.entry(conversation_id) or replace(
                    known, state=ConversationState.CLOSED, outcome="left"
                )
                self._entries[conversation_id] = entry
        if entry is None:  # forgotten: nothing of it is left to show
            self._broadcast({"type": "removed", "conversation_id": conversation_id})
            self._broadcast_health()
            return
        self._broadcast_entry(entry)
        self._alert("left", conversation_id, oversight_only=False, holder=known.claimed_by)

    def observed(self, conversation_id: str, out: Outbound) -> None:
        """Every message stored for the person (bot, system, counsellor) reaches the
        consoles that opened the conversation, so they see what the person saw."""
        if not any(conversation_id in link.opened for link in self._links):
            return
        message = StoredMessage(out.seq, out.sender, out.message.text, [], self._clock())
        self._broadcast_message(conversation_id, message)

    # -- what the person is told ---------------------------------------------------------

    def on_duty(self, now: datetime | None = None) -> bool:
        """Within HANDOFF_HOURS and at least one member of staff available."""
        return self._within_hours(now or self._clock()) and self.available_count() > 0

    def _within_hours(self, now: datetime) -> bool:
        hours = self._settings.handoff_hours
        if hours is None:
            return True
        local = now.astimezone(self._tz)
        minute = local.hour * 60 + local.minute
        start, end = hours
        return start <= minute < end if start < end else minute >= start or minute < end

    def position(self, conversation_id: str) -> int:
        target = self._entries.get(conversation_id)
        if target is None:
            return 1
        ahead = [
            e
            for e in self._entries.values()
            if e.state == ConversationState.QUEUED and priority(e) < priority(target)
        ]
        return len(ahead) + 1

    async def wait_estimate(self) -> float | None:
        """Median wait (seconds) from queued to claimed over the last day, if known."""
        waits = await self._store.queue.recent_waits(self._clock() - WAIT_WINDOW)
        if len(waits) < MIN_WAIT_SAMPLES:
            return None
        return statistics.median(waits)

    async def _status(self, entry: QueueEntry, language: str, reminder: bool = False) -> BotText:
        library = self._content()
        position = str(self.position(entry.conversation_id))
        if not self.on_duty():
            return library.render("gw_queue_offline", language)
        if reminder:
            return library.render("gw_queue_waiting", language, {"position": position})
        wait = await self.wait_estimate()
        if wait is None:
            return library.render("gw_queue_joined_unknown", language, {"position": position})
        return library.render(
            "gw_queue_joined",
            language,
            {"position": position, "wait": _wait_phrase(library, language, wait)},
        )

    def _reminder_due(self, conversation_id: str, now: datetime) -> bool:
        last = self._reminded.get(conversation_id)
        every = timedelta(seconds=self._settings.handoff_reminder_seconds)
        return last is None or now - last >= every

    async def _tell(self, conversation_id: str, key: str, language: str | None = None) -> None:
        """A system notice to the person, outside a turn."""
        record = await self._store.get_conversation(conversation_id)
        if record is None:
            return
        message = self._content().render(key, language or str(record.language))
        await self._core.deliver(conversation_id, Sender.SYSTEM, message)

    # -- consoles ------------------------------------------------------------------------

    def connect(self, link: ConsoleLink) -> None:
        self._links.add(link)
        self._usernames[link.staff_id] = link.username
        self._presence.setdefault(link.staff_id, "available")
        self._broadcast_health()

    def disconnect(self, link: ConsoleLink) -> None:
        self._links.discard(link)
        self._broadcast_health()

    def hello(self, link: ConsoleLink) -> dict[str, Any]:
        library = self._content()
        canned: dict[str, list[dict[str, str]]] = {}
        for language in ("vi", "en"):
            canned[language] = []
            for key in CANNED_KEYS:
                with contextlib.suppress(ContentError):
                    canned[language].append(
                        {"key": key, "text": library.render(key, language).text}
                    )
        return {
            "type": "hello",
            "me": {"id": link.staff_id, "username": link.username, "role": str(link.role)},
            "presence": self._presence.get(link.staff_id, "available"),
            "cap": self._settings.handoff_max_chats,
            "outcomes": list(OUTCOMES),
            "canned": canned,
        }

    def snapshot(self, link: ConsoleLink) -> dict[str, Any]:
        now = self._clock()
        entries = sorted(self._entries.values(), key=priority)
        return {
            "type": "snapshot",
            "entries": [self._entry_view(e, link, now) for e in entries],
            "health": self.health(now),
        }

    def health(self, now: datetime | None = None) -> dict[str, Any]:
        now = now or self._clock()
        queued = [e for e in self._entries.values() if e.state == ConversationState.QUEUED]
        longest = max((now - e.queued_at for e in queued), default=timedelta(0))
        return {
            "waiting": len(queued),
            "high_risk_waiting": sum(
                1 for e in queued if e.risk in (RiskLabel.HIGH, RiskLabel.IMMINENT)
            ),
            "longest_wait_seconds": max(0, round(longest.total_seconds())),
            "counsellors_online": len({link.staff_id for link in self._links}),
            "counsellors_available": self.available_count(),
            "on_duty": self.on_duty(now),
        }

    def available_count(self) -> int:
        online = {link.staff_id for link in self._links}
        return sum(1 for s in online if self._presence.get(s) == "available")

    def _entry_view(self, entry: QueueEntry, link: ConsoleLink, now: datetime) -> dict[str, Any]:
        holder = entry.claimed_by
        return {
            "conversation_id": entry.conversation_id,
            "channel": str(entry.channel),
            "language": str(entry.language),
            "state": _view_state(entry),
            "risk": str(entry.risk),
            "reason": entry.reason,
            "reasons": list(entry.reasons),
            "queued_at": entry.queued_at.isoformat(),
            "waited_seconds": max(0, round((now - entry.queued_at).total_seconds())),
            "claimed_by": (
                {"id": holder, "username": self._usernames.get(holder, "?")} if holder else None
            ),
            "escalated": entry.escalated_at is not None,
            "awaiting_since": _iso(entry.awaiting_since),
            "mine": holder == link.staff_id,
        }

    def _broadcast(self, frame: dict[str, Any], links: Iterable[ConsoleLink] | None = None) -> None:
        for link in tuple(self._links if links is None else links):
            link.send(frame)

    def _broadcast_entry(self, entry: QueueEntry) -> None:
        now = self._clock()
        for link in tuple(self._links):
            link.send({"type": "entry", "entry": self._entry_view(entry, link, now)})
        self._broadcast_health()

    def _broadcast_health(self) -> None:
        self._broadcast({"type": "health", "health": self.health()})

    def _broadcast_message(self, conversation_id: str, message: StoredMessage) -> None:
        frame = {
            "type": "message",
            "conversation_id": conversation_id,
            "message": message_view(message),
        }
        self._broadcast(frame, (link for link in self._links if conversation_id in link.opened))

    def _alert(
        self, kind: str, conversation_id: str, *, oversight_only: bool, holder: str | None = None
    ) -> None:
        frame = {"type": "alert", "kind": kind, "conversation_id": conversation_id}
        self._broadcast(
            frame,
            (
                link
                for link in self._links
                if link.oversight or (not oversight_only) or link.staff_id == holder
            ),
        )

    # -- console commands ----------------------------------------------------------------

    def _lock(self, conversation_id: str) -> asyncio.Lock:
        lock = self._locks.get(conversation_id)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[conversation_id] = lock
        return lock

    def _known(self, conversation_id: str) -> QueueEntry:
        entry = self._entries.get(conversation_id)
        if entry is None:
            raise _not_found()
        return entry

    def _held(self, link: ConsoleLink, conversation_id: str) -> QueueEntry:
        """The entry, which this member of staff holds and may send to."""
        entry = self._known(conversation_id)
        if entry.state == ConversationState.CLOSED:
            raise HandoffError("left", "The person left: do not contact.")
        if entry.claimed_by != link.staff_id:
            raise HandoffError("not_yours", "Claim the conversation first.")
        return entry

    def _may_read(self, link: ConsoleLink, entry: QueueEntry | None) -> bool:
        return entry is not None and (link.oversight or entry.claimed_by == link.staff_id)

    async def _audit(self, link: ConsoleLink, action: str, conversation_id: str) -> None:
        await self._store.staff.audit(
            link.staff_id, action, self._clock(), conversation_id=conversation_id
        )

    async def claim(self, link: ConsoleLink, conversation_id: str) -> QueueEntry:
        async with self._lock(conversation_id):
            entry = self._known(conversation_id)
            if entry.state == ConversationState.CLOSED:
                raise HandoffError("left", "The person left: do not contact.")
            if entry.state != ConversationState.QUEUED:
                raise HandoffError("taken", "Someone else has taken this conversation.")
            held = sum(
                1
                for e in self._entries.values()
                if e.claimed_by == link.staff_id and e.state == ConversationState.HUMAN
            )
            if held >= self._settings.handoff_max_chats:
                raise HandoffError("cap", f"You already hold {held} conversations (the limit).")
            claimed = await self._store.queue.claim(conversation_id, link.staff_id, self._clock())
            self._core.invalidate(conversation_id)
            if claimed is None:
                fresh = await self._store.queue.entry(conversation_id)
                if fresh is not None:
                    self._entries[conversation_id] = fresh
                raise HandoffError("taken", "Someone else has taken this conversation.")
            self._entries[conversation_id] = claimed
            await self._audit(link, "conversation_claimed", conversation_id)
        self._broadcast_entry(claimed)
        await self._tell(conversation_id, "gw_counsellor_joined")
        return claimed

    async def open(
        self, link: ConsoleLink, conversation_id: str, after_seq: int = 0
    ) -> dict[str, Any]:
        entry = self._entries.get(conversation_id) or await self._store.queue.entry(conversation_id)
        if not self._may_read(link, entry):
            await self._audit(link, "transcript_denied", conversation_id)
            raise _not_found()
        try:
            messages = await self._store.messages_after(conversation_id, max(0, after_seq))
            notes = await self._store.queue.notes(conversation_id)
        except ConversationNotFound:
            raise _not_found() from None
        await self._audit(link, "transcript_opened", conversation_id)
        link.opened.add(conversation_id)
        return {
            "type": "transcript",
            "conversation_id": conversation_id,
            "messages": [message_view(m) for m in messages],
            "notes": [
                {
                    "id": n.id,
                    "by": n.username or "?",
                    "text": n.text,
                    "at": n.created_at.isoformat(),
                }
                for n in notes
            ],
        }

    async def reply(
        self, link: ConsoleLink, conversation_id: str, text: object, ref: str | None
    ) -> dict[str, Any]:
        key = (link.staff_id, ref) if ref else None
        if key is not None and key in self._refs:
            return self._refs[key]  # a reply resent after a reconnect: stored once
        cleaned = _clean(text, MAX_REPLY)
        async with self._lock(conversation_id):
            entry = self._held(link, conversation_id)
            out, delivered = await self._core.deliver(
                conversation_id, Sender.COUNSELLOR, BotText(cleaned)
            )
            now = self._clock()
            await self._store.queue.counsellor_replied(conversation_id, now)
            self._entries[conversation_id] = replace(entry, awaiting_since=None)
        result = {"seq": out.seq, "delivered": delivered}
        if key is not None:
            self._refs[key] = result
            while len(self._refs) > REF_MEMORY:
                self._refs.popitem(last=False)
        if entry.awaiting_since is not None:
            self._broadcast_entry(self._entries[conversation_id])
        return result

    async def typing(self, link: ConsoleLink, conversation_id: str, on: bool) -> None:
        entry = self._held(link, conversation_id)
        await self._core.typing(conversation_id, entry.channel, on)

    async def note(self, link: ConsoleLink, conversation_id: str, text: object) -> dict[str, Any]:
        entry = self._entries.get(conversation_id)
        if not self._may_read(link, entry):
            raise _not_found()
        try:
            note = await self._store.queue.add_note(
                conversation_id, link.staff_id, _clean(text, MAX_NOTE), self._clock()
            )
        except ConversationNotFound:
            raise _not_found() from None
        view = {
            "id": note.id,
            "by": link.username,
            "text": note.text,
            "at": note.created_at.isoformat(),
        }
        self._broadcast(
            {"type": "note", "conversation_id": conversation_id, "note": view},
            (other for other in self._links if conversation_id in other.opened),
        )
        return view

    async def release(self, link: ConsoleLink, conversation_id: str) -> None:
        async with self._lock(conversation_id):
            self._held(link, conversation_id)
            entry = await self._store.queue.requeue(conversation_id, link.staff_id, self._clock())
            self._core.invalidate(conversation_id)
            if entry is None:
                raise HandoffError("conflict", "The conversation changed; reload it.")
            self._entries[conversation_id] = entry
            await self._audit(link, "conversation_released", conversation_id)
        self._broadcast_entry(entry)
        await self._tell(conversation_id, "gw_queue_returned")

    async def hand_back(self, link: ConsoleLink, conversation_id: str) -> None:
        async with self._lock(conversation_id):
            entry = self._held(link, conversation_id)
            if not await self._store.queue.hand_back(conversation_id, link.staff_id, self._clock()):
                raise HandoffError("conflict", "The conversation changed; reload it.")
            self._core.invalidate(conversation_id)
            self._drop(conversation_id)
            await self._audit(link, "conversation_handed_back", conversation_id)
        record = await self._store.get_conversation(conversation_id)
        language = str(record.language) if record else str(entry.language)
        try:
            messages = await self._resume(conversation_id, language, str(entry.channel))
        except RasaUnavailable as exc:
            log.warning("rasa could not resume a handed-back conversation (%s)", exc)
            messages = []
        if not messages:
            messages = [self._content().render("gw_handed_back", language)]
        for message in messages:
            await self._core.deliver(conversation_id, Sender.BOT, message)

    async def close(self, link: ConsoleLink, conversation_id: str, outcome: str) -> None:
        if outcome not in OUTCOMES:
            raise HandoffError("bad_outcome", f"Outcome must be one of {', '.join(OUTCOMES)}.")
        async with self._lock(conversation_id):
            self._held(link, conversation_id)
            if not await self._store.queue.close(
                conversation_id, link.staff_id, outcome, self._clock()
            ):
                raise HandoffError("conflict", "The conversation changed; reload it.")
            self._core.invalidate(conversation_id)
            self._drop(conversation_id)
            await self._audit(link, "conversation_closed", conversation_id)
        await self._tell(conversation_id, "gw_conversation_closed")

    def set_presence(self, link: ConsoleLink, status: str) -> None:
        if status not in PRESENCE:
            raise HandoffError("bad_presence", f"Presence must be one of {', '.join(PRESENCE)}.")
        self._presence[link.staff_id] = status
        self._broadcast_health()

    def _drop(self, conversation_id: str) -> None:
        self._entries.pop(conversation_id, None)
        self._reminded.pop(conversation_id, None)
        self._broadcast({"type": "removed", "conversation_id": conversation_id})
        self._broadcast_health()

    # -- timers --------------------------------------------------------------------------

    async def tick(self) -> None:
        """Escalate long-unclaimed entries; return unanswered ones to the queue; forget
        "left" entries after a while; refresh the consoles' health."""
        now = self._clock()
        escalate = timedelta(minutes=self._settings.handoff_escalate_minutes)
        unanswered = timedelta(minutes=self._settings.handoff_reply_minutes)
        for entry in list(self._entries.values()):
            cid = entry.conversation_id
            if entry.state == ConversationState.CLOSED:
                if entry.queued_at < now - LEFT_VISIBLE:
                    self._drop(cid)
                continue
            if (
                entry.state == ConversationState.QUEUED
                and entry.escalated_at is None
                and now - entry.queued_at >= escalate
            ):
                async with self._lock(cid):
                    escalated = await self._store.queue.mark_escalated(cid, now)
                    current = self._entries.get(cid)
                    if escalated and current is not None:
                        self._entries[cid] = replace(current, escalated_at=now)
                if escalated and cid in self._entries:
                    self._broadcast_entry(self._entries[cid])
                    self._alert("escalated", cid, oversight_only=True)
            elif (
                entry.state == ConversationState.HUMAN
                and entry.awaiting_since is not None
                and now - entry.awaiting_since >= unanswered
            ):
                await self._return_unanswered(entry, now)
        self._broadcast_health()

    async def _return_unanswered(self, entry: QueueEntry, now: datetime) -> None:
        cid = entry.conversation_id
        async with self._lock(cid):
            returned = await self._store.queue.requeue(cid, entry.claimed_by, now)
            self._core.invalidate(cid)
            if returned is None:
                return
            self._entries[cid] = returned
        self._broadcast_entry(returned)
        self._alert("returned", cid, oversight_only=True, holder=entry.claimed_by)
        await self._tell(cid, "gw_queue_returned")


def _clean(text: object, limit: int) -> str:
    if not isinstance(text, str):
        raise HandoffError("bad_text", "The text must be a string.")
    cleaned = normalize(text).strip()
    if not cleaned:
        raise HandoffError("empty", "The text is empty.")
    if len(cleaned) > limit:
        raise HandoffError("too_long", f"The text is longer than {limit} characters.")
    return cleaned


def _wait_phrase(library: ContentLibrary, language: str, seconds: float) -> str:
    if seconds < 60:
        return library.render("gw_wait_under_minute", language).text
    minutes = max(1, round(seconds / 60))
    if minutes == 1:
        return library.render("gw_wait_one_minute", language).text
    return library.render("gw_wait_minutes", language, {"minutes": str(minutes)}).text
