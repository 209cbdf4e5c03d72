"""Admission control for pushes: a bounded number at once per worker process.

At 9 a.m. a whole county's stations reconnect together. Letting every push into
the database at once only builds a convoy at the sequence counter (each one
holding a pooled connection while it waits), which starves hello and pull and
ends in pool timeouts. Instead a push takes one of a few slots; one that cannot
get a slot within a short wait is told to come back (429 with ``Retry-After``),
holding no connection meanwhile. Hello and pull never take a slot.

A push waits for its slot on the event loop (:meth:`PushGate.admitted_async`), not
in one of the worker's request threads: with a blocking wait, a burst of pushes
took every thread of the pool and hello and pull queued behind them (the 2,000-station
storm timed out while the centre's CPU idled). The gate is a semaphore written here
because neither ``threading`` nor ``asyncio`` has one that both a thread and an event
loop can wait on (tests hold a slot from their own thread; the app waits on its loop).
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager


class Busy(Exception):
    """Every push slot stayed taken for the whole wait: answer 429."""


class _Waiter:
    """One caller waiting for a slot; woken by a release or gone after its wait."""

    def __init__(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        """A waiter woken in its thread, or on ``loop`` (through ``future``) when given."""
        self.state = "waiting"  # -> "woken" (owns a slot) | "gone" (gave up); under the gate's lock
        self._event = threading.Event()
        self._loop = loop
        self.future: asyncio.Future[None] | None = loop.create_future() if loop else None

    def wake(self) -> None:
        """Hand this waiter the slot (called under the gate's lock, from any thread)."""
        self.state = "woken"
        self._event.set()
        if self._loop is not None and self.future is not None:
            self._loop.call_soon_threadsafe(_resolve, self.future)

    def wait(self, timeout: float) -> None:
        """Block the calling thread until woken or ``timeout`` passed."""
        self._event.wait(timeout)


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


class PushGate:
    """A bounded, first-come semaphore with a wait limit (one per app, so per worker)."""

    def __init__(self, slots: int, wait_s: float) -> None:
        """Set up the gate.

        Args:
            slots: pushes admitted at once (at least 1).
            wait_s: how long a push may wait for a slot.
        """
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._free = max(slots, 1)
        self._waiting: deque[_Waiter] = deque()
        self.wait_s = max(wait_s, 0.0)

    def _take(self, loop: asyncio.AbstractEventLoop | None = None) -> _Waiter | None:
        """A free slot now (``None``), or a place in the queue (woken on ``loop`` if given)."""
        with self._lock:
            if self._free > 0 and not self._waiting:
                self._free -= 1
                return None
            waiter = _Waiter(loop)
            self._waiting.append(waiter)
            self._changed.notify_all()
            return waiter

    def _give_up(self, waiter: _Waiter) -> bool:
        """Leave the queue; ``False`` when a slot was handed over meanwhile (it is ours)."""
        with self._lock:
            if waiter.state == "woken":
                return False
            waiter.state = "gone"
            self._waiting.remove(waiter)
            self._changed.notify_all()
            return True

    def _release(self) -> None:
        with self._lock:
            if self._waiting:
                self._waiting.popleft().wake()  # the slot passes straight on
            else:
                self._free += 1
            self._changed.notify_all()

    @property
    def waiting(self) -> int:
        """Pushes waiting for a slot now (for the health figures and the tests)."""
        with self._lock:
            return len(self._waiting)

    def wait_until(self, waiting: int, timeout: float) -> bool:
        """Block until exactly ``waiting`` pushes wait for a slot; ``False`` after ``timeout``."""
        with self._changed:
            return self._changed.wait_for(lambda: len(self._waiting) == waiting, timeout)

    @contextmanager
    def admitted(self) -> Iterator[None]:
        """Hold a slot inside the block, waiting in the calling thread.

        Raises:
            Busy: no slot came free within ``wait_s``.
        """
        waiter = self._take()
        if waiter is not None:
            waiter.wait(self.wait_s)
            if self._give_up(waiter):
                raise Busy
        try:
            yield
        finally:
            self._release()

    @asynccontextmanager
    async def admitted_async(self) -> AsyncIterator[None]:
        """Hold a slot inside the block, waiting on the event loop (no thread held).

        Raises:
            Busy: no slot came free within ``wait_s``.
        """
        waiter = self._take(asyncio.get_running_loop())
        if waiter is not None and waiter.future is not None:
            try:
                await asyncio.wait({waiter.future}, timeout=self.wait_s)
            except BaseException:  # cancelled: leave the queue, or pass on a slot handed over
                if not self._give_up(waiter):
                    self._release()
                raise
            if self._give_up(waiter):
                raise Busy
        try:
            yield
        finally:
            self._release()
