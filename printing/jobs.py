"""One print job from start to end: read the document, render it, keep it, print it.

The command line (and later the desk) calls :func:`produce`; it never loses
the PDF, whatever the printer does.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from printing.fmt import wall_time
from printing.i18n import _
from printing.model import (
    CaseDocument,
    DecisionDocument,
    EnrollmentDocument,
    LedgerDocument,
    UnresolvedDocument,
    from_dict,
)
from printing.names import NOT_TAKEN_IN, free_path, paper_file_name, title_of
from printing.printer import documents_dir, keep_pdf, print_pdf

if TYPE_CHECKING:
    from printing.documents import Format
    from printing.pages import RenderedDocument

Document = (
    CaseDocument | DecisionDocument | LedgerDocument | UnresolvedDocument | EnrollmentDocument
)

FORMATS: dict[str, tuple[str, ...]] = {
    "receipt": ("a4", "a4-large", "80mm"),
    "notice": ("a4", "a4-large", "80mm"),
    "authorization": ("a4",),
    "ledger": ("a4",),
    "rejection": ("a4",),
    "correction": ("a4",),
    "acceptance": ("a4",),
    "pause": ("a4",),
    "denial": ("a4",),
    "approval": ("a4",),
    "unresolved": ("a4", "a4-large", "80mm"),
    "enrollment": ("a4",),
}
"""Each document kind and the paper it can be printed on."""

_INPUT: dict[str, type[Any]] = {
    "receipt": CaseDocument,
    "notice": CaseDocument,
    "authorization": CaseDocument,
    "ledger": LedgerDocument,
    "rejection": DecisionDocument,
    "correction": DecisionDocument,
    "acceptance": DecisionDocument,
    "pause": DecisionDocument,
    "denial": DecisionDocument,
    "approval": DecisionDocument,
    "unresolved": UnresolvedDocument,
    "enrollment": EnrollmentDocument,
}

DECISION_RENDERERS = {
    "acceptance": "render_acceptance",
    "rejection": "render_rejection",
    "correction": "render_correction",
    "pause": "render_pause",
    "denial": "render_denial",
    "approval": "render_approval",
}
"""The township's decisions (受理, 不予受理, 补正) and their renderers in ``printing.documents``."""


@dataclass(frozen=True)
class JobResult:
    """Where the document went."""

    path: Path
    printed: bool
    message: str
    warnings: list[str]


def load_document(kind: str, data: dict[str, Any]) -> Document:
    """Read the input of a document kind from JSON-like data (the dataclass fields)."""
    if kind not in _INPUT:
        message = _("Unknown document {kind}; use one of {kinds}")
        raise ValueError(message.format(kind=kind, kinds=", ".join(_INPUT)))
    document: Document = from_dict(_INPUT[kind], data)
    return document


def mark_reprint(document: Document, on: date) -> Document:
    """The same document marked 补打 on ``on`` (ledgers are printed fresh, never reprinted)."""
    if isinstance(document, CaseDocument | UnresolvedDocument):
        return dataclasses.replace(document, reprinted_on=on)
    if isinstance(document, DecisionDocument):
        case = dataclasses.replace(document.case, reprinted_on=on)
        return dataclasses.replace(document, case=case)
    return document


def render(
    kind: str, document: Document, fmt: str = "a4", font: Path | None = None
) -> RenderedDocument:
    """Render ``document`` as ``kind`` on ``fmt`` paper.

    Raises:
        ValueError: for a kind or format that does not exist, or a document of the wrong type.
    """
    from printing import documents  # reportlab loads in ~0.3 s: only when a page is drawn

    if fmt not in FORMATS.get(kind, ()):
        allowed = ", ".join(FORMATS.get(kind, ()))
        message = _("A {kind} cannot be printed on {fmt} paper (use {allowed})")
        raise ValueError(message.format(kind=kind, fmt=fmt, allowed=allowed))
    if isinstance(document, LedgerDocument) and kind == "ledger":
        return documents.render_ledger_document(document, font)
    if isinstance(document, DecisionDocument) and kind in DECISION_RENDERERS:
        renderer = getattr(documents, DECISION_RENDERERS[kind])
        rendered: RenderedDocument = renderer(document, font)
        return rendered
    if isinstance(document, UnresolvedDocument) and kind == "unresolved":
        return documents.render_unresolved(document, _case_format(fmt), font)
    if isinstance(document, EnrollmentDocument) and kind == "enrollment":
        return documents.render_enrollment(document, font)
    if isinstance(document, CaseDocument):
        if kind == "receipt":
            return documents.render_receipt(document, _case_format(fmt), font)
        if kind == "notice":
            return documents.render_notice(document, _case_format(fmt), font)
        if kind == "authorization":
            return documents.render_authorization(document, font=font)
    raise ValueError(f"a {type(document).__name__} cannot be printed as {kind}")


def _case_format(fmt: str) -> Format:
    """A receipt's or notice's paper, checked against :data:`FORMATS` by the caller."""
    return "80mm" if fmt == "80mm" else "a4-large" if fmt == "a4-large" else "a4"


def default_path(kind: str, document: Document, fmt: str, data_dir: Path) -> Path:
    """Where a paper is kept: ``<data_dir>/documents/<title>-<case number>.pdf``, named by
    :func:`printing.names.paper_file_name` (``受理通知书-640522100201-20261122-0007.pdf``), and
    numbered rather than put over a paper kept under that name already."""
    return free_path(documents_dir(data_dir), file_name(kind, document, fmt))


def file_name(kind: str, document: Document, fmt: str = "a4") -> str:
    """The name a paper is kept under: its title as printed, then whose it is (the case, the
    record, the station and period, the station a code is for), its paper and 补打."""
    title = title_of(kind, getattr(document, "permit", None))
    if isinstance(document, LedgerDocument):
        period = f"{document.start:%Y%m%d}-{document.end:%Y%m%d}"
        station = document.station_name or document.station_division
        return paper_file_name(title, station, period, fmt=fmt)
    if isinstance(document, UnresolvedDocument):
        return paper_file_name(title, document.number, fmt=fmt, reprinted_on=document.reprinted_on)
    if isinstance(document, EnrollmentDocument):
        # which station, and which code (its reference, as 待用码 lists it; never the code):
        # it was named by the code's expiry, which said nothing of what the paper is
        station = document.station_name or document.division
        return paper_file_name(title, station, document.ref, fmt=fmt)
    if isinstance(document, CaseDocument) and not document.taken_in:
        # no case number yet (a 一次性告知书 or 授权委托书 before intake): 未收件, then when
        # it was printed, in China (the draft's id told the agent nothing to find it by)
        when = f"{wall_time(document.received_at):%Y%m%d-%H%M}"
        return paper_file_name(title, NOT_TAKEN_IN, when, fmt=fmt)
    case = document.case if isinstance(document, DecisionDocument) else document
    return paper_file_name(title, case.case_number, fmt=fmt, reprinted_on=case.reprinted_on)


def produce(
    kind: str,
    document: Document,
    *,
    data_dir: Path,
    fmt: str = "a4",
    out: Path | None = None,
    send: bool = False,
    printer: str | None = None,
    font: Path | None = None,
    print_command: list[str] | None = None,
) -> JobResult:
    """Render, keep, and (when asked) print one document.

    Args:
        kind: receipt, notice, authorization, ledger, acceptance, rejection or correction.
        document: its input.
        data_dir: the station's data directory (the PDF is kept under ``documents/``).
        fmt: ``a4``, ``a4-large`` (大字版) or ``80mm``.
        out: write the PDF here instead of the documents folder.
        send: print it (to ``printer``, or the default printer).
        printer: the printer's name; implies ``send``.
        font: a configured CJK TrueType font.
        print_command: a different print command (tests, unusual setups).

    Returns:
        Where the PDF is, whether it printed, the message for the clerk and the warnings.
    """
    rendered = render(kind, document, fmt, font)
    path = keep_pdf(rendered.pdf, out or default_path(kind, document, fmt, data_dir))
    if not (send or printer):
        return JobResult(path, False, str(path), rendered.warnings)
    result = print_pdf(path, printer, command=print_command)
    return JobResult(path, result.ok, result.message, rendered.warnings)
