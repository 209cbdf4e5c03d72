"""One form field rendered from a catalog ``FieldSpec``: label, editor, help, message.

The editor posts :class:`FieldEditor.Changed` up with the field's path and value;
the parent screen keeps the data (messages up). Validation is per field, as
typed, with the messages of ``forms.validation`` (they name the field): a message
goes as soon as the value is good again, and ``has_error`` / ``focus_input`` let
the screen jump to the first field still wrong. The value is shown exactly as
typed (the case stores it normalised); nothing here ever rewrites an Input.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Input, Label, Select, SelectionList, Static

from forms.catalog.model import FieldSpec
from forms.fieldtypes import to_money
from forms.identity import IdNumberError, id_number_miswritten, parse_id_number
from forms.validation import Severity, validate_field
from station.i18n import _
from station.widgets.dropdown import Dropdown
from station.widgets.tick import TickList

PLACEHOLDERS = {
    "date": "YYYY-MM-DD",
    "phone": _("mobile or landline"),
    "id_number": _("18 characters"),
    "integer": _("a whole number"),
}
"""What an empty box says it takes: words, never a value that looks typed (13800000000 read
as a phone number filled in, 0 as a year, 0.00 as an amount)."""


def placeholder(spec: FieldSpec) -> str:
    """The empty box's hint: a number's range when the catalog bounds it (参保年度:
    2024–2035), an amount's unit; else the type's own words."""
    if spec.type in ("integer", "money") and spec.min is not None and spec.max is not None:
        return f"{spec.min}–{spec.max}" + (spec.unit if spec.type == "money" else "")
    if spec.type == "money":  # an area or a height is no amount (面积（平方米）)
        words = _("amount in {unit}") if spec.unit == "元" else _("number in {unit}")
        return words.format(unit=spec.unit)
    return str(PLACEHOLDERS.get(spec.type, ""))


def id_number_info(value: str, today: date | None = None) -> str:
    """Birth date and sex read from a resident ID number as typed (empty if not valid yet)."""
    try:
        info = parse_id_number(value, today=today)
    except IdNumberError:
        return ""
    sex = _("male") if info.sex == "male" else _("female")
    return _("born {day}, {sex}").format(day=info.birth_date.isoformat(), sex=sex)


class _Line(Static):
    """A line of text that takes no room while it is empty."""

    def on_mount(self) -> None:
        self.display = False

    def show(self, text: str) -> None:
        """Show ``text`` (hide the line when it is empty)."""
        self.update(text)
        self.display = bool(text)


class FieldEditor(Vertical):
    """Label, editor, help and validation message of one field."""

    DEFAULT_CSS = """
    FieldEditor { height: auto; margin-bottom: 1; }
    FieldEditor > .field-row { height: auto; }
    FieldEditor .field-label { width: 28; margin: 0; padding-right: 1; }
    FieldEditor Select, FieldEditor Input { width: 1fr; }
    FieldEditor SelectionList { height: auto; max-height: 8; width: 1fr; }
    FieldEditor .field-help { display: none; padding-left: 28; }
    FieldEditor:focus-within .field-help { display: block; }
    FieldEditor .field-info, FieldEditor .field-message { padding-left: 28; }
    """

    class Changed(Message):
        """The value of a field changed (already validated)."""

        def __init__(self, editor: FieldEditor, path: str, value: Any) -> None:
            super().__init__()
            self.editor = editor
            self.path = path
            """Where the value goes: ``applicant.name``, ``fields.KEY``..."""
            self.value = value

    def __init__(
        self, spec: FieldSpec, path: str, value: Any = None, *, today: date, id: str | None = None
    ) -> None:
        super().__init__(classes="field", id=id)
        self.spec = spec
        self.path = path
        self.initial = value
        self.today = today
        self._error = ""
        self._warning: tuple[str, Any] = ("", None)
        """A whole-application check's warning, with the value it was about."""
        """The error shown now ("" when none; a warning is not an error)."""

    def compose(self) -> ComposeResult:
        mark = " *" if self.spec.required else ""
        with Horizontal(classes="field-row"):
            yield Label(self.spec.label + mark, classes="field-label")
            yield self._editor()
        if self.spec.help:
            yield Static(self.spec.help, classes="field-help muted")
        yield _Line(classes="field-info")
        yield _Line(classes="field-message")

    def _editor(self) -> Input | Select[Any] | SelectionList[str]:
        spec, value = self.spec, self.initial
        if spec.type == "choice":
            options = [(o, o) for o in spec.options]
            initial = value if value in spec.options else Select.NULL
            return Dropdown(options, value=initial, prompt=_("Choose…"), compact=True)
        if spec.type == "boolean":
            # booleans travel as "yes"/"no" (False is not a Select value).
            initial = (
                {True: "yes", False: "no"}.get(value, Select.NULL)
                if isinstance(value, bool)
                else Select.NULL
            )
            choices = [(_("Yes"), "yes"), (_("No"), "no")]
            return Dropdown(choices, value=initial, prompt=_("Choose…"), compact=True)
        if spec.type == "multi_choice":
            chosen = set(value or [])
            return TickList(*[(o, o, o in chosen) for o in spec.options])
        text = "" if value is None else str(value)
        return Input(value=text, placeholder=placeholder(spec), compact=True)

    @property
    def value(self) -> Any:
        """The value as entered (None when empty)."""
        editor = self.query_one("Input, Select, SelectionList")
        if isinstance(editor, Select):
            if editor.value is Select.NULL:
                return None
            if self.spec.type == "boolean":
                return editor.value == "yes"
            return editor.value
        if isinstance(editor, SelectionList):
            return list(editor.selected)
        assert isinstance(editor, Input)
        return editor.value.strip() or None

    @property
    def has_error(self) -> bool:
        """Whether an error (not a warning) is shown: F9 jumps to the first such field."""
        return bool(self._error)

    @property
    def error(self) -> str:
        """The error shown now ("" when none)."""
        return self._error

    def focus_input(self) -> None:
        """Put the cursor in this field's editor and scroll it into view."""
        editor = self.query_one("Input, Select, SelectionList")
        editor.focus()
        self.scroll_visible(animate=False)

    def check(self, *, final: bool = False) -> str:
        """Validate the current value and show the message; returns the error ("" when none).

        Args:
            final: judge a half-typed ID number too (on review or leaving the field,
                not while typing).
        """
        value = self.value
        info = self._info(value)
        if self.spec.type == "id_number" and isinstance(value, str):
            if not final and len(value) < 18 and not id_number_miswritten(value):
                self._show(_("{n}/18 characters").format(n=len(value)), "", "error")
                return ""
        problem = validate_field(self.spec, value, path=self.path, today=self.today)
        self._show(
            info, problem.message if problem else "", problem.severity if problem else "error"
        )
        return self._error

    def _info(self, value: Any) -> str:
        if self.spec.type == "id_number" and isinstance(value, str):
            return id_number_info(value, self.today)
        if self.spec.type == "money" and isinstance(value, str):
            number = to_money(value, self.spec.unit)
            if number is not None and str(number) != value:
                return _("recorded as {amount} {unit}").format(amount=number, unit=self.spec.unit)
        return ""

    def set_message(self, message: str, severity: Severity = "error") -> None:
        """Show a message from a whole-application check (attributes down). A warning
        stays while the value is the one it was about: the field's own check, when the
        cursor leaves it, finds nothing wrong in a name another case holds differently,
        and wiped the warning the moment the check page sent the cursor on."""
        self._warning = (message, self.value) if severity == "warning" else ("", None)
        self._put(message, severity)

    def _put(self, message: str, severity: Severity) -> None:
        self.query_one(".field-message", _Line).show(message)
        self._error = message if severity == "error" else ""

    def _show(self, info: str, message: str, severity: Severity) -> None:
        self.query_one(".field-info", _Line).show(info)
        warning, about = self._warning
        if not message and warning and self.value == about:
            message, severity = warning, "warning"
        self._put(message, severity)

    @on(Input.Changed)
    @on(Select.Changed)
    @on(SelectionList.SelectedChanged)
    def _changed(self, event: Message) -> None:
        event.stop()
        self.check()
        self.post_message(self.Changed(self, self.path, self.value))

    @on(Input.Blurred)
    def _left(self, event: Input.Blurred) -> None:
        """Leaving the field judges what is there (a 15-digit ID gets its hint now)."""
        event.stop()
        if self.value is not None:
            self.check(final=True)
