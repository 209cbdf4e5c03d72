"""The township's paper for a decision (受理通知书, 补正告知书, 不予受理通知书, 特别程序告知书,
不予许可决定书), from the desk.

The same path as ``daiban print KIND CASE`` (``station.documents.decision_document``
then ``printing.jobs.produce``): the deciding office's name from the county's division
table, its 文号 (kept on reprint), the signed-in officer. A paper that cannot be made
is said plainly and never blocks the decision it belongs to.
"""

from __future__ import annotations

from printing.jobs import FORMATS
from station.documents import decision_document
from station.documents.case import NotApplicable
from station.services import _
from station.services.desk import Desk
from station.services.paper import PaperOutcome, keep_and_print
from sync.reducer import CaseView

ACCEPTANCE = "acceptance"
"""The 受理通知书's document kind."""

NAMES = {
    ACCEPTANCE: "受理通知书",
    "correction": "补正告知书",
    "rejection": "不予受理通知书",
    "pause": "特别程序告知书",
    "denial": "不予许可（批准）决定书",
}


def print_decision(desk: Desk, view: CaseView, kind: str) -> PaperOutcome:
    """Keep (and print, with a printer set) the decision's paper; call from a worker.

    Returns:
        Where the paper went, or why there is none (never raises for a missing kind).
    """
    outcome = PaperOutcome()
    name = NAMES.get(kind, kind)
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
