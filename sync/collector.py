"""Python's cycle collector paused around a burst of short-lived objects (centre and station).

A push at the centre, or a sync at a station, allocates hundreds of thousands of objects
(events, payloads, views, rows) that reference counting frees. Left on, the collector
keeps scanning them, promotes the ones alive at that moment to the oldest generation and
so sets off full collections of the whole heap: about a third of the centre's CPU per
pushed event, and a third to a half of a station's CPU per sync of 3 cases (more in a
desk, whose heap holds the whole Textual app). What a burst leaves in cycles is
collected after it, as before.

The collector is the process's, so the pause is counted: several threads may hold it at
once (a worker's group of pushes, the storm bench's stations), and it is on again (if it
was before the first) only when the last ends, error or not.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class _Pause:
    """How many holders run with the cycle collector paused, and whether it was on before."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    holders: int = 0
    was_enabled: bool = True


_PAUSE = _Pause()


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run the block without Python's cycle collector; on again (if it was before the first
    holder) when the last holder ends."""
    with _PAUSE.lock:
        if _PAUSE.holders == 0:
            _PAUSE.was_enabled = gc.isenabled()
            gc.disable()
        _PAUSE.holders += 1
    try:
        yield
    finally:
        with _PAUSE.lock:
            _PAUSE.holders -= 1
            if _PAUSE.holders == 0 and _PAUSE.was_enabled:
                gc.enable()
