"""Paper from the desk: build a ``printing`` document from a case and keep/print it.

Call these from workers: they render PDFs and write files. A printer is
optional; the PDF is always kept in ``<data_dir>/documents`` first.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from forms.workdays import due_date
from printing.documents import render_authorization, render_notice, render_receipt
from printing.model import CaseDocument, MaterialLine, MaterialStatus, Party
from printing.printer import document_name, documents_dir, keep_pdf, print_pdf
from station.i18n import _
from station.screens.context import Desk

TOWNSHIP_NAME_FALLBACK = "乡镇便民服务中心"


def _party(person: Any) -> Party | None:
    if person is None:
        return None
    data = person if isinstance(person, dict) else person.model_dump()
    return Party(
        name=data.get("name", ""),
        id_number=data.get("id_number", ""),
        phone=data.get("phone", ""),
        address=data.get("address", "") or "",
    )


def _materials(view: Any, item: Any) -> tuple[MaterialLine, ...]:
    lines = []
    for spec in item.materials:
        state = view.materials.get(spec.key, "missing")
        supply_by = view.supply_by.get(spec.key)
        lines.append(
            MaterialLine(
                spec.name,
                spec.copies,
                spec.original,
                MaterialStatus(state),
                supply_by,
                spec.standard,
            )
        )
    return tuple(lines)


def case_document(desk: Desk, view: Any, item: Any, *, reprint: bool = False) -> CaseDocument:
    """The printing model of a case taken in at this station.

    Args:
        desk: who prints, where.
        view: the case (``sync.reducer.CaseView``).
        item: its service item (``forms.catalog.model.ServiceItem``).
        reprint: mark the paper 补打 with today's date.
    """
    received = view.received_at or view.created_at or desk.clock()
    today = desk.clock().date()
    user = desk.user
    # The applicant files; when someone acts for them, the resident represented is the principal
    # on paper (委托人) — forms calls the acting person ``principal``, so swap for documents.
    applicant = _party(view.applicant) or Party(name="")
    acting = _party(view.principal)
    return CaseDocument(
        case_number=view.case_number,
        item_code=item.code,
        item_name=item.name,
        item_version=view.item_version or item.version,
        station_name=desk.station_name,
        station_division=desk.division,
        agent_name=user.name if user else view.agent_name,
        agent_phone=view.agent_phone,
        applicant=acting or applicant,
        principal=applicant if acting else None,
        relation=view.relation,
        received_at=received if isinstance(received, datetime) else datetime.now(),
        promised_days=item.promised_days,
        due_date=due_date(received.date(), item.promised_days).date,
        next_step=_("forwarded to the township centre within {days} working days").format(
            days=item.path.forward_days
        ),
        enquiry=item.phone or "12345",
        township_name=TOWNSHIP_NAME_FALLBACK,
        materials=_materials(view, item),
        reprinted_on=today if reprint else None,
    )


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


def print_authorization(desk: Desk, draft: dict[str, Any], item: Any) -> str:
    """The 授权委托书 for a take-in not filed by the resident themself."""
    from types import SimpleNamespace

    view = SimpleNamespace(
        case_number=draft.get("draft_id", "draft"),
        item_version=item.version,
        agent_name="",
        agent_phone="",
        applicant=draft.get("applicant") or {},
        principal=draft.get("principal") or None,
        relation=draft.get("relation", "relative"),
        received_at=None,
        created_at=desk.clock(),
        materials={},
        supply_by={},
    )
    doc = case_document(desk, view, item)
    pdf = render_authorization(doc).pdf
    return keep_and_print(desk, pdf, str(view.case_number), "authorization", None)
