"""Paper from the desk: build a ``printing`` document from a case and keep/print it.

Call these from workers: they render PDFs and write files. A printer is
optional; the PDF is always kept in ``<data_dir>/documents`` first.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from printing.documents import render_authorization, render_notice, render_receipt
from printing.model import CaseDocument, Party
from printing.printer import document_name, documents_dir, keep_pdf, print_pdf
from station.documents.prepare import document_for
from station.i18n import _
from station.screens.context import Desk


def case_document(desk: Desk, view: Any, item: Any, *, reprint: bool = False) -> CaseDocument:
    """The printing model of a case taken in at this station.

    The same mapping as ``daiban print`` (``station.documents``), so the desk and
    the command line put the same things on paper.

    Args:
        desk: who prints, where.
        view: the case (``sync.reducer.CaseView``).
        item: its service item (unused: the case's own catalog version is looked up).
        reprint: mark the paper 补打 with today's date.
    """
    document = document_for(
        desk.store,
        desk.catalog(),
        "receipt",
        view.case_number,
        today=desk.clock().date(),
        reprint=reprint,
    )
    assert isinstance(document, CaseDocument)
    return document


def keep_and_print(desk: Desk, pdf: bytes, key: str, kind: str, reprint: date | None) -> str:
    """Write the PDF under the data dir, send it to the printer if one is set; say what happened."""
    fmt = getattr(desk.settings, "paper_format", "a4")
    folder = documents_dir(Path(desk.settings.data_dir))
    path = keep_pdf(pdf, folder / document_name(key, kind, fmt, reprint))
    printer = getattr(desk.settings, "printer", None)
    if not printer:
        return _("Saved {path}").format(path=path)
    return print_pdf(path, printer).message


def print_intake_papers(desk: Desk, view: Any, item: Any, *, reprint: bool = False) -> list[str]:
    """收件回执, plus the 一次性告知书 when a material is deferred or missing.

    Returns:
        One line per document saying where it went.
    """
    doc = case_document(desk, view, item, reprint=reprint)
    fmt: Any = getattr(desk.settings, "paper_format", "a4")
    messages = [
        keep_and_print(
            desk, render_receipt(doc, fmt).pdf, doc.case_number, "receipt", doc.reprinted_on
        )
    ]
    if doc.deferred:
        pdf = render_notice(doc, fmt).pdf
        messages.append(keep_and_print(desk, pdf, doc.case_number, "notice", doc.reprinted_on))
    return messages


def _person(data: Any) -> Party | None:
    if not data:
        return None
    return Party(
        name=data.get("name", ""),
        id_number=data.get("id_number", ""),
        phone=data.get("phone", ""),
        address=data.get("address", "") or "",
    )


def draft_document(desk: Desk, draft: dict[str, Any], item: Any) -> CaseDocument:
    """A document of an application not taken in yet (the 授权委托书 is signed first)."""
    from forms.workdays import promised_due_date
    from station.documents.case import enquiry, next_step
    from station.documents.prepare import township_or_fallback

    now = desk.clock()
    identity = desk.store.require_identity()
    township = township_or_fallback(desk.store, identity, desk.catalog())
    resident = _person(draft.get("applicant")) or Party(name="")
    acting = _person(draft.get("principal"))
    agent = desk.user
    return CaseDocument(
        case_number=str(draft.get("draft_id", "draft")),
        item_code=item.code,
        item_name=item.name,
        item_version=item.version,
        station_name=desk.station_name or identity.name,
        station_division=desk.division or identity.division,
        agent_name=agent.name if agent else "",
        agent_phone=getattr(agent, "phone", "") if agent else "",
        applicant=acting or resident,
        principal=resident if acting else None,
        relation=draft.get("relation", "relative"),
        received_at=now,
        promised_days=item.promised_days,
        due_date=promised_due_date(item, now.date()).date,
        next_step=next_step(item, township),
        enquiry=enquiry(item, ""),
        township_name=township,
    )


def print_authorization(desk: Desk, draft: dict[str, Any], item: Any) -> str:
    """The 授权委托书 for a take-in not filed by the resident themself."""
    doc = draft_document(desk, draft, item)
    pdf = render_authorization(doc).pdf
    return keep_and_print(desk, pdf, doc.case_number, "authorization", None)
