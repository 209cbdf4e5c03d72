"""办不成事: record what a resident wanted and why it could not be done here (it syncs like a case)."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Input, Label, Static

from station.i18n import _
from station.screens.base import DeskScreen
from station.screens.context import Desk
from station.widgets.footer import DeskFooter


class UnresolvedScreen(DeskScreen[None]):
    """Three lines and a save key."""

    BINDINGS = [
        Binding("escape", "back", _("Back")),
        Binding("f9", "save", _("Save")),
    ]

    class Saved(Message):
        """The record was written."""

        def __init__(self, case_number: str) -> None:
            super().__init__()
            self.case_number = case_number

    def __init__(self, desk: Desk) -> None:
        super().__init__()
        self.desk = desk

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="unresolved-body"):
            yield Label(_("Unresolved request 办不成事"), classes="heading")
            yield Label(_("What the resident wanted"))
            yield Input(id="what")
            yield Label(_("Why it could not be done"))
            yield Input(id="why")
            yield Label(_("How to reach the resident"))
            yield Input(id="contact")
            yield Static("", id="unresolved-message", classes="error")
            with Horizontal(id="intake-nav"):
                yield Button(_("Save F9"), id="save", variant="primary", compact=True)
        yield DeskFooter()

    def on_mount(self) -> None:
        self.query_one("#what", Input).focus()

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        """Write the record (a worker)."""
        values = {key: self.query_one(f"#{key}", Input).value.strip() for key in ("what", "why")}
        if not all(values.values()):
            message = _("Say what was wanted and why it could not be done.")
            self.query_one("#unresolved-message", Static).update(message)
            return
        self._save(values["what"], values["why"], self.query_one("#contact", Input).value.strip())

    @work(thread=True, exclusive=True, group="unresolved", exit_on_error=False)
    def _save(self, what: str, why: str, contact: str) -> None:
        view = self.desk.service().record_unresolved(what=what, why=why, contact=contact)
        self.post_message(self.Saved(view.case_number))

    def on_unresolved_screen_saved(self, message: UnresolvedScreen.Saved) -> None:
        self.notify(_("Recorded as {number}.").format(number=message.case_number))
        self.dismiss(None)

    def action_back(self) -> None:
        """Leave without saving."""
        self.dismiss(None)
