"""A run's requests stop retrying once the run has failed (the engine tells, the client obeys).

A station's backlog goes as two pushes at the centre at once (``sync.engine._push``).
When one fails for good (the centre errs, falls silent, refuses the station) the run
ends with that failure; but it waited for the other push first, and that one could be
in the client's retries of a busy centre: up to ``BUSY_ATTEMPTS`` × ``Retry-After``,
minutes in which a desk showed its sync under way. Now the run's sender runs each push
under a signal (:func:`until_given_up`) and sets it when any push fails; the client
(``sync.client.CentralClient``) then makes one last attempt, after a wait of at most
:data:`GRACE_S`, and no more (:class:`sync.errors.PushGivenUp`). The last attempt keeps
what a brief busy spell would have let through: the batch beside a batch refused every
run still lands. A request already under way is let finish (its answer, if one comes,
is recorded); the events of a push given up stay in the outbox for the next run.

A context variable carries the signal, so the ``Central`` protocol (and the doubles
that stand in for the centre in tests) need not change.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from contextvars import ContextVar
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

GRACE_S = 8.0
"""Once the run has failed, the longest a push still waits for its last attempt: the
centre's ``Retry-After`` when busy is 5 s (with up to half of it again as jitter)."""

_SIGNAL: ContextVar[threading.Event | None] = ContextVar("daiban_run_given_up", default=None)


def until_given_up(
    signal: threading.Event, call: Callable[P, R], *args: P.args, **kwargs: P.kwargs
) -> R:
    """``call(*args, **kwargs)``, its requests retried only until ``signal`` is set."""
    token = _SIGNAL.set(signal)
    try:
        return call(*args, **kwargs)
    finally:
        _SIGNAL.reset(token)


def given_up() -> bool:
    """Whether the run this request belongs to has failed (one last attempt, no more)."""
    signal = _SIGNAL.get()
    return signal is not None and signal.is_set()


def wait_unless_given_up(seconds: float, sleep: Callable[[float], None]) -> None:
    """Wait ``seconds`` between attempts, at most :data:`GRACE_S` more once the run gives
    up. ``sleep``: the client's; a test's own (one that records, say) is called as is."""
    signal = _SIGNAL.get()
    if signal is None or sleep is not time.sleep:
        sleep(seconds)
        return
    started = time.monotonic()
    if signal.wait(seconds):  # the run failed before or during the wait
        left = seconds - (time.monotonic() - started)
        if left > 0:
            time.sleep(min(left, GRACE_S))
