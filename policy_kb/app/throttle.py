"""Exponential back-off for admin password attempts, per client.

Why: without it a client can try passwords as fast as the server answers (30 in 1.6 s were measured).  After the
n-th wrong password in a row a client must wait ``BASE_S · 2^(n-1)`` seconds (capped at ``MAX_S``) before the next
attempt is even checked; a right password clears its record.  Records of clients that stopped trying are dropped, so
memory stays bounded whatever the number of clients.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

BASE_S = 1.0
MAX_S = 300.0
MAX_CLIENTS = 10_000  # records kept; the oldest idle ones are dropped first


@dataclass
class _Record:
    failures: int = 0
    locked_until: float = 0.0
    last_seen: float = 0.0


class TooManyAttempts(Exception):
    def __init__(self, wait_s: float):
        super().__init__(f"retry in {wait_s:.0f} s")
        self.wait_s = wait_s


class LoginThrottle:
    def __init__(self, base_s: float = BASE_S, max_s: float = MAX_S, clock: Callable[[], float] = time.monotonic):
        self.base_s, self.max_s, self.clock = base_s, max_s, clock
        self._records: dict[str, _Record] = {}
        self._lock = threading.Lock()

    def check(self, client: str) -> None:
        """Raise :class:`TooManyAttempts` while ``client`` must still wait."""
        with self._lock:
            record = self._records.get(client)
            now = self.clock()
            if record is not None and now < record.locked_until:
                raise TooManyAttempts(math.ceil(record.locked_until - now))

    def failed(self, client: str) -> float:
        """Record a wrong password; returns the wait before the next attempt."""
        with self._lock:
            now = self.clock()
            record = self._records.setdefault(client, _Record())
            record.failures += 1
            wait = min(self.max_s, self.base_s * 2 ** (record.failures - 1))
            record.locked_until = now + wait
            record.last_seen = now
            self._forget_idle(now)
            return wait

    def succeeded(self, client: str) -> None:
        with self._lock:
            self._records.pop(client, None)

    def _forget_idle(self, now: float) -> None:
        idle = [k for k, r in self._records.items() if now - r.last_seen > 2 * self.max_s]
        for k in idle:
            del self._records[k]
        while len(self._records) > MAX_CLIENTS:
            del self._records[min(self._records, key=lambda k: self._records[k].last_seen)]
