"""What every screen of the desk works with: settings, store, clock, who is signed in.

The app builds one :class:`Desk` and hands it down to each screen it opens
(attributes down); screens never reach into the app for it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from forms.clock import china_clock, china_now
from station.services.auth import LoginGate, SignedIn
from station.widgets.status import SyncState


@dataclass
class Desk:
    """The desk's shared services and session."""

    settings: Any
    """``station.config.StationSettings``."""
    store: Any
    """``station.store.StationStore``."""
    gate: LoginGate
    clock: Callable[[], datetime] = china_now
    """"Now", aware in China whatever clock is given (``__post_init__`` converts it)."""
    user: SignedIn | None = None
    station_name: str = ""
    division: str = ""
    sync_state: SyncState = field(default_factory=SyncState)
    """The last known sync state (the status line of every screen shows it)."""
    drafts_offered: bool = False
    """Unfinished drafts were offered back after this sign-in."""
    _catalog: Any = field(default=None, repr=False)

    def __post_init__(self) -> None:
        # Everything derived from the clock (today, case-number dates, times on
        # screen) is China time, whatever zone the injected clock tells.
        self.clock = china_clock(self.clock)

    def catalog(self) -> Any:
        """The service-item catalog, loaded on first use (call from a worker)."""
        if self._catalog is None:
            from forms.catalog import load_catalog

            self._catalog = load_catalog()
        return self._catalog

    def service(self) -> Any:
        """A ``CaseService`` acting as the signed-in person (call from a worker)."""
        from station.services.cases import Actor, CaseService
        from sync.events import Role

        assert self.user is not None, "nobody is signed in"
        actor = Actor(user_id=self.user.user_id, role=Role(self.user.role), name=self.user.name)
        return CaseService(self.store, self.catalog(), actor)
