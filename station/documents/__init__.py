"""Documents of the station's cases, read from its store (UI-free: no Textual here).

``document_for`` builds the input of a 回执 / 告知书 / 委托书 for a case, and
``decision_document`` the township's 受理 / 补正 / 不予受理 papers (with 文号); ``ledger_document`` the 帮代办登记台账 for a period. ``printing`` lays them out.
"""

from __future__ import annotations

from station.documents.case import NotApplicable, case_document, decision_from_view
from station.documents.decisions import Officer, deciding_division, document_number
from station.documents.ledger import ledger_rows
from station.documents.prepare import (
    CASE_KINDS,
    DECISION_KINDS,
    CaseNotFound,
    decision_document,
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
    "Officer",
    "case_document",
    "deciding_division",
    "decision_document",
    "decision_from_view",
    "document_number",
    "document_for",
    "ledger_document",
    "ledger_rows",
    "printed_before",
    "township_name",
]
