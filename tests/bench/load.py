"""Closed-loop load generator: N workers in one event loop sharing one aiohttp session.

Each worker holds its own conversation(s) and sends the next message only after the
previous answer arrived. A cell ends at its time limit or message budget, whichever comes
first; samples sent during the warm-up are dropped.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import time
import uuid
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import aiohttp

from tests.bench.messages import MESSAGES, BenchMessage

TURN_TIMEOUT = 30.0
CLK_TCK = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True, slots=True)
class Outcome:
    sent: float
    done: float
    first_answer: float | None  # seconds from send to the first answer frame
    ok: bool
    static: bool  # the answer was the gateway's static fail-safe text


class Worker(Protocol):
    async def open(self) -> None: ...
    async def new_conversation(self) -> None: ...
    async def turn(self, message: BenchMessage) -> Outcome: ...
    async def close(self) -> None: ...


class RasaWorker:
    """Rasa's REST channel, as the gateway calls it."""

    def __init__(self, session: aiohttp.ClientSession, rasa_url: str) -> None:
        self._session = session
        self._url = f"{rasa_url}/webhooks/rest/webhook"
        self._sender = ""

    async def open(self) -> None:
        await self.new_conversation()

    async def new_conversation(self) -> None:
        self._sender = str(uuid.uuid4())

    async def turn(self, message: BenchMessage) -> Outcome:
        body = {
            "sender": self._sender,
            "message": message.text,
            "metadata": {"language": message.language, "channel": "web"},
        }
        sent = time.perf_counter()
        timeout = aiohttp.ClientTimeout(total=TURN_TIMEOUT)
        async with self._session.post(self._url, json=body, timeout=timeout) as resp:
            data = await resp.json(content_type=None)
            status = resp.status
        done = time.perf_counter()
        ok = status == 200 and isinstance(data, list)
        return Outcome(sent, done, done - sent if data else None, ok, static=False)

    async def close(self) -> None:
        return None


class WsWorker:
    """One WebSocket connection to the gateway (docs/WEBCHAT_PROTOCOL.md). A turn lasts
    from sending the `message` frame to the `typing: off` frame."""

    def __init__(
        self, session: aiohttp.ClientSession, ws_url: str, static_texts: Collection[str]
    ) -> None:
        self._session = session
        self._url = ws_url
        self._static = static_texts
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._client_id = 0
        self.stray_errors = 0  # error frames that arrived after their turn ended

    async def open(self) -> None:
        self._ws = await self._session.ws_connect(self._url, autoping=True)
        await self.new_conversation()

    async def _receive(self, deadline: float) -> dict[str, Any]:
        assert self._ws is not None
        msg = await self._ws.receive(timeout=max(deadline - time.perf_counter(), 0.001))
        if msg.type != aiohttp.WSMsgType.TEXT:
            raise ConnectionError(f"unexpected WebSocket message {msg.type!r}")
        frame = json.loads(msg.data)
        if not isinstance(frame, dict):
            raise ConnectionError("frame is not an object")
        return frame

    async def new_conversation(self) -> None:
        assert self._ws is not None
        await self._ws.send_str('{"type": "start", "lang": "vi"}')
        deadline = time.perf_counter() + TURN_TIMEOUT
        while (await self._receive(deadline)).get("type") != "message":  # the safety notice
            pass

    async def turn(self, message: BenchMessage) -> Outcome:
        assert self._ws is not None
        self._client_id += 1
        frame_out = {"type": "message", "text": message.text, "client_id": self._client_id}
        sent = time.perf_counter()
        deadline = sent + TURN_TIMEOUT
        await self._ws.send_str(json.dumps(frame_out, ensure_ascii=False))
        first: float | None = None
        ok, static, typing = True, False, False
        while True:
            frame = await self._receive(deadline)
            kind = frame.get("type")
            if kind == "message":
                if frame.get("text") in self._static:
                    static = True
                    first = first if first is not None else time.perf_counter() - sent
                elif first is None and not static:
                    first = time.perf_counter() - sent
            elif kind == "typing":
                typing = True
                if frame.get("on") is False:
                    break
            elif kind == "error":
                if frame.get("client_id") != self._client_id:
                    self.stray_errors += 1
                    continue
                ok = False
                if not typing:  # refused before the turn began: no typing frames follow
                    break
        return Outcome(sent, time.perf_counter(), first, ok, static)

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process (all its threads), from /proc."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rpartition(")")[2].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def rss_mib(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def percentile(sorted_values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile of an ascending sequence."""
    rank = max(math.ceil(p / 100 * len(sorted_values)), 1)
    return sorted_values[rank - 1]


def latency_summary(seconds: Sequence[float]) -> dict[str, float] | None:
    if not seconds:
        return None
    values = sorted(seconds)
    summary = {f"p{p}": percentile(values, p) for p in (50, 95, 99)}
    summary |= {"max": values[-1], "mean": sum(values) / len(values)}
    return {name: round(v * 1000, 2) for name, v in summary.items()}


@dataclass(frozen=True, slots=True)
class CellLimits:
    duration: float  # seconds, warm-up included
    warmup: float
    max_messages: int  # warm-up included


@dataclass(slots=True)
class Measurement:
    """The raw result of one closed-loop run (one cell, or one part of an interleaved cell)."""

    concurrency: int
    outcomes: list[Outcome]  # sent after the warm-up
    completed: int  # turns completed inside the window
    window: float  # seconds from warm-up end to stop
    cpu: dict[str, float | None]  # CPU seconds used inside the window, per process
    failures: list[str]
    stray_errors: int


async def measure(
    make_worker: Callable[[], Worker],
    concurrency: int,
    limits: CellLimits,
    pids: Mapping[str, int],
) -> Measurement:
    """Run `concurrency` closed-loop workers until the time limit or message budget."""
    workers = [make_worker() for _ in range(concurrency)]
    await asyncio.gather(*(w.open() for w in workers))  # connecting is not measured
    outcomes: list[Outcome] = []
    failures: list[str] = []
    budget = [limits.max_messages]
    stop = asyncio.Event()

    async def drive(worker: Worker) -> None:
        position, broken = 0, False
        while not stop.is_set():
            if broken:  # reconnect after a failed turn, with a new conversation
                try:
                    await worker.close()
                    await worker.open()
                    position, broken = 0, False
                except (aiohttp.ClientError, TimeoutError, ConnectionError, ValueError) as exc:
                    failures.append(type(exc).__name__)
                    await asyncio.sleep(0.5)
                continue
            if budget[0] <= 0:
                stop.set()
                break
            budget[0] -= 1
            try:
                if position == len(MESSAGES):
                    await worker.new_conversation()
                    position = 0
                outcomes.append(await worker.turn(MESSAGES[position]))
                position += 1
            except (aiohttp.ClientError, TimeoutError, ConnectionError, ValueError) as exc:
                failures.append(type(exc).__name__)
                broken = True

    start = time.perf_counter()
    warm_end = start + limits.warmup
    tasks = [asyncio.create_task(drive(w)) for w in workers]
    await asyncio.sleep(limits.warmup)
    cpu_start = {name: cpu_seconds(pid) for name, pid in pids.items()}
    loadgen_start = time.process_time()
    try:
        await asyncio.wait_for(stop.wait(), timeout=max(start + limits.duration - warm_end, 0.0))
    except TimeoutError:
        stop.set()
    stop_at = time.perf_counter()
    cpu: dict[str, float | None] = {"load_generator": time.process_time() - loadgen_start}
    for name, pid in pids.items():
        before, after = cpu_start[name], cpu_seconds(pid)
        cpu[name] = None if before is None or after is None else after - before
    await asyncio.gather(*tasks)  # drain: turns in flight complete
    await asyncio.gather(*(w.close() for w in workers))
    return Measurement(
        concurrency=concurrency,
        outcomes=[o for o in outcomes if o.sent >= warm_end],
        completed=sum(1 for o in outcomes if warm_end <= o.done <= stop_at),
        window=stop_at - warm_end,
        cpu=cpu,
        failures=failures,
        stray_errors=sum(getattr(w, "stray_errors", 0) for w in workers),
    )


def summarise(parts: Sequence[Measurement], slow_threshold: float | None = None) -> dict[str, Any]:
    """One cell's figures from one or more runs at the same concurrency."""
    outcomes = [o for part in parts for o in part.outcomes]
    window = sum(part.window for part in parts)
    failures = [f for part in parts for f in part.failures]
    latencies = [o.done - o.sent for o in outcomes]
    cpu: dict[str, float | None] = {}
    for name in parts[0].cpu:
        used = [part.cpu[name] for part in parts]
        total = None if None in used else sum(u for u in used if u is not None)
        cpu[name] = None if total is None or window <= 0 else round(100 * total / window, 1)
    cell: dict[str, Any] = {
        "concurrency": parts[0].concurrency,
        "messages": len(outcomes),
        "window_s": round(window, 2),
        "msg_per_s": round(sum(p.completed for p in parts) / window, 1) if window > 0 else None,
        "latency_ms": latency_summary(latencies),
        "errors": sum(1 for o in outcomes if not o.ok) + len(failures),
        "connection_failures": failures[:10],
        "static_answers": sum(1 for o in outcomes if o.static),
        "unanswered_turns": sum(1 for o in outcomes if o.ok and o.first_answer is None),
        "cpu_percent": cpu,
    }
    stray = sum(part.stray_errors for part in parts)
    if stray:
        cell["stray_error_frames"] = stray
    if slow_threshold is not None and latencies:
        over = sum(1 for s in latencies if s > slow_threshold)
        cell[f"share_over_{slow_threshold:g}s"] = round(over / len(latencies), 3)
    return cell


async def run_cell(
    make_worker: Callable[[], Worker],
    concurrency: int,
    limits: CellLimits,
    pids: Mapping[str, int],
) -> dict[str, Any]:
    return summarise([await measure(make_worker, concurrency, limits, pids)])


async def static_answers(
    make_worker: Callable[[], WsWorker], turns: int, steady_from: int
) -> dict[str, Any]:
    """One fresh connection, `turns` messages in sequence: how long until the static
    fail-safe answer arrives, for the first message and from turn `steady_from` on (once
    the circuit breaker is open)."""
    worker = make_worker()
    await worker.open()
    outcomes: list[Outcome] = []
    try:
        for i in range(turns):
            outcomes.append(await worker.turn(MESSAGES[i % len(MESSAGES)]))
    finally:
        await worker.close()

    def answer(o: Outcome) -> float:
        return o.first_answer if o.first_answer is not None else o.done - o.sent

    first = outcomes[0]
    return {
        "messages": len(outcomes),
        "all_static": all(o.static for o in outcomes),
        "static_answers": sum(1 for o in outcomes if o.static),
        "errors": sum(1 for o in outcomes if not o.ok),
        "first_message_ms": round(answer(first) * 1000, 2),
        "first_turn_ms": round((first.done - first.sent) * 1000, 2),
        "steady_state_ms": latency_summary([answer(o) for o in outcomes[steady_from:]]),
    }
