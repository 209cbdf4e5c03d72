"""The township's paper for a decision (受理通知书, 补正告知书, 不予受理通知书, 特别程序告知书,
不予许可决定书), from the desk.

The same path as ``daiban print KIND CASE`` (``station.documents.decision_document``
then ``printing.jobs.produce``): the deciding office's name from the county's division
table, its 文号 (kept on reprint), the signed-in officer. A paper that cannot be made
is said plainly and never blocks the decision it belongs to.
"""

from __future__ import annotations

from printing import names
from printing.jobs import FORMATS
from station.documents import decision_document, printed_before
from station.documents.case import NotApplicable, decision_entry
from station.documents.decisions import PERMIT
from station.services import _
from station.services.desk import Desk
from station.services.paper import PaperOutcome, keep_and_print
from sync.lifecycle import CaseState
from sync.reducer import CaseView

ACCEPTANCE = "acceptance"
"""The 受理通知书's document kind."""

NAMES = {
    ACCEPTANCE: names.ACCEPTANCE,
    "correction": names.CORRECTION,
    "rejection": names.REJECTION,
    "pause": names.PAUSE,
    "denial": "不予许可（批准）决定书",
    "approval": "准予许可决定书（办结通知书）",
}


_PAPER_OF_STATE = {
    CaseState.accepted: ACCEPTANCE,
    CaseState.processing: ACCEPTANCE,
    CaseState.returned: "correction",
    CaseState.rejected: "rejection",
    CaseState.paused: "pause",
}
"""The paper a case in this state had, or should have had, from this desk."""


def reprintable(desk: Desk, view: CaseView) -> list[str]:
    """The decision papers of the case a reviewer may print again (补打): those made here
    before, and the one its state calls for (a 受理通知书 left unticked at 受理, a paper
    whose printer jammed), in the order of ``NAMES``."""
    wanted = {kind for kind in NAMES if printed_before(desk.store.data_dir, view.case_number, kind)}
    due = _PAPER_OF_STATE.get(view.state)
    if view.state in (CaseState.completed, CaseState.delivered) and view.result:
        due = "denial" if view.result == "denied" else "approval"  # §38: in writing either way
    if due is not None:
        wanted.add(due)
    return [kind for kind in NAMES if kind in wanted]


def case_papers(view: CaseView) -> list[str]:
    """The township's papers the case has had, one per decision it made (受理, 补正, 不予受理,
    特别程序, 办结), in the order of ``NAMES``: what a village may print to hand over. Its
    补打 offered only the paper of the case's state (a 办结 case's 受理通知书 was missing)."""
    kinds = []
    for kind in NAMES:
        try:
            decision_entry(view, kind)  # type: ignore[arg-type]
        except NotApplicable:
            continue
        kinds.append(kind)
    return kinds


def paper_name(desk: Desk, view: CaseView, kind: str) -> str:
    """A paper's name as the case's item makes it: at 办结, a 行政许可's 准予 / 不予行政许可决定书,
    any other item's 办结通知书 / 不予批准决定书 (the chooser offered 准予许可决定书（办结通知书）
    for a 医保参保登记)."""
    if kind not in ("approval", "denial"):
        return NAMES.get(kind, kind)
    try:
        permit = desk.catalog().get(view.item_code).item_type == PERMIT
    except KeyError:
        return NAMES[kind]
    return names.title_of(kind, permit)  # as its paper and its file are titled


def print_decision(desk: Desk, view: CaseView, kind: str) -> PaperOutcome:
    """Keep (and print, with a printer set) the decision's paper; call from a worker.

    Returns:
        Where the paper went, or why there is none (never raises for a missing kind).
    """
    outcome = PaperOutcome()
    name = paper_name(desk, view, kind)
    if kind not in FORMATS:
        outcome.lines.append(_("The {document} cannot be printed yet.").format(document=name))
        outcome.printed = False
        return outcome
    try:
        document = decision_document(
            desk.store,
            desk.catalog(),
            kind,
            view.case_number,
            officer=desk.service().actor,
            today=desk.clock().date(),
        )
    except NotApplicable as refused:
        outcome.lines.append(str(refused))
        outcome.printed = False
        return outcome
    keep_and_print(desk, kind, document, outcome)
    return outcome
