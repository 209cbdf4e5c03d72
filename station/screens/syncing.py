"""The message the app's sync worker posts when one sync attempt is over."""

from __future__ import annotations

from textual.message import Message

from station.services.desksync import SyncOutcome, sync_once

__all__ = ["SyncDone", "SyncOutcome", "sync_once"]


class SyncDone(Message):
    """A sync attempt (background or manual) finished."""

    def __init__(self, outcome: SyncOutcome, manual: bool) -> None:
        super().__init__()
        self.outcome = outcome
        self.manual = manual
