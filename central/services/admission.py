"""Admission control for pushes: a bounded number at once per worker process.

At 9 a.m. a whole county's stations reconnect together. Letting every push into
the database at once only builds a convoy at the sequence counter (each one
holding a pooled connection while it waits), which starves hello and pull and
ends in pool timeouts. Instead a push takes one of a few slots; one that cannot
get a slot within a short wait is told to come back (429 with ``Retry-After``),
holding no connection meanwhile. Hello and pull never take a slot.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class Busy(Exception):
    """Every push slot stayed taken for the whole wait: answer 429."""


class PushGate:
    """A bounded semaphore with a wait limit (one per app, so one per worker process)."""

    def __init__(self, slots: int, wait_s: float) -> None:
        """Set up the gate.

        Args:
            slots: pushes admitted at once (at least 1).
            wait_s: how long a push may wait for a slot.
        """
        self._slots = threading.BoundedSemaphore(max(slots, 1))
        self.wait_s = max(wait_s, 0.0)

    @contextmanager
    def admitted(self) -> Iterator[None]:
        """Hold a slot inside the block.

        Raises:
            Busy: no slot came free within ``wait_s``.
        """
        if not self._slots.acquire(timeout=self.wait_s):
            raise Busy
        try:
            yield
        finally:
            self._slots.release()
