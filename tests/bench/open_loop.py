"""Open-loop load on the gateway's WebSocket: a fixed offered rate, whatever the answers do.

`connections` WebSocket connections together offer `rate` messages per second for
`duration` seconds (the first `warmup` seconds are not measured). Each connection has its
own Poisson (or evenly spaced) schedule of rate/connections; one sender task walks the merged
schedule, and one reader task per connection matches every `typing: off` (the end of a
turn) to the oldest message still waiting on that connection, since the gateway answers a
connection's frames in order.

A turn's latency runs from its *scheduled* send time to its `typing: off`, so a slow
gateway (or a late sender) shows up in the figures instead of silently lowering the offered
load (no coordinated omission); how late the sender itself was is reported as `send_lag_ms`.
As in the closed loop, each connection starts a new conversation after the message list.
"""

from __future__ import annotations

import asyncio
import heapq
import json
import random
import time
from collections import deque
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from tests.bench.load import TURN_TIMEOUT, cpu_seconds, latency_summary
from tests.bench.messages import MESSAGES

DRAIN_TIMEOUT = 10.0  # s to wait for the answers still owed when the schedule ends


@dataclass(frozen=True, slots=True)
class OpenLoopPlan:
    rate: float  # messages per second, all connections together
    connections: int
    duration: float  # s of schedule, warm-up included
    warmup: float
    arrivals: str = "poisson"  # or "even"
    seed: int = 2


@dataclass(slots=True)
class _Connection:
    ws: aiohttp.ClientWebSocketResponse
    static: Collection[str]
    waiting: deque[tuple[float, int]] = field(default_factory=deque)  # (scheduled, client_id)
    latencies: list[tuple[float, float, bool]] = field(default_factory=list)  # (sched, done, ok)
    static_answers: int = 0
    unanswered: int = 0
    stray_errors: int = 0
    position: int = 0
    client_id: int = 0
    answered_turn: bool = False
    skip_notice: bool = False  # a new conversation's safety notice is not an answer

    async def read(self) -> None:
        """Consume frames until the socket closes, closing turns as `typing: off` arrives."""
        async for msg in self.ws:
            if msg.type != aiohttp.WSMsgType.TEXT:
                break
            frame = json.loads(msg.data)
            kind = frame.get("type")
            if kind == "session":
                self.skip_notice = True
            elif kind == "message" and self.skip_notice:
                self.skip_notice = False
            elif kind == "message":
                if frame.get("text") in self.static:
                    self.static_answers += 1
                self.answered_turn = True
            elif kind == "typing" and frame.get("on") is False:
                self._close_turn(ok=True)
            elif kind == "error":
                if not self.waiting or frame.get("client_id") != self.waiting[0][1]:
                    self.stray_errors += 1
                    continue
                self._close_turn(ok=False)

    def _close_turn(self, ok: bool) -> None:
        if not self.waiting:
            self.stray_errors += 1
            return
        scheduled, _ = self.waiting.popleft()
        if ok and not self.answered_turn:
            self.unanswered += 1
        self.answered_turn = False
        self.latencies.append((scheduled, time.perf_counter(), ok))

    async def send_next(self, scheduled: float) -> None:
        if self.position == len(MESSAGES):  # a new conversation, as the closed loop does
            await self.ws.send_str('{"type": "start", "lang": "vi"}')
            self.position = 0
        message = MESSAGES[self.position]
        self.position += 1
        self.client_id += 1
        self.waiting.append((scheduled, self.client_id))
        frame = {"type": "message", "text": message.text, "client_id": self.client_id}
        await self.ws.send_str(json.dumps(frame, ensure_ascii=False))


def schedule(plan: OpenLoopPlan, start: float) -> list[tuple[float, int]]:
    """(send time, connection index) in time order."""
    rng = random.Random(plan.seed)
    per_connection = plan.rate / plan.connections
    streams = []
    for index in range(plan.connections):
        times = []
        if plan.arrivals == "even":
            t = start + rng.random() / per_connection  # a random phase per connection
            while t < start + plan.duration:
                times.append((t, index))
                t += 1.0 / per_connection
        else:
            t = start + rng.expovariate(per_connection)
            while t < start + plan.duration:
                times.append((t, index))
                t += rng.expovariate(per_connection)
        streams.append(times)
    return list(heapq.merge(*streams))


async def _open(session: aiohttp.ClientSession, url: str, static: Collection[str]) -> _Connection:
    ws = await session.ws_connect(url, autoping=True)
    await ws.send_str('{"type": "start", "lang": "vi"}')
    deadline = time.perf_counter() + TURN_TIMEOUT
    while True:  # the session frame, then the safety notice
        msg = await ws.receive(timeout=max(deadline - time.perf_counter(), 0.001))
        if msg.type != aiohttp.WSMsgType.TEXT:
            raise ConnectionError(f"unexpected WebSocket message {msg.type!r}")
        if json.loads(msg.data).get("type") == "message":
            return _Connection(ws, static)


async def run_open_loop(
    session: aiohttp.ClientSession,
    ws_url: str,
    static_texts: Collection[str],
    plan: OpenLoopPlan,
    pids: Mapping[str, int],
) -> dict[str, Any]:
    connections = await asyncio.gather(
        *(_open(session, ws_url, static_texts) for _ in range(plan.connections))
    )
    readers = [asyncio.create_task(c.read()) for c in connections]
    start = time.perf_counter() + 0.1
    sends = schedule(plan, start)
    warm_end = start + plan.warmup
    stop_at = start + plan.duration
    lags: list[float] = []
    cpu_start: dict[str, float | None] | None = None
    loadgen_start = 0.0
    try:
        for at, index in sends:
            now = time.perf_counter()
            if at > now:
                await asyncio.sleep(at - now)
                now = time.perf_counter()
            if cpu_start is None and at >= warm_end:
                cpu_start = {name: cpu_seconds(pid) for name, pid in pids.items()}
                loadgen_start = time.process_time()
            if at >= warm_end:
                lags.append(now - at)
            await connections[index].send_next(at)
        await asyncio.sleep(max(stop_at - time.perf_counter(), 0.0))
        cpu_end = {name: cpu_seconds(pid) for name, pid in pids.items()}
        loadgen_used = time.process_time() - loadgen_start
        drain_until = time.perf_counter() + DRAIN_TIMEOUT
        while any(c.waiting for c in connections) and time.perf_counter() < drain_until:
            await asyncio.sleep(0.05)
    finally:
        await asyncio.gather(*(c.ws.close() for c in connections), return_exceptions=True)
        await asyncio.gather(*readers, return_exceptions=True)

    window = stop_at - warm_end
    turns = [t for c in connections for t in c.latencies if t[0] >= warm_end]
    offered = sum(1 for at, _ in sends if at >= warm_end)
    completed_in_window = sum(1 for t in turns if t[1] <= stop_at)
    cpu: dict[str, float | None] = {"load_generator": round(100 * loadgen_used / window, 1)}
    for name in pids:
        before, after = (cpu_start or {}).get(name), cpu_end.get(name)
        cpu[name] = (
            None if before is None or after is None else round(100 * (after - before) / window, 1)
        )
    return {
        "mode": "open loop",
        "arrivals": plan.arrivals,
        "connections": plan.connections,
        "offered_msg_per_s": plan.rate,
        "window_s": round(window, 2),
        "messages_offered": offered,
        "messages_answered": len(turns),
        "msg_per_s": round(completed_in_window / window, 1),
        "latency_ms": latency_summary([done - sched for sched, done, _ in turns]),
        "send_lag_ms": latency_summary(lags),
        "errors": sum(1 for t in turns if not t[2]),
        "never_answered": offered - len(turns),
        "static_answers": sum(c.static_answers for c in connections),
        "unanswered_turns": sum(c.unanswered for c in connections),
        "stray_error_frames": sum(c.stray_errors for c in connections),
        "cpu_percent": cpu,
    }
