"""审核页: the whole application as the township reviewer reads it, every decision one key away.

Opened from the review queue with Enter (``ReviewScreen(desk, case_number)``). What
it shows comes from ``station.services.review``; each decision goes through
``desk.service()`` (the signed-in person) in a worker, and the page reloads.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Label, Static

from station.i18n import _
from station.screens.application import fields_group, people_table, table
from station.screens.base import DeskModal, DeskScreen
from station.screens.context import Desk
from station.screens.decisions import (
    AcceptDialog,
    CompleteDialog,
    ForwardDialog,
    PauseDialog,
    RejectDialog,
    ReturnAnswer,
    ReturnDialog,
    rejection_reasons,
)
from station.screens.dialogs import ChoiceDialog, ConfirmDialog, MessageDialog
from station.widgets.footer import DeskFooter
from station.widgets.status import DeskStatus

TerminalImage: Any = None
try:  # textual-image asks the terminal what it can draw: before Textual starts, once
    from textual_image.widget import Image as TerminalImage
except Exception:  # no terminal to ask (stdout closed): the viewer says so instead
    TerminalImage = None

THEMES = Path(__file__).resolve().parent.parent / "themes"

ACTION_KINDS: dict[str, str] = {
    "accept": "accepted",
    "return_case": "returned",
    "reject": "rejected",
    "forward": "forwarded",
    "pause": "paused",
    "resume": "resumed",
    "complete": "completed",
    "claim": "claimed",
}
"""Review-page action -> the event kind the lifecycle must allow for it to be offered."""


class ReviewScreen(DeskScreen[None]):
    """One case at the township's review desk."""

    CSS_PATH = THEMES / "review.tcss"
    BINDINGS = [
        # at 80 columns the footer keeps the decisions; Esc and v are listed by F1
        Binding("escape", "back", _("Back"), show=False),
        Binding("a", "accept", _("Accept 受理")),
        Binding("b", "return_case", _("Return 补正")),
        Binding("j", "reject", _("Reject 不予受理")),
        Binding("f", "forward", _("Forward 转办")),
        # z (暂停 zàntíng): p is 补打 here as on the village's case page and the 办不成事
        # list (a reviewer who pressed p to print got the pause dialog)
        Binding("z", "pause", _("Pause 暂停")),
        Binding("u", "resume", _("Resume 恢复")),
        Binding("d", "complete", _("Complete 办结")),
        Binding("c", "claim", _("Claim 认领")),
        Binding("i", "reveal_id", _("Full ID 查看完整号码")),
        Binding("v", "view_scan", _("Scan 扫描件"), show=False),
        # in the footer once there is a paper to print again (it was only in F1); P, its
        # key before, still prints
        Binding("p,P", "reprint", _("Reprint 补打")),
        Binding("pagedown", "scroll(1)", show=False),
        Binding("pageup", "scroll(-1)", show=False),
    ]

    class Loaded(Message):
        """The review page was read (or the case changed) by a worker."""

        def __init__(self, page: Any, note: str = "", papers: tuple[str, ...] = ()) -> None:
            super().__init__()
            self.page = page
            self.note = note
            self.papers = papers
            """The decision papers it may print again (补打, ``reprintable``)."""

    def __init__(self, desk: Desk, case_number: str) -> None:
        super().__init__()
        self.desk = desk
        self.case_number = case_number
        self.page: Any = None
        self._papers: tuple[str, ...] = ()
        """What p 补打 may print (none yet: the key is not offered)."""

    def compose(self) -> ComposeResult:
        yield DeskStatus()
        yield Static(_("Loading…"), id="review-header")
        with VerticalScroll(id="review-body"):
            yield Static("", id="review-people")
            yield Static("", id="review-fields")
            yield Label(_("Materials (Enter or V shows the scan)"), classes="heading")
            yield DataTable(id="review-materials", cursor_type="row", zebra_stripes=True)
            yield Static("", id="review-timeline")
        yield DeskFooter()

    def on_mount(self) -> None:
        self.show_status(self.desk)
        self._load()

    def refresh_data(self) -> None:
        """What a sync brought in (the app calls this after a sync that changed cases)."""
        self._load()

    @work(thread=True, exclusive=True, group="case", exit_on_error=False)
    def _load(self) -> None:
        view = self.desk.store.get_case(self.case_number)
        self.post_latest(self._loaded(view))

    def _loaded(self, view: Any, note: str = "") -> ReviewScreen.Loaded:
        """The page of ``view`` and its papers to print again, read (call from a worker)."""
        from station.services.decision_paper import reprintable

        page = self._page(view)
        papers = tuple(reprintable(self.desk, view)) if page is not None else ()
        return self.Loaded(page, note, papers)

    def _page(self, view: Any) -> Any:
        """The page of ``view`` (call from a worker), None for no case."""
        from station.services.review import review_page
        from sync.events import Role

        if view is None or not view.exists:
            return None
        role = self.desk.role or Role.reviewer
        catalog = self.desk.catalog()
        return review_page(self.desk.store, catalog, view, role, self.desk.clock().date())

    def on_review_screen_loaded(self, message: ReviewScreen.Loaded) -> None:
        self.page, self._papers = message.page, message.papers
        self.query_one(DeskStatus).state = self.desk.sync_state
        header = self.query_one("#review-header", Static)
        if self.page is None:
            header.update(_("There is no such case."))
            return
        header.update("\n".join(self.page.header))
        self._show_people()
        self._show_fields()
        self._show_materials()
        self._show_timeline()
        self.refresh_bindings()
        if message.note:  # with a paper's path: long enough to read it (5 s was not)
            self.notify(message.note, timeout=12 if "\n" in message.note else 5)

    def _show_people(self) -> None:
        self.query_one("#review-people", Static).update(people_table(self.page))

    def _show_fields(self) -> None:
        self.query_one("#review-fields", Static).update(fields_group(self.page))

    def _show_materials(self) -> None:
        grid = self.query_one("#review-materials", DataTable)
        grid.clear(columns=True)
        grid.add_columns(_("Material"), _("Status"), _("Scans"))
        for line in self.page.materials:
            grid.add_row(line.name, line.status, str(len(line.scans)) if line.scans else "—")

    def _show_timeline(self) -> None:
        rows = [[t.time, t.what, t.who, t.note] for t in self.page.timeline]
        headers = [_("Time"), _("What"), _("Who"), _("Note")]
        self.query_one("#review-timeline", Static).update(table(headers, rows, _("Timeline")))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Offer only what the lifecycle allows the signed-in person now."""
        from station.services.deciding import CLAIM_CLOSED
        from sync.events import EventKind
        from sync.lifecycle import NOTE_ROLES

        if action == "reprint":
            return bool(self._papers)
        if action not in ACTION_KINDS:
            return True
        if self.page is None:
            return False
        kind = EventKind(ACTION_KINDS[action])
        if kind is EventKind.claimed and self.page.view.state in CLAIM_CLOSED:
            return False  # 认领 on a closed case: offered, then refused (无需认领)
        if kind is EventKind.claimed and self._claimed_by_me():
            return False  # the footer offered c 认领 under 已由王芳认领 (c says so still)
        if kind in NOTE_ROLES:
            return self.desk.role in NOTE_ROLES[kind]
        if action == "complete" and self.page.complete_refusal:
            return False  # the handling path: the county decides (转办, not 办结)
        return kind in self.page.allowed

    def _claimed_by_me(self) -> bool:
        """Whether the signed-in reviewer has claimed the case shown (认领)."""
        user = self.desk.user
        return user is not None and self.page.view.claimed_by == user.user_id

    def on_key(self, event: events.Key) -> None:
        """A decision key the case's state does not allow now is said so (it did nothing);
        so is p 补打 on a case with no paper to print yet."""
        from station.services.names import state_name
        from sync.events import EventKind

        binding = next(
            (b for b in self.BINDINGS if isinstance(b, Binding) and event.key in b.key.split(",")),
            None,
        )
        if binding is not None and binding.action == "reprint" and not self._papers:
            self.action_reprint()  # says there is nothing to print yet
            return
        if binding is None or binding.action not in ACTION_KINDS or self.page is None:
            return
        if self.check_action(binding.action, ()) is not False:
            return
        kind = EventKind(ACTION_KINDS[binding.action])
        if binding.action == "claim" and self._claimed_by_me():
            self.action_claim()  # said by the service: 您已认领此办件。
            return
        if binding.action == "complete" and kind in self.page.allowed:
            self.action_complete()  # the handling path's reason, as the key did before
            return
        what = str(binding.description).split(" ")[-1]  # 办结 of "Complete 办结" (translated)
        state = state_name(self.page.view.state)
        self.notify(
            _("A case that is {state} cannot be given {what} now.").format(state=state, what=what),
            severity="warning",
        )

    def action_scroll(self, pages: int) -> None:
        """Page the application up or down."""
        body = self.query_one("#review-body", VerticalScroll)
        body.scroll_to(y=body.scroll_y + pages * max(1, body.size.height - 1), animate=False)

    def action_back(self) -> None:
        """Back to the queue."""
        self.dismiss(None)

    # deciding ---------------------------------------------------------------------

    def _who(self) -> dict[str, str]:
        """The case and its applicant, as a confirming question names them."""
        applicant = self.page.view.applicant if self.page is not None else None
        name = str(getattr(applicant, "name", "") or "—")
        return {"number": self.case_number, "name": name}

    def _act(self, call: Callable[[Any], Any], note: str, paper: str | None = None) -> None:
        self._run(call, note, paper)

    @work(thread=True, exclusive=True, group="case-action", exit_on_error=False)
    def _run(self, call: Callable[[Any], Any], note: str, paper: str | None) -> None:
        from station.services.cases import ActionRefused

        try:
            view = call(self.desk.service())
        except ActionRefused as refused:
            self.app.call_from_thread(self.notify, refused.message, severity="error")
            return
        self.desk.sync_state.outbox = self.desk.store.outbox_depth()
        if paper is not None:
            from station.services.decision_paper import print_decision

            note = "\n".join([note, print_decision(self.desk, view, paper).text()])
        self.post_message(self._loaded(view, note))

    def action_reprint(self) -> None:
        """补打: print a decision's paper again (its 文号 kept), chosen when there are several."""
        from station.services.decision_paper import paper_name, reprintable

        if self.page is None:
            return
        view = self.page.view
        kinds = reprintable(self.desk, view)
        if not kinds:
            self.notify(_("This case has no notice to print yet."), severity="warning")
            return

        def chosen(kind: str | None) -> None:
            if kind is not None:
                self._reprint(view, kind)

        if len(kinds) == 1:
            chosen(kinds[0])
            return
        choices = [(paper_name(self.desk, view, kind), kind) for kind in kinds]
        self.app.push_screen(ChoiceDialog(_("Print which notice again?"), choices), chosen)

    @work(thread=True, exclusive=True, group="paper", exit_on_error=False)
    def _reprint(self, view: Any, kind: str) -> None:
        from station.services.decision_paper import print_decision

        outcome = print_decision(self.desk, view, kind)
        self.app.call_from_thread(self.notify, outcome.text(), timeout=12)

    def action_accept(self) -> None:
        """受理 (optionally printing the 受理通知书)."""
        number = self.case_number

        def answered(answer: object) -> None:
            if isinstance(answer, dict):
                paper = "acceptance" if answer.get("print") else None
                self._act(lambda s: s.accept(number), _("Accepted."), paper)

        warning = self.page.accept_warning if self.page is not None else ""
        self.app.push_screen(AcceptDialog(number, warning), answered)

    def action_return_case(self) -> None:
        """退回补正: the materials and fields to correct, each with a reason."""
        from station.services.review import correction_choices, split_named

        number = self.case_number

        def answered(answer: object) -> None:
            if isinstance(answer, ReturnAnswer):
                missing, fields = split_named(answer.paths)
                self._act(
                    lambda s: s.return_for_correction(
                        number,
                        answer.reason,
                        missing=missing,
                        fields=fields,
                        allow_more=answer.allow_more,
                        reasons=answer.reasons,
                    ),
                    _("Returned for correction."),
                    "correction",  # the 补正告知书 is the written, at-once notice §32 asks for
                )

        self.app.push_screen(ReturnDialog(correction_choices(self.page)), answered)

    def action_reject(self) -> None:
        """不予受理: reason, legal basis, where to apply instead."""
        number = self.case_number

        def answered(answer: object) -> None:
            if isinstance(answer, dict):
                self._act(
                    lambda s: s.reject(
                        number,
                        answer["reason"],
                        basis=answer["basis"],
                        apply_instead=answer["apply_instead"],
                    ),
                    _("Rejected."),
                    "rejection",  # the 不予受理通知书: reason, where to apply, 复议/诉讼
                )

        from station.services.deciding import rejection_basis

        basis = rejection_basis(self.desk.catalog(), self.page.view)
        question = _(
            "Refuse to accept {number} ({name}) (不予受理)? This decision cannot be withdrawn."
        ).format(**self._who())
        item = self.page.item
        reasons = rejection_reasons(
            licensing=item is None or item.item_type == "行政许可",
            duplicate=self.page.duplicate_of,
        )
        self.app.push_screen(RejectDialog(basis, lambda _answer: question, reasons), answered)

    def action_forward(self) -> None:
        """转办: to the handling path's deciding department, or another township."""
        from station.services.deciding import forward_target, township_problem

        number = self.case_number

        def answered(answer: object) -> None:
            if isinstance(answer, dict):
                self._act(
                    lambda s: s.forward(number, answer["to"], township_division=answer["division"]),
                    _("Forwarded."),
                )

        catalog = self.desk.catalog()
        department = forward_target(catalog, self.page.view)
        own = self.desk.store.require_identity().division

        def check(code: str, name: str) -> str | None:
            return township_problem(catalog, code, name, own)

        def confirm(answer: dict[str, str | None]) -> str:
            question = _("Forward {number} ({name}) to {to} (转办)? It cannot be taken back.")
            asked = question.format(to=answer["to"], **self._who())
            if answer["division"] is None and department and answer["to"] != department:
                # a trial's reviewer sent a 医保 case to a township typed in as its department
                named = _("The catalog names {department} as the department that decides it.")
                asked = named.format(department=department) + "\n" + asked
            return asked

        self.app.push_screen(ForwardDialog(department, check, confirm), answered)

    def action_pause(self) -> None:
        """暂停 for 公示 / 调查 / 鉴定 (the clock stops)."""
        number = self.case_number

        def answered(answer: object) -> None:
            if isinstance(answer, dict):
                self._act(
                    lambda s: s.pause(
                        number,
                        answer["kind"],
                        answer["reason"],
                        expected_days=answer["expected_days"],
                    ),
                    _("Paused; the clock stops."),
                    "pause",  # the 特别程序告知书: the time it takes, told in writing (§45)
                )

        self.app.push_screen(PauseDialog(), answered)

    def action_resume(self) -> None:
        """恢复: the procedure ended; the clock restarts the day after."""
        number = self.case_number

        def answered(yes: bool | None) -> None:
            if yes:
                self._act(lambda s: s.resume(number), _("Resumed."))

        self.app.push_screen(ConfirmDialog(_("Resume the case? The clock restarts.")), answered)

    def action_complete(self) -> None:
        """办结 — only where the catalog's handling path lets this level decide."""
        if self.page.complete_refusal:
            self.app.push_screen(
                MessageDialog(_("Cannot complete"), self.page.complete_refusal, error=True)
            )
            return
        number = self.case_number

        def answered(answer: object) -> None:
            if isinstance(answer, dict):
                # in writing either way (§38): a refusal with its reasons, or the grant
                refused = answer["result"] == "denied"
                self._act(
                    lambda s: s.complete(number, answer["result"], answer["note"]),
                    _("Completed."),
                    "denial" if refused else "approval",
                )

        def confirm(answer: dict[str, str | None]) -> str | None:
            if answer["result"] != "denied":
                if not answer.get("note") or answer.get("note_for") != "denied":
                    return None
                # a note typed as a refusal's reason, kept when 通过 was chosen after, went
                # on the 办结通知书: "经审查，家庭收入超过标准。……予以批准"
                question = _("Complete {number} ({name}) as approved, the notice saying: {note}?")
                return question.format(note=answer["note"], **self._who())
            question = _(
                "Complete {number} ({name}) as not approved (不通过)? "
                "This decision cannot be withdrawn."
            )
            return question.format(**self._who())

        self.app.push_screen(CompleteDialog(self.page.owed, confirm), answered)

    def action_claim(self) -> None:
        """认领: colleagues see who took the case."""
        number = self.case_number
        self._act(lambda s: s.claim(number), _("Claimed."))

    def action_reveal_id(self) -> None:
        """查看完整号码: recorded (audited) before it is shown."""
        if self.page is not None:
            self._reveal(self.case_number)

    @work(thread=True, exclusive=True, group="case-action", exit_on_error=False)
    def _reveal(self, number: str) -> None:
        from station.services.cases import ActionRefused

        try:
            full = self.desk.service().reveal_id(number)
        except ActionRefused as refused:
            self.app.call_from_thread(self.notify, refused.message, severity="error")
            return
        text = _("{number}\n(This look is recorded in the case's timeline.)").format(number=full)
        dialog = MessageDialog(_("Full ID number"), text)
        self.app.call_from_thread(self.app.push_screen, dialog)
        self.post_message(self._loaded(self.desk.store.get_case(number)))

    # scans ----------------------------------------------------------------------------

    @on(DataTable.RowSelected, "#review-materials")
    def _material_chosen(self) -> None:
        self.action_view_scan()

    def action_view_scan(self) -> None:
        """Show the chosen material's first scan (fetched from the centre when needed)."""
        if self.page is None:
            return
        row = self.query_one("#review-materials", DataTable).cursor_row
        lines = self.page.materials
        scans = lines[row].scans if 0 <= row < len(lines) else []
        if not scans:
            self.notify(_("No scan of this material."))
            return
        self._fetch(self.page.view, scans[0])

    @work(thread=True, exclusive=True, group="scan", exit_on_error=False)
    def _fetch(self, view: Any, scan: Any) -> None:
        from station.services.scans import client_for, preview

        data_dir = Path(self.desk.settings.data_dir)
        with client_for(self.desk.store) as client:
            shown = preview(self.desk.store, data_dir, view, scan, client)
        self.app.call_from_thread(self.app.push_screen, ScanViewer(shown))


class ScanViewer(DeskModal[None]):
    """One scan in the terminal (textual-image), or why it cannot be shown."""

    CSS_PATH = THEMES / "review.tcss"
    BINDINGS = [
        Binding("escape,enter", "close", _("Close")),
        Binding("o", "open_outside", _("Open in viewer")),
    ]

    def __init__(self, shown: Any) -> None:
        super().__init__()
        self.shown = shown

    def compose(self) -> ComposeResult:
        with Vertical(id="scan-viewer"):
            yield Label(self.shown.title, classes="heading")
            if self.shown.image is not None and TerminalImage is not None:
                yield TerminalImage(self.shown.image, id="scan-image")
            elif self.shown.image is not None:
                yield Static(_("This terminal cannot draw images: press O."), classes="error")
            if self.shown.message:
                yield Static(self.shown.message, id="scan-message")
        yield DeskFooter()

    def action_close(self) -> None:
        self.dismiss(None)

    def action_open_outside(self) -> None:
        """Open the scan with the system's viewer."""
        from station.services.scans import open_with_system_viewer

        original = self.shown.original
        if original is None or not open_with_system_viewer(original):
            self.notify(_("No system viewer is available here."), severity="warning")
