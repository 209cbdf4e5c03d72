"""The desk app: wires screens, bindings, themes and the idle lock. Screens live in station/screens."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len
from textual import events, work
from textual.app import App
from textual.binding import Binding
from textual.notifications import Notify, SeverityLevel
from textual.screen import ModalScreen, Screen
from textual.worker import Worker, WorkerState

from forms.clock import china_clock
from forms.i18n import set_language
from station.i18n import _
from station.screens.base import KeyGate
from station.screens.bundles import DropFolderWatch, import_bundle
from station.screens.commands import DeskCommands
from station.screens.county import COUNTY_BINDINGS
from station.screens.dialogs import ConfirmDialog, MessageDialog
from station.screens.lock import LockScreen
from station.screens.login import LoginScreen
from station.screens.syncing import CentreSilent, SyncDone, sync_once
from station.services.auth import DemoAccount, LoginGate
from station.services.desk import Desk, SyncState
from station.themes import ELDER_THEME, STANDARD_THEME, THEMES
from station.widgets.cjk_compositor import apply as keep_chinese_whole
from station.widgets.footer import translate_textual_keys
from station.widgets.keyorder import keep_key_order
from station.widgets.status import DeskStatus
from sync.events import Role

if TYPE_CHECKING:
    from forms.catalog import Catalog
    from station.config import StationSettings
    from station.store import StationStore


keep_chinese_whole()  # notices over a bordered box lost characters (Textual #6357)

ELDER_NOTIFICATION_TIMEOUT = 12
"""Seconds a notice stays in 长辈模式 (larger text, read more slowly)."""
READ_SECONDS = 2.0
"""A notice on show this long has been seen: a dialog opened after it takes it away."""


class DaibanApp(App[None]):
    """The village agent's desk (帮代办服务台)."""

    TITLE = "daiban"
    CSS_PATH = [THEMES / "desk.tcss", THEMES / "elder.tcss"]
    BINDINGS = [
        Binding("f2", "toggle_elder", _("Elder mode"), priority=True),
        # Tab moves the focus at once, before the next key is routed: typed at full
        # speed, "name Tab ID" puts the ID in the ID field, not after the name.
        Binding("tab", "app.focus_next", show=False, priority=True),
        Binding("shift+tab", "app.focus_previous", show=False, priority=True),
        # Ctrl+Q and Ctrl+P are listed by F1 (帮助): at 80 columns the footer keeps the screen's keys
        Binding("ctrl+q", "quit", _("Quit"), show=False, priority=True),
        Binding("f12", "lock", _("Lock"), show=False),
        Binding("f10", "sign_out", _("Sign out"), show=False),  # the lock screen's key too
        Binding("f5", "sync_now", _("Sync now"), show=False),
        # Textual adds its own ("palette", in English) unless the app has one.
        Binding("ctrl+p", "command_palette", _("Commands"), show=False, priority=True),
        Binding("f1", "keys_help", _("Help"), priority=True),
        *COUNTY_BINDINGS,
    ]
    COMMANDS = {DeskCommands}
    """The palette lists the desk's own commands in Chinese, found by pinyin too (Textual's
    own entries — theme, screenshot — are English only and a theme change would undo
    elder mode)."""
    NOTIFICATION_TIMEOUT = 8
    """Seconds a notice stays (Textual's 5 took a sentence of Chinese away before an agent
    had read it; 长辈模式 keeps it :data:`ELDER_NOTIFICATION_TIMEOUT`)."""

    def __init__(self, desk: Desk, demo_accounts: Sequence[DemoAccount] = ()) -> None:
        super().__init__()
        keep_key_order()  # Backspace typed in a burst deletes where it was typed
        self.desk = desk
        self.demo_accounts = list(demo_accounts)
        self._last_input = time.monotonic()
        self.owns_store = False
        """Close the store on exit (when make_app opened it)."""
        self.drop_watch: DropFolderWatch | None = None
        self._sync_error_told = ""
        """The last sync's failure, already told (a background sync fails quietly after)."""

    def on_mount(self) -> None:
        self.register_theme(STANDARD_THEME)
        self.register_theme(ELDER_THEME)
        self._apply_elder(bool(getattr(self.desk.settings, "elder_mode", False)))
        self.push_screen(self._login_screen())
        self.set_interval(15, self._check_idle)
        interval = getattr(self.desk.settings, "sync_interval_seconds", 30)
        self.set_interval(interval, self._background_sync)
        drop = getattr(self.desk.settings, "bundle_drop_folder", None)
        if drop and Path(drop).is_dir():
            self.drop_watch = DropFolderWatch(
                Path(drop), self._bundle_arrived, on_error=self._drop_watch_failed
            )
            self.drop_watch.start()

    def _drop_watch_failed(self, error: BaseException) -> None:
        """The drop folder watch's thread: a check failed (the watch goes on)."""
        self.call_from_thread(self.report_error, "bundle", error)

    def _bundle_arrived(self, path: Path) -> None:
        """The drop folder watch's thread: a return bundle put there has finished copying."""
        self.call_from_thread(self._import_bundle, path)

    @work(thread=True, group="bundle", exit_on_error=False)
    def _import_bundle(self, path: Path) -> None:
        from station.services.bundles import last_return_made

        said = import_bundle(self.desk, path)
        made = last_return_made(self.desk.store)
        self.call_from_thread(self.notify, said, timeout=10)
        self.call_from_thread(self._bundle_taken, made)

    def _bundle_taken(self, made: datetime | None) -> None:
        """A return bundle from the drop folder was read: the status lines say when the
        centre made it, and what is shown is read again (its decisions are in the cases)."""
        self._show_sync_state(replace(self.desk.sync_state, last_bundle=made))
        self._refresh_screen()

    def _refresh_screen(self) -> None:
        """The screen on top reads what it shows again (cases a sync or a bundle changed)."""
        refresh = getattr(self.screen, "refresh_data", None)
        if callable(refresh):
            refresh()

    def on_unmount(self) -> None:
        if self.drop_watch is not None:
            self.drop_watch.stop()
        if self.owns_store:
            self.desk.store.close()

    def _login_screen(self) -> LoginScreen:
        return LoginScreen(self.desk.gate, self.desk.station_name, self.demo_accounts)

    def on_login_screen_logged_in(self, message: LoginScreen.LoggedIn) -> None:
        self.desk.user = message.user
        self.desk.drafts_offered = False
        self.switch_screen(home_screen(self.desk))
        self._sync(manual=False)  # is the centre there? (status line), and send what waits

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key | events.MouseDown):
            self._last_input = time.monotonic()
        if isinstance(event, events.Key) and not event.is_forwarded:
            screen = self.screen
            if isinstance(screen, KeyGate) and screen.holding:
                screen.hold(event)  # the screen is between states: the key waits its turn
                return
            await self.route_key(event)
            return
        await super().on_event(event)

    async def route_key(self, event: events.Key) -> None:
        """Deliver a key now (Textual's routing), and let the screen start holding after it."""
        screen = self.screen
        await super().on_event(event)
        if isinstance(screen, KeyGate) and screen is self.screen and screen.holds_after(event.key):
            screen.hold_keys()

    def _check_idle(self) -> None:
        minutes = getattr(self.desk.settings, "idle_lock_minutes", 10)
        idle = time.monotonic() - self._last_input
        if self.desk.user is not None and idle >= minutes * 60:
            self.action_lock()

    def action_lock(self) -> None:
        """Lock the desk now (idle lock calls this too)."""
        if self.desk.user is None or isinstance(self.screen, LockScreen):
            return
        self.push_screen(LockScreen(self.desk.gate, self.desk.user), self._unlocked)

    def action_sign_out(self) -> None:
        """F10: sign out, asked first (take-in drafts are kept; the next person signs in)."""

        def answered(sure: bool | None) -> None:
            if sure and self.desk.user is not None:
                self.sign_out()

        takes_in = self.desk.role is Role.agent
        question = (
            _("Sign out now? Unfinished take-ins are kept as drafts.")
            if takes_in  # a reviewer's desk has no take-in drafts to speak of
            else _("Sign out now?")
        )
        self.push_screen(ConfirmDialog(question, default=False), answered)

    def _unlocked(self, unlocked: bool | None) -> None:
        self._last_input = time.monotonic()
        if not unlocked:
            self.sign_out()

    def sign_out(self) -> None:
        """Back to the login screen; nothing of the session stays on screen."""
        self.desk.user = None
        self.run_worker(self.desk.end_centre, thread=True, group="centre", exit_on_error=False)
        while len(self.screen_stack) > 2:
            self.pop_screen()
        self.switch_screen(self._login_screen())

    def _background_sync(self) -> None:
        if self.desk.user is not None and not self._syncing():
            self._sync(manual=False)

    def action_sync_now(self) -> None:
        """同步: push and pull now (the background worker does it without being asked)."""
        if self.desk.user is None:
            return
        if self._syncing():  # a centre slow to answer: say so, rather than start a second
            self.notify(_("A sync is already running."), severity="warning")
            return
        self.notify(_("Syncing…"))
        self._sync(manual=True)

    def _syncing(self) -> bool:
        """A sync worker is pending or running (one at a time: the next waits its turn)."""
        return any(w.group == "sync" and not w.is_finished for w in self.workers)

    def _sync(self, manual: bool) -> None:
        """Start one sync; the status line says 正在同步… until it is over."""
        self._show_sync_state(replace(self.desk.sync_state, running=True))
        self._sync_worker(manual)

    @work(thread=True, group="sync", exit_on_error=False)
    def _sync_worker(self, manual: bool) -> None:
        self.post_message(SyncDone(sync_once(self.desk, manual=manual), manual))

    def _show_sync_state(self, state: SyncState) -> None:
        """Every screen's status line, the ones under a dialog or a pushed screen too (they
        showed the state of when they were last on top)."""
        self.desk.sync_state = state
        for screen in self.screen_stack:
            for status in screen.query(DeskStatus):
                status.state = state

    def on_centre_silent(self, message: CentreSilent) -> None:
        """The centre did not answer a desk's request: 离线 on every status line."""
        self._show_sync_state(replace(self.desk.sync_state, reachable=False))

    def on_sync_done(self, message: SyncDone) -> None:
        outcome = message.outcome
        self._show_sync_state(outcome.state)
        self._unsay(_("Syncing…"))  # over: it stood beside 同步完成 until its time ran out
        if outcome.changed or (message.manual and not outcome.error):
            # a 补正 or a decision just arrived: show it now, not on the next visit (and
            # after a sync the agent asked for, what is shown is read again whatever moved)
            self._refresh_screen()
        if outcome.moved:
            # not over a dialog at 80×24 (it hid the 退回补正 reasons being typed): the
            # status line shows the sync; a sync the person asked for is still said
            if message.manual or not isinstance(self.screen, ModalScreen):
                self.notify(outcome.moved)
        elif outcome.error and (message.manual or outcome.error != self._sync_error_told):
            # the background's failures are told once each: when sync starts failing, or
            # fails in a new way; the status line keeps saying it until a sync goes through
            # (working offline is no failure: the status line says 离线)
            if message.manual or not outcome.offline:
                said = outcome.error
                if outcome.offline and hasattr(self.screen, "action_export_bundle"):
                    # a station that never gets a line was not told of the USB stick's way
                    said += "\n" + _(
                        "No line for days? b puts what waits to be sent on a USB stick,"
                        " to be taken in at the township or the county."
                    )
                self.notify(said, severity="warning", timeout=10)
        self._sync_error_told = outcome.error

    def get_key_display(self, binding: Binding) -> str:
        """The footer's keys as F1's help writes them (``F9``, ``Esc``, ``^F``), not Textual's
        ``f9``, ``esc``, ``^f``: one name per key on the whole desk, each as wide as before."""
        shown = super().get_key_display(binding)
        if shown == "esc":
            return "Esc"
        if (shown[:1] == "f" and shown[1:].isdigit()) or (shown[:1] == "^" and len(shown) == 2):
            return shown.upper()
        return shown

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Tab moves the focus at once, except out of an open dropdown: there, keys typed
        before it (the Enter that picks an option) must reach it first."""
        if action == "keys_help":  # a screen with its own F1 (the demo login's help) keeps it
            own = self.screen._bindings.key_to_bindings.get("f1", [])
            return not any(self.screen.check_action(b.action, ()) for b in own)
        if action == "county_section":
            return self._county_desk_open()
        if action == "sign_out":  # not before signing in, nor over a dialog (finish it first)
            return self.desk.user is not None and not isinstance(self.screen, ModalScreen)
        if action in ("focus_next", "focus_previous"):
            from textual.widgets._select import SelectOverlay

            return not isinstance(self.focused, SelectOverlay)
        return True

    def _county_desk_open(self) -> bool:
        """A county administrator is signed in and no dialog is open (the command palette
        is none: with it open the sections were not offered, and Ctrl+P found no 对账)."""
        from textual.command import CommandPalette
        from textual.screen import ModalScreen

        dialog = isinstance(self.screen, ModalScreen) and not isinstance(
            self.screen, CommandPalette
        )
        return self.desk.role is Role.admin and not dialog

    def action_county_section(self, index: int) -> None:
        """Open a section of the county desk (1 看板 … 8 报表), from the home."""
        from station.screens.county import section_screen

        while len(self.screen_stack) > 2:
            self.pop_screen()
        if index:
            self.push_screen(section_screen(index, self.desk))

    def action_toggle_elder(self) -> None:
        """长辈模式 on/off: one class on the App plus the high-contrast theme; remembered in
        station.toml, as the settings' switch is (F2 was forgotten at the next start)."""
        on = not self.has_class("elder")
        self._apply_elder(on)
        # said, not only shown: on some terminals the new colours were hard to tell apart
        # from the old, and F2 seemed to do nothing
        self.notify(
            _("Elder mode on (F2 turns it off). Larger characters: Ctrl and +.")
            if on
            else _("Elder mode off (F2 turns it on again).")
        )
        if bool(getattr(self.desk.settings, "elder_mode", False)) != on:
            self.desk.settings = self.desk.settings.model_copy(update={"elder_mode": on})
            self._remember_settings(self.desk.settings)

    @work(thread=True, exclusive=True, group="settings-elder", exit_on_error=False)
    def _remember_settings(self, settings: Any) -> None:
        from station.config import save_settings

        save_settings(settings)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """A notice (thread-safe, as Textual's); without a time of its own it stays
        :attr:`NOTIFICATION_TIMEOUT`, in 长辈模式 :data:`ELDER_NOTIFICATION_TIMEOUT`."""
        if timeout is None:
            elder = self.has_class("elder")
            timeout = ELDER_NOTIFICATION_TIMEOUT if elder else self.NOTIFICATION_TIMEOUT
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def _on_notify(self, event: Notify) -> None:
        """A notice the same as one on show replaces it (its time starts again): a key
        pressed three times (F9 on a form with a mistake, 同步 while a sync runs) stacked
        three copies over half the screen."""
        new = event.notification
        for shown in list(self._notifications):
            if (shown.message, shown.title, shown.severity) == (
                new.message,
                new.title,
                new.severity,
            ):
                self._unnotify(shown, refresh=False)
        super()._on_notify(event)

    def clear_read_notices(self) -> None:
        """Take away the information notices on show long enough to be read (a dialog
        opening over them: a saved PDF's path hid the 暂停 dialog's 取消 button); a warning
        or an error stays its time."""
        now = time.time()
        for shown in list(self._notifications):
            if shown.severity == "information" and now - shown.raised_at >= READ_SECONDS:
                self._unnotify(shown)

    def _unsay(self, message: str) -> None:
        """Take a notice off the screen (one that an event has made untrue)."""
        for shown in list(self._notifications):
            if shown.message == message:
                self._unnotify(shown)

    def _apply_elder(self, on: bool) -> None:
        self.set_class(on, "elder")
        self.theme = ELDER_THEME.name if on else STANDARD_THEME.name
        follow = getattr(self.screen, "elder_mode_changed", None)
        if callable(follow):  # the settings screen's switch shows what F2 just did
            follow(on)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The app's own workers (sync, bundles) fail into the same handler as the screens'."""
        if event.worker.group == "sync" and event.state in (
            WorkerState.ERROR,
            WorkerState.CANCELLED,
        ):
            self._show_sync_state(replace(self.desk.sync_state, running=False))
        if event.state is WorkerState.ERROR:
            self.report_failure(event.worker)

    def report_failure(self, worker: Worker[Any]) -> None:
        """Every worker failure, of any screen, ends here: logged, then one dialog in Chinese.

        The screen that ran the worker has already put itself back where repeating
        the action is safe (``DeskScreen.worker_failed``).
        """
        self.report_error(worker.group, worker.error or RuntimeError("worker failed"), worker.name)

    def report_error(self, group: str, error: BaseException, name: str = "") -> None:
        """A failure of the work of ``group`` (a worker's, or the drop folder watch's):
        logged, then one dialog in Chinese."""
        from station.screens.base import WHAT_FAILED
        from station.services.centre import CentreError
        from station.services.failures import desk_logger, explain, log_path

        if isinstance(error, CentreError) and error.silent:  # not 在线 on every line now
            self.on_centre_silent(CentreSilent())
        data_dir = Path(self.desk.settings.data_dir)
        desk_logger(data_dir).error("worker %s (%s) failed", group, name, exc_info=error)
        what = WHAT_FAILED.get(group, _("The last action"))
        title = _("{what} did not complete").format(what=what)
        self.push_screen(MessageDialog(title, explain(error, log_path(data_dir)), error=True))

    def action_command_palette(self) -> None:
        """Ctrl+P: the desk's commands, the prompt in the desk's language."""
        from textual.command import CommandPalette

        if self.use_command_palette and not CommandPalette.is_open(self):  # type: ignore[arg-type]
            palette = CommandPalette(placeholder=_("Type a command: Chinese or pinyin initials…"))
            self.push_screen(palette)

    def action_keys_help(self) -> None:
        """F1: the keys of the screen on show, and what each does."""
        from station.screens.commands import screen_commands

        # padded by screen cells, not characters: 空格 is two characters and four cells
        lines = [
            " " * max(0, 8 - cell_len(c.key)) + f"{c.key}  {c.name}"
            for c in screen_commands(self.screen)
        ]
        self.push_screen(MessageDialog(_("Keys on this screen"), "\n".join(in_columns(lines))))


def home_screen(desk: Desk) -> Screen[None]:
    """The home the signed-in person's role gets (the same core serves all three roles).

    The village agent gets 今日; a township reviewer the review queue (审核台), a
    county administrator the 看板 (and digits 1–8 for the county's other sections).
    """
    from station.screens.home import HomeScreen
    from station.services.desk import Home

    home = desk.home()
    if home is Home.review:
        from station.screens.review_queue import ReviewQueueScreen

        return ReviewQueueScreen(desk)
    if home is Home.county:
        from station.screens.dashboard import DashboardScreen

        return DashboardScreen(desk)
    return HomeScreen(desk)


def desk_language(settings: Any) -> str:
    """``DAIBAN_LANG`` if set (a person's choice for this session), else the station's setting."""
    return str(os.environ.get("DAIBAN_LANG") or getattr(settings, "language", "zh_CN"))


def make_app(
    settings: StationSettings,
    *,
    store: StationStore | None = None,
    demo_accounts: Sequence[DemoAccount] = (),
    clock: Callable[[], datetime] | None = None,
    catalog: Catalog | None = None,
) -> DaibanApp:
    """Build the desk: the one factory used by the command line and every test.

    Args:
        settings: the station's ``StationSettings``.
        store: an open ``StationStore``; opened from ``settings.data_dir`` (and
            closed on exit) when omitted.
        demo_accounts: accounts shown on the login screen (the demo only).
        clock: "now" for deadlines and lock timers (tests fix it); any zone, read
            as China time (a naive value is taken to be UTC).
        catalog: the service-item catalog (loaded on first use when omitted).

    Returns:
        The app, ready to ``run()`` or ``run_test()``.
    """
    set_language(desk_language(settings))
    translate_textual_keys()
    owns_store = store is None
    if store is None:
        from station.store import StationStore as Store

        store = Store.open(Path(settings.data_dir))
    now = china_clock(clock)
    identity = store.identity()
    desk = Desk(
        settings=settings,
        store=store,
        gate=LoginGate(store, clock=now),
        clock=now,
        station_name=identity.name if identity else _("(station not enrolled)"),
        division=identity.division if identity else "",
        _catalog=catalog,
    )
    app = DaibanApp(desk, demo_accounts)
    app.owns_store = owns_store
    return app


HELP_ROWS = 10
"""F1's list in two columns past this many keys: at 80×24 one column ran under the dialog's
edge and the last keys (F10 退出登录) were scrolled out of sight."""


def in_columns(lines: list[str]) -> list[str]:
    """``lines`` as one column, or two side by side (top to bottom, then the next column)."""
    if len(lines) <= HELP_ROWS:
        return lines
    half = (len(lines) + 1) // 2
    left, right = lines[:half], lines[half:]
    width = max(cell_len(line) for line in left) + 2
    return [
        line + " " * (width - cell_len(line)) + (right[i] if i < len(right) else "")
        for i, line in enumerate(left)
    ]
