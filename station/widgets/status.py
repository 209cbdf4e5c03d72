"""状态栏: station, who is signed in, and the sync state (outbox, last sync, centre reachable)."""

from __future__ import annotations

from textual.reactive import reactive
from textual.widgets import Static

from forms.clock import format_short
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
        elif not state.reachable:
            centre = _("centre: offline")
        elif state.last_error:  # it answers, but the last sync did not go through
            centre = _("centre: last sync failed")
        else:
            centre = _("centre: online")
        last = format_short(state.last_success) or _("never")
        bundle = state.last_bundle
        if bundle is not None and (state.last_success is None or bundle > state.last_success):
            # a USB-only station (after the time: 12-07 15:08 U盘 still fits 80 columns)
            last = _("{when} by USB").format(when=format_short(bundle))
        line = "  ".join(
            part
            for part in (  # the centre's state before the counts: an 80-column line
                self.who,  # cut it off at "centre:" (and the red warning after it)
                centre,
                _("to sync {n}").format(n=state.outbox),
                _("last sync {when}").format(when=last),
            )
            if part
        )
        if state.insecure:  # plain HTTP to another machine: anyone in between can read it
            return f"[bold white on red] {_('INSECURE: plain HTTP')} [/]  {line}"
        return line
