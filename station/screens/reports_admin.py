"""报表导出: the county's monthly report and ledgers, as Excel (or CSV) files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Input, Label, Select, Static
from textual.worker import Worker

from station.i18n import _
from station.screens.base import DeskScreen
from station.screens.context import Desk
from station.screens.county import CountyStrip
from station.services.application import ActionRefused
from station.services.county_reports import (
    ReportKind,
    SavedReport,
    default_folder,
    default_month,
    export_report,
    exports_folder,
    parse_month,
    report_title,
)
from station.widgets.footer import DeskFooter
from station.widgets.status import DeskStatus


class ReportsScreen(DeskScreen[None]):
    """Pick a report and a month; the file is saved and its path shown."""

    DEFAULT_CSS = """
    ReportsScreen #reports-body { padding: 0 1; }
    ReportsScreen #reports-body Label { margin-top: 1; }
    ReportsScreen #report-result { margin-top: 1; }
    """

    BINDINGS = [
        Binding("escape", "back", _("Back")),
        Binding("f9", "export", _("Export")),
    ]

    class Saved(Message):
        """A report was written."""

        def __init__(self, saved: SavedReport) -> None:
            super().__init__()
            self.saved = saved

    def __init__(self, desk: Desk) -> None:
        super().__init__()
        self.desk = desk

    def compose(self) -> ComposeResult:
        yield DeskStatus()
        yield CountyStrip(7)
        with VerticalScroll(id="reports-body"):
            yield Label(_("Reports 报表导出"), classes="heading")
            yield Label(_("Report"))
            kinds = [(report_title(kind), kind.value) for kind in ReportKind]
            yield Select(
                kinds, value=ReportKind.monthly.value, allow_blank=False, id="kind", compact=True
            )
            yield Label(_("Month (year-month)"), id="month-label")
            yield Input(default_month(self.desk.clock().date()), id="month", compact=True)
            yield Label(_("File"))
            formats = [(_("Excel workbook (.xlsx)"), "xlsx"), (_("CSV for other tools"), "csv")]
            yield Select(formats, value="xlsx", allow_blank=False, id="format", compact=True)
            yield Label(_("Save to folder"))
            yield Input(str(exports_folder(self.desk)), id="folder", compact=True)
            with Horizontal(id="intake-nav"):
                yield Button(_("Export F9"), id="export", variant="primary", compact=True)
            yield Static("", id="report-result")
        yield DeskFooter()

    def on_mount(self) -> None:
        self.show_status(self.desk, _("Reports"))
        self.query_one("#kind", Select).focus()
        self._read_folder()

    @work(thread=True, exclusive=True, group="report-folder", exit_on_error=False)
    def _read_folder(self) -> None:
        """The folder the last report went to, offered unless something was typed meanwhile."""
        folder = str(default_folder(self.desk))
        self.app.call_from_thread(self._offer_folder, folder)

    def _offer_folder(self, folder: str) -> None:
        box = self.query_one("#folder", Input)
        if box.value == str(exports_folder(self.desk)):
            box.value = folder

    @on(Select.Changed, "#kind")
    def _kind_chosen(self, event: Select.Changed) -> None:
        """对账表 is what the centre holds today: no month is asked (one was, and ignored)."""
        today = event.value == ReportKind.reconcile.value
        self.query_one("#month", Input).disabled = today
        label = _("Month: none (the reconciliation is as of today)") if today else None
        self.query_one("#month-label", Label).update(label or _("Month (year-month)"))

    @on(Button.Pressed, "#export")
    @on(Input.Submitted)
    def action_export(self) -> None:
        """Fetch the report from the centre and save it (a worker)."""
        kind = ReportKind(str(self.query_one("#kind", Select).value))
        month = self.query_one("#month", Input).value
        try:  # said beside the form, which stays as typed (not a dialog to close first)
            if kind is not ReportKind.reconcile:
                parse_month(month, self.desk.clock().date())
        except ActionRefused as refused:
            self.query_one("#report-result", Static).update(Text(str(refused), style="bold red"))
            self.query_one("#month", Input).focus()
            return
        file_format = str(self.query_one("#format", Select).value)
        typed = self.query_one("#folder", Input).value.strip()
        self.query_one("#report-result", Static).update(_("Asking the county centre…"))
        self.query_one("#export", Button).disabled = True
        self._export(kind, month, Path(typed) if typed else None, file_format)

    @work(thread=True, exclusive=True, group="report", exit_on_error=False)
    def _export(self, kind: ReportKind, month: str, folder: Path | None, file_format: str) -> None:
        """Fetch and save (``folder`` None: left empty, the remembered or default one)."""
        folder = folder or default_folder(self.desk)
        self.post_message(self.Saved(export_report(self.desk, kind, month, folder, file_format)))

    def worker_failed(self, worker: Worker[Any]) -> None:
        """The export failed: the form stays as typed, the button works again."""
        self.query_one("#export", Button).disabled = False
        self.query_one("#report-result", Static).update("")
        self.query_one("#kind", Select).focus()

    def on_reports_screen_saved(self, message: ReportsScreen.Saved) -> None:
        self.query_one("#export", Button).disabled = False
        text = _("Saved: {path} ({size} KB)").format(
            path=message.saved.path, size=max(1, message.saved.size // 1024)
        )
        self.query_one("#report-result", Static).update(text)
        self.notify(text)
        # back to the form's start: the focus left the button while it was off, and an
        # Enter after the export (the cursor on 导出) wrote 对账表（2）…（7） (a county trial)
        self.query_one("#kind", Select).focus()

    def action_back(self) -> None:
        """Back to the previous screen."""
        self.dismiss(None)
