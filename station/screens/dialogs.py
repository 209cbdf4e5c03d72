"""Typed dialogs: a message, a yes/no question, a reason to type."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from rich.console import RenderableType
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Input, Label, Static

from station.i18n import _
from station.screens.base import DeskModal, scroll_bindings
from station.services.timeline import rating_text
from station.widgets.dropdown import Dropdown
from station.widgets.paragraph import numbers_unbroken


class MessageDialog(DeskModal[None]):
    """A message (an error, a notice) closed with Enter or Escape."""

    BINDINGS = [
        Binding("escape,enter", "close", _("Close")),
        # A long text (F1's keys) scrolls by the keyboard while the focus stays on OK.
        *scroll_bindings("scroll_body"),
    ]

    def __init__(
        self, title: str, text: RenderableType, *, error: bool = False, wide: bool = False
    ) -> None:
        super().__init__()
        self.title_text = title
        self.text = text
        self.error = error
        self.wide = wide
        """As wide as the screen (tables: an application as filed), not a 60-column box."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog message-dialog" + (" wide" if self.wide else "")):
            yield Label(self.title_text, classes="heading")
            with VerticalScroll(classes="message-body"):  # a long list (F1's keys) scrolls
                yield Static(self.text, classes="error" if self.error else "")
            with Horizontal():
                yield Button(_("OK (Enter)"), id="ok", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#ok", Button).focus()

    @on(Button.Pressed, "#ok")
    def action_close(self) -> None:
        self.dismiss(None)

    def action_scroll_body(self, how: str) -> None:
        """Scroll the text (``up``, ``down``, ``page_up``, ``page_down``, ``home``, ``end``)."""
        getattr(self.query_one(".message-body", VerticalScroll), f"scroll_{how}")(animate=False)


class ConfirmDialog(DeskModal[bool]):
    """A yes/no question; Enter on the focused button, Y/N, Escape means no."""

    BINDINGS = [
        Binding("y,Y", "answer(True)", _("Yes")),  # Shift held (or Caps Lock) is a Y too
        Binding("n,N,escape", "answer(False)", _("No")),
    ]

    def __init__(self, question: str, *, default: bool = True) -> None:
        super().__init__()
        self.question = question
        self.default = default
        """The answer Enter gives at first (its button has the focus)."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(numbers_unbroken(self.question))
            with Horizontal():
                yield Button(_("Yes (Y)"), id="yes", variant="primary")
                yield Button(_("No (N)"), id="no")

    def on_mount(self) -> None:
        self.query_one("#yes" if self.default else "#no", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class ChoiceDialog(DeskModal[str | None]):
    """One of a few choices: ↑↓ and Enter picks, Escape picks none."""

    BINDINGS = [Binding("escape", "cancel", _("Cancel"))]

    def __init__(self, title: str, choices: Sequence[tuple[str, str]]) -> None:
        super().__init__()
        self.title_text = title
        self.choices = list(choices)
        """(what the agent reads, the value answered)."""

    def compose(self) -> ComposeResult:
        from textual.widgets import OptionList
        from textual.widgets.option_list import Option

        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="heading")
            yield OptionList(
                *(Option(label, id=str(i)) for i, (label, _value) in enumerate(self.choices)),
                id="choices",
            )
            yield Static(_("↑↓ choose, Enter confirm, Esc cancel"), classes="muted")

    def on_mount(self) -> None:
        from textual.widgets import OptionList

        self.query_one("#choices", OptionList).focus()

    def on_option_list_option_selected(self, event: Any) -> None:
        self.dismiss(self.choices[int(event.option.id)][1])

    def action_cancel(self) -> None:
        self.dismiss(None)


class ReasonDialog(DeskModal[str | None]):
    """Ask for a reason (or any one line of text); None when cancelled."""

    BINDINGS = [Binding("escape", "cancel", _("Cancel"))]

    def __init__(
        self,
        title: str,
        *,
        required: bool = True,
        value: str = "",
        needed: str | None = None,
        hint: str = "",
        check: Callable[[str], str | None] | None = None,
    ) -> None:
        super().__init__()
        self.check = check
        """What is wrong with the text typed (None: nothing), said with the dialog still
        open: a path typed with one character wrong closed it, to be typed again whole."""
        self.title_text = title
        self.required = required
        self.value = value
        self.needed = needed
        """What is said when the box is left empty (default: a reason is required)."""
        self.hint = hint
        """A line under the title saying what to type (a path: where bundles are)."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="heading")
            if self.hint:
                yield Static(self.hint, id="reason-hint")
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
            self.query_one("#reason-message", Static).update(
                self.needed or _("A reason is required.")
            )
            return
        problem = self.check(text) if self.check is not None and text else None
        if problem:
            self.query_one("#reason-message", Static).update(problem)
            return
        self.dismiss(text)

    def on_mount(self) -> None:
        self.started = typed_values(self)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        close_when_sure(self)


HAND_OVER_WAYS = (
    "in person at the station",
    "taken to the resident's home",
    "by post",
    "collected by someone the resident sent",
)
"""How a result reaches the resident (送达方式), the usual first (translated on use)."""


class HandOverDialog(DeskModal[tuple[str, str] | None]):
    """送达: how the result reached the resident and who signed for it.

    Names the case and its result, so the agent hands over the right paper. Dismisses
    with ``(how, signed by)``; the one who signs is required (the applicant by default).
    """

    BINDINGS = [Binding("escape", "cancel", _("Cancel"))]

    def __init__(self, about: str, signer: str, heading: str | None = None) -> None:
        super().__init__()
        self.about, self.signer, self.heading = about, signer, heading

    def compose(self) -> ComposeResult:

        ways = [(_(way), _(way)) for way in HAND_OVER_WAYS]
        with Vertical(classes="dialog"):
            yield Label(self.heading or _("Hand the result over (送达)"), classes="heading")
            yield Static(self.about, id="hand-over-case")
            yield Label(_("How it is handed over"))
            yield Dropdown(ways, value=ways[0][1], allow_blank=False, id="how")
            yield Label(_("Signed for by"))
            yield Input(value=self.signer, id="signed-by")
            yield Static("", id="hand-over-message", classes="error")
            with Horizontal():
                yield Button(_("OK (Enter)"), id="ok", variant="primary")
                yield Button(_("Cancel (Esc)"), id="cancel")

    def on_mount(self) -> None:
        """The name is what changes most often: the cursor starts there."""
        self.query_one("#signed-by", Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        from textual.widgets import Select

        how = self.query_one("#how", Select).value
        signed_by = self.query_one("#signed-by", Input).value.strip()
        if not signed_by:
            message = _("Fill in who signed for the result.")
            self.query_one("#hand-over-message", Static).update(message)
            return
        self.dismiss((str(how), signed_by))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


GRADES = (
    (5, "5 very satisfied 非常满意"),
    (4, "4 satisfied 满意"),
    (3, "3 fair 基本满意"),
    (2, "2 dissatisfied 不满意"),
    (1, "1 very dissatisfied 非常不满意"),
)
"""好差评 levels, best first (translated on use)."""


class RatingDialog(DeskModal[tuple[int, str] | None]):
    """好差评: 1 (very dissatisfied) .. 5 (very satisfied); a reason when 2 or less.

    No level is chosen at first: the resident's answer is chosen, never a default
    that a few keystrokes would save in their name.
    """

    BINDINGS = [Binding("escape", "cancel", _("Cancel"))]
    TITLE_TEXT = "The resident's rating (好差评)"

    def compose(self) -> ComposeResult:

        grades = [(_(label), grade) for grade, label in GRADES]
        with Vertical(classes="dialog"):
            yield Label(_(self.TITLE_TEXT), classes="heading")
            yield from self.compose_before()
            yield Dropdown(grades, prompt=_("choose a level"), allow_blank=True, id="grade")
            yield Input(placeholder=_("reason (required when dissatisfied)"), id="reason")
            yield Static("", id="reason-message", classes="error")
            with Horizontal():
                yield Button(_("OK (Enter)"), id="ok", variant="primary")
                yield Button(_("Cancel (Esc)"), id="cancel")

    def compose_before(self) -> ComposeResult:
        """What a subclass shows above the levels (nothing here)."""
        yield from ()

    def problem(self, grade: int | None, reason: str) -> str:
        """Why the answer cannot be saved yet ("" when it can)."""
        if grade is None:
            return _("Choose the resident's rating.")
        if grade <= 2 and not reason:
            return _("Say why the resident is dissatisfied.")
        return ""

    def chosen(self) -> tuple[int | None, str]:
        """The level chosen (None while none is) and the reason typed."""
        from textual.widgets import Select

        value = self.query_one("#grade", Select).value
        grade = value if isinstance(value, int) else None
        return grade, self.query_one("#reason", Input).value.strip()

    @on(Input.Submitted)
    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        grade, reason = self.chosen()
        message = self.problem(grade, reason)
        if message or grade is None:
            self.query_one("#reason-message", Static).update(message)
            return
        self.dismiss((grade, reason))

    def on_mount(self) -> None:
        self.started = typed_values(self)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        close_when_sure(self)


class RatingCorrectionDialog(RatingDialog):
    """更正好差评: the saved rating stays in the record; the change says why (audited).

    Dismisses with ``(new level, resident's reason)``; :attr:`why` holds why it changes.
    """

    TITLE_TEXT = "Correct the resident's rating (更正好差评)"

    def __init__(self, saved: int, saved_reason: str = "") -> None:
        super().__init__()
        self.saved = saved
        self.saved_reason = saved_reason
        self.why = ""

    def compose_before(self) -> ComposeResult:
        saved = _("Saved rating: {rating}").format(
            rating=rating_text(self.saved, self.saved_reason)
        )
        yield Static(saved, id="saved-rating")
        yield Input(placeholder=_("why the rating is corrected (required)"), id="why")

    def problem(self, grade: int | None, reason: str) -> str:
        self.why = self.query_one("#why", Input).value.strip()
        if not self.why:
            return _("Say why the rating is corrected.")
        if grade == self.saved:
            return _("Choose a level other than the saved one.")
        return super().problem(grade, reason)


class CorrectionDialog(DeskModal[dict[str, Any] | None]):
    """补正更正: each value the township named, with what it holds now; the new values.

    ``check`` (pure, no I/O) says what is wrong with the values, naming the field,
    or "" when they can be saved; the dialog stays open until they can.
    """

    BINDINGS = [Binding("escape", "cancel", _("Cancel")), Binding("f9", "ok", _("Save"))]

    def __init__(
        self, items: Sequence[Any], check: Callable[[dict[str, Any]], str], note: str = ""
    ) -> None:
        """Args: items: ``station.services.corrections.Correctable`` values; check: see above."""
        super().__init__()
        self.items = list(items)
        self.check = check
        self.note = note

    def compose(self) -> ComposeResult:
        from textual.containers import VerticalScroll

        with Vertical(classes="dialog"):
            yield Label(_("Correct what the township named (补正更正)"), classes="heading")
            if self.note:
                yield Static(self.note, id="correction-note")
            with VerticalScroll(id="correction-fields"):
                for index, item in enumerate(self.items):
                    current = _("(empty)") if item.current in (None, "") else str(item.current)
                    if item.is_material and item.current in MATERIAL_LABELS:  # 已提供, not provided
                        current = _(MATERIAL_LABELS[item.current])
                    yield Label(
                        _("{label} (now: {current})").format(label=item.label, current=current)
                    )
                    yield self._editor(index, item)
            yield Static("", id="correction-message", classes="error")
            with Horizontal():
                yield Button(_("Save F9"), id="ok", variant="primary")
                yield Button(_("Cancel (Esc)"), id="cancel")

    def _editor(self, index: int, item: Any) -> Any:
        from textual.widgets import Select

        if item.is_material:
            states = [(_(MATERIAL_LABELS[state]), state) for state in MATERIAL_LABELS]
            current = item.current or Select.NULL  # Textual's own prompt is English
            return Dropdown(states, value=current, prompt=_("Choose…"), id=f"c-{index}")
        spec = item.spec
        if spec is not None and spec.type == "choice" and spec.options:
            options = [(option, option) for option in spec.options]
            value = item.current if item.current in spec.options else Select.NULL
            return Dropdown(options, value=value, prompt=_("Choose…"), id=f"c-{index}")
        value = "" if item.current is None else str(item.current)
        return Input(value=value, id=f"c-{index}")

    def on_mount(self) -> None:
        self.started = typed_values(self)
        if self.items:
            self.query_one("#c-0").focus()

    def values(self) -> dict[str, Any]:
        """The values as they stand in the dialog, by path."""
        from textual.widgets import Select

        out: dict[str, Any] = {}
        for index, item in enumerate(self.items):
            widget = self.query_one(f"#c-{index}")
            if isinstance(widget, Select):
                value = widget.value
                out[item.path] = None if value is Select.NULL else value
            elif isinstance(widget, Input):
                out[item.path] = widget.value.strip()
        return out

    @on(Input.Submitted)
    @on(Button.Pressed, "#ok")
    def action_ok(self) -> None:
        values = self.values()
        message = self.check(values)
        if message:
            self.query_one("#correction-message", Static).update(message)
            return
        self.dismiss(values)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        close_when_sure(self)


MATERIAL_LABELS = {
    "provided": "provided 已提交",
    "deferred": "deferred 容缺后补",
    "shared": "by data sharing 免提交",
    "missing": "missing 未提交",
}
"""Material statuses in the correction dialog (translated on use)."""


class SupplementDialog(DeskModal[list[str] | None]):
    """补充材料: tick the materials the resident brought now; the keys chosen, None if cancelled."""

    BINDINGS = [Binding("escape", "cancel", _("Cancel"))]

    def __init__(self, choices: list[tuple[str, str, bool]]) -> None:
        """Args: choices: (material name, key, owed) for each outstanding material; an owed
        one (容缺, required, or named in a 补正) is marked 待补, never ticked for the agent:
        a box ticked at first went in with one Enter though the resident brought nothing."""
        super().__init__()
        self.choices = choices

    def compose(self) -> ComposeResult:
        from station.widgets.tick import TickList

        owed = _("{name} (owed)")
        boxes = [
            (owed.format(name=name) if due else name, key, False) for name, key, due in self.choices
        ]
        with Vertical(classes="dialog"):
            yield Label(_("Which materials were brought now? (Space ticks)"), classes="heading")
            yield TickList(*boxes, id="supplied")
            yield Static("", id="supplied-message", classes="error")
            with Horizontal():
                yield Button(_("OK (Enter)"), id="ok", variant="primary")
                yield Button(_("Cancel (Esc)"), id="cancel")

    def on_mount(self) -> None:
        self.query_one("#supplied").focus()

    def key_enter(self, event: events.Key) -> None:
        """Enter confirms from the list too (Space is what ticks): stopped here, or the list
        ticked the line it is on as well, and a second Enter recorded what nobody ticked."""
        if self.focused is self.query_one("#supplied"):
            event.stop()
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


def typed_values(screen: Any) -> dict[str, Any]:
    """What the dialog's boxes and lists hold now (to tell, at Esc, whether anything was
    typed or chosen since it opened)."""
    from textual.widgets import Select, Switch

    values: dict[str, Any] = {box.id or "": box.value.strip() for box in screen.query(Input)}
    values |= {f"select:{one.id}": one.value for one in screen.query(Select)}
    values |= {f"switch:{one.id}": one.value for one in screen.query(Switch)}
    return values


def close_when_sure(screen: Any) -> None:
    """Esc on a dialog: closed at once if nothing was typed or chosen since it opened, else
    asked first (Enter and Esc: stay, what was typed kept). The walkthrough lost a typed
    撤件 reason, a rating's reason and a 补正 form to one Esc."""
    started = getattr(screen, "started", None)
    typed = started is not None and typed_values(screen) != started
    leave_when_sure(screen, typed, _("Close without saving? What you typed is not kept."))


def leave_when_sure(screen: Any, typed: bool, question: str) -> None:
    """Dismiss ``screen`` (None), asking ``question`` first when something was typed there:
    Enter and Esc answer no, and what was typed stays."""
    if not typed:
        screen.dismiss(None)
        return

    def answered(leave: bool | None) -> None:
        if leave:
            screen.dismiss(None)

    screen.app.push_screen(ConfirmDialog(question, default=False), answered)
