"""今日 (home): what needs the agent today; every line opens its case or draft."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from station.i18n import _
from station.screens.base import DeskScreen
from station.screens.context import Desk
from station.screens.dialogs import ConfirmDialog, MessageDialog, ReasonDialog
from station.services.today import HomeData, HomeLine, read_home
from station.widgets.footer import DeskFooter
from station.widgets.status import DeskStatus

ANOTHER_FOLDER = "\x00another-folder"
"""The 离线包 choice of a folder typed in (no path can be this)."""


class HomeScreen(DeskScreen[None]):
    """今日: drafts, 补正, to hand over, deadlines, superseded, sync state."""

    BINDINGS = [
        Binding("n", "take_in", _("Take in"), priority=True),  # the take-in holds what follows
        Binding("l", "cases", _("Cases")),
        Binding("ctrl+f,slash", "search", _("Search"), key_display="/"),
        Binding("s", "sync_now", _("Sync now")),
        Binding("u", "unresolved", _("Unresolved")),
        Binding("r", "refresh", _("Refresh"), show=False),
        Binding("o", "settings", _("Settings")),
        Binding("b", "export_bundle", _("Export bundle"), show=False),
        Binding("i", "import_bundle", _("Import bundle"), show=False),
    ]

    class Loaded(Message):
        """The home worker read the store."""

        def __init__(self, data: HomeData) -> None:
            super().__init__()
            self.data = data

    def __init__(self, desk: Desk) -> None:
        super().__init__()
        self.desk = desk
        self.lines: dict[str, HomeLine] = {}
        self.sections: dict[str, str] = {}
        """Each line's section title, by option id."""
        self.intake_from: tuple[str | None, set[str]] | None = None
        """While a take-in is open from here: the draft it continues (None: a new one) and
        the drafts listed then. Back here, the cursor goes to the draft it left (the line
        under the cursor stayed, and Enter on the line below opened another case)."""

    def compose(self) -> ComposeResult:
        yield DeskStatus(id="status")
        with Vertical(id="home-body"):
            yield Static(_("Today 今日"), id="home-summary", classes="heading")
            yield Static(_("Press Enter on a line to open it."), classes="plain-hint")
            yield OptionList(id="home-list")
        yield DeskFooter()

    def on_mount(self) -> None:
        user = self.desk.user
        self.query_one(DeskStatus).who = f"{self.desk.station_name} · {user.name if user else ''}"
        self.query_one("#home-list", OptionList).focus()
        self.action_refresh()

    def on_screen_resume(self) -> None:
        if self.shown_again() and self.in_session():  # (on_mount read it the first time)
            self.action_refresh()

    def refresh_data(self) -> None:
        """What a sync brought in (the app calls this after a sync that changed cases)."""
        self.action_refresh()

    def action_refresh(self) -> None:
        """Read the store again (a worker)."""
        self._load()

    @work(thread=True, exclusive=True, group="home", exit_on_error=False)
    def _load(self) -> None:
        self.post_latest(self.Loaded(read_home(self.desk)))

    def on_home_screen_loaded(self, message: HomeScreen.Loaded) -> None:
        message.data.sync.reachable = self.desk.sync_state.reachable
        message.data.sync.running = self.desk.sync_state.running
        self.desk.sync_state.last_bundle = message.data.sync.last_bundle  # (a bundle taken in)
        self.query_one(DeskStatus).state = message.data.sync
        options = self.query_one("#home-list", OptionList)
        highlighted = options.highlighted
        was = self._highlighted_line(options)
        options.clear_options()
        self.lines.clear()
        self.sections.clear()
        counts = []
        for title, lines in message.data.sections:
            counts.append(f"{title.split(' ')[-1]} {len(lines)}")
            options.add_option(Option(f"── {title} ({len(lines)})", disabled=True))
            for index, line in enumerate(lines):
                option_id = f"{len(self.lines)}-{index}"
                self.lines[option_id] = line
                self.sections[option_id] = title
                options.add_option(Option("  " + line.text, id=option_id))
        if not self.lines:
            options.add_option(
                Option(_("Nothing waits for you now. Press N to take in."), disabled=True)
            )
        # two spaces apart: with 容缺待补交, " · " ran the line past 80 columns
        self.query_one("#home-summary", Static).update(_("Today 今日") + "  " + "  ".join(counts))
        left = self._draft_left()
        if left is not None:  # back from a take-in kept as a draft: on that draft
            options.highlighted = self._index_of(options, "", left)
        elif was is not None:  # the same line stays under the cursor however the list moved
            options.highlighted = self._index_of(options, *was)
        elif (
            highlighted is not None
            and highlighted < options.option_count
            and not options.get_option_at_index(highlighted).disabled
        ):
            options.highlighted = highlighted
        else:  # the first line that opens something (a section's title opens nothing)
            options.action_first()
        self._offer_draft(message.data)

    def _draft_left(self) -> str | None:
        """The draft a take-in opened from here was left as (once, on the way back)."""
        if self.intake_from is None or not self.is_current:  # a sync's refresh meanwhile
            return None
        opened, before = self.intake_from
        self.intake_from = None
        drafts = [line.draft_id for line in self.lines.values() if line.draft_id]
        if opened in drafts:
            return opened
        return next((draft for draft in drafts if draft not in before), None)

    def _highlighted_line(self, options: OptionList) -> tuple[str, str] | None:
        """The section and the case (or draft) under the cursor, if a line is."""
        index = options.highlighted
        if index is None or index >= options.option_count:
            return None
        option_id = options.get_option_at_index(index).id
        line = self.lines.get(option_id or "")
        if line is None:
            return None
        return self.sections.get(option_id or "", ""), line.case_key or line.draft_id or ""

    def _index_of(self, options: OptionList, section: str, key: str) -> int | None:
        """Where that line is now: in its section, else in another (a case moves from
        待报送 when a sync sends it); None when it left the list: no other case takes
        its place under the cursor, for an Enter meant for it to open (a sync moved the
        list under the agent's Enter and the case above opened)."""
        found: list[tuple[bool, int]] = []
        for index in range(options.option_count):
            option_id = options.get_option_at_index(index).id or ""
            line = self.lines.get(option_id)
            if line is not None and key and key in (line.case_key, line.draft_id):
                found.append((self.sections.get(option_id) != section, index))
        return min(found)[1] if found else None

    def _offer_draft(self, data: HomeData) -> None:
        """Once per sign-in: a draft left from before (a crash, a closed window) is offered back."""
        if self.desk.drafts_offered:
            return
        self.desk.drafts_offered = True
        drafts = data.sections[0][1]
        if not drafts:
            return
        latest = drafts[0]  # the newest: the sections list drafts newest first
        if len(drafts) == 1:
            question = _("An unfinished take-in was kept: {what}. Continue it now?").format(
                what=latest.text.strip()
            )
        else:  # the others are not lost from sight: they head 今日
            question = _(
                "{n} unfinished take-ins were kept; the newest: {what}. Continue it now? "
                "(The others are at the top of Today.)"
            ).format(n=len(drafts), what=latest.text.strip())

        def answered(yes: bool | None) -> None:
            if yes:
                self._open_intake(latest.draft_id, latest.draft_data)

        self.app.push_screen(ConfirmDialog(question), answered)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        line = self.lines.get(event.option.id or "")
        if line is None:
            return
        if line.draft_id is not None:
            self._open_intake(line.draft_id, line.draft_data)
        elif line.case_key is not None:
            from station.screens.case import CaseScreen

            self.app.push_screen(CaseScreen(self.desk, line.case_key))

    def _open_intake(self, draft_id: str | None, data: dict[str, Any] | None = None) -> None:
        from station.screens.intake import IntakeScreen

        listed = {line.draft_id for line in self.lines.values() if line.draft_id}
        self.intake_from = (draft_id, listed)

        self.app.push_screen(IntakeScreen(self.desk, draft_id=draft_id, data=data))

    def action_take_in(self) -> None:
        """收件: a new guided take-in."""
        self._open_intake(None, None)

    def action_cases(self) -> None:
        """办件: the case list with search and filters."""
        from station.screens.cases import CasesScreen

        self.app.push_screen(CasesScreen(self.desk))

    def action_search(self) -> None:
        """查找 (/ or Ctrl+F, as on the lists): the case list, its search box ready for a
        name, ID number, phone or case number (home had no search: / did nothing)."""
        self.action_cases()  # the village's list opens with the cursor in its search box

    async def action_sync_now(self) -> None:
        """同步: push and pull now."""
        await self.app.run_action("sync_now")

    def action_unresolved(self) -> None:
        """办不成事: the records of what could not be done here, and a new one (N)."""
        from station.screens.unresolved import UnresolvedListScreen

        self.app.push_screen(UnresolvedListScreen(self.desk))

    def action_export_bundle(self) -> None:
        """离线包: the outbox onto a USB stick plugged in, the drop folder or this PC (asked
        when there is more than one)."""
        from station.screens.bundles import bundle_targets
        from station.screens.dialogs import ChoiceDialog

        targets = bundle_targets(self.desk)

        def chosen(folder: str | None) -> None:
            if folder == ANOTHER_FOLDER:
                self._ask_bundle_folder()
            elif folder:
                self._bundle_job("export", Path(folder))

        choices = [(label, str(folder)) for label, folder in targets]
        title = _("Write the bundle to")
        if len(targets) == 1:  # this PC's folder alone: no stick found (nor a drop folder)
            # The agent pressed b for the stick: said, not written to this PC unasked; a
            # stick the desk does not see (a drive letter of its own) is typed in.
            title = _("No USB stick was found. Write the bundle to")
            choices.append((_("Another folder (type its path, such as E:\\)"), ANOTHER_FOLDER))
        self.app.push_screen(ChoiceDialog(title, choices), chosen)

    def _ask_bundle_folder(self) -> None:
        """离线包 to a folder typed in (a USB stick the desk did not find by itself)."""
        from station.screens.bundles import bundle_folder_problem

        def typed(path: str | None) -> None:
            if path:
                self._bundle_job("export", Path(path))

        dialog = ReasonDialog(
            _("Folder for the bundle"),
            needed=_("Type the folder to write the bundle into."),
            hint=_("The USB stick's folder, such as E:\\ or /media/…"),
            check=lambda text: bundle_folder_problem(Path(text)),  # said with the path kept
        )
        self.app.push_screen(dialog, typed)

    def action_import_bundle(self) -> None:
        """The centre's return bundle: the newest in the drop folder, or a path typed in."""
        from station.screens.bundles import (
            bundle_folder,
            bundle_path_problem,
            newest_return_bundle,
        )

        newest = newest_return_bundle(self.desk)

        def chosen(path: str | None) -> None:
            if path:
                self._bundle_job("import", Path(path))

        title = _("Return bundle file")
        if newest is None:
            hint = _(
                "No return bundle was found in {folder}. Type the file's whole path "
                "(on the USB stick, e.g. E:\\回传包\\return-….daiban-bundle)."
            ).format(folder=bundle_folder(self.desk))
        else:
            hint = _("The newest return bundle is filled in; Enter takes it in.")
        needed = _("Type the path of the return bundle file (.daiban-bundle).")
        dialog = ReasonDialog(
            title,
            value=str(newest or ""),
            needed=needed,
            hint=hint,
            check=lambda typed: bundle_path_problem(Path(typed)),  # said with the path kept
        )
        self.app.push_screen(dialog, chosen)

    @work(thread=True, exclusive=True, group="bundle", exit_on_error=False)
    def _bundle_job(self, what: str, path: Path | None) -> None:
        from station.screens.bundles import export_bundle, import_bundle

        if what == "export":
            # a dialog, not a toast: the path is what the agent needs, whole and unhurried
            message = export_bundle(self.desk, path)
            dialog = MessageDialog(_("Offline bundle"), message)
            self.app.call_from_thread(self.app.push_screen, dialog)
        else:
            assert path is not None
            message = import_bundle(self.desk, path)
            self.app.call_from_thread(self.notify, message, timeout=10)
        self.post_message(self.Loaded(read_home(self.desk)))

    def action_settings(self) -> None:
        """设置."""
        from station.screens.settings import SettingsScreen

        self.app.push_screen(SettingsScreen(self.desk))
