"""One case: what it is, its timeline (superseded events with their reason), what can be done now."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from rich.cells import cell_len
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Static

from forms.identity import mask_id_number
from station.i18n import _
from station.screens.application import application
from station.screens.base import DeskScreen
from station.screens.context import Desk
from station.screens.dialogs import (
    ChoiceDialog,
    ConfirmDialog,
    CorrectionDialog,
    HandOverDialog,
    MessageDialog,
    RatingCorrectionDialog,
    RatingDialog,
    ReasonDialog,
    SupplementDialog,
)
from station.services.review import deadline_lines, relation_words
from station.services.timeline import handover_text, rating_text, refusal_reason, result_text
from station.widgets.footer import DeskFooter
from station.widgets.status import DeskStatus

ACTIONS: dict[str, str] = {
    "supplement": "supplemented",
    "resubmit": "resubmitted",
    "withdraw": "withdrawn",
    "hand_over": "handed_over",
    "rate": "rated",
    "correct": "corrected",
}
"""Desk action -> the event kind the lifecycle must allow for it to be offered."""


NO_RECEIPT_STATES = frozenset({"withdrawn", "discarded"})
"""A case no longer going on: its 收件回执 is not printed again (it read as a case in hand)."""


def outstanding(view: Any, item: Any) -> list[str]:
    """Names of the materials still to bring: 容缺 ones (with the day they are due), and
    required ones marked missing (none once the case no longer waits for them: decided,
    refused or withdrawn)."""
    from station.services.paper import SUPPLY_STATES

    if item is None or view.state not in SUPPLY_STATES:
        return []
    names = []
    for spec in item.materials:
        state = view.materials.get(spec.key, "missing")
        by = view.supply_by.get(spec.key) if state == "deferred" else None
        if by is not None:  # a 容缺 one with its day (the agent had to open the receipt)
            names.append(_("{name} (by {day})").format(name=spec.name, day=by.isoformat()))
        elif state == "deferred" or (state == "missing" and spec.required):
            names.append(spec.name)
    return names


REASON_STATES: dict[str, Callable[[], str]] = {
    "returned": lambda: _("Reason for correction: {reason}"),
    "rejected": lambda: _("Reason: {reason}"),
    "withdrawn": lambda: _("Reason: {reason}"),
}
"""States whose reason the header shows (the latest reason is what holds in them)."""


CORRECTING_KINDS = frozenset({"edited", "corrected", "supplemented"})
"""What answers a 补正: a correction, an edit, materials brought."""


def changed_since_return(view: Any) -> bool:
    """Whether anything was corrected, edited or supplied since the township's last 退回."""
    for entry in reversed(view.history):
        if entry.status == "superseded":  # it changed nothing
            continue
        if entry.kind == "returned":
            return False
        if entry.kind in CORRECTING_KINDS:
            return True
    return False


def not_yet_brought(view: Any, item: Any) -> list[str]:
    """By name, the materials the township's 补正 named that were not brought since."""
    if view.state != "returned" or view.answered is None:  # returned before it was followed
        return []
    names = {spec.key: spec.name for spec in item.materials} if item is not None else {}
    return [names.get(key, key) for key in view.missing if key not in view.answered]


def supplement_choices(view: Any, item: Any) -> list[tuple[str, str, bool]]:
    """Materials not yet provided, by name: (name, key, ticked), 容缺 and required ones ticked.

    Materials the township named in a 补正 are offered (ticked) whatever their state:
    a provided copy it found unclear is brought again (until it is).
    """
    specs = {spec.key: spec for spec in item.materials} if item is not None else {}
    named = set(view.missing) - set(view.answered or ()) if view.state == "returned" else set()
    choices = []
    for key, state in view.materials.items():
        if state not in ("deferred", "missing") and key not in named:
            continue  # provided, or obtained by data sharing (免提交)
        spec = specs.get(key)
        name = spec.name if spec else key
        ticked = state == "deferred" or key in named or bool(spec and spec.required)
        choices.append((name, key, ticked))
    return choices


def case_header(view: Any, item: Any = None, deadline: Sequence[str] = ()) -> str:
    """The case's essentials, as read to the resident (``deadline``: where its time
    limit stands, under the applicant and state)."""
    from station.services.names import state_name

    applicant = view.applicant
    who = f"{applicant.name} {mask_id_number(applicant.id_number)}" if applicant else view.what
    lines = [
        f"{view.case_number}  {view.item_name or _('unresolved request 办不成事')}",
        _("Applicant: {who}   State: {state}").format(who=who, state=state_name(view.state)),
    ]
    acting = view.principal
    if acting is not None and acting.name:  # who came for the resident (found by search too)
        how = relation_words(view.relation)
        phone = f"  {acting.phone}" if acting.phone else ""
        lines.append(
            _("Filed by: {name} ({how}){phone}").format(name=acting.name, how=how, phone=phone)
        )
    lines += deadline
    reason = refusal_reason(view) if view.state == "rejected" else view.last_reason
    if reason and view.state in REASON_STATES:
        # only while it holds: after a resubmission the old 补正 reason stays in the timeline
        lines.append(REASON_STATES[view.state]().format(reason=reason))
    if view.state == "rejected" and view.apply_instead:
        lines.append(_("Apply instead to: {where}").format(where=view.apply_instead))
    if view.state == "returned":
        from station.services.corrections import named_lines

        lines += named_lines(item, view)
    missing = outstanding(view, item)
    if missing:
        lines.append(_("Still to supply: {keys}").format(keys="、".join(missing)))
    if view.result:
        lines.append(result_text(view))
    if view.state == "returned" and (view.correct_fields or view.missing or view.allow_more):
        lines.append(_("Press C to correct what the township named."))
    if view.rating:
        rating = rating_text(view.rating, view.rating_reason)
        lines.append(_("Rating: {rating}").format(rating=rating))
    return "\n".join(lines)


RECEIPT = "receipt"
"""The 补打 choice of the receipt (beside the township's papers)."""


class CaseScreen(DeskScreen[None]):
    """A case page; the keys offered follow what the lifecycle allows an agent now."""

    BINDINGS = [
        Binding("escape", "back", _("Back")),
        Binding("v", "view_application", _("Application 申请内容")),
        Binding("p", "reprint", _("Reprint 补打")),
        Binding("l", "large_print", _("Large print 大字版")),
        Binding("c", "correct", _("Correct 更正")),
        # m (材料): s is 立即同步 on the home screen; here it syncs too, never records a
        # material by a key pressed out of habit (the owed one is ticked, Enter confirms)
        Binding("m", "supplement", _("Supplement 补充材料")),
        Binding("s", "app.sync_now", _("Sync now"), show=False),
        Binding("r", "resubmit", _("Resubmit 重新报送")),
        Binding("h", "hand_over", _("Hand over 送达")),
        Binding("g", "rate", _("Rating 好差评")),
        Binding("w", "withdraw", _("Withdraw 撤件")),
        Binding("a", "acknowledge", _("Seen 已阅")),
    ]

    class Loaded(Message):
        """The case was read (or changed) by a worker."""

        def __init__(self, view: Any, note: str = "", item: Any = None, lines: Any = ()) -> None:
            super().__init__()
            self.view = view
            self.note = note
            self.item = item
            self.lines = list(lines)
            """``station.services.timeline.TimelineLine`` values: who by name, old → new."""
            self.loop: list[str] = []
            """闭环: the county's outcome of this case's 差评 (fetched at sync), as lines."""
            self.deadline: list[str] = []
            """Where its time limit stands (``station.services.review.deadline_lines``)."""

    def __init__(self, desk: Desk, key: str) -> None:
        super().__init__()
        self.desk = desk
        self.key = key
        self.view: Any = None
        self.item: Any = None

    def compose(self) -> ComposeResult:
        yield DeskStatus()
        yield Static(_("Loading…"), id="case-header")
        loop = Static("", id="case-loop")  # 闭环: what the county made of a 差评
        loop.display = False
        yield loop
        yield DataTable(id="case-timeline", cursor_type="row", zebra_stripes=True)
        yield DeskFooter()

    def on_mount(self) -> None:
        self.show_status(self.desk)
        self._load()

    def refresh_data(self) -> None:
        """What a sync brought in (the app calls this after a sync that changed cases)."""
        self._load()

    @work(thread=True, exclusive=True, group="case", exit_on_error=False)
    def _load(self) -> None:
        self.post_latest(self._loaded(self.desk.store.get_case(self.key)))

    def _loaded(self, view: Any, note: str = "") -> CaseScreen.Loaded:
        """The message that shows ``view`` (call from a worker: it reads accounts and catalog)."""
        from station.services.loops import outcome_lines
        from station.services.timeline import people, renumbered_lines, timeline

        item = self._item(view)
        lines = timeline(view, people(self.desk.store), item) if view is not None else []
        loaded = self.Loaded(view, note, item, lines)
        if view is not None:
            loaded.loop = [
                *renumbered_lines(self.desk.store, view),
                *outcome_lines(self.desk.store, view.case_number),
            ]
        if view is not None and view.exists:
            loaded.deadline = deadline_lines(view, self.desk.clock().date())
        return loaded

    def _item(self, view: Any) -> Any:
        """The case's service item from the catalog (None for 办不成事 or an unknown code)."""
        if view is None or not view.item_code:
            return None
        try:
            return self.desk.catalog().get(view.item_code)
        except KeyError:
            return None

    def on_case_screen_loaded(self, message: CaseScreen.Loaded) -> None:
        self.view = message.view
        self.item = message.item or self.item
        self.query_one(DeskStatus).state = self.desk.sync_state
        if self.view is None:
            self.query_one("#case-header", Static).update(_("There is no such case."))
            return
        header = case_header(self.view, self.item, message.deadline)
        self.query_one("#case-header", Static).update(header)
        loop = self.query_one("#case-loop", Static)
        loop.update("\n".join(message.loop))
        loop.display = bool(message.loop)
        table = self.query_one(DataTable)
        rows = [(line.time, line.what, line.who, line.note) for line in message.lines]
        headers = (_("Time"), _("What"), _("Who"), _("Note"))
        table.clear(columns=True)  # sized afresh from the rows: a longer note is never cut off
        widths = [max(cell_len(r[index]) for r in [headers, *rows]) for index in range(4)]
        # The note wraps within the screen (a correction's new value sat past the 80th
        # column, out of sight): its column takes what the others leave, at least 16.
        pad = 2 * table.cell_padding
        room = self.app.size.width - sum(widths[:3]) - 4 * pad - 2  # 2: the scroll bar
        widths[3] = min(widths[3], max(16, room))
        for header, width in zip(headers, widths, strict=True):
            table.add_column(header, width=width)
        for row in rows:
            table.add_row(*row, height=None if cell_len(row[3]) > widths[3] else 1)
        self.refresh_bindings()
        if message.note:
            self.notify(message.note)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Offer only what the lifecycle allows the signed-in person's role in the case's state now."""
        from sync.events import EventKind, Role
        from sync.lifecycle import CaseState, allowed_kinds

        if action not in (*ACTIONS, "reprint", "large_print", "acknowledge", "view_application"):
            return True
        if self.view is None:
            return False
        if action == "view_application":  # a 办不成事 report has no form
            return bool(self.view.kind == "application" and self.view.exists)
        if action in ("reprint", "large_print"):  # a withdrawn case's receipt read as going on
            return (
                self.view.kind == "application"
                and self.view.received_at is not None
                and self.view.state not in NO_RECEIPT_STATES
            )
        if action == "acknowledge":
            return "superseded" in self.view.flags
        allowed = allowed_kinds(CaseState(self.view.state), self.desk.role or Role.agent)
        if action == "rate" and self.view.rating is not None:  # once; then only corrected
            return EventKind.rating_corrected in allowed
        if action == "hand_over" and self.view.delivered_at is not None:  # a refusal's, once
            return False
        if action == "supplement" and not supplement_choices(self.view, self.item):
            return False  # nothing owed: m opened a notice that said so (a 已送达 case too)
        return EventKind(ACTIONS[action]) in allowed

    def _act(self, call: Callable[[Any], Any], note: str) -> None:
        self._run(call, note)

    @work(thread=True, exclusive=True, group="case-action", exit_on_error=False)
    def _run(self, call: Callable[[Any], Any], note: str) -> None:
        from station.services.cases import ActionRefused

        try:
            view = call(self.desk.service())
        except ActionRefused as refused:
            self.app.call_from_thread(self.notify, refused.message, severity="error")
            return
        self.desk.sync_state.outbox = self.desk.store.outbox_depth()  # the status line counts it
        self.post_message(self._loaded(view, note))

    def action_back(self) -> None:
        """Back to where the case was opened from."""
        self.dismiss(None)

    def action_view_application(self) -> None:
        """The application as filed (申请内容): who, what the form says and the materials,
        as the township reads them, ID numbers masked."""
        if self.view is not None:
            self._show_application(self.view)

    @work(thread=True, exclusive=True, group="case-application", exit_on_error=False)
    def _show_application(self, view: Any) -> None:
        from station.services.review import review_page
        from sync.events import Role

        page = review_page(
            self.desk.store, self.desk.catalog(), view, Role.agent, self.desk.clock().date()
        )
        title = _("Application {number}").format(number=view.case_number)
        dialog = MessageDialog(title, application(page), wide=True)
        self.app.call_from_thread(self.app.push_screen, dialog)

    def action_reprint(self) -> None:
        """补打: the receipt again, marked as a reprint; or, once the township has decided,
        one of its papers for the case, chosen first (the 不予受理通知书 the agent hands the
        resident at 送达, a 补正告知书, a 受理通知书), in the deciding office's name with its
        officer and 文号, as the township printed it."""
        from station.services.decision_paper import case_papers, paper_name

        kinds = case_papers(self.view)
        if not kinds:
            self._reprint(self.view)
            return

        def chosen(kind: str | None) -> None:
            if kind == RECEIPT:
                self._reprint(self.view)
            elif kind is not None:
                self._print_decision(self.view, kind)

        choices = [(_("Receipt 收件回执 (reprint)"), RECEIPT)]
        choices += [(paper_name(self.desk, self.view, kind), kind) for kind in kinds]
        self.app.push_screen(ChoiceDialog(_("Print which paper?"), choices), chosen)

    @work(thread=True, group="paper", exit_on_error=False)
    def _print_decision(self, view: Any, kind: str) -> None:
        from station.services.decision_paper import print_decision

        outcome = print_decision(self.desk, view, kind)
        self.app.call_from_thread(self.notify, outcome.text(), timeout=8)

    def action_large_print(self) -> None:
        """大字版: the receipt (and notice) in large print for an elderly resident, on A4."""
        self._reprint(self.view, "a4-large")

    @work(thread=True, group="paper", exit_on_error=False)
    def _reprint(self, view: Any, paper: str | None = None) -> None:
        from station.services.paper import print_intake_papers

        outcome = print_intake_papers(self.desk, view, reprint=paper is None, paper=paper)
        self.app.call_from_thread(self.notify, outcome.text())

    def action_supplement(self) -> None:
        """补充材料: the agent ticks, by name, what the resident brought now."""
        choices = supplement_choices(self.view, self.item)
        if not choices:
            self.notify(_("Nothing is outstanding."))
            return

        def answered(keys: list[str] | None) -> None:
            if keys:
                key, provided = self.view.case_number, dict.fromkeys(keys, "provided")
                self._act(lambda s: s.supplement(key, provided), _("Materials recorded."))

        self.app.push_screen(SupplementDialog(choices), answered)

    def action_resubmit(self) -> None:
        """补正后重新报送; asked first when nothing was corrected or supplied since the
        township returned it (one key sent it back unchanged, and the township saw 补正重报)."""
        key = self.view.case_number

        def send() -> None:
            self._act(lambda s: s.resubmit(key), _("Sent back to the township."))

        unbrought = not_yet_brought(self.view, self.item)
        if changed_since_return(self.view) and not unbrought:
            send()
            return

        def answered(yes: bool | None) -> None:
            if yes:
                send()

        if not changed_since_return(self.view):
            question = _(
                "Nothing was corrected or supplied since the township returned {number}. Send"
                " it back all the same?"
            ).format(number=key)
        else:  # the township would find them 补正未补 and may refuse the case
            question = _(
                "The township asked for {names} and it was not brought (M records what the"
                " resident brings). Send {number} back without it?"
            ).format(names="、".join(unbrought), number=key)
        self.app.push_screen(ConfirmDialog(question, default=False), answered)

    def action_withdraw(self) -> None:
        """撤件, with the reason the resident gives, asked once more (it cannot be undone,
        and a case already with the township leaves its queue): No is the first answer."""
        key = self.view.case_number

        def reason_given(reason: str | None) -> None:
            if not reason:
                return

            def answered(yes: bool | None) -> None:
                if yes:
                    self._act(lambda s: s.withdraw(key, reason), _("Withdrawn."))

            question = _(
                "Withdraw {number}? A withdrawn case cannot be taken back; to apply again,"
                " the resident files anew."
            ).format(number=key)
            self.app.push_screen(ConfirmDialog(question, default=False), answered)

        self.app.push_screen(ReasonDialog(_("Why is the case withdrawn?")), reason_given)

    def action_hand_over(self) -> None:
        """送达: how the result reached the resident, and who signed for it."""
        view = self.view
        key = view.case_number
        # who collects it: the one who filed for the resident (a son, a guardian), if any
        acting = view.principal.name if view.principal is not None else ""
        default = acting or (view.applicant.name if view.applicant else "")
        about = f"{key}  {view.item_name}\n{handover_text(view)}"

        def signed(answer: tuple[str, str] | None) -> None:
            if answer:
                how, name = answer
                self._act(lambda s: s.hand_over(key, how=how, signed_by=name), _("Handed over."))

        refused = view.state == "rejected"  # the township's 不予受理通知书, not a result
        heading = _("Hand the refusal notice over (送达不予受理通知书)") if refused else None
        self.app.push_screen(HandOverDialog(about, default, heading), signed)

    def action_rate(self) -> None:
        """好差评: the resident's rating, once; a saved one is only corrected (audited)."""
        key = self.view.case_number
        if self.view.rating is not None:
            self._correct_rating(key)
            return

        def rated(answer: tuple[int, str] | None) -> None:
            if answer:
                grade, reason = answer
                self._act(lambda s: s.rate(key, grade, reason or None), _("Rating recorded."))

        self.app.push_screen(RatingDialog(), rated)

    def _correct_rating(self, key: str) -> None:
        dialog = RatingCorrectionDialog(self.view.rating, self.view.rating_reason or "")

        def corrected(answer: tuple[int, str] | None) -> None:
            if answer:
                grade, reason = answer
                why = dialog.why
                self._act(
                    lambda s: s.correct_rating(key, grade, why=why, reason=reason or None),
                    _("Rating corrected."),
                )

        self.app.push_screen(dialog, corrected)

    def action_correct(self) -> None:
        """补正更正: change what the township named, each value checked by its field's rules."""
        from station.services.corrections import changes, correctables

        view, item, today = self.view, self.item, self.desk.clock().date()
        items = correctables(item, view)
        if not items:
            self.notify(_("The township named nothing to correct; supplement materials instead."))
            return

        def check(values: dict[str, Any]) -> str:
            from station.services.application import ActionRefused

            try:
                changes(item, view, values, today)
            except ActionRefused as refused:
                return refused.message
            return ""

        def corrected(values: dict[str, Any] | None) -> None:
            if values:
                key = view.case_number
                self._act(lambda s: s.correct(key, values), _("Correction recorded."))

        note = REASON_STATES["returned"]().format(reason=view.last_reason or "")
        self.app.push_screen(CorrectionDialog(items, check, note), corrected)

    def action_acknowledge(self) -> None:
        """已阅: the agent has read why an event was superseded."""
        key = self.view.case_number
        self._act(lambda s: s.acknowledge(key), _("Marked as seen."))
