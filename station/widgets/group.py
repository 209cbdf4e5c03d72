"""A repeating group of fields (家庭成员...): rows of FieldEditors, add and remove rows.

Values travel up as ``FieldEditor.Changed`` with paths like
``fields.members[1].name``; adding or removing a row posts
:class:`GroupEditor.RowsChanged` so the screen updates its draft.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Label, Static

from forms.catalog.model import FieldGroup
from station.i18n import _
from station.widgets.fields import FieldEditor


class GroupRow(Vertical):
    """One row of a group: a caption and one editor per field."""

    DEFAULT_CSS = "GroupRow { height: auto; padding-left: 2; }"

    def __init__(self, group: FieldGroup, index: int, values: dict[str, Any], today: date) -> None:
        super().__init__()
        self.group, self.index, self.values, self.today = group, index, values, today

    def compose(self) -> ComposeResult:
        caption = _("{group} #{n}").format(group=self.group.label, n=self.index + 1)
        yield Label(caption, classes="heading")
        for spec in self.group.fields:
            path = f"fields.{self.group.key}[{self.index}].{spec.key}"
            yield FieldEditor(spec, path, self.values.get(spec.key), today=self.today)


class GroupEditor(Vertical):
    """The group's label and help, its rows, and buttons to add or remove a row."""

    DEFAULT_CSS = """
    GroupEditor { height: auto; margin-bottom: 1; }
    GroupEditor > Horizontal { height: 1; }
    GroupEditor Button { margin-right: 2; }
    """

    class RowsChanged(Message):
        """A row was added or the last one removed."""

        def __init__(self, key: str, rows: int) -> None:
            super().__init__()
            self.key = key
            self.rows = rows

    def __init__(self, group: FieldGroup, rows: list[dict[str, Any]], *, today: date) -> None:
        super().__init__()
        self.group = group
        self.initial_rows = rows
        self.today = today

    def compose(self) -> ComposeResult:
        need = _("at least {n} rows").format(n=self.group.min_rows) if self.group.min_rows else ""
        yield Label(f"{self.group.label}  {need}".rstrip(), classes="field-label")
        if self.group.help:
            yield Static(self.group.help, classes="muted")
        for index, values in enumerate(self.initial_rows):
            yield GroupRow(self.group, index, values, self.today)
        with Horizontal():
            yield Button(_("+ add a row"), id="add-row", compact=True)
            yield Button(_("− remove the last row"), id="remove-row", compact=True)

    @property
    def row_count(self) -> int:
        """How many rows are shown."""
        return len(self.query(GroupRow))

    @property
    def first_error(self) -> FieldEditor | None:
        """The first field of the group showing an error (F9 jumps there), or None."""
        return next((editor for editor in self.query(FieldEditor) if editor.has_error), None)

    @on(Button.Pressed, "#add-row")
    async def add_row(self, event: Button.Pressed | None = None) -> None:
        """Add an empty row at the end."""
        if event is not None:
            event.stop()
        if self.row_count >= self.group.max_rows:
            message = _("{group}: at most {n} rows.").format(
                group=self.group.label, n=self.group.max_rows
            )
            self.notify(message, severity="warning")
            return
        row = GroupRow(self.group, self.row_count, {}, self.today)
        await self.mount(row, before=self.query_one(Horizontal))
        self.post_message(self.RowsChanged(self.group.key, self.row_count))
        row.query("Input, Select").first().focus(scroll_visible=False)
        # Scrolled to once laid out: the focus's own scroll ran before the row had a place,
        # and the agent typed into a row below the screen that nothing showed.
        self.call_after_refresh(row.scroll_visible, top=True, animate=False)

    @on(Button.Pressed, "#remove-row")
    async def remove_row(self, event: Button.Pressed | None = None) -> None:
        """Remove the last row."""
        if event is not None:
            event.stop()
        rows = self.query(GroupRow)
        if rows:
            await rows.last().remove()
            self.post_message(self.RowsChanged(self.group.key, self.row_count))
