"""The messages about the line to the centre: a sync attempt is over, or the centre did
not answer a desk's request."""

from __future__ import annotations

from textual.message import Message

from station.services.desksync import SyncOutcome, sync_once

__all__ = ["CentreSilent", "SyncDone", "SyncOutcome", "sync_once"]


class SyncDone(Message):
    """A sync attempt (background or manual) finished."""

    def __init__(self, outcome: SyncOutcome, manual: bool) -> None:
        super().__init__()
        self.outcome = outcome
        self.manual = manual


class CentreSilent(Message):
    """A desk request found the centre unreachable or silent, and the screen that sent it
    went on without the answer (a list shown without its 闭环 states, a form kept as
    typed): every status line says 离线 until a sync goes through, as after a failure
    reported in a dialog. Safe to post from a worker's thread."""
