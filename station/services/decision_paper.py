"""The township's paper for a decision (受理通知书, 补正告知书, 不予受理通知书), from the desk.

The same path as ``daiban print KIND CASE`` (``station.documents.prepare.document_for``
then ``printing.jobs.produce``). A kind the printing package does not have yet is
said plainly and never blocks the decision it belongs to.
"""

from __future__ import annotations

from printing.jobs import FORMATS
from station.documents.case import NotApplicable
from station.documents.prepare import document_for
from station.services import _
from station.services.desk import Desk
from station.services.paper import PaperOutcome, keep_and_print
from sync.reducer import CaseView

ACCEPTANCE = "acceptance"
"""The 受理通知书's document kind.

TODO(paper, issue 10 §4): ``printing`` has no ``acceptance`` kind yet; once the paper
engineer adds it to ``printing.jobs.FORMATS`` and ``station.documents.prepare``, the
review desk's "受理 and print" prints it with no change here."""

NAMES = {
    ACCEPTANCE: "受理通知书",
    "correction": "补正告知书",
    "rejection": "不予受理通知书",
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
        document = document_for(
            desk.store, desk.catalog(), kind, view.case_number, today=desk.clock().date()
        )
    except NotApplicable as refused:
        outcome.lines.append(str(refused))
        outcome.printed = False
        return outcome
    keep_and_print(desk, kind, document, outcome)
    return outcome
