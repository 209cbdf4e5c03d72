"""服务站 (the county's stations): what each last reported, new codes with their QR, the
outstanding codes, revocation with the unsent-events warning.

Works only through the administrator's own line to the centre
(:class:`~station.services.county_admin.CountyAdmin`, from workers).
"""

from __future__ import annotations

from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Button, DataTable, Input, Static

from forms.clock import format_short
from station.i18n import _
from station.screens.base import DeskScreen
from station.screens.context import Desk
from station.screens.county import CountyStrip
from station.screens.county_dialogs import CodeDialog, CodesDialog, NewCodeDialog, fill_table
from station.screens.dialogs import ConfirmDialog
from station.services.county_admin import (
    CodeRow,
    CountyAdmin,
    DivisionChoice,
    StationRow,
    level_name,
)
from station.widgets.footer import DeskFooter
from station.widgets.status import DeskStatus

THEMES = Path(__file__).resolve().parent.parent / "themes"


OFFICE_SUFFIXES = ("便民服务站", "便民服务中心", "政务服务中心")


def short_name(name: str) -> str:
    """``海城镇山门村便民服务站`` → ``海城镇山门村`` (the full name is in the detail line)."""
    for suffix in OFFICE_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name.removesuffix(suffix)
    return name


def station_cells(row: StationRow) -> tuple[str, ...]:
    """One line of the list: name, division, level, last seen, unsent (since), catalog, state."""
    if row.outbox_depth is None:
        unsent = "—"
    elif row.outbox_depth and row.oldest_unsent:
        since = format_short(row.oldest_unsent)[:5]
        unsent = _("{count} (since {day})").format(count=row.outbox_depth, day=since)
    else:
        unsent = str(row.outbox_depth)
    return (
        short_name(row.name),
        row.division_name or row.division,
        level_name(row.role),
        format_short(row.last_seen) or _("never"),
        unsent,
        catalog_label(row.catalog_version),
        _("revoked") if row.revoked else _("in use"),
    )


def catalog_label(reported: str) -> str:
    """A station's catalog as the county calls it: ``2026.12.1 第1版``, or ``2026.11.3 随软件``
    for the one shipped with daiban (the station reports ``<number>:<version>``)."""
    if not reported:
        return "—"
    number, _sep, version = reported.rpartition(":")
    if not number.isdigit():
        return reported  # an older station reports the version alone
    if number == "0":
        return _("{version} shipped").format(version=version)
    return _("{version} No. {number}").format(version=version, number=number)


def unlisted_division(typed: str, choices: list[DivisionChoice]) -> str | None:
    """Why a typed division code cannot have a station, as the centre would refuse it (a
    12-digit code outside the county, or not in its table), or None for anything else: the
    dialog said only 请选区划并填写站名 to an administrator who had typed the code right."""
    if not (len(typed) == 12 and typed.isdigit()) or any(c.code == typed for c in choices):
        return None
    county = next((c.code for c in choices if c.level == "county"), "")
    if county and typed[:6] != county[:6]:
        message = _("{code} is not a division of this county ({county})")
        return message.format(code=typed, county=county[:6])
    return _(
        "{code} is not in the county's division table: add it to divisions.toml and "
        "publish the catalog first"
    ).format(code=typed)


class EnrollCodeDialog(NewCodeDialog):
    """n 新码, saying why a typed division code finds nothing (as ``central enroll`` does)."""

    @on(Input.Submitted)
    @on(Button.Pressed, "#ok")
    def _unlisted(self, event: Input.Submitted | Button.Pressed) -> None:
        typed = self.query_one("#division-search", Input).value.strip()
        reason = unlisted_division(typed, self.choices)
        if reason is None:
            return  # NewCodeDialog's own Enter issues the code, or asks for what is missing
        event.prevent_default()  # the dialog's general 请选区划 would replace the reason
        event.stop()
        self.query_one("#code-message", Static).update(reason)


class StationsScreen(DeskScreen[None]):
    """The county's stations; n 新码, c 待用码, r 吊销."""

    CSS_PATH = THEMES / "county_admin.tcss"
    BINDINGS = [
        Binding("n", "new_code", _("New code 新码")),
        Binding("c", "codes", _("Codes 待用码")),
        Binding("r", "revoke", _("Revoke 吊销")),
        Binding("u", "unrevoke", _("Undo revoke 撤销吊销")),
        Binding("f5", "refresh", _("Refresh 刷新")),
        Binding("escape", "back", _("Back")),
    ]

    class Loaded(Message):
        """The stations were read."""

        def __init__(self, rows: list[StationRow]) -> None:
            super().__init__()
            self.rows = rows

    class Choices(Message):
        """The division table was read (for n 新码)."""

        def __init__(self, choices: list[DivisionChoice]) -> None:
            super().__init__()
            self.choices = choices

    class Issued(Message):
        """A code was issued."""

        def __init__(self, code: CodeRow) -> None:
            super().__init__()
            self.code = code

    def __init__(self, desk: Desk) -> None:
        super().__init__()
        self.desk = desk
        self.admin = CountyAdmin(desk)
        self.rows: list[StationRow] = []

    def compose(self) -> ComposeResult:
        yield DeskStatus()
        yield CountyStrip(3)
        yield Static(_("Stations 服务站"), classes="admin-title", id="stations-title")
        yield DataTable[str](id="stations-table", classes="admin-table", cursor_type="row")
        yield Static("", id="stations-detail", classes="admin-detail")
        yield DeskFooter()

    def on_mount(self) -> None:
        self.show_status(self.desk, _("Stations"))
        self.query_one(DataTable).focus()
        self.action_refresh()

    def action_refresh(self) -> None:
        """Read the stations again."""
        self._load()

    @work(thread=True, exclusive=True, group="county-stations", exit_on_error=False)
    def _load(self) -> None:
        self.post_message(self.Loaded(self.admin.stations()))

    def on_stations_screen_loaded(self, message: StationsScreen.Loaded) -> None:
        self.rows = message.rows
        headers = [_("Station"), _("Division"), _("Level"), _("Last seen"), _("Unsent"),
                   _("Catalog"), _("State")]  # fmt: skip
        rows = [station_cells(row) for row in self.rows]
        fill_table(self.query_one(DataTable), headers, rows, [r.id for r in self.rows])
        in_use = sum(not r.revoked for r in self.rows)
        title = _("Stations 服务站: {count} in use, {revoked} revoked").format(
            count=in_use, revoked=len(self.rows) - in_use
        )
        self.query_one("#stations-title", Static).update(title)
        self._show_detail()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail()

    def highlighted(self) -> StationRow | None:
        """The station under the cursor."""
        table = self.query_one(DataTable)
        return self.rows[table.cursor_row] if self.rows else None

    def _show_detail(self) -> None:
        row = self.highlighted()
        text = ""
        if row is not None:
            text = _(
                "{name} · {division} · software {software} · cases held {cases} · "
                "reported {reported}"
            ).format(
                name=row.name,
                division=row.division,
                software=row.software_version or "—",
                cases="—" if row.cases_held is None else row.cases_held,
                reported=format_short(row.reported_at) or "—",
            )
        self.query_one("#stations-detail", Static).update(text)

    # n 新码 --------------------------------------------------------------

    def action_new_code(self) -> None:
        """Pick a division by name and issue a code (the table is read first)."""
        self._choices()

    @work(thread=True, exclusive=True, group="county-divisions", exit_on_error=False)
    def _choices(self) -> None:
        self.post_message(self.Choices(self.admin.divisions()))

    def on_stations_screen_choices(self, message: StationsScreen.Choices) -> None:
        def chosen(answer: tuple[str, str, str] | None) -> None:
            if answer is not None:
                self._issue(*answer)

        self.app.push_screen(EnrollCodeDialog(message.choices), chosen)

    @work(thread=True, exclusive=True, group="county-code", exit_on_error=False)
    def _issue(self, division: str, name: str, role: str) -> None:
        self.post_message(self.Issued(self.admin.issue_code(division, name, role)))

    def on_stations_screen_issued(self, message: StationsScreen.Issued) -> None:
        self.app.push_screen(CodeDialog(message.code))

    # c 待用码 ------------------------------------------------------------

    def action_codes(self) -> None:
        """The outstanding codes (x cancels one)."""
        self.app.push_screen(CodesDialog(self.admin))

    # r 吊销 --------------------------------------------------------------

    def action_revoke(self) -> None:
        """Revoke the highlighted station, after a confirmation that names unsent events."""
        row = self.highlighted()
        if row is None:
            return
        if row.revoked:
            self.notify(_("{name} is already revoked.").format(name=row.name))
            return
        if row.id == self.desk.store.require_identity().station_id:
            message = _("{name} is the station you are working at: it cannot revoke itself.")
            self.notify(message.format(name=row.name), severity="warning")
            return
        warning = row.unsent_warning()
        question = _(
            "Revoke {name} ({division})? Its next request will be refused. Within 7 days "
            "it can be undone here (u 撤销吊销)."
        ).format(name=row.name, division=row.division_name or row.division)
        if warning:
            question = f"{warning}\n\n{question}"

        def answered(yes: bool | None) -> None:
            if yes:
                self._revoke(row, force=warning is not None)

        self.app.push_screen(ConfirmDialog(question, default=False), answered)

    @work(thread=True, exclusive=True, group="county-revoke", exit_on_error=False)
    def _revoke(self, row: StationRow, force: bool) -> None:
        self.admin.revoke(row.id, force=force)
        self.app.call_from_thread(self.notify, _("{name} was revoked.").format(name=row.name))
        self.post_message(self.Loaded(self.admin.stations()))

    # u 撤销吊销 ------------------------------------------------------------

    def action_unrevoke(self) -> None:
        """Undo the highlighted station's revocation (within 7 days), after a confirmation."""
        row = self.highlighted()
        if row is None:
            return
        if not row.revoked:
            self.notify(_("{name} is not revoked.").format(name=row.name))
            return
        question = _(
            "Undo the revocation of {name} ({division})? Its credential works again."
        ).format(name=row.name, division=row.division_name or row.division)

        def answered(yes: bool | None) -> None:
            if yes:
                self._unrevoke(row)

        self.app.push_screen(ConfirmDialog(question), answered)

    @work(thread=True, exclusive=True, group="county-revoke", exit_on_error=False)
    def _unrevoke(self, row: StationRow) -> None:
        self.admin.unrevoke(row.id)
        message = _("{name} can reach the centre again.").format(name=row.name)
        self.app.call_from_thread(self.notify, message)
        self.post_message(self.Loaded(self.admin.stations()))

    def action_back(self) -> None:
        """Back to where the administrator came from."""
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()
