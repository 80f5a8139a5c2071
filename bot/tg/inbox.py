"""The durable webhook inbox: store first, acknowledge, then process.

`accept()` returns only after the update is committed (sealed) in `telegram_updates`, so
the webhook answers 200 only for updates that survive a crash; a redelivered `update_id`
is not stored twice. The worker processes stored updates in `update_id` order, one at a
time per chat (different chats concurrently); on start it picks up whatever was stored
but not processed. A failed update is retried with backoff, then given up (logged
without ids). Processed updates lose their body at once; the bare ids are pruned later.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from datetime import timedelta
from typing import Any

from bot.storage import Store

log = logging.getLogger(__name__)

Process = Callable[[Mapping[str, Any]], Awaitable[None]]
KEEP_IDS = timedelta(days=2)  # Telegram stops redelivering an update after 24 hours


def chat_key(update: Mapping[str, Any]) -> str:
    """Which chat an update belongs to (in memory only, for ordering)."""
    for name in ("message", "edited_message", "callback_query"):
        part = update.get(name)
        if not isinstance(part, Mapping):
            continue
        if name == "callback_query":
            sender = part.get("from")
            if isinstance(sender, Mapping) and "id" in sender:
                return f"u{sender['id']}"
            part = part.get("message") or {}
        chat = part.get("chat") if isinstance(part, Mapping) else None
        if isinstance(chat, Mapping) and "id" in chat:
            return f"u{chat['id']}"
    return "other"


class Inbox:
    def __init__(
        self,
        store: Store,
        process: Process,
        *,
        max_attempts: int = 5,
        retry_delay: float = 1.0,
        poll_interval: float = 5.0,
        prune_interval: float = 3600.0,
    ) -> None:
        self._store = store
        self._process = process
        self._max_attempts = max_attempts
        self._retry_delay = retry_delay
        self._poll_interval = poll_interval
        self._prune_interval = prune_interval
        self._wakeup = asyncio.Event()
        self._in_flight: set[int] = set()
        self._queues: dict[str, deque[tuple[int, int, Mapping[str, Any]]]] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}

    async def accept(self, update_id: int, body: bytes) -> bool:
        """Store an update durably; True if new, False if already stored. Raises if it
        could not be stored (then it must not be acknowledged)."""
        stored = await self._store.inbox_add(update_id, body)
        self._wakeup.set()
        return stored

    async def run(self) -> None:
        """Dispatch stored updates until cancelled."""
        next_prune = 0.0
        loop = asyncio.get_running_loop()
        try:
            while True:
                self._wakeup.clear()
                try:
                    await self._dispatch()
                    if loop.time() >= next_prune:
                        await self._store.inbox_prune(KEEP_IDS)
                        next_prune = loop.time() + self._prune_interval
                except Exception as exc:
                    log.error(
                        "telegram inbox: reading stored updates failed (%s)", type(exc).__name__
                    )
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wakeup.wait(), self._poll_interval)
        finally:
            await self._stop_chats()

    async def _dispatch(self) -> None:
        for update_id, attempts, body in await self._store.inbox_pending(limit=200):
            if update_id in self._in_flight:
                continue
            try:
                update = json.loads(body)
                if not isinstance(update, dict):
                    raise ValueError("not an object")
            except ValueError:
                log.error("telegram inbox: a stored update is not valid JSON; dropped")
                await self._store.inbox_done(update_id)
                continue
            self._in_flight.add(update_id)
            key = chat_key(update)
            self._queues.setdefault(key, deque()).append((update_id, attempts, update))
            if key not in self._tasks:
                self._tasks[key] = asyncio.create_task(self._chat(key), name="telegram-chat")

    async def _chat(self, key: str) -> None:
        queue = self._queues[key]
        try:
            while queue:
                update_id, attempts, update = queue[0]
                try:
                    await self._process(update)
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    attempts += 1
                    with contextlib.suppress(Exception):
                        await self._store.inbox_attempted(update_id)
                    if attempts < self._max_attempts:
                        log.warning(
                            "telegram update failed (%s), attempt %d; retrying",
                            type(exc).__name__,
                            attempts,
                        )
                        queue[0] = (update_id, attempts, update)
                        await asyncio.sleep(self._retry_delay * 2 ** (attempts - 1))
                        continue
                    log.error(
                        "telegram update failed %d times (%s); given up",
                        attempts,
                        type(exc).__name__,
                    )
                try:
                    await self._store.inbox_done(update_id)
                except Exception as exc:
                    # Stays in flight here (not processed twice by this process); a restart
                    # processes it again.
                    log.error(
                        "telegram inbox: marking an update done failed (%s)", type(exc).__name__
                    )
                else:
                    self._in_flight.discard(update_id)
                queue.popleft()
        finally:
            if not queue:
                self._queues.pop(key, None)
            self._tasks.pop(key, None)

    async def _stop_chats(self, grace: float = 5.0) -> None:
        tasks = list(self._tasks.values())
        if not tasks:
            return
        _, pending = await asyncio.wait(tasks, timeout=grace)
        for task in pending:
            task.cancel()
        for task in pending:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def idle(self) -> bool:
        """True when nothing is queued or in progress (tests)."""
        return not self._tasks and not self._in_flight
