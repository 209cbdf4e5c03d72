"""状态栏: station, who is signed in, and the sync state (outbox, last sync, centre reachable)."""

from __future__ import annotations

from textual.reactive import reactive
from textual.widgets import Static

from station.i18n import _
from station.services.desk import SyncState

__all__ = ["DeskStatus", "SyncState"]


class DeskStatus(Static):
    """One line at the top of every desk screen; the parent sets ``state`` and ``who``."""

    state: reactive[SyncState] = reactive(SyncState, always_update=True)
    who: reactive[str] = reactive("")

    def render(self) -> str:
        state = self.state
        if state.running:
            centre = _("syncing…")
        elif state.reachable is None:
            centre = _("centre: unknown")
        elif state.reachable:
            centre = _("centre: online")
        else:
            centre = _("centre: offline")
        last = state.last_success.strftime("%m-%d %H:%M") if state.last_success else _("never")
        return "  ".join(
            part
            for part in (
                self.who,
                _("to sync {n}").format(n=state.outbox),
                _("last sync {when}").format(when=last),
                centre,
            )
            if part
        )
