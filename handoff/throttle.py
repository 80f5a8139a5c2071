"""Login throttling, in memory (documented choice: the gateway is one process; counters
restart with it, which only ever relaxes the limit for a moment).

Keys are an account name and a client address, counted separately. After ``free``
failures in a row each further failure doubles the wait (1 s, 2 s, 4 s ... up to ``cap``);
a success clears the counters of that sign-in. Old entries are dropped so memory stays
bounded.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(slots=True)
class _Entry:
    failures: int
    locked_until: float
    last: float


class Throttle:
    def __init__(
        self,
        *,
        free: int = 5,
        base: float = 1.0,
        cap: float = 900.0,
        max_keys: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.free = free
        self.base = base
        self.cap = cap
        self.max_keys = max_keys
        self.clock = clock
        self._entries: OrderedDict[str, _Entry] = OrderedDict()

    def retry_after(self, *keys: str) -> float:
        """Seconds to wait before another attempt with these keys (0: go ahead)."""
        now = self.clock()
        waits = [e.locked_until - now for k in keys if (e := self._entries.get(k)) is not None]
        return max([0.0, *waits])

    def failure(self, *keys: str) -> None:
        now = self.clock()
        for key in keys:
            entry = self._entries.pop(key, None) or _Entry(0, 0.0, now)
            entry.failures += 1
            entry.last = now
            if entry.failures >= self.free:
                delay = min(self.cap, self.base * 2 ** (entry.failures - self.free))
                entry.locked_until = now + delay
            self._entries[key] = entry
        self._prune(now)

    def success(self, key: str) -> None:
        self._entries.pop(key, None)

    def _prune(self, now: float) -> None:
        while self._entries:
            oldest_key, oldest = next(iter(self._entries.items()))
            stale = now - oldest.last > 2 * self.cap and oldest.locked_until <= now
            if not stale and len(self._entries) <= self.max_keys:
                return
            del self._entries[oldest_key]
