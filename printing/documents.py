"""The public API of the printing package: one ``render_*`` function per document.

Every function returns a :class:`RenderedDocument` (the PDF bytes and the warnings
the clerk must see, such as a character the font cannot print).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Literal

from printing.docs import authorization, decision, enrollment, ledger, notice, receipt, unresolved
from printing.fonts import find_cjk_font
from printing.model import (
    CaseDocument,
    DecisionDocument,
    EnrollmentDocument,
    LedgerDocument,
    LedgerRow,
    Party,
    UnresolvedDocument,
)
from printing.pages import RenderedDocument

Format = Literal["a4", "a4-large", "80mm"]
"""A4, A4 in large print for an elderly resident (大字版), or the 80 mm thermal roll."""

__all__ = [
    "RenderedDocument",
    "render_acceptance",
    "render_authorization",
    "render_correction",
    "render_ledger",
    "render_notice",
    "render_receipt",
    "render_rejection",
    "render_unresolved",
]


def render_receipt(
    doc: CaseDocument, fmt: Format = "a4", font: Path | None = None
) -> RenderedDocument:
    """The 帮代办收件回执.

    Args:
        doc: the case as received.
        fmt: ``a4`` (with the station's stub), ``a4-large`` (大字版: large print, fewer
            words, with the stub) or ``80mm`` (thermal roll).
        font: a configured CJK TrueType font, if any.

    Returns:
        The PDF and its warnings.
    """
    cjk = find_cjk_font(font)
    if fmt == "a4":
        return receipt.render_a4(doc, cjk)
    if fmt == "a4-large":
        return receipt.render_a4_large(doc, cjk)
    if fmt == "80mm":
        return receipt.render_roll(doc, cjk)
    raise ValueError(f"unknown format {fmt!r}: use a4, a4-large or 80mm")


def render_notice(
    doc: CaseDocument, fmt: Format = "a4", font: Path | None = None
) -> RenderedDocument:
    """The 一次性告知书: every missing or deferred material with its standard and deadline."""
    return notice.render(doc, find_cjk_font(font), fmt)


def render_authorization(
    doc: CaseDocument, trustee: Party | None = None, font: Path | None = None
) -> RenderedDocument:
    """The 授权委托书 for this case's item (A4); the only paper with full ID numbers.

    Args:
        doc: the case; its principal (or the applicant) is the 委托人.
        trustee: the 受托人; when omitted, the relative who applies for the principal
            (亲属代办), else the station's agent.
        font: a configured CJK TrueType font, if any.
    """
    return authorization.render(doc, find_cjk_font(font), trustee)


def render_ledger(
    rows: list[LedgerRow] | tuple[LedgerRow, ...],
    start: date,
    end: date,
    station_name: str,
    station_division: str,
    font: Path | None = None,
) -> RenderedDocument:
    """The 帮代办登记台账 for ``start``..``end`` (A4 landscape, IDs masked)."""
    ledger_doc = LedgerDocument(station_name, station_division, start, end, tuple(rows))
    return ledger.render(ledger_doc, find_cjk_font(font))


def render_ledger_document(doc: LedgerDocument, font: Path | None = None) -> RenderedDocument:
    """The 帮代办登记台账 from a :class:`LedgerDocument`."""
    return ledger.render(doc, find_cjk_font(font))


def render_acceptance(doc: DecisionDocument, font: Path | None = None) -> RenderedDocument:
    """The township's 受理通知书 (accepted, promised completion date, how to ask)."""
    return decision.render_acceptance(doc, find_cjk_font(font))


def render_rejection(doc: DecisionDocument, font: Path | None = None) -> RenderedDocument:
    """The township's 不予受理通知书 (reason, where to apply instead, rights of review)."""
    return decision.render_rejection(doc, find_cjk_font(font))


def render_correction(doc: DecisionDocument, font: Path | None = None) -> RenderedDocument:
    """The township's 补正告知书 (what to supply, to what standard, by when)."""
    return decision.render_correction(doc, find_cjk_font(font))


def render_pause(doc: DecisionDocument, font: Path | None = None) -> RenderedDocument:
    """The township's 特别程序告知书 (which procedure, how long, not counted in the limit)."""
    return decision.render_pause(doc, find_cjk_font(font))


def render_approval(doc: DecisionDocument, font: Path | None = None) -> RenderedDocument:
    """准予行政许可决定书 (or 办结通知书) of a case approved at 办结, A4."""
    return decision.render_approval(doc, find_cjk_font(font))


def render_denial(doc: DecisionDocument, font: Path | None = None) -> RenderedDocument:
    """The refusal at 办结 (不予行政许可决定书 / 不予批准决定书: reasons, rights of review)."""
    return decision.render_denial(doc, find_cjk_font(font))


def render_unresolved(
    doc: UnresolvedDocument, fmt: Format = "a4", font: Path | None = None
) -> RenderedDocument:
    """The 办不成事登记回执: the record's number, what was wanted, why it could not be done
    here, and how the county follows it up (A4, 大字版 or the 80 mm roll)."""
    return unresolved.render(doc, find_cjk_font(font), fmt)


def render_enrollment(doc: EnrollmentDocument, font: Path | None = None) -> RenderedDocument:
    """The 便民服务站注册单: a station's one-time code, its QR and where it works, A4."""
    return enrollment.render(doc, find_cjk_font(font))
