"""办不成事: record what a resident wanted and why it could not be done here, and list the records.

A record is its own thing (``BCS-...`` numbers, its own table and states), never a case.
"""

from __future__ import annotations

import re
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Button, DataTable, Input, Label, Static

from forms.clock import format_day
from forms.fieldtypes import is_phone
from station.i18n import _
from station.screens.base import DeskScreen
from station.screens.context import Desk
from station.screens.dialogs import MessageDialog, leave_when_sure
from station.widgets.footer import DeskFooter
from station.widgets.tables import cursor_kept


class UnresolvedScreen(DeskScreen[None]):
    """Three lines and a save key."""

    BINDINGS = [
        Binding("escape", "back", _("Back")),
        Binding("f9", "save", _("Save")),
    ]

    class Saved(Message):
        """The record was written (exactly once) and its slip printed, or why it was not."""

        def __init__(self, number: str, papers: str) -> None:
            super().__init__()
            self.number = number
            self.papers = papers

    def __init__(self, desk: Desk) -> None:
        super().__init__()
        self.desk = desk
        self._saving = False
        """A save is under way or done: F9 again must not record the request twice."""

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="unresolved-body"):
            yield Label(_("Unresolved request 办不成事"), classes="heading")
            yield Label(_("What the resident wanted"))
            yield Input(id="what")
            yield Label(_("Why it could not be done"))
            yield Input(id="why")
            yield Label(_("Who reported it and how to reach them (name, phone)"))
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
        contact = self.query_one("#contact", Input).value.strip()
        wrong = not_a_phone(contact)
        if wrong is not None:  # said at the box, the rest kept (a county calls this number)
            message = _(
                "Who reported it: “{text}” is not a phone number (mobile: 11 digits; landline"
                " with its area code, e.g. 0954-1234567). Without a phone, give the name alone."
            ).format(text=wrong)
            self.query_one("#unresolved-message", Static).update(message)
            self.query_one("#contact", Input).focus()
            return
        if self._saving:
            return
        self._saving = True
        self.query_one("#save", Button).disabled = True
        self._save(values["what"], values["why"], contact)

    @work(thread=True, group="unresolved-save", exit_on_error=False)
    def _save(self, what: str, why: str, contact: str) -> None:
        from station.services.paper import slip_after_record

        today = self.desk.clock().date()  # the desk's day (China) numbers the record
        service = self.desk.service()
        view = service.record_unresolved(what=what, why=why, contact=contact, today=today)
        self.post_message(self.Saved(view.number, slip_after_record(self.desk, view)))

    def worker_failed(self, worker: Any) -> None:
        """Not recorded (the failure is shown by the app): F9 may try again."""
        if worker.group == "unresolved-save":
            self._saving = False
            self.query_one("#save", Button).disabled = False

    def on_unresolved_screen_saved(self, message: UnresolvedScreen.Saved) -> None:
        text = _("Recorded as {number}.").format(number=message.number)
        self.dismiss(None)
        self.app.push_screen(MessageDialog(_("Recorded 已登记"), f"{text}\n{message.papers}"))

    def action_back(self) -> None:
        """Leave without saving; asked first when something was typed (Enter and Esc: stay)."""
        if self._saving:
            return  # being recorded: the screen closes by itself when it is
        typed = any(self.query_one(f"#{key}", Input).value.strip() for key in FIELDS)
        leave_when_sure(self, typed, _("Leave without recording it? What you typed is not kept."))


_NUMBERISH = re.compile(
    r"[0-9０-９A-Za-z][0-9０-９A-Za-zＡ-Ｚａ-ｚ\-－—()（） ]*[0-9０-９A-Za-z)）]|[0-9０-９]"
)
"""A run of the contact text in Latin letters, digits, dashes and spaces (a phone number as
people write it: ``139 9551 2345``, ``0954-1234567``)."""


def not_a_phone(contact: str) -> str | None:
    """The first run of the reporter's contact holding a digit that is no phone number
    (``139abc``, a mobile one digit short), or None: a name alone, or with one phone or
    more, is fine."""
    for found in _NUMBERISH.finditer(contact):
        numbers = [part for part in found.group().split() if any(c.isdigit() for c in part)]
        if not numbers:
            continue  # a name in Latin letters
        if is_phone(" ".join(numbers)) or all(is_phone(part) for part in numbers):
            continue  # one number written in groups, or several numbers
        return " ".join(numbers)
    return None


FIELDS = ("what", "why", "contact")
"""The form's boxes."""


class UnresolvedListScreen(DeskScreen[None]):
    """办不成事 records of this station, newest first; N records a new one."""

    BINDINGS = [
        Binding("escape", "back", _("Back")),
        Binding("n", "new", _("New record 登记")),
        Binding("p", "reprint", _("Reprint 补打")),
    ]

    class Loaded(Message):
        """The records were read."""

        def __init__(self, rows: list[tuple[str, str, str, str, str, str]]) -> None:
            super().__init__()
            self.rows = rows

    def __init__(self, desk: Desk) -> None:
        super().__init__()
        self.desk = desk
        self.records: dict[str, tuple[str, str, str, str, str, str]] = {}

    def compose(self) -> ComposeResult:
        yield Label(_("Unresolved requests 办不成事"), classes="heading")
        yield Static("", id="unresolved-count")
        yield DataTable(id="unresolved-list", cursor_type="row", zebra_stripes=True)
        yield Static("", id="unresolved-detail")
        yield DeskFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        # the state before the long texts (the last column is the one a narrow screen cuts);
        # the chosen record's texts in full under the table
        table.add_columns(_("Number"), _("Date"), _("State"), _("Wanted"), _("Why"))
        table.focus()
        self._load()

    def on_screen_resume(self) -> None:
        if self.shown_again() and self.in_session():  # (on_mount read it the first time)
            self._load()

    @work(thread=True, exclusive=True, group="unresolved", exit_on_error=False)
    def _load(self) -> None:
        from forms.privacy import mask_ids_shown as shown  # an ID number typed in: masked
        from station.services.loops import loop_state
        from station.services.names import record_state_name

        rows = [
            (
                record.number,
                format_day(record.reported_at) if record.reported_at else "",
                shown(record.what),
                shown(record.why),
                loop_state(self.desk.store, record.number) or record_state_name(record.state),
                shown(record.contact),
            )
            for record in self.desk.service().unresolved()
        ]
        self.post_latest(self.Loaded(rows))

    def on_unresolved_list_screen_loaded(self, message: UnresolvedListScreen.Loaded) -> None:
        table = self.query_one(DataTable)
        self.records = {row[0]: row for row in message.rows}
        with cursor_kept(table):  # back from a record (or a new one): where the agent was
            table.clear()
            for number, day, what, why, state, _contact in message.rows:
                table.add_row(number, day, state, what, why, key=number)
        count = _("{count} records; press N to record a new one, P to reprint a slip.").format(
            count=len(message.rows)
        )
        self.query_one("#unresolved-count", Static).update(count)

    @on(DataTable.RowHighlighted, "#unresolved-list")
    def _show_detail(self, event: DataTable.RowHighlighted) -> None:
        row = self.records.get(str(event.row_key.value))
        detail = self.query_one("#unresolved-detail", Static)
        if row is None:
            detail.update("")
            return
        text = _("Wanted: {what}\nWhy: {why}").format(what=row[2], why=row[3])
        reporter = _("Reported by: {contact}").format(contact=row[5] or _("(not given)"))
        detail.update(f"{text}\n{reporter}")

    def action_reprint(self) -> None:
        """补打: the highlighted record's slip again, marked as a reprint."""
        table = self.query_one(DataTable)
        if not self.records or table.cursor_row < 0:
            self.notify(_("No record is chosen."), severity="warning")
            return
        number = str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        self._reprint(number)

    @work(thread=True, group="unresolved-paper", exit_on_error=False)
    def _reprint(self, number: str) -> None:
        from station.services.paper import print_unresolved

        view = next((r for r in self.desk.service().unresolved() if r.number == number), None)
        if view is None:
            message = _("There is no record {number} at this station.").format(number=number)
            self.app.call_from_thread(self.notify, message, severity="error")
            return
        outcome = print_unresolved(self.desk, view, reprint=True)
        self.app.call_from_thread(self.notify, outcome.text(), timeout=10)

    def action_new(self) -> None:
        """登记: a new 办不成事 record."""
        self.app.push_screen(UnresolvedScreen(self.desk))

    def action_back(self) -> None:
        """Back to 今日."""
        self.dismiss(None)
