"""The handoff figures of `make bench`: high-risk message → console, counsellor reply → person.

Against the stub-NLU gateway (a separate process, `tests.bench.stub_gateway`), with staff
accounts made before it starts (`create_staff`: the store and `Accounts` API, as
`python -m bot create-admin` does) and signed in through `POST /staff/login` with a computed
TOTP code (a code is accepted once, for a step later than the last one used).

The load, all in this process (one event loop):
- `conversations` widget connections on `/ws` (docs/WEBCHAT_PROTOCOL.md), kept open; `queued`
  of them asked for a person (the `/request_human` payload, which the stub answers with a
  `handoff` payload, as Rasa does) and wait in the queue; the others chat with the bot in
  the background (Poisson arrivals, `chat_rate` msg/s over all of them, a message only to a
  connection whose previous turn ended); the queued (later: held) people write now and
  then too (`waiting_rate` msg/s over all of them);
- two console connections on `/staff/console/ws` (a counsellor, a supervisor), with the
  gateway's Origin and the session cookie.

Phase 1, `samples` times (`sample_rate` per s, one at a time): a conversation still with
the bot (and idle) sends an imminent-danger message; the latency runs from just before the
send to each console receiving the `entry` frame of that conversation (risk imminent). The
conversation is then claimed and closed by the counsellor and the connection starts a new
one, so the number of open conversations and the queue's length stay as they were.

Phase 2: the counsellor claims every queued conversation (`claim`, then `open` as the
console does) and sends `replies` replies (`reply_rate` per s, open loop, round robin over
the held conversations); each is timed from sending the `reply` frame to the person's socket
receiving the counsellor's message, and to the console receiving the `ok`.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import random
import re
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from bot.settings import Settings
from bot.storage import Keyring, Store
from handoff import totp
from handoff.accounts import Accounts, Policy
from handoff.throttle import Throttle
from tests.bench.load import cpu_seconds, latency_summary
from tests.bench.messages import MESSAGES

IMMINENT = "cứu em với, chồng em đang cầm dao đòi giết em"  # screens imminent (bot.screen)
ASK_HUMAN = ("Tôi muốn nói chuyện với tư vấn viên", "/request_human")  # button title, payload
WAITING_TEXTS = ("em vẫn đang đợi", "có ai không ạ", "em sợ lắm", "chị ơi em vẫn ở đây")
REPLY_TEXT = "Chị ở đây với em. Bây giờ em có an toàn không?"
PASSWORD = "bench password, not a secret"
STAFF = (("bench-counsellor", "counsellor"), ("bench-supervisor", "supervisor"))
FRAME_TIMEOUT = 10.0  # s to wait for an expected frame before the sample counts as lost
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@dataclass(frozen=True, slots=True)
class HandoffPlan:
    conversations: int = 200
    queued: int = 50
    samples: int = 300
    sample_rate: float = 8.0  # imminent messages per s (one at a time)
    replies: int = 600
    reply_rate: float = 25.0  # counsellor replies per s (open loop)
    chat_rate: float = 20.0  # background bot messages per s, all conversations together
    waiting_rate: float = 2.0  # messages per s of the people queued or held, together
    warmup: float = 2.0
    seed: int = 3


@dataclass(frozen=True, slots=True)
class StaffMember:
    username: str
    role: str
    secret: bytes
    last_step: int  # the TOTP step used to enrol: a sign-in needs a later one


# -- accounts (before the gateway starts) ----------------------------------------------------


async def create_staff(settings: Settings) -> list[StaffMember]:
    """The bench's counsellor and supervisor, set up (password and second factor) through
    the store and `Accounts`, in the database the gateway will open."""
    keyring = Keyring.load_or_create(
        settings.var_dir, settings.master_key.value or None, settings.hmac_key.value or None
    )
    store = await Store.open(settings.resolved_database_url, keyring)
    members = []
    try:
        accounts = Accounts(store, Policy.from_settings(settings), Throttle())
        for username, role in STAFF:
            record = await store.staff.create(username, role, accounts.clock())
            token = await accounts.issue_setup(record.id)
            setup = await accounts.setup(token)
            assert setup is not None
            now = time.time()
            code = totp.code_at(setup.totp_secret, now)
            await accounts.complete_setup(token, PASSWORD, PASSWORD, code)
            members.append(StaffMember(username, role, setup.totp_secret, totp.step_of(now)))
    finally:
        await store.close()
    return members


async def sign_in(base: str, member: StaffMember) -> aiohttp.ClientSession:
    """A client session holding the member's session cookie (POST /staff/login)."""
    # unsafe: the jar keeps cookies of an IP address (the gateway is on 127.0.0.1)
    session = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
    try:
        async with session.get(f"{base}/staff/login") as page:
            found = _CSRF.search(await page.text())
        if found is None:
            raise RuntimeError("no CSRF field in the sign-in page")
        step = max(totp.step_of(time.time()), member.last_step + 1)  # within the ±1 window
        form = {
            "csrf": found.group(1),
            "username": member.username,
            "password": PASSWORD,
            "code": totp.code_at(member.secret, step * totp.STEP),
        }
        async with session.post(
            f"{base}/staff/login", data=form, headers={"Origin": base}, allow_redirects=False
        ) as resp:
            if resp.status != 303:
                raise RuntimeError(f"sign-in of {member.username} failed: HTTP {resp.status}")
    except BaseException:
        await session.close()
        raise
    return session


# -- the console -------------------------------------------------------------------------


class Console:
    """One console connection; a reader task matches frames to what the bench waits for."""

    def __init__(self, name: str, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.name = name
        self.ws = ws
        self.known: set[str] = set()  # conversations this console has had an entry of
        self.new_entry: asyncio.Future[tuple[dict[str, Any], float]] | None = None
        self.unexpected_new_entries = 0
        self.refs: dict[str, asyncio.Future[tuple[dict[str, Any], float]]] = {}
        self.frames: Counter[str] = Counter()
        self.hello: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._ref = itertools.count(1)
        self.reader = asyncio.create_task(self._read())

    @classmethod
    async def connect(cls, name: str, base: str, session: aiohttp.ClientSession) -> Console:
        ws = await session.ws_connect(
            f"{base.replace('http', 'ws', 1)}/staff/console/ws",
            headers={"Origin": base},
            autoping=True,
            max_msg_size=0,
        )
        console = cls(name, ws)
        await asyncio.wait_for(console.hello, FRAME_TIMEOUT)
        return console

    async def _read(self) -> None:
        async for msg in self.ws:
            if msg.type != aiohttp.WSMsgType.TEXT:
                break
            now = time.perf_counter()
            frame = json.loads(msg.data)
            kind = frame.get("type")
            self.frames[kind] += 1
            if kind == "snapshot":
                self.known.update(e["conversation_id"] for e in frame["entries"])
                if not self.hello.done():
                    self.hello.set_result(None)
            elif kind == "entry":
                cid = frame["entry"]["conversation_id"]
                if cid not in self.known:
                    self.known.add(cid)
                    if self.new_entry is not None and not self.new_entry.done():
                        self.new_entry.set_result((frame["entry"], now))
                    else:
                        self.unexpected_new_entries += 1
            elif kind in ("ok", "error"):
                waiter = self.refs.pop(frame.get("ref") or "", None)
                if waiter is not None and not waiter.done():
                    waiter.set_result((frame, now))

    def expect_new_entry(self) -> asyncio.Future[tuple[dict[str, Any], float]]:
        """The next entry of a conversation this console has not seen yet."""
        self.new_entry = asyncio.get_running_loop().create_future()
        return self.new_entry

    async def send(self, frame_type: str, **fields: Any) -> asyncio.Future[Any]:
        """Send a command; the future gets (its `ok`/`error` frame, arrival time)."""
        ref = f"b{next(self._ref)}"
        waiter: asyncio.Future[tuple[dict[str, Any], float]] = (
            asyncio.get_running_loop().create_future()
        )
        self.refs[ref] = waiter
        await self.ws.send_str(json.dumps({"type": frame_type, "ref": ref, **fields}))
        return waiter

    async def command(self, frame_type: str, **fields: Any) -> dict[str, Any]:
        waiter = await self.send(frame_type, **fields)
        frame, _ = await asyncio.wait_for(waiter, FRAME_TIMEOUT)
        if frame["type"] != "ok":
            raise RuntimeError(f"console {frame_type} refused: {frame.get('code')}")
        return dict(frame)


# -- the person's widget ---------------------------------------------------------------------


@dataclass(eq=False)
class Person:
    """One widget connection. `state`: bot | sampling | queued | human | closing | broken."""

    ws: aiohttp.ClientWebSocketResponse
    state: str = "bot"
    conversation_id: str | None = None
    busy: bool = True  # a turn (or the start of a conversation) is running
    sent_at: float = 0.0
    first_answer: float | None = None
    turn_done: asyncio.Event = field(default_factory=asyncio.Event)
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    awaited: dict[str, asyncio.Future[float]] = field(default_factory=dict)  # text → arrival
    position: int = 0
    client_id: int = 0
    expect_notice: bool = False
    turns: list[tuple[float, float]] = field(default_factory=list)  # background (sent, done)
    errors: int = 0
    counsellor_messages: int = 0
    reader: asyncio.Task[None] | None = None

    async def read(self) -> None:
        async for msg in self.ws:
            if msg.type != aiohttp.WSMsgType.TEXT:
                break
            now = time.perf_counter()
            frame = json.loads(msg.data)
            kind = frame.get("type")
            if kind == "session":
                self.expect_notice = True
            elif kind == "message" and self.expect_notice:  # the safety notice
                self.expect_notice = False
                self.busy = False
                self.ready.set()
            elif kind == "message":
                if self.first_answer is None:
                    self.first_answer = now
                if frame.get("from") == "counsellor":
                    self.counsellor_messages += 1
                    waiter = self.awaited.pop(frame.get("text", ""), None)
                    if waiter is not None and not waiter.done():
                        waiter.set_result(now)
            elif kind == "typing" and frame.get("on") is False and "from" not in frame:
                if self.state == "bot":
                    self.turns.append((self.sent_at, now))
                self.busy = False
                self.turn_done.set()
            elif kind == "error":
                self.errors += 1

    async def start(self) -> None:
        """A new conversation on this connection (after `session`, the safety notice)."""
        self.busy = True
        self.ready.clear()
        self.conversation_id = None
        await self.ws.send_str('{"type": "start", "lang": "vi"}')
        await asyncio.wait_for(self.ready.wait(), FRAME_TIMEOUT)
        self.state = "bot"

    async def say(self, text: str, payload: str | None = None) -> float:
        """Send one message; returns the time just before the send."""
        self.busy = True
        self.turn_done.clear()
        self.first_answer = None
        self.client_id += 1
        frame: dict[str, Any] = {"type": "message", "text": text, "client_id": self.client_id}
        if payload is not None:
            frame["payload"] = payload
        data = json.dumps(frame, ensure_ascii=False)
        self.sent_at = time.perf_counter()
        await self.ws.send_str(data)
        return self.sent_at

    def expect_counsellor(self, text: str) -> asyncio.Future[float]:
        waiter: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.awaited[text] = waiter
        return waiter


async def open_person(session: aiohttp.ClientSession, url: str) -> Person:
    person = Person(await session.ws_connect(url, autoping=True))
    person.reader = asyncio.create_task(person.read())
    await person.start()
    return person


# -- the run -------------------------------------------------------------------------------


def runqueue_wait(pid: int) -> float | None:
    """Seconds the process's threads have spent ready to run but waiting for a CPU
    (/proc/<pid>/task/*/schedstat, second field): how much other work held it up."""
    total = 0
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return None
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/schedstat") as fh:
                total += int(fh.read().split()[1])
        except (OSError, IndexError, ValueError):
            continue  # a thread that ended meanwhile
    return total / 1e9


@dataclass
class _Cpu:
    """CPU used, and time spent waiting for a CPU, by each process over a window."""

    pids: Mapping[str, int]
    started: dict[str, float | None] = field(default_factory=dict)
    waited: dict[str, float | None] = field(default_factory=dict)
    at: float = 0.0
    loadgen: float = 0.0

    def _all(self) -> dict[str, int]:
        return {"load_generator": os.getpid(), **self.pids}

    def start(self) -> None:
        self.started = {name: cpu_seconds(pid) for name, pid in self.pids.items()}
        self.waited = {name: runqueue_wait(pid) for name, pid in self._all().items()}
        self.at = time.perf_counter()
        self.loadgen = time.process_time()

    def percent(self) -> dict[str, float | None]:
        window = time.perf_counter() - self.at
        out: dict[str, float | None] = {
            "load_generator": round(100 * (time.process_time() - self.loadgen) / window, 1)
        }
        for name, pid in self.pids.items():
            before, after = self.started.get(name), cpu_seconds(pid)
            used = None if before is None or after is None else after - before
            out[name] = None if used is None else round(100 * used / window, 1)
        return out

    def runqueue_ms_per_s(self) -> dict[str, float | None]:
        window = time.perf_counter() - self.at
        out: dict[str, float | None] = {}
        for name, pid in self._all().items():
            before, after = self.waited.get(name), runqueue_wait(pid)
            waited = None if before is None or after is None else after - before
            out[name] = None if waited is None else round(1000 * waited / window, 1)
        return out


class HandoffRun:
    def __init__(
        self,
        plan: HandoffPlan,
        consoles: list[Console],
        people: list[Person],
        pids: Mapping[str, int],
    ) -> None:
        self.plan = plan
        self.consoles = consoles
        self.counsellor = consoles[0]
        self.people = people
        self.pids = pids
        self.rng = random.Random(plan.seed)
        self.stop = asyncio.Event()
        self.skipped_chat = 0
        self.background: list[asyncio.Task[None]] = []
        self.closers: set[asyncio.Task[None]] = set()
        self.failures: list[str] = []

    def _idle(self, *states: str) -> list[Person]:
        return [p for p in self.people if p.state in states and not p.busy]

    async def _arrivals(self, rate: float, states: tuple[str, ...], texts: str) -> None:
        """Poisson arrivals of messages from idle connections in one of `states`."""
        if rate <= 0:
            return
        while not self.stop.is_set():
            await asyncio.sleep(self.rng.expovariate(rate))
            idle = self._idle(*states)
            if not idle:
                self.skipped_chat += 1
                continue
            person = self.rng.choice(idle)
            if texts == "bot":
                text = MESSAGES[person.position % len(MESSAGES)].text
                person.position += 1
            else:
                text = self.rng.choice(WAITING_TEXTS)
            try:
                await person.say(text)
            except (aiohttp.ClientError, ConnectionError) as exc:
                person.state = "broken"
                self.failures.append(f"background send: {type(exc).__name__}")

    async def queue_people(self) -> list[float]:
        """Ask for a person from `queued` connections, one at a time (each one's console
        entry names its conversation). Returns the seconds until the counsellor's console
        had the entry."""
        waits = []
        for person in self.people[: self.plan.queued]:
            entry_at = [c.expect_new_entry() for c in self.consoles]
            sent = await person.say(*ASK_HUMAN)
            (entry, at), *_ = await asyncio.wait_for(asyncio.gather(*entry_at), FRAME_TIMEOUT)
            await asyncio.wait_for(person.turn_done.wait(), FRAME_TIMEOUT)
            if entry["state"] != "queued":
                raise RuntimeError(f"a request for a person gave state {entry['state']}")
            person.conversation_id = entry["conversation_id"]
            person.state = "queued"
            waits.append(at - sent)
        return waits

    async def sample_imminent(self) -> dict[str, Any]:
        plan = self.plan
        latencies: dict[str, list[float]] = {c.name: [] for c in self.consoles}
        first_answers: list[float] = []
        lost = mismatched = not_imminent = waited_for_idle = 0
        cpu = _Cpu(self.pids)
        cpu.start()
        load_before = _loadavg()
        start = time.perf_counter()
        timed: list[tuple[float, float]] = []  # (sent, at the counsellor's console)
        for index in range(plan.samples):
            delay = start + index / plan.sample_rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            while not (idle := self._idle("bot")):
                waited_for_idle += 1
                await asyncio.sleep(0.01)
            person = self.rng.choice(idle)
            person.state = "sampling"
            waiters = [c.expect_new_entry() for c in self.consoles]
            sent = await person.say(IMMINENT)
            try:
                results = await asyncio.wait_for(asyncio.gather(*waiters), FRAME_TIMEOUT)
            except TimeoutError:
                lost += 1
                person.state = "broken"
                continue
            ids = {entry["conversation_id"] for entry, _ in results}
            if len(ids) != 1:
                mismatched += 1
                person.state = "broken"
                continue
            if any(entry["risk"] != "imminent" for entry, _ in results):
                not_imminent += 1
            for console, (_, at) in zip(self.consoles, results, strict=True):
                latencies[console.name].append(at - sent)
            timed.append((sent, results[0][1]))
            person.conversation_id = ids.pop()
            person.state = "queued"
            task = asyncio.create_task(self._claim_and_close(person, sent, first_answers))
            self.closers.add(task)
            task.add_done_callback(self.closers.discard)
        elapsed = time.perf_counter() - start
        cpu_percent, runqueue = cpu.percent(), cpu.runqueue_ms_per_s()
        if self.closers:
            await asyncio.gather(*self.closers)
        headline = latencies[self.counsellor.name]
        return {
            "samples": plan.samples,
            "measured": len(headline),
            "sample_rate_per_s": plan.sample_rate,
            "window_s": round(elapsed, 2),
            "latency_ms": latency_summary(headline),
            "latency_ms_by_console": {n: latency_summary(v) for n, v in latencies.items()},
            "person_first_answer_ms": latency_summary(first_answers),
            "slowest": self._slowest(timed, start),
            "lost": lost,
            "mismatched": mismatched,
            "not_imminent": not_imminent,
            "waited_for_an_idle_conversation": waited_for_idle,
            "cpu_percent": cpu_percent,
            "runqueue_wait_ms_per_s": runqueue,
            "loadavg_1m_before": load_before,
        }

    def _slowest(self, timed: list[tuple[float, float]], start: float) -> list[dict[str, Any]]:
        """The five slowest samples, each with the background bot turns that overlapped it:
        if those were slow too, the whole gateway was held up (the machine, a stall), not
        the handoff path."""
        turns = [t for p in self.people for t in p.turns]
        out = []
        for sent, at in sorted(timed, key=lambda t: t[0] - t[1])[:5]:
            overlapping = [done - began for began, done in turns if began < at and done > sent]
            out.append(
                {
                    "at_s": round(sent - start, 2),
                    "ms": round(1000 * (at - sent), 2),
                    "overlapping_bot_turns": len(overlapping),
                    "their_max_ms": round(1000 * max(overlapping), 2) if overlapping else None,
                }
            )
        return out

    async def _claim_and_close(self, person: Person, sent: float, first: list[float]) -> None:
        """The counsellor takes the sampled conversation and closes it; the connection
        starts a new conversation (so 200 stay open, and the queue keeps its length)."""
        cid = person.conversation_id
        try:
            await asyncio.wait_for(person.turn_done.wait(), FRAME_TIMEOUT)
            if person.first_answer is not None:
                first.append(person.first_answer - sent)
            person.state = "closing"
            await self.counsellor.command("claim", conversation_id=cid)
            await self.counsellor.command("close", conversation_id=cid, outcome="resolved")
            await person.start()
        except (TimeoutError, RuntimeError, aiohttp.ClientError, ConnectionError) as exc:
            person.state = "broken"
            self.failures.append(f"claim and close: {type(exc).__name__}: {exc}")

    async def replies(self) -> dict[str, Any]:
        plan = self.plan
        held = [p for p in self.people if p.state == "queued"]
        if not held:
            raise RuntimeError("no queued conversation to claim")
        claim_ms: list[float] = []
        for person in held:
            person.state = "claiming"  # the waiting-people writer leaves it alone meanwhile
            while person.busy:
                await asyncio.sleep(0.005)
            sent = time.perf_counter()
            waiter = await self.counsellor.send("claim", conversation_id=person.conversation_id)
            frame, at = await asyncio.wait_for(waiter, FRAME_TIMEOUT)
            if frame["type"] != "ok":
                raise RuntimeError(f"claim refused: {frame.get('code')}")
            claim_ms.append(at - sent)
            await self.counsellor.command("open", conversation_id=person.conversation_id)
            person.state = "human"
        to_person: list[float] = []
        to_ok: list[float] = []
        lost = 0
        cpu = _Cpu(self.pids)
        cpu.start()
        load_before = _loadavg()
        start = time.perf_counter() + 0.05
        tasks = []

        async def one(index: int, person: Person) -> None:
            nonlocal lost
            text = f"{REPLY_TEXT} ({index})"
            arrived = person.expect_counsellor(text)
            sent = time.perf_counter()
            ok = await self.counsellor.send(
                "reply", conversation_id=person.conversation_id, text=text
            )
            try:
                person_at, (frame, ok_at) = await asyncio.wait_for(
                    asyncio.gather(arrived, ok), FRAME_TIMEOUT
                )
            except TimeoutError:
                lost += 1
                return
            if frame["type"] != "ok":
                lost += 1
                return
            to_person.append(person_at - sent)
            to_ok.append(ok_at - sent)

        for index in range(plan.replies):
            delay = start + index / plan.reply_rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(index, held[index % len(held)])))
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - start
        return {
            "replies": plan.replies,
            "measured": len(to_person),
            "reply_rate_per_s": plan.reply_rate,
            "conversations": len(held),
            "window_s": round(elapsed, 2),
            "to_person_ms": latency_summary(to_person),
            "to_ok_ms": latency_summary(to_ok),
            "claim_ok_ms": latency_summary(claim_ms),
            "lost": lost,
            "cpu_percent": cpu.percent(),
            "runqueue_wait_ms_per_s": cpu.runqueue_ms_per_s(),
            "loadavg_1m_before": load_before,
        }

    async def run(self) -> dict[str, Any]:
        plan = self.plan
        queue_waits = await self.queue_people()
        self.background = [
            asyncio.create_task(self._arrivals(plan.chat_rate, ("bot",), "bot")),
            asyncio.create_task(self._arrivals(plan.waiting_rate, ("queued", "human"), "wait")),
        ]
        frames_before = [Counter(c.frames) for c in self.consoles]
        try:
            await asyncio.sleep(plan.warmup)
            imminent = await self.sample_imminent()
            reply = await self.replies()
        finally:
            self.stop.set()
            await asyncio.gather(*self.background, return_exceptions=True)
        turns = [done - sent for p in self.people for sent, done in p.turns]
        return {
            "imminent_to_console": imminent,
            "reply_to_person": reply,
            "setup": {
                "request_human_to_console_ms": latency_summary(queue_waits),
            },
            "background": {
                "bot_turns": len(turns),
                "bot_turn_ms": latency_summary(turns),
                "skipped_no_idle_conversation": self.skipped_chat,
            },
            "console_frames_received": {
                c.name: dict(c.frames - before)
                for c, before in zip(self.consoles, frames_before, strict=True)
            },
            "unexpected_new_entries": sum(c.unexpected_new_entries for c in self.consoles),
            "person_error_frames": sum(p.errors for p in self.people),
            "broken_connections": sum(1 for p in self.people if p.state == "broken"),
            "failures": self.failures[:10],
            "open_conversations_at_end": sum(
                1 for p in self.people if p.state in ("bot", "queued", "human")
            ),
        }


def _loadavg() -> float:
    return os.getloadavg()[0]


async def run_handoff(
    base: str, members: list[StaffMember], plan: HandoffPlan, pids: Mapping[str, int]
) -> dict[str, Any]:
    """Sign in, connect the consoles and the people, run both phases."""
    sessions = [await sign_in(base, member) for member in members]
    connector = aiohttp.TCPConnector(limit=0)
    widgets = aiohttp.ClientSession(connector=connector)
    people: list[Person] = []
    consoles: list[Console] = []
    try:
        for member, session in zip(members, sessions, strict=True):
            consoles.append(await Console.connect(member.role, base, session))
        url = f"{base.replace('http', 'ws', 1)}/ws"
        for _ in range(0, plan.conversations, 50):  # in batches: connecting is not measured
            batch = min(50, plan.conversations - len(people))
            people += await asyncio.gather(*(open_person(widgets, url) for _ in range(batch)))
        result = await HandoffRun(plan, consoles, people, pids).run()
        result["plan"] = {
            "conversations": plan.conversations,
            "queued": plan.queued,
            "consoles": [c.name for c in consoles],
            "background_chat_msg_per_s": plan.chat_rate,
            "waiting_people_msg_per_s": plan.waiting_rate,
            "imminent_text": IMMINENT,
        }
        return result
    finally:
        for person in people:
            await person.ws.close()
        for console in consoles:
            await console.ws.close()
        await asyncio.gather(
            *(p.reader for p in people if p.reader is not None),
            *(c.reader for c in consoles),
            return_exceptions=True,
        )
        await widgets.close()
        for session in sessions:
            await session.close()
