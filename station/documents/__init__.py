"""Documents of the station's cases, read from its store (UI-free: no Textual here).

``document_for`` builds the input of a 回执 / 告知书 / 委托书 / 不予受理 / 补正 for a
case; ``ledger_document`` the 帮代办登记台账 for a period. ``printing`` lays them out.
"""

from __future__ import annotations

from station.documents.case import (
    NotApplicable,
    case_document,
    decision_document,
)
from station.documents.ledger import ledger_rows
from station.documents.prepare import (
    CASE_KINDS,
    DECISION_KINDS,
    CaseNotFound,
    document_for,
    ledger_document,
    printed_before,
    township_name,
)

__all__ = [
    "CASE_KINDS",
    "DECISION_KINDS",
    "CaseNotFound",
    "NotApplicable",
    "case_document",
    "decision_document",
    "document_for",
    "ledger_document",
    "ledger_rows",
    "printed_before",
    "township_name",
]
