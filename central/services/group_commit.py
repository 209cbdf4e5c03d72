"""Group commit: the pushes admitted together are applied in one transaction.

At 9 a.m. a county's stations each push a few events. Committed one by one, each
push pays a durable commit (an fsync on SQLite, a WAL flush on PostgreSQL) while
holding the sequence counter, and the counter admits one commit at a time: the
commits, not the CPU, set the pace. So the pushes that wait for the counter in
one worker form a queue; the first of them (the leader) applies every queued
batch in one transaction, one after the other exactly as they would have run
alone (each still takes the counter, reads the cases and chains the audit inside
it), commits once, and hands each request its own results. If anything in the
group fails, the group is rolled back and each batch is applied alone, so one bad
batch never costs another station its push. Nothing is answered before the
commit, so a crash loses only unanswered pushes, which the stations replay
(idempotent: they come back ``duplicate`` if they were in fact committed).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Generic, TypeVar

Job = TypeVar("Job")
Result = TypeVar("Result")

MAX_GROUP = 32
"""Batches applied in one transaction at most."""


@dataclass
class Queued(Generic[Job, Result]):
    """A batch waiting to be applied, and where its answer goes."""

    job: Job
    answer: Future[Result] = field(default_factory=Future)


class GroupCommit(Generic[Job, Result]):
    """Leader and followers: whoever finds no leader applies the queue in groups."""

    def __init__(self, max_group: int = MAX_GROUP) -> None:
        """Set up an empty queue (one per app, so one per worker process)."""
        self.max_group = max(max_group, 1)
        self._lock = threading.Lock()
        self._queue: list[Queued[Job, Result]] = []
        self._leading = False
        self._running: set[asyncio.Future[None]] = set()
        """The background leaders (a reference each, so none is collected midway)."""

    def _enqueue(self, job: Job) -> tuple[Queued[Job, Result], bool]:
        """Queue ``job``; ``True`` when no one leads, so the caller must."""
        queued: Queued[Job, Result] = Queued(job)
        with self._lock:
            self._queue.append(queued)
            lead, self._leading = not self._leading, True
        return queued, lead

    def submit(self, job: Job, apply: Callable[[list[Queued[Job, Result]]], None]) -> Result:
        """Queue ``job``; lead if no one does (``apply`` answers every job of a group).

        Returns:
            The job's result, once the transaction holding it committed.

        Raises:
            Exception: whatever applying this job alone raised.
        """
        queued, lead = self._enqueue(job)
        if lead:
            self._lead(apply)
        return queued.answer.result()

    async def submit_async(
        self, job: Job, apply: Callable[[list[Queued[Job, Result]]], None]
    ) -> Result:
        """``submit`` for a request on the event loop: the queue is applied in one worker
        thread, in the background, and every request (the one that started it too) waits
        on the loop for its own group's commit, holding no thread. So a burst of pushes
        leaves the request threads to hello and pull, and no request waits for the groups
        queued after its own. ``apply`` must open its own session (no request's session
        lives as long as the queue).

        Returns:
            The job's result, once the transaction holding it committed.

        Raises:
            Exception: whatever applying this job alone raised.
        """
        queued, lead = self._enqueue(job)
        if lead:
            leading = asyncio.get_running_loop().run_in_executor(None, self._lead, apply)
            self._running.add(leading)
            leading.add_done_callback(self._led)
        # shielded: a cancelled request must not cancel the answer the leader will set
        return await asyncio.shield(asyncio.wrap_future(queued.answer))

    def _led(self, leading: asyncio.Future[None]) -> None:
        """Forget a finished leader; what it raised was given to its group's requests."""
        self._running.discard(leading)
        if not leading.cancelled():
            leading.exception()  # retrieved: set on the answers already

    def _lead(self, apply: Callable[[list[Queued[Job, Result]]], None]) -> None:
        while True:
            with self._lock:
                group = self._queue[: self.max_group]
                del self._queue[: self.max_group]
                if not group:
                    self._leading = False
                    return
            try:
                apply(group)
            except BaseException as error:  # never leave a follower waiting
                for queued in group:
                    if not queued.answer.done():
                        queued.answer.set_exception(error)
                if not isinstance(error, Exception):
                    with self._lock:
                        self._leading = False
                    raise
