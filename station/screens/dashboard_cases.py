"""The cases behind a 看板 figure: a list; Enter opens a case this workstation holds, or a
办不成事 record's 闭环 item."""

from __future__ import annotations

from typing import Any

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Static

from forms.clock import day_in_year
from station.i18n import _
from station.screens.base import DeskScreen
from station.screens.context import Desk
from station.screens.county_dialogs import fill_wrapped
from station.screens.syncing import CentreSilent
from station.services.centre import CentreError
from station.services.dashboard import CaseLine, held_here, read_cases
from station.services.loops import STATE_NAMES, Loops
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

        def __init__(self, lines: list[CaseLine], loops: dict[str, dict[str, Any]]) -> None:
            super().__init__()
            self.lines = lines
            self.loops = loops
            """The 闭环 items of the 办不成事 records listed, by record id."""

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
        self.loops: dict[str, dict[str, Any]] = {}
        self.shown: tuple[tuple[str, ...], list[tuple[str, tuple[str, ...]]]] = ((), [])

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
        lines = read_cases(self.desk, self.key)
        try:
            loops = _loops_of(self.desk, lines)
        except CentreError as error:  # the list still shows, each record as a record
            if error.silent:
                self.post_message(CentreSilent())
            loops = {}
        self.post_message(self.Loaded(lines, loops))

    def worker_failed(self, worker: Any) -> None:
        """Offline or refused: the list stays empty and says so."""
        self.query_one("#drill-note", Static).update(_("The list could not be read."))

    def on_drill_screen_loaded(self, message: DrillScreen.Loaded) -> None:
        self.lines = {line.case_id: line for line in message.lines}
        self.loops = message.loops
        headers = (
            _("Case number"),
            _("State"),
            _("Deadline"),
            _("Received"),
            _("Village"),
            _("Item"),
        )
        year = self.desk.clock().year
        rows = [(line.case_id, _row(line, year, self.loops)) for line in message.lines]
        self.shown = (headers, rows)
        self._fill()
        records = any(line.record for line in message.lines)
        note = (
            _("{count} in all. Enter opens its 闭环 item.")
            if records
            else _("{count} in all. Enter opens a case.")
        )
        self.query_one("#drill-note", Static).update(note.format(count=len(rows)))

    def _fill(self) -> None:
        """The list as wide as the screen, long cells wrapped (the item ran off at 80)."""
        headers, rows = self.shown
        table = self.query_one(DrillTable)
        width = self.size.width
        fill_wrapped(table, headers, [r for _k, r in rows], width, [k for k, _r in rows])

    def on_resize(self, event: events.Resize) -> None:
        """Narrower or wider: the columns fitted again."""
        self._fill()

    @on(DataTable.RowSelected)
    def _open(self, event: DataTable.RowSelected) -> None:
        line = self.lines.get(str(event.row_key.value))
        loop = self.loops.get(line.case_id) if line is not None else None
        if loop is not None:  # a 办不成事 record: what the county does with it is its 闭环
            from station.screens.loops import LoopItemScreen

            self.app.push_screen(LoopItemScreen(self.desk, int(loop["id"])))
        elif line is not None and line.record:  # not a case, and no 闭环 item (yet)
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


def show_case(screen: DeskScreen[Any], desk: Desk, number: str) -> None:
    """Open the case ``number``'s page as the county's 办件 opens it (the review page, with
    the decisions the county makes), or say that this workstation does not hold it yet
    (call from a worker of ``screen``)."""
    if desk.store.get_case(number) is None:
        words = _("{number} is not on this workstation yet: sync (F5), then open it again.")
        screen.app.call_from_thread(screen.notify, words.format(number=number), severity="warning")
        return
    from station.screens.review import ReviewScreen

    screen.app.call_from_thread(screen.app.push_screen, ReviewScreen(desk, number))


def _loops_of(desk: Desk, lines: list[CaseLine]) -> dict[str, dict[str, Any]]:
    """The 闭环 items of the 办不成事 records among ``lines``, by record id (call from a
    worker); none when there are no records (CentreError when the centre's list could not
    be read)."""
    if not any(line.record for line in lines):
        return {}
    items = Loops(desk).items()
    found = {str(i["source_id"]): i for i in items if i.get("source_kind") == "unresolved"}
    numbers = {str(i["source_number"]): i for i in found.values()}
    return {
        line.case_id: found.get(line.case_id) or numbers[line.case_number]
        for line in lines
        if line.record and (line.case_id in found or line.case_number in numbers)
    }


def _row(line: CaseLine, year: int, loops: dict[str, dict[str, Any]]) -> tuple[str, ...]:
    """A line of the list; a date of this year without its year (every list now has a 期限,
    and at 80 columns the village and the item ran off the screen). A 办不成事 record's
    state is its 闭环's (it said 办不成事登记 when the 闭环 was 已办结)."""
    loop = loops.get(line.case_id)
    if loop is not None:
        state = _("闭环 {state}").format(state=STATE_NAMES.get(loop["state"], loop["state"]))
    elif line.record:
        state = _("办不成事 record")
    else:
        state = state_name(line.state) if line.state else ""
    deadline = day_in_year(line.deadline, year)
    if deadline and line.days_left is not None and line.days_left < 0:
        deadline = _("{day} ({days} working days over)").format(day=deadline, days=-line.days_left)
    elif deadline and line.days_left == 0:  # as the 审核台 says it (not 剩0个工作日)
        deadline = _("{day} (due today)").format(day=deadline)
    elif deadline and line.days_left is not None:
        deadline = _("{day} ({days} working days)").format(day=deadline, days=line.days_left)
    received = day_in_year(line.received_on, year)
    return (line.case_number, state, deadline, received, line.village, line.item_name)
