"""设置: printer, paper, scan folder, language, elder mode, idle lock — saved to station.toml."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Input, Label, Select, Static, Switch

from station.i18n import _
from station.screens.base import DeskScreen
from station.screens.context import Desk
from station.screens.dialogs import close_when_sure, typed_values
from station.widgets.footer import DeskFooter
from station.widgets.number import NumberInput


class SettingsScreen(DeskScreen[None]):
    """The station's settings; language takes effect when the desk restarts."""

    BINDINGS = [
        Binding("escape", "back", _("Back")),
        Binding("f9", "save", _("Save")),
    ]

    class Saved(Message):
        """station.toml was written."""

        def __init__(self, settings: Any, restart: bool) -> None:
            super().__init__()
            self.settings = settings
            self.restart = restart

    def __init__(self, desk: Desk) -> None:
        super().__init__()
        self.desk = desk
        self.started: dict[str, Any] = {}
        """The form's values as it opened (``typed_values``)."""

    def compose(self) -> ComposeResult:
        """Each box named beside it, not above: with its name on a line of its own the
        page was 27 lines and scrolled at 80×24, the idle lock and Save F9 out of sight
        (a village trial); beside, all of it is on the screen."""
        s = self.desk.settings
        papers = [
            (_("A4"), "a4"),
            (_("A4 large print 大字版"), "a4-large"),
            (_("80 mm receipt roll"), "80mm"),
        ]
        languages = [("中文", "zh_CN"), ("English", "en")]
        idle = _("Lock after idle minutes")
        with VerticalScroll(id="settings-body"):  # scrolls only in a smaller window
            yield Label(_("Settings 设置"), classes="heading")
            with _field(_("Printer (empty: keep PDF files only)")):
                yield Input(s.printer or "", id="printer")
            with _field(_("Paper")):
                yield Select(papers, value=s.paper_format, allow_blank=False, id="paper")
            with _field(_("Scan folder")):
                yield Input(str(s.scan_folder or ""), id="scan-folder")
            with _field(_("Language (after restart)")):
                yield Select(languages, value=s.language, allow_blank=False, id="language")
            with _field(_("Elder mode 长辈模式 (F2 anywhere)")):
                yield Switch(value=self.app.has_class("elder"), id="elder")
            with _field(idle):
                yield NumberInput(str(s.idle_lock_minutes), id="idle", what=idle)
            yield Static("", id="settings-message", classes="error")
            with Horizontal(id="intake-nav"):
                yield Button(_("Save F9"), id="save", variant="primary", compact=True)
        yield DeskFooter()

    def on_mount(self) -> None:
        self.query_one("#printer", Input).focus()  # typing goes somewhere at once
        self.started = typed_values(self)  # Esc asks before dropping what was changed

    def elder_mode_changed(self, on: bool) -> None:
        """F2 pressed here: the switch follows (the app calls this); F2 is in force at
        once, so it is nothing Esc would drop."""
        with self.prevent(Switch.Changed):
            self.query_one("#elder", Switch).value = on
        self.started["switch:elder"] = on

    class Refused(Message):
        """What is wrong with the typed values: ``(message, field id)``, in the form's order."""

        def __init__(self, problems: list[tuple[str, str]]) -> None:
            super().__init__()
            self.problems = problems

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        """Check the values and write station.toml (a worker: asking CUPS about the printer
        and the disk about the folder waits on them, never on the form)."""
        typed = {
            "printer": self.query_one("#printer", Input).value.strip(),
            "paper_format": str(self.query_one("#paper", Select).value),
            "scan_folder": self.query_one("#scan-folder", Input).value.strip(),
            "language": str(self.query_one("#language", Select).value),
            "elder_mode": self.query_one("#elder", Switch).value,
            "idle_lock_minutes": self.query_one("#idle", Input).value.strip(),
        }
        self._save(typed)

    @work(thread=True, exclusive=True, group="settings", exit_on_error=False)
    def _save(self, typed: dict[str, Any]) -> None:
        from station.config import save_settings

        problems = _problems(typed)
        if problems:  # nothing is saved; what was typed stays
            self.post_message(self.Refused(problems))
            return
        scan, idle = typed["scan_folder"], typed["idle_lock_minutes"]
        values = {
            **typed,
            "printer": typed["printer"] or None,
            "scan_folder": Path(scan).expanduser() if scan else None,
            # left empty: as it was (it became 10)
            "idle_lock_minutes": int(idle) if idle else self.desk.settings.idle_lock_minutes,
        }
        settings = self.desk.settings.model_copy(update=values)
        save_settings(settings)
        self.post_message(self.Saved(settings, values["language"] != self.desk.settings.language))

    def on_settings_screen_refused(self, message: SettingsScreen.Refused) -> None:
        """Every problem said at once, the first one's field focused."""
        problem = "\n".join(text for text, _field in message.problems)
        said = self.query_one("#settings-message", Static)
        said.update(problem)
        said.add_class("said")
        self.query_one(message.problems[0][1], Input).focus()
        self.notify(problem, severity="error")  # seen wherever the form is scrolled

    async def on_settings_screen_saved(self, message: SettingsScreen.Saved) -> None:
        self.desk.settings = message.settings
        if message.settings.elder_mode != self.app.has_class("elder"):
            await self.app.run_action("toggle_elder")
        note = _("Saved.")
        if message.restart:
            note += " " + _("The language changes when the desk is opened again.")
        self.notify(note)
        self.dismiss(None)

    def action_back(self) -> None:
        """Leave without saving: asked first when something was changed (Esc dropped a
        printer's name typed in, without a word)."""
        close_when_sure(self)


def _field(name: str) -> Horizontal:
    """A row: the box's name, then the box (composed inside it)."""
    row = Horizontal(classes="settings-field")
    row.compose_add_child(Label(name, classes="field-label"))
    return row


def _problems(typed: dict[str, Any]) -> list[tuple[str, str]]:
    """Everything wrong with the typed values (each naming its field), with the field's
    id, in the form's order (only the first was said; the next on the next F9)."""
    from printing.printer import printer_problem

    found = []
    printer, scan, idle = typed["printer"], typed["scan_folder"], typed["idle_lock_minutes"]
    missing = printer_problem(printer) if printer else ""
    if missing:  # checked when saved (a name that is no printer failed at each print)
        found.append((_("Printer: {problem}").format(problem=missing), "#printer"))
    if scan and not Path(scan).expanduser().is_dir():
        message = _("Scan folder: {folder} is not a folder on this computer.")
        found.append((message.format(folder=scan), "#scan-folder"))
    if idle and not (idle.isdigit() and 1 <= int(idle) <= 240):
        found.append((_("Lock after idle minutes: a whole number from 1 to 240."), "#idle"))
    return found
