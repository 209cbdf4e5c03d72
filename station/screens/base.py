"""The base of every desk screen: a worker that fails is reported by the app's one handler.

Textual's ``Worker.StateChanged`` does not bubble: a worker started by a screen
reports only to that screen, so an app-level handler never hears of it. Every
desk screen and dialog derives from :class:`DeskScreen` / :class:`DeskModal`,
whose handler forwards each failure to ``DaibanApp.report_failure`` (one
dialog, one log line) after the screen has put itself back in a state where
repeating the action is safe (:meth:`FailureForwarding.worker_failed`).
"""

from __future__ import annotations

from typing import Any, TypeVar

from textual import events
from textual.await_complete import AwaitComplete
from textual.binding import Binding
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.worker import Worker, WorkerState, get_current_worker

from station.i18n import _
from station.services.desk import Desk

ResultType = TypeVar("ResultType")

WHAT_FAILED: dict[str, str] = {
    "take-in": _("Taking the case in"),
    "paper": _("Printing"),
    "draft": _("Saving the draft"),
    "sync": _("Syncing"),
    "bundle": _("The bundle"),
    "case": _("Opening the case"),
    "case-action": _("The action on the case"),
    "case-application": _("Showing the application"),
    "cases": _("The case list"),
    "home": _("Reading today's work"),
    "scan": _("Attaching the scan"),
    "login": _("Signing in"),
    "unlock": _("Unlocking"),
    "settings": _("Saving the settings"),
    "unresolved": _("Reading the 办不成事 records"),
    "unresolved-save": _("Saving the 办不成事 record"),
    "unresolved-paper": _("Printing the 办不成事 slip"),
    "county-revoke": _("Revoking or restoring the station"),
    "intake-catalog": _("Loading the catalog"),
    # the county desk's pages read from the centre: a page that could not be read said
    # "the last action did not complete" when the administrator had only opened it
    "county-accounts": _("Reading the accounts"),
    "county-account": _("Saving the account"),
    "county-divisions": _("Reading the division table"),
    "county-stations": _("Reading the stations"),
    "county-code": _("Issuing the enrollment code"),
    "report": _("Making the report"),
    "report-folder": _("Reading the report folder"),
    "catalog-list": _("Reading the catalog versions"),
    "catalog-check": _("Checking the catalog"),
    "catalog-publish": _("Publishing the catalog"),
    "loops": _("Reading the 闭环 items"),
    "dashboard": _("Reading the dashboard"),
    "county-codes": _("Reading the outstanding codes"),
    "case-ask": _("Preparing the bulk acceptance"),
    "settings-elder": _("Saving the settings"),
    "centre": _("Signing out at the centre"),
}
"""What a person was doing when a worker of this group failed (the dialog's title)."""


class FailureForwarding:
    """Mixin of the desk's screens: failed workers go to the app's one handler."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Forward a failed worker (by method name: ``@on`` is not seen on a plain mixin)."""
        if event.state is not WorkerState.ERROR:
            return
        event.stop()
        self.worker_failed(event.worker)
        app: Any = getattr(self, "app")  # noqa: B009 - the mixin is always on a Screen
        report = getattr(app, "report_failure", None)
        if callable(report):
            report(event.worker)
        else:  # a screen under a bare App (some tests): still seen
            app.notify(str(event.worker.error), severity="error")

    def worker_failed(self, worker: Worker[Any]) -> None:
        """Put the screen back where repeating the action cannot repeat its effect.

        Override to re-enable a button or clear a "working…" line; the default
        does nothing (the screen's data was not changed by a failed worker).
        """


class KeyGate:
    """Mixin: keys typed while the screen is between states wait, then land where they belong.

    The app forwards a key to whatever has focus when it reads the key; a screen that
    is still mounting, building a form or refocusing a field has not moved the focus
    yet, so a fast typist's next keys would land in the wrong field or nowhere. While
    :attr:`holding`, the app hands keys to :meth:`hold` instead; :meth:`release_keys`
    replays them in order once the focus is where the person expects it.
    """

    holding: bool = False
    _held: list[events.Key]
    _holds: int = 0
    """Reasons to hold still open: each :meth:`hold_keys` is ended by one :meth:`release_keys`."""
    _hold_again: bool = False
    _releasing: bool = False

    def hold_keys(self) -> None:
        """From now on, keys wait (until the matching :meth:`release_keys`)."""
        self._holds += 1
        self.holding = True
        self._hold_again = True

    def hold(self, event: events.Key) -> None:
        """Keep a key that arrived while holding."""
        if not hasattr(self, "_held"):
            self._held = []
        self._held.append(event)

    def holds_after(self, key: str) -> bool:
        """Whether ``key`` starts a change of state whose end the screen will announce.

        Screens that rebuild or refocus after a key say so (the take-in's item list);
        the default is no.
        """
        return False

    async def release_keys(self) -> None:
        """End one reason to hold; when none is left, replay the held keys in order.

        Keys arriving meanwhile join the queue; a replayed key that starts a new hold
        (Enter on a list that builds a form) stops the replay until that hold ends.
        """
        self._holds = max(0, self._holds - 1)
        if self._holds or self._releasing:  # still held, or one replay at a time
            return
        app: Any = getattr(self, "app")  # noqa: B009 - the mixin is always on a Screen
        held = getattr(self, "_held", [])
        self._releasing = True
        self._hold_again = False
        try:
            while held and not self._hold_again:
                await app.route_key(held.pop(0))
        finally:
            self._releasing = False
        if not self._hold_again:
            self.holding = False


class DeskScreen(KeyGate, FailureForwarding, Screen[ResultType]):
    """A full desk screen."""

    def show_status(self, desk: Desk, prefix: str = "") -> None:
        """The status line: who is signed in (after ``prefix``) and the last known sync state."""
        from station.widgets.status import DeskStatus

        status = self.query_one(DeskStatus)
        status.state = desk.sync_state
        name = desk.user.name if desk.user else ""
        status.who = f"{prefix} · {name}" if prefix else name

    def on_screen_resume(self) -> None:
        """The status line as it stands now, each time the screen shows again: an act on a
        page above it (a case's 撤件, 送达, 好差评) counted one more event to sync, and the
        case list below went on saying 待同步 as before. (Textual calls this beside a
        subclass's own ``on_screen_resume``: each class's handler in turn.)"""
        from station.widgets.status import DeskStatus

        desk = getattr(self.app, "desk", None)
        if desk is not None:
            for status in self.query(DeskStatus):
                status.state = desk.sync_state

    def shown_again(self) -> bool:
        """Whether this showing of the screen (its ``ScreenResume``) is not its first. The
        first comes right after ``on_mount``, which has started reading what the screen
        shows: read again then, the two reads got in each other's way (the home and the
        case list opened up to twice as slowly at 100,000 cases)."""
        again = self._shown_before
        self._shown_before = True
        return again

    _shown_before = False

    def in_session(self) -> bool:
        """Whether someone is signed in. A page resumed while the desk signs out (the pages
        above it closed on the way to the sign-in screen) reads nothing: its read of the
        centre failed, 未在县中心登录, in a dialog over the sign-in screen."""
        desk = getattr(self.app, "desk", None)
        return desk is None or desk.user is not None

    def post_latest(self, message: Message) -> None:
        """Post what a loader (an exclusive thread worker) read, unless a newer read has
        started since: two reads in flight (one on showing the screen, one after a
        decision) may finish in either order, and the older one arriving last would show
        the queue as it was before the decision. Decided on the app's thread, where
        workers are started and superseded, so the check and the post are one step."""
        worker = get_current_worker()

        def deliver() -> None:
            if not worker.is_cancelled:
                self.post_message(message)

        self.app.call_from_thread(deliver)


def scroll_bindings(action: str) -> list[Binding]:
    """Keys that scroll a text while the focus stays on a button: ↑ ↓ PgUp PgDn Home End,
    each calling ``action('up')`` … ``action('end')`` (hidden from the footer)."""
    moves = (
        ("up", "up"),
        ("down", "down"),
        ("pageup", "page_up"),
        ("pagedown", "page_down"),
        ("home", "home"),
        ("end", "end"),
    )
    return [Binding(key, f"{action}('{how}')", show=False) for key, how in moves]


class DeskModal(KeyGate, FailureForwarding, ModalScreen[ResultType]):
    """A desk dialog."""

    _answered = False

    def on_mount(self) -> None:
        """The notices already read go (``DaibanApp.clear_read_notices``): they stood over
        the dialog's buttons. (Textual runs a subclass's ``on_mount`` as well as this.)"""
        clear = getattr(self.app, "clear_read_notices", None)
        if callable(clear):
            clear()

    def dismiss(self, result: ResultType | None = None) -> AwaitComplete:
        """Close the dialog with ``result``, once: Textual's ``dismiss`` pops whatever screen
        is on top at each call, so the second of two quick Enters (or an Enter and a click)
        closed the case page below too, before its action had written, and left the list
        showing the case as it was."""
        if self._answered:
            return AwaitComplete()
        self._answered = True
        return super().dismiss(result)
