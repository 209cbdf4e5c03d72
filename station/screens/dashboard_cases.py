"""The cases behind a 看板 figure: a list; Enter opens a case this workstation holds."""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Static

from station.i18n import _
from station.screens.base import DeskScreen
from station.screens.context import Desk
from station.services.dashboard import CaseLine, held_here, read_cases
from station.services.names import state_name
from station.themes import THEMES
from station.widgets.footer import DeskFooter
from station.widgets.status import DeskStatus


class DrillTable(DataTable[str]):
    """The list: Enter opens the highlighted case."""

    BINDINGS = [Binding("enter", "select_cursor", _("Open"))]


class DrillScreen(DeskScreen[None]):
    """The cases (or 办不成事 records) a figure counted."""

    CSS_PATH = THEMES / "dashboard.tcss"
    BINDINGS = [Binding("escape", "back", _("Back"))]

    class Loaded(Message):
        """The list was read."""

        def __init__(self, lines: list[CaseLine]) -> None:
            super().__init__()
            self.lines = lines

    class Checked(Message):
        """Whether this workstation holds the chosen case."""

        def __init__(self, line: CaseLine, held: bool) -> None:
            super().__init__()
            self.line = line
            self.held = held

    def __init__(self, desk: Desk, key: str, title: str) -> None:
        super().__init__()
        self.desk = desk
        self.key = key
        self.title_text = title
        self.lines: dict[str, CaseLine] = {}

    def compose(self) -> ComposeResult:
        yield DeskStatus()
        yield Static(self.title_text, id="drill-title")
        yield DrillTable(id="drill-table", cursor_type="row", zebra_stripes=True)
        yield Static(_("Reading…"), id="drill-note", classes="muted")
        yield DeskFooter()

    def on_mount(self) -> None:
        self.show_status(self.desk, _("County dashboard"))
        self.query_one(DrillTable).focus()
        self._load()

    @work(thread=True, exclusive=True, group="dashboard", exit_on_error=False)
    def _load(self) -> None:
        self.post_message(self.Loaded(read_cases(self.desk, self.key)))

    def worker_failed(self, worker: Any) -> None:
        """Offline or refused: the list stays empty and says so."""
        self.query_one("#drill-note", Static).update(_("The list could not be read."))

    def on_drill_screen_loaded(self, message: DrillScreen.Loaded) -> None:
        self.lines = {line.case_id: line for line in message.lines}
        headers = (
            _("Case number"),
            _("State"),
            _("Deadline"),
            _("Received"),
            _("Village"),
            _("Item"),
        )
        year = self.desk.clock().year
        rows = [(line.case_id, _row(line, year)) for line in message.lines]
        table = self.query_one(DrillTable)
        table.clear(columns=True)
        for index, header in enumerate(headers):
            table.add_column(
                header, width=max(cell_len(r[index]) for r in [headers, *(row for _k, row in rows)])
            )
        for key, row in rows:
            table.add_row(*row, key=key)
        self.query_one("#drill-note", Static).update(
            _("{count} in all. Enter opens a case.").format(count=len(rows))
        )

    @on(DataTable.RowSelected)
    def _open(self, event: DataTable.RowSelected) -> None:
        line = self.lines.get(str(event.row_key.value))
        if line is not None and line.record:  # not a case: no workstation holds it as one
            self.notify(
                _("{number} is a 办不成事 record: the county follows it up under 3 (闭环).").format(
                    number=line.case_number
                )
            )
        elif line is not None:
            self._check(line)

    @work(thread=True, exclusive=True, group="case", exit_on_error=False)
    def _check(self, line: CaseLine) -> None:
        self.post_message(self.Checked(line, held_here(self.desk, line.case_id)))

    def on_drill_screen_checked(self, message: DrillScreen.Checked) -> None:
        if not message.held:
            self.notify(
                _("{number} is not on this workstation yet: sync (F5), then open it again.").format(
                    number=message.line.case_number
                ),
                severity="warning",
            )
            return
        from station.screens.case import CaseScreen

        self.app.push_screen(CaseScreen(self.desk, message.line.case_id))

    def action_back(self) -> None:
        self.app.pop_screen()


def _row(line: CaseLine, year: int) -> tuple[str, ...]:
    """A line of the list; a date of this year without its year (every list now has a 期限,
    and at 80 columns the village and the item ran off the screen)."""
    if line.record:
        state = _("办不成事 record")
    else:
        state = state_name(line.state) if line.state else ""
    deadline = _this_year(line.deadline, year)
    if deadline and line.days_left is not None and line.days_left < 0:
        deadline = _("{day} ({days} working days over)").format(day=deadline, days=-line.days_left)
    elif deadline and line.days_left is not None:
        deadline = _("{day} ({days} working days)").format(day=deadline, days=line.days_left)
    received = _this_year(line.received_on, year)
    return (line.case_number, state, deadline, received, line.village, line.item_name)


def _this_year(day: str | None, year: int) -> str:
    """``2026-12-11`` as ``12-11`` in 2026; another year's date whole."""
    if not day:
        return ""
    return day[5:] if day.startswith(f"{year}-") else day
