"""今日 (home): what needs the agent today; every line opens its case or draft."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from forms.clock import format_short
from forms.workdays import working_days_between
from station.i18n import _
from station.screens.base import DeskScreen
from station.screens.context import Desk
from station.screens.dialogs import ConfirmDialog, ReasonDialog
from station.widgets.footer import DeskFooter
from station.widgets.status import DeskStatus, SyncState

SECTION_LIMIT = 20
"""At most this many lines per section (the case list pages through the rest)."""
NEAR_WORKING_DAYS = 2
"""A case with this many working days left, or fewer, is "near due" (临期)."""


@dataclass
class HomeLine:
    """One line of the home list: what it says and what it opens."""

    text: str
    case_key: str | None = None
    draft_id: str | None = None
    draft_data: dict[str, Any] | None = None


@dataclass
class HomeData:
    """Everything the home screen shows, read in one worker."""

    sections: list[tuple[str, list[HomeLine]]] = field(default_factory=list)
    sync: SyncState = field(default_factory=SyncState)


def _case_line(case: Any, extra: str = "") -> HomeLine:
    name = getattr(case, "applicant_name", "") or ""
    item = getattr(case, "item_name", "") or ""
    text = f"{case.case_number}  {name}  {item}"
    if extra:
        text += f"  — {extra}"
    return HomeLine(text=text, case_key=case.case_number)


def _draft_line(draft: Any) -> HomeLine:
    data = draft.data or {}
    name = (data.get("applicant") or {}).get("name") or _("(no applicant yet)")
    item = data.get("item_name") or data.get("item_code") or _("(no item yet)")
    when = format_short(draft.updated_at)
    return HomeLine(text=f"{when}  {name}  {item}", draft_id=draft.draft_id, draft_data=data)


def read_home(desk: Desk) -> HomeData:
    """Read what the home screen shows (call from a worker: it queries the store).

    Args:
        desk: the desk's services.

    Returns:
        The sections in display order and the sync state.
    """
    store = desk.store
    cases = store.list_cases
    today = desk.clock().date()
    sections = [
        (_("Drafts 草稿"), [_draft_line(d) for d in store.list_drafts()[:SECTION_LIMIT]]),
        (
            _("Returned for correction 补正"),
            [_returned_line(store, c) for c in cases(state="returned", limit=SECTION_LIMIT)],
        ),
        (
            # taken in here and not yet with the township: a new agent looks for them here
            _("Taken in, not yet sent 待报送"),
            [_case_line(c) for c in cases(state="received", limit=SECTION_LIMIT)],
        ),
        (
            _("Completed, to hand over 待送达"),
            [_completed_line(store, c) for c in cases(state="completed", limit=SECTION_LIMIT)],
        ),
        (
            _("Near or past due 临期/逾期"),
            [_case_line(c, _due_text(c, today)) for c in _due(store, today)],
        ),
        (
            _("Superseded, needs attention 需处理"),
            [_case_line(c, _("superseded")) for c in cases(flagged=True, limit=SECTION_LIMIT)],
        ),
    ]
    return HomeData(sections=sections, sync=read_sync_state(store))


def _returned_line(store: Any, case: Any) -> HomeLine:
    view = store.get_case(case.case_number)
    line = _case_line(case)
    reason = (view.last_reason or "") if view else ""
    if reason:  # on its own line, under the case: it is what the agent must act on
        line.text += "\n    " + _("Reason for correction: {reason}").format(reason=reason)
    return line


def _completed_line(store: Any, case: Any) -> HomeLine:
    """A case to hand over, with its 办结 result and the reviewer's note (what to tell)."""
    from station.services.timeline import result_text

    view = store.get_case(case.case_number)
    line = _case_line(case)
    result = result_text(view) if view else ""
    if result:
        line.text += "\n    " + result
    return line


def _due(store: Any, today: date) -> list[Any]:
    """Past due first, then cases with at most NEAR_WORKING_DAYS working days left."""
    overdue: list[Any] = store.list_cases(overdue=True, limit=SECTION_LIMIT)
    seen = {c.case_number for c in overdue}
    near: list[Any] = []
    for state in ("accepted", "processing"):
        for case in store.list_cases(state=state, limit=200):
            due = case.due_date
            if due and case.case_number not in seen and due >= today:
                if working_days_between(today, due) <= NEAR_WORKING_DAYS:
                    near.append(case)
    near.sort(key=lambda c: c.due_date)
    return (overdue + near)[:SECTION_LIMIT]


def _due_text(case: Any, today: date) -> str:
    due = getattr(case, "due_date", None)
    if not due:
        return ""
    left = working_days_between(today, due)
    if left < 0:
        return _("due {day}, {n} working days late").format(day=due.isoformat(), n=-left)
    return _("due {day}, {n} working days left").format(day=due.isoformat(), n=left)


def read_sync_state(store: Any) -> SyncState:
    """Outbox depth and last successful sync from the store (call from a worker)."""
    last = store.last_sync()
    return SyncState(
        outbox=store.outbox_depth(),
        last_success=last.finished_at if last and not last.error else None,
        last_error=(last.error or "") if last else "",
    )


class HomeScreen(DeskScreen[None]):
    """今日: drafts, 补正, to hand over, deadlines, superseded, sync state."""

    BINDINGS = [
        Binding("n", "take_in", _("Take in"), priority=True),  # the take-in holds what follows
        Binding("l", "cases", _("Cases")),
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
        self.action_refresh()

    def refresh_data(self) -> None:
        """What a sync brought in (the app calls this after a sync that changed cases)."""
        self.action_refresh()

    def action_refresh(self) -> None:
        """Read the store again (a worker)."""
        self._load()

    @work(thread=True, exclusive=True, group="home", exit_on_error=False)
    def _load(self) -> None:
        self.post_message(self.Loaded(read_home(self.desk)))

    def on_home_screen_loaded(self, message: HomeScreen.Loaded) -> None:
        message.data.sync.reachable = self.desk.sync_state.reachable
        self.query_one(DeskStatus).state = message.data.sync
        options = self.query_one("#home-list", OptionList)
        highlighted = options.highlighted
        options.clear_options()
        self.lines.clear()
        counts = []
        for title, lines in message.data.sections:
            counts.append(f"{title.split(' ')[-1]} {len(lines)}")
            options.add_option(Option(f"── {title} ({len(lines)})", disabled=True))
            for index, line in enumerate(lines):
                option_id = f"{len(self.lines)}-{index}"
                self.lines[option_id] = line
                options.add_option(Option("  " + line.text, id=option_id))
        if not self.lines:
            options.add_option(
                Option(_("Nothing waits for you now. Press N to take in."), disabled=True)
            )
        self.query_one("#home-summary", Static).update(_("Today 今日") + "  " + " · ".join(counts))
        if highlighted is not None and highlighted < options.option_count:
            options.highlighted = highlighted
        else:
            options.action_first()
        self._offer_draft(message.data)

    def _offer_draft(self, data: HomeData) -> None:
        """Once per sign-in: a draft left from before (a crash, a closed window) is offered back."""
        if self.desk.drafts_offered:
            return
        self.desk.drafts_offered = True
        drafts = data.sections[0][1]
        if not drafts:
            return
        latest = drafts[0]
        question = _("An unfinished take-in was kept: {what}. Continue it now?").format(
            what=latest.text.strip()
        )

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

        self.app.push_screen(IntakeScreen(self.desk, draft_id=draft_id, data=data))

    def action_take_in(self) -> None:
        """收件: a new guided take-in."""
        self._open_intake(None, None)

    def action_cases(self) -> None:
        """办件: the case list with search and filters."""
        from station.screens.cases import CasesScreen

        self.app.push_screen(CasesScreen(self.desk))

    async def action_sync_now(self) -> None:
        """同步: push and pull now."""
        await self.app.run_action("sync_now")

    def action_unresolved(self) -> None:
        """办不成事: the records of what could not be done here, and a new one (N)."""
        from station.screens.unresolved import UnresolvedListScreen

        self.app.push_screen(UnresolvedListScreen(self.desk))

    def action_export_bundle(self) -> None:
        """离线包: the outbox onto the USB stick (or the bundles folder)."""
        self._bundle_job("export", None)

    def action_import_bundle(self) -> None:
        """The centre's return bundle: the newest in the drop folder, or a path typed in."""
        from station.screens.bundles import newest_return_bundle

        newest = newest_return_bundle(self.desk)

        def chosen(path: str | None) -> None:
            if path:
                self._bundle_job("import", Path(path))

        title = _("Return bundle file")
        self.app.push_screen(ReasonDialog(title, value=str(newest or "")), chosen)

    @work(thread=True, exclusive=True, group="bundle", exit_on_error=False)
    def _bundle_job(self, what: str, path: Path | None) -> None:
        from station.screens.bundles import export_bundle, import_bundle

        if what == "export":
            message = export_bundle(self.desk)
        else:
            assert path is not None
            message = import_bundle(self.desk, path)
        self.app.call_from_thread(self.notify, message, timeout=10)
        self.post_message(self.Loaded(read_home(self.desk)))

    def action_settings(self) -> None:
        """设置."""
        from station.screens.settings import SettingsScreen

        self.app.push_screen(SettingsScreen(self.desk))
