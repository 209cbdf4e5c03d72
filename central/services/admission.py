"""Admission control for pushes: a bounded number at once per worker process.

At 9 a.m. a whole county's stations reconnect together. Letting every push into
the database at once only builds a convoy at the sequence counter (each one
holding a pooled connection while it waits), which starves hello and pull and
ends in pool timeouts. Instead a push takes one of a few slots; one that cannot
get a slot within a short wait is told to come back (429 with ``Retry-After``),
holding no connection meanwhile. Hello and pull never take a slot.

Only a few pushes may *wait* for a slot, too: a waiting push holds one of the worker's
request threads (FastAPI runs these handlers in a bounded thread pool, 40 threads), so
250 pushes each waiting up to ``wait_s`` would fill the pool and hello and pull would
queue behind them after all. A push that finds ``max_waiting`` others already waiting
is answered 429 at once.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class Busy(Exception):
    """Every push slot stayed taken for the whole wait: answer 429."""


class PushGate:
    """A bounded semaphore with a wait limit (one per app, so one per worker process)."""

    def __init__(self, slots: int, wait_s: float, max_waiting: int | None = None) -> None:
        """Set up the gate.

        Args:
            slots: pushes admitted at once (at least 1).
            wait_s: how long a push may wait for a slot.
            max_waiting: pushes that may wait for a slot at once (None: as many as
                ``slots``, so pushes hold at most twice ``slots`` request threads).
        """
        self._slots = threading.BoundedSemaphore(max(slots, 1))
        self.wait_s = max(wait_s, 0.0)
        self.max_waiting = max(slots, 1) if max_waiting is None else max(max_waiting, 0)
        self._count = threading.Lock()
        self._waiting = 0

    @property
    def waiting(self) -> int:
        """Pushes waiting for a slot now."""
        return self._waiting

    @contextmanager
    def admitted(self) -> Iterator[None]:
        """Hold a slot inside the block.

        Raises:
            Busy: no slot came free within ``wait_s``.
        """
        if not self._slots.acquire(blocking=False) and not self._wait_for_slot():
            raise Busy
        try:
            yield
        finally:
            self._slots.release()

    def _wait_for_slot(self) -> bool:
        """Wait up to ``wait_s`` for a slot, unless ``max_waiting`` pushes already do."""
        with self._count:
            if self._waiting >= self.max_waiting:
                return False
            self._waiting += 1
        try:
            return self._slots.acquire(timeout=self.wait_s)
        finally:
            with self._count:
                self._waiting -= 1
