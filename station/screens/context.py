"""The desk's core as the screens know it (it lives in :mod:`station.services.desk`)."""

from __future__ import annotations

from station.services.desk import Desk, SyncState

__all__ = ["Desk", "SyncState"]
