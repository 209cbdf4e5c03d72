"""对账 at the county desk: per station what the centre holds and what the station said it
still holds, silent stations flagged; and the same resident's open applications for one
item at two stations (重复申请), ID numbers masked. Read from the centre."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Static, TabbedContent, TabPane

from forms.clock import china_day, day_in_year, moment_in_year
from station.i18n import _
from station.screens.base import DeskScreen
from station.screens.context import Desk
from station.screens.county import CountyStrip
from station.screens.county_dialogs import fill_wrapped
from station.screens.dashboard_cases import show_case
from station.screens.stations_admin import short_name as short_station
from station.services.dashboard import read_reconciliation
from station.services.names import state_name
from station.themes import THEMES
from station.widgets.footer import DeskFooter
from station.widgets.status import DeskStatus


class ReconcileAdminScreen(DeskScreen[None]):
    """对账: stations with their flags, and duplicate applications across stations."""

    CSS_PATH = THEMES / "dashboard.tcss"
    BINDINGS = [
        Binding("r", "refresh", _("Refresh")),
        Binding("d", "duplicates", _("Duplicates 重复申请")),
        Binding("escape", "back", _("Back")),
    ]

    class Loaded(Message):
        """The reconciliation was read."""

        def __init__(self, data: dict[str, Any]) -> None:
            super().__init__()
            self.data = data

    def __init__(self, desk: Desk) -> None:
        super().__init__()
        self.desk = desk
        self.data: dict[str, Any] | None = None

    def compose(self) -> ComposeResult:
        yield DeskStatus()
        yield CountyStrip(6)
        yield Static(_("Reconciliation 对账 — reading…"), id="recon-title")
        with TabbedContent(id="recon-tabs"):
            with TabPane(_("Stations 站点"), id="tab-recon-stations"):
                yield DataTable(id="recon-stations", cursor_type="row", zebra_stripes=True)
            with TabPane(_("Duplicates 重复申请"), id="tab-recon-duplicates"):
                yield DataTable(id="recon-duplicates", cursor_type="row", zebra_stripes=True)
        yield Static("", id="recon-note", classes="muted")
        yield DeskFooter()

    def on_mount(self) -> None:
        self.show_status(self.desk, _("Reconciliation 对账"))
        self.query_one("#recon-stations", DataTable).focus()
        self.action_refresh()

    def action_refresh(self) -> None:
        """Read the reconciliation again."""
        self._load()

    @work(thread=True, exclusive=True, group="dashboard", exit_on_error=False)
    def _load(self) -> None:
        self.post_message(self.Loaded(read_reconciliation(self.desk)))

    def worker_failed(self, worker: Any) -> None:
        """Offline or refused: the title says it was not read."""
        self.query_one("#recon-title", Static).update(_("Reconciliation 对账 — not read"))

    def on_reconcile_admin_screen_loaded(self, message: ReconcileAdminScreen.Loaded) -> None:
        self.data = data = message.data
        stations = data.get("stations", [])
        duplicates = data.get("duplicate_applications", [])
        self.query_one("#recon-title", Static).update(
            _(
                "Reconciliation 对账: {stations} stations, {silent} silent, {pairs} duplicate applications"
            ).format(
                stations=len(stations), silent=len(data.get("silent", [])), pairs=len(duplicates)
            )
        )
        self._fill()
        self.query_one("#recon-note", Static).update(
            _(
                "At the centre: the cases this PC took in that the centre holds; at the "
                "station: the cases the station said it holds (those of its villages synced "
                "to it too): they differ after a PC is replaced. Silent: not seen for 3 "
                "working days, or events unsent that long. — means the station has not "
                "reported yet. d: duplicate applications."
            )
        )

    def _fill(self) -> None:
        """Both tables as wide as the screen, long cells wrapped (see :func:`fill_wrapped`);
        the stations' headers each on one line (at 80 columns 中心办件, 站点未上传 and the
        others wrapped onto two, a county trial)."""
        if self.data is None:
            return
        width = self.size.width
        year = self.desk.clock().year
        stations = [_station_row(s, year) for s in self.data.get("stations", [])]
        table = self.query_one("#recon-stations", DataTable)
        # the counts and times kept whole: only a long station name wraps
        fill_wrapped(table, station_headers(), stations, width, one_line_headers=True,
                     whole=range(2, 8))  # fmt: skip
        pair_headers = (_("ID number"), _("Item"), _("Case number"), _("Station"), _("State"))
        short = {
            item.code: item.short_name for item in self.desk.catalog().items if item.short_name
        }
        rows = _duplicate_rows(self.data.get("duplicate_applications", []), short)
        keys = [str(row[2]) for row in rows]
        table = self.query_one("#recon-duplicates", DataTable)
        fill_wrapped(table, pair_headers, rows, width, [f"{i}:{k}" for i, k in enumerate(keys)])

    def on_resize(self, event: events.Resize) -> None:
        """Narrower or wider: the columns fitted again."""
        self._fill()

    @on(DataTable.RowSelected, "#recon-duplicates")
    def _open_duplicate(self, event: DataTable.RowSelected) -> None:
        """Enter on a duplicate: its case's page (it was silent)."""
        number = str(event.row_key.value or "").partition(":")[2]
        if number:
            self._open(number)

    @work(thread=True, exclusive=True, group="case", exit_on_error=False)
    def _open(self, number: str) -> None:
        show_case(self, self.desk, number)

    def action_duplicates(self) -> None:
        """Switch between the stations and the duplicates."""
        tabs = self.query_one(TabbedContent)
        showing = tabs.active == "tab-recon-duplicates"
        tabs.active = "tab-recon-stations" if showing else "tab-recon-duplicates"
        shown = "#recon-stations" if showing else "#recon-duplicates"
        self.query_one(shown, DataTable).focus()  # Enter acts on the list shown

    def action_back(self) -> None:
        self.app.pop_screen()


def station_headers() -> tuple[str, ...]:
    """The stations' columns, each header short enough for one line at 80 columns; the
    centre's count of cases beside the station's, which it is compared with."""
    return (
        _("Flag"), _("Station"), _("At the centre"), _("At the station"), _("Events"),
        _("Gaps"), _("Unsent"), _("Last seen"),
    )  # fmt: skip


def _when(value: str | None, year: int) -> str:
    """A moment in China time, without its year in ``year`` (at 80 columns the station
    names wrapped onto two lines beside two whole dates)."""
    return moment_in_year(datetime.fromisoformat(value), year) if value else "—"


def _unsent(entry: dict[str, Any], year: int) -> str:
    """The events the station said it has not sent, with the day of the oldest, as the
    服务站 list writes them (``2（12-05起）``); ``0`` for an empty outbox, — for a station
    that has not reported. (The count and its oldest moment were two columns: their
    headers, 站点未上传 and 最早未上传, wrapped at 80 columns.)"""
    depth, oldest = entry.get("outbox_depth"), entry.get("oldest_unsent")
    if depth is None:
        return "—"
    if depth and oldest:
        day = day_in_year(china_day(datetime.fromisoformat(oldest)), year)
        return _("{count} (since {day})").format(count=depth, day=day)
    return str(depth)


def _count(value: Any) -> str:
    return "—" if value is None else str(value)


def _station_row(entry: dict[str, Any], year: int) -> tuple[Text | str, ...]:
    """One station's line: its name without 便民服务站 (as the duplicates and the 服务站
    list write it), what the centre holds beside what the station said it holds."""
    flag: Text | str = ""
    if entry.get("revoked"):  # 吊销, not 已吊销: two cells that went to a station's name
        flag = _("REVOKED 吊销")
    elif entry.get("silent"):
        flag = Text(_("SILENT 失联"), style="bold white on red")
    elif entry.get("gaps"):
        flag = Text(_("gaps 缺号"), style="bold black on yellow")
    gaps = entry.get("gaps") or []
    return (
        flag,
        short_station(entry.get("name", "")),
        str(entry.get("cases", 0)),
        _count(entry.get("cases_held")),
        str(entry.get("events", 0)),
        str(len(gaps)),
        _unsent(entry, year),
        _when(entry.get("last_seen"), year),
    )


def _duplicate_rows(
    duplicates: list[dict[str, Any]], short: dict[str, str]
) -> list[tuple[Text | str, ...]]:
    """The pairs' rows; the catalog's short item names (``short``, by code), the
    stations' names without 便民服务站, and the ID number's last four (``****1029``, as the
    township's queue shows it): at 80 columns 城乡居民基本医疗保险参保登记 wrapped over
    four lines and each station over three (a county trial), then 海城镇山门 / 村 still
    over two beside the whole masked number."""
    rows: list[tuple[Text | str, ...]] = []
    for pair in duplicates:
        item = short.get(str(pair.get("item_code", ""))) or pair.get("item_name", "")
        for index, case in enumerate(pair.get("cases", [])):
            first = index == 0
            rows.append(
                (
                    _id_tail(pair.get("id_masked", "")) if first else "",
                    item if first else "",
                    case.get("case_number", ""),
                    short_station(case.get("station_name", "")),
                    state_name(case["state"]) if case.get("state") else "",
                )
            )
    return rows


def _id_tail(masked: str) -> str:
    """``640522********1029`` → ``****1029``; a short one as it is."""
    return f"****{masked[-4:]}" if len(masked) > 8 else masked
