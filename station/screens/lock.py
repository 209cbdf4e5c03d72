"""锁屏: the desk locks itself after idle minutes; the same person's password unlocks it."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Button, Input, Label, Static

from station.i18n import _
from station.screens.base import DeskModal
from station.services.auth import LoginGate, SignedIn


class LockScreen(DeskModal[bool]):
    """Covers the desk; dismissed with True when unlocked, False to sign out."""

    BINDINGS = [Binding("f10", "sign_out", _("Sign out"))]

    class Checked(Message):
        """The password check finished."""

        def __init__(self, ok: bool) -> None:
            super().__init__()
            self.ok = ok

    def __init__(self, gate: LoginGate, user: SignedIn) -> None:
        super().__init__()
        self.gate = gate
        self.user = user

    def compose(self) -> ComposeResult:
        with Vertical(id="lock-box"):
            yield Label(_("The desk is locked"), classes="heading")
            yield Static(_("{name}, enter your password to continue.").format(name=self.user.name))
            yield Input(id="unlock-password", password=True)
            yield Static("", id="unlock-message", classes="error")
            yield Button(_("Sign out (F10)"), id="sign-out")

    def on_mount(self) -> None:
        self.query_one("#unlock-password", Input).focus()

    @on(Input.Submitted)
    def _submit(self, event: Input.Submitted) -> None:
        self._check(event.value)

    @work(thread=True, exclusive=True, group="unlock", exit_on_error=False)
    def _check(self, password: str) -> None:
        self.post_message(self.Checked(self.gate.check_password(self.user, password)))

    def on_lock_screen_checked(self, message: LockScreen.Checked) -> None:
        if message.ok:
            self.dismiss(True)
            return
        self.query_one("#unlock-message", Static).update(_("Wrong password."))
        self.query_one("#unlock-password", Input).value = ""

    @on(Button.Pressed, "#sign-out")
    def action_sign_out(self) -> None:
        self.dismiss(False)
