"""看板 (the county administrator's home): the county's figures for a period, by township,
village, item and reviewer, with 红黄牌, satisfaction, 办不成事 and stalled stations.

Every number opens the cases it counts (:class:`DrillScreen`), and a case opens on its
own page when this workstation holds it. The data comes from the centre over the
person's own line (:mod:`station.services.dashboard`); this screen lays it out.
"""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static, TabbedContent, TabPane, Tabs

from station.i18n import _
from station.screens.base import DeskScreen
from station.screens.context import Desk
from station.screens.county import CountyStrip
from station.screens.county_chart import TownshipChart
from station.services.dashboard import (
    Board,
    Period,
    PeriodChoice,
    card_rule,
    period_of,
    read_board,
)
from station.themes import THEMES
from station.widgets.footer import DeskFooter
from station.widgets.status import DeskStatus
from station.widgets.tables import cursor_kept


class FigureCard(Static, can_focus=True):
    """One figure in big type; Enter lists its cases."""

    BINDINGS = [
        Binding("enter", "open", _("Open the cases")),
        Binding("right", "app.focus_next", show=False),
        Binding("left", "app.focus_previous", show=False),
    ]

    class Opened(Message):
        """A figure was opened."""

        def __init__(self, key: str, title: str) -> None:
            super().__init__()
            self.key = key
            self.title = title

    def __init__(self, label: str, *, id: str) -> None:  # noqa: A002 - Textual's name
        super().__init__("", id=id, classes="figure")
        self.label = label
        self.key = ""

    def show(self, value: str, key: str, note: str = "") -> None:
        """Put the figure's value (and a small note) on the card."""
        self.key = key
        text = Text(self.label + "\n", style="bold")
        text.append(value, style="bold reverse" if value not in ("0", "—") else "bold")
        if note:
            text.append(" " + note)
        self.update(text)

    def action_open(self) -> None:
        if self.key:
            self.post_message(self.Opened(self.key, self.label))


class BoardTable(DataTable[Text | str]):
    """A breakdown: Enter on a number lists its cases."""

    BINDINGS = [Binding("enter", "select_cursor", _("Open the cases"))]


FIGURES = (
    ("received", "Received 收件"),
    ("red", "Red cards 红牌"),
    ("yellow", "Yellow cards 黄牌"),
    ("satisfied", "Satisfied 满意率"),
    ("bad", "Bad ratings 差评"),
    ("rated", "Ratings 评价数"),
    ("unresolved", "办不成事"),
    ("stalled", "Stalled stations 停滞站点"),
)
"""The cards, in order (labels translated on use)."""


TABS = (
    ("townships", "t", "Townships 乡镇"),
    ("villages", "v", "Villages 村"),
    ("items", "i", "Items 事项"),
    ("reviewers", "e", "Reviewers 审核人"),
    ("stations", "s", "Stations 站点"),
)
"""The board's tables: pane, the key that shows it (the footer has no room for them: each
tab's title says its key, and F1 lists them), title."""


class DashboardScreen(DeskScreen[None]):
    """看板: the county's figures; Enter on any number opens its cases."""

    CSS_PATH = THEMES / "dashboard.tcss"
    BINDINGS = [
        Binding("m", "period('this_month')", _("This month")),
        Binding("l", "period('last_month')", _("Last month")),
        Binding("y", "period('this_year')", _("This year")),
        Binding("c", "custom_period", _("Custom")),
        Binding("g", "chart", _("Chart")),
        Binding("r", "refresh", _("Refresh")),
        Binding("o", "settings", _("Settings"), show=False),  # F1 and the no-printer hint say it
        *(Binding(key, f"tab('{pane}')", _(title), show=False) for pane, key, title in TABS),
    ]

    class Loaded(Message):
        """The board was read."""

        def __init__(self, board: Board) -> None:
            super().__init__()
            self.board = board

    def __init__(self, desk: Desk) -> None:
        super().__init__()
        self.desk = desk
        self.period = period_of(PeriodChoice.this_month, desk.clock().date())
        self.board: Board | None = None
        self.keys: dict[str, dict[tuple[int, int], str]] = {}
        self.figure_columns: dict[str, set[int]] = {}
        """By table, the columns that hold figures (the others name a township, a village…)."""
        """Per table: (row, column) → the key of the number in that cell."""
        self._card_focus: FigureCard | None = None

    def compose(self) -> ComposeResult:
        yield DeskStatus()
        yield CountyStrip(0)
        yield Static("", id="board-period")
        with Grid(id="board-figures"):
            for name, label in FIGURES:
                yield FigureCard(_(label), id=f"figure-{name}")
        with TabbedContent(id="board-tabs"):
            for pane, key, title in TABS:  # each tab says its key (F1 lists them too)
                with TabPane(f"{_(title)} {key}", id=f"tab-{pane}"):
                    yield BoardTable(id=f"table-{pane}", cursor_type="cell", zebra_stripes=True)
            with TabPane(f"{_('Chart 图表')} g", id="tab-chart"):
                yield TownshipChart(id="board-chart")
        yield Static(card_rule(), id="board-rule", classes="muted")
        yield DeskFooter()

    def on_mount(self) -> None:
        self.show_status(self.desk, _("County dashboard"))
        self.query_one("#figure-received", FigureCard).focus()
        self.action_refresh()

    def on_screen_suspend(self) -> None:
        """Another screen is shown over the board: note whether it is a page (a case, a
        list) or only a dialog."""
        self._left_for_page = not isinstance(self.app.screen, ModalScreen)

    def on_screen_resume(self) -> None:
        """Back from a case or a list: read the board again (a case decided there still
        counted as a 黄牌 here until r was pressed). Not back from a dialog: the one that
        said the centre could not be reached would come again at once, for ever."""
        if self._left_for_page:
            self._left_for_page = False
            if self.in_session():
                self.action_refresh()

    _left_for_page = False

    def action_settings(self) -> None:
        """设置 (the printer, the paper, the language…), as on the village and township homes:
        the county prints its papers too (站点注册单, reports), and had only station.toml."""
        from station.screens.settings import SettingsScreen

        self.app.push_screen(SettingsScreen(self.desk))

    # reading -------------------------------------------------------------

    def action_refresh(self) -> None:
        """Read the board again for the period shown."""
        self.query_one("#board-period", Static).update(
            _("Dashboard {period} — reading…").format(period=self.period.label())
        )
        self._load(self.period)

    def action_period(self, choice: str) -> None:
        """本月 / 上月 / 本年."""
        self.period = period_of(PeriodChoice(choice), self.desk.clock().date())
        self.action_refresh()

    def action_custom_period(self) -> None:
        """自定义: the first and last day, each in its named box (checked in the dialog)."""
        from station.screens.county_period import PeriodDialog

        self.app.push_screen(PeriodDialog(self.period), self._custom_chosen)

    def _custom_chosen(self, period: Period | None) -> None:
        if period is not None:
            self.period = period
            self.action_refresh()

    @work(thread=True, exclusive=True, group="dashboard", exit_on_error=False)
    def _load(self, period: Period) -> None:
        self.post_latest(self.Loaded(read_board(self.desk, period)))

    def worker_failed(self, worker: Any) -> None:
        """Offline or refused: say so where the period is shown (the dialog says why)."""
        self.query_one("#board-period", Static).update(
            _("Dashboard {period} — not read").format(period=self.period.label())
        )

    def on_dashboard_screen_loaded(self, message: DashboardScreen.Loaded) -> None:
        self.board = message.board
        data = message.board.data
        self.query_one("#board-period", Static).update(
            _("Dashboard {period}, cards as of {today}").format(
                period=message.board.period.label(), today=data.get("today", "")
            )
        )
        self._show_figures(message.board)
        self._show_breakdowns(data)
        self._show_chart(data)

    # showing -------------------------------------------------------------

    def _show_figures(self, board: Board) -> None:
        data = board.data

        def card(name: str, figure: dict[str, Any] | None, value: str | None = None) -> None:
            figure = figure or {}
            shown = value if value is not None else str(figure.get("count", 0))
            self.query_one(f"#figure-{name}", FigureCard).show(shown, figure.get("key", ""))

        card("received", data.get("received"))
        card("red", data.get("red"))
        card("yellow", data.get("yellow"))
        card("satisfied", data.get("satisfied"), board.satisfaction)
        card("bad", data.get("bad"))
        card("rated", data.get("rated"))
        card("unresolved", data.get("unresolved"))
        stalled = data.get("stalled", [])
        self.query_one("#figure-stalled", FigureCard).show(str(len(stalled)), "stations")

    def _show_breakdowns(self, data: dict[str, Any]) -> None:
        received = {f["code"]: f for f in data.get("by_township", [])}
        cards = {c["code"]: c for c in data.get("cards_by_township", [])}
        rows = []
        for code in sorted(set(received) | set(cards)):
            got, card = received.get(code, {}), cards.get(code, {})
            name = got.get("name") or card.get("name") or code
            rows.append((name, (got.get("count", 0), got.get("key")), _cards(card)))
        self._fill(
            "townships",
            (_("Township"), _("Received"), _("Red card 红牌"), _("Yellow card 黄牌")),
            [(name, got, *pair) for name, got, pair in rows],
        )
        for pane, source in (("villages", "by_village"), ("items", "by_item")):
            self._fill(
                pane,
                (_("Village") if pane == "villages" else _("Item"), _("Received")),
                [(f["name"], (f["count"], f["key"])) for f in data.get(source, [])],
            )
        self._fill(
            "reviewers",
            (_("Reviewer"), _("Red card 红牌"), _("Yellow card 黄牌")),
            [
                (c["name"] if c["code"] != "-" else _("not taken (§32)"), *_cards(c))
                for c in data.get("cards_by_reviewer", [])
            ],
        )
        self._fill(
            "stations",
            (_("Station"), _("Silent working days"), _("Why")),
            [
                (
                    s["name"],
                    (s.get("silent_days") if s.get("silent_days") is not None else "—", s["key"]),
                    _why(s.get("stalled", "")),
                )
                for s in data.get("stalled", [])
            ],
        )

    def _fill(self, pane: str, headers: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        """Refill a breakdown table; a ``(number, key)`` cell opens its cases."""
        table = self.query_one(f"#table-{pane}", BoardTable)
        keys: dict[tuple[int, int], str] = {}
        figures: set[int] = set()
        shown: list[list[str]] = []
        for r, row in enumerate(rows):
            cells = []
            for c, cell in enumerate(row):
                if isinstance(cell, tuple):
                    value, key = cell
                    figures.add(c)
                    if key and value not in (0, "0"):
                        keys[(r, c)] = key
                    cells.append(str(value))
                else:
                    cells.append(str(cell))
            shown.append(cells)
        if not shown:  # said in the first column, made wide enough to say it (it read "本")
            shown.append([_("nothing in this period"), *([""] * (len(headers) - 1))])
        with cursor_kept(table):  # back from the cases a figure opened: on that figure
            table.clear(columns=True)
            for index, header in enumerate(headers):
                width = max(cell_len(text) for text in [header, *(row[index] for row in shown)])
                table.add_column(header, width=width)
            for cells in shown:
                table.add_row(*cells)
        self.keys[pane] = keys
        self.figure_columns[pane] = figures

    def _show_chart(self, data: dict[str, Any]) -> None:
        self.query_one(TownshipChart).show(data.get("by_township", []))

    # opening -------------------------------------------------------------

    @on(FigureCard.Opened)
    def _figure_opened(self, event: FigureCard.Opened) -> None:
        if event.key == "stations":
            self.query_one(TabbedContent).active = "tab-stations"
            self.query_one("#table-stations", BoardTable).focus()
            return
        self._drill(event.key, event.title)

    @on(DataTable.CellSelected)
    def _cell_opened(self, event: DataTable.CellSelected) -> None:
        """Enter on a figure lists its cases; on a name (the township, the village…), the
        row's first figure's (its 收件: Enter there did nothing and said nothing); on a 0,
        or a row with none, it says there is nothing to list."""
        pane = (event.data_table.id or "").removeprefix("table-")
        keys = self.keys.get(pane, {})
        row_index, column = event.coordinate.row, event.coordinate.column
        if column not in self.figure_columns.get(pane, set()):
            column = min((c for r, c in keys if r == row_index), default=column)
        key = keys.get((row_index, column))
        if not key:
            self.notify(_("No cases to list here: the figure is 0."), timeout=4)
            return
        row = event.data_table.get_row_at(row_index)
        header = list(event.data_table.columns.values())[column].label
        self._drill(key, f"{row[0]} · {header.plain}")

    def _drill(self, key: str, title: str) -> None:
        from station.screens.dashboard_cases import DrillScreen

        self.app.push_screen(DrillScreen(self.desk, key, f"{title} · {self.period.label()}"))

    def action_tab(self, pane: str) -> None:
        """Show the table of ``pane``, its cursor ready for the arrows and Enter (they were
        reached only by Tab through the eight cards, then ← →)."""
        self.query_one(TabbedContent).active = f"tab-{pane}"
        self.query_one(f"#table-{pane}", BoardTable).focus()

    def action_chart(self) -> None:
        """Show the chart (or go back to the townships)."""
        tabs = self.query_one(TabbedContent)
        tabs.active = "tab-townships" if tabs.active == "tab-chart" else "tab-chart"

    @on(TabbedContent.TabActivated)
    def _tab_shown(self, event: TabbedContent.TabActivated) -> None:
        """The chart takes the cards' room (they come back with any other tab, and the
        card that had the focus has it again)."""
        charting = event.pane.id == "tab-chart"
        if charting and isinstance(self.focused, FigureCard):
            self._card_focus = self.focused
            event.tabbed_content.query_one(Tabs).focus()
        self.set_class(charting, "charting")
        if not charting and self._card_focus is not None:
            self._card_focus.focus()
            self._card_focus = None


def _cards(card: dict[str, Any]) -> tuple[tuple[int, str | None], tuple[int, str | None]]:
    return (card.get("red", 0), card.get("red_key")), (
        card.get("yellow", 0),
        card.get("yellow_key"),
    )


def _why(reason: str) -> str:
    if reason == "never":
        return _("never seen")
    if reason == "outbox":
        return _("events unsent for days")
    return _("silent")
