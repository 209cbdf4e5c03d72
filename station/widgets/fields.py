"""One form field rendered from a catalog ``FieldSpec``: label, editor, help, message.

The editor posts :class:`FieldEditor.Changed` up with the field's path and value;
the parent screen keeps the data (messages up). Validation is per field, as
typed, with the messages of ``forms.validation`` (they name the field).
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
from forms.identity import IdNumberError, parse_id_number
from forms.validation import validate_field
from station.i18n import _

PLACEHOLDERS = {
    "date": "YYYY-MM-DD",
    "money": "0.00",
    "phone": "13800000000",
    "id_number": _("18 characters"),
    "integer": "0",
}


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
    FieldEditor .field-label { width: 25; margin: 0; padding-right: 1; }
    FieldEditor Select, FieldEditor Input { width: 1fr; }
    FieldEditor SelectionList { height: auto; max-height: 8; width: 1fr; }
    FieldEditor .field-help { display: none; padding-left: 25; }
    FieldEditor:focus-within .field-help { display: block; }
    FieldEditor .field-info, FieldEditor .field-message { padding-left: 25; }
    """

    class Changed(Message):
        """The value of a field changed (already validated)."""

        def __init__(self, editor: FieldEditor, path: str, value: Any) -> None:
            super().__init__()
            self.editor = editor
            self.path = path
            """Where the value goes: ``applicant.name``, ``fields.KEY``..."""
            self.value = value

    def __init__(self, spec: FieldSpec, path: str, value: Any = None, *, today: date) -> None:
        super().__init__(classes="field")
        self.spec = spec
        self.path = path
        self.initial = value
        self.today = today

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
            return Select(options, value=initial, prompt=_("Choose…"), compact=True)
        if spec.type == "boolean":
            # booleans travel as "yes"/"no" (False is not a Select value).
            initial = (
                {True: "yes", False: "no"}.get(value, Select.NULL)
                if isinstance(value, bool)
                else Select.NULL
            )
            choices = [(_("Yes"), "yes"), (_("No"), "no")]
            return Select(choices, value=initial, prompt=_("Choose…"), compact=True)
        if spec.type == "multi_choice":
            chosen = set(value or [])
            return SelectionList(*[(o, o, o in chosen) for o in spec.options])
        text = "" if value is None else str(value)
        return Input(value=text, placeholder=PLACEHOLDERS.get(spec.type, ""), compact=True)

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

    def check(self, *, final: bool = False) -> str:
        """Validate the current value and show the message; returns it ("" when fine).

        Args:
            final: judge a half-typed ID number too (on review, not while typing).
        """
        value = self.value
        info = ""
        if self.spec.type == "id_number" and isinstance(value, str):
            info = id_number_info(value, self.today)
            if not final and len(value) < 18:
                self._show(_("{n}/18 characters").format(n=len(value)), "")
                return ""
        problem = validate_field(self.spec, value, path=self.path, today=self.today)
        message = problem.message if problem else ""
        self._show(info, message)
        return message

    def set_message(self, message: str) -> None:
        """Show a message from a whole-application check (attributes down)."""
        self.query_one(".field-message", _Line).show(message)

    def _show(self, info: str, message: str) -> None:
        self.query_one(".field-info", _Line).show(info)
        self.query_one(".field-message", _Line).show(message)

    @on(Input.Changed)
    @on(Select.Changed)
    @on(SelectionList.SelectedChanged)
    def _changed(self, event: Message) -> None:
        event.stop()
        self.check()
        self.post_message(self.Changed(self, self.path, self.value))
