"""Typed dialogs: a message, a yes/no question, a reason to type."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Static

from station.i18n import _
from station.screens.base import DeskModal


class MessageDialog(DeskModal[None]):
    """A message (an error, a notice) closed with Enter or Escape."""

    BINDINGS = [Binding("escape,enter", "close", _("Close"))]

    def __init__(self, title: str, text: str, *, error: bool = False) -> None:
        super().__init__()
        self.title_text = title
        self.text = text
        self.error = error

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="heading")
            yield Static(self.text, classes="error" if self.error else "")
            with Horizontal():
                yield Button(_("OK (Enter)"), id="ok", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#ok", Button).focus()

    @on(Button.Pressed, "#ok")
    def action_close(self) -> None:
        self.dismiss(None)


class ConfirmDialog(DeskModal[bool]):
    """A yes/no question; Enter on the focused button, Y/N, Escape means no."""

    BINDINGS = [
        Binding("y", "answer(True)", _("Yes")),
        Binding("n,escape", "answer(False)", _("No")),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.question)
            with Horizontal():
                yield Button(_("Yes (Y)"), id="yes", variant="primary")
                yield Button(_("No (N)"), id="no")

    def on_mount(self) -> None:
        self.query_one("#yes", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class ReasonDialog(DeskModal[str | None]):
    """Ask for a reason (or any one line of text); None when cancelled."""

    BINDINGS = [Binding("escape", "cancel", _("Cancel"))]

    def __init__(self, title: str, *, required: bool = True, value: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.required = required
        self.value = value

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="heading")
            yield Input(value=self.value, id="reason")
            yield Static("", id="reason-message", classes="error")
            with Horizontal():
                yield Button(_("OK (Enter)"), id="ok", variant="primary")
                yield Button(_("Cancel (Esc)"), id="cancel")

    @on(Input.Submitted)
    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        text = self.query_one("#reason", Input).value.strip()
        if self.required and not text:
            self.query_one("#reason-message", Static).update(_("A reason is required."))
            return
        self.dismiss(text)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class RatingDialog(DeskModal[tuple[int, str] | None]):
    """好差评: 1 (very dissatisfied) .. 5 (very satisfied); a reason when 2 or less."""

    BINDINGS = [Binding("escape", "cancel", _("Cancel"))]

    def compose(self) -> ComposeResult:
        from textual.widgets import Select

        grades = [
            (_("5 very satisfied 非常满意"), 5),
            (_("4 satisfied 满意"), 4),
            (_("3 fair 基本满意"), 3),
            (_("2 dissatisfied 不满意"), 2),
            (_("1 very dissatisfied 非常不满意"), 1),
        ]
        with Vertical(classes="dialog"):
            yield Label(_("The resident's rating (好差评)"), classes="heading")
            yield Select(grades, value=5, allow_blank=False, id="grade")
            yield Input(placeholder=_("reason (required when dissatisfied)"), id="reason")
            yield Static("", id="reason-message", classes="error")
            with Horizontal():
                yield Button(_("OK (Enter)"), id="ok", variant="primary")
                yield Button(_("Cancel (Esc)"), id="cancel")

    @on(Input.Submitted)
    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        from textual.widgets import Select

        grade = int(self.query_one("#grade", Select).value)  # type: ignore[arg-type]
        reason = self.query_one("#reason", Input).value.strip()
        if grade <= 2 and not reason:
            message = _("Say why the resident is dissatisfied.")
            self.query_one("#reason-message", Static).update(message)
            return
        self.dismiss((grade, reason))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class SupplementDialog(DeskModal[list[str] | None]):
    """补充材料: tick the materials the resident brought now; the keys chosen, None if cancelled."""

    BINDINGS = [Binding("escape", "cancel", _("Cancel"))]

    def __init__(self, choices: list[tuple[str, str, bool]]) -> None:
        """Args: choices: (material name, key, ticked at first) for each outstanding material."""
        super().__init__()
        self.choices = choices

    def compose(self) -> ComposeResult:
        from textual.widgets import SelectionList

        with Vertical(classes="dialog"):
            yield Label(_("Which materials were brought now? (Space ticks)"), classes="heading")
            yield SelectionList[str](*self.choices, id="supplied")
            yield Static("", id="supplied-message", classes="error")
            with Horizontal():
                yield Button(_("OK (Enter)"), id="ok", variant="primary")
                yield Button(_("Cancel (Esc)"), id="cancel")

    def on_mount(self) -> None:
        self.query_one("#supplied").focus()

    def key_enter(self) -> None:
        """Enter confirms from the list too (Space is what ticks)."""
        self._ok()

    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        from textual.widgets import SelectionList

        chosen = list(self.query_one("#supplied", SelectionList).selected)
        if not chosen:
            message = _("Tick at least one material, or press Esc.")
            self.query_one("#supplied-message", Static).update(message)
            return
        self.dismiss(chosen)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
