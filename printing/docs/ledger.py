"""帮代办登记台账: the station's ledger for a date range, A4 landscape, IDs masked."""

from __future__ import annotations

from datetime import date
from typing import Any

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from forms.clock import china_today
from printing import names
from printing.fmt import cn_date, cn_short_date, mask_id
from printing.fonts import CjkFont
from printing.layout import RULE, Sheet
from printing.model import LedgerDocument, LedgerRow
from printing.pages import RenderedDocument, build_a4

TITLE = names.LEDGER
MARGIN = 10 * mm
COLUMNS: tuple[tuple[str, float], ...] = (
    ("序号", 8),
    ("办件编号", 24),
    ("收件日期", 15),
    ("群众姓名\n身份证号", 27.5),
    ("联系电话", 16),
    ("办理事项", 26),
    ("办理\n方式", 9),
    ("收取材料", 20),
    ("报送单位\n及日期", 24),
    ("承诺\n办结", 15),
    ("实际\n办结", 15),
    ("送达情况", 21),
    ("评价", 15),
    ("代办员", 12),
    ("状态\n备注", 29.5),
)
"""Header and width in mm; the widths fill the 277 mm of a landscape A4 between margins.
状态/备注 is the widest free-text column: a reason (不予受理, 退回补正) is read there; 评价
holds 非常不满意 on one line and the resident's words under it, 送达情况 a date unbroken."""
WRAPPED = {3, 5, 7, 8, 11, 12, 14}
"""Columns whose text may wrap (paragraphs); the others are short plain strings."""


def _cells(sheet: Sheet, n: int, row: LedgerRow) -> list[Any]:
    resident = f"{row.resident.name}" + (f"（{row.vulnerability}）" if row.vulnerability else "")
    forwarded = "\n".join(x for x in (row.forwarded_to, cn_short_date(row.forwarded_on)) if x)
    number = row.case_number.replace("-", "-\n", 1)
    values: list[object] = [
        n,
        number,
        cn_short_date(row.received_on),
        f"{resident}\n{mask_id(row.resident.id_number)}",
        row.resident.phone,
        row.item_name,
        row.handling,
        row.materials,
        forwarded,
        cn_short_date(row.promised_on),
        cn_short_date(row.completed_on),
        row.handover,
        row.rating,
        row.agent,
        " ".join(x for x in (row.state, row.remarks) if x),
    ]
    cells: list[Any] = []
    for i, value in enumerate(values):
        if i in WRAPPED:  # a paragraph a line: one style each, so numbers are kept whole
            parts = str(value).split("\n")
            cells.append([Paragraph(sheet.text(part), sheet.styles["cell"]) for part in parts])
        else:
            cells.append(sheet.plain(value))
    return cells


def _table(sheet: Sheet, doc: LedgerDocument) -> Table:
    header = [Paragraph(h.replace("\n", "<br/>"), sheet.styles["cellc"]) for h, _w in COLUMNS]
    body = [_cells(sheet, n, row) for n, row in enumerate(doc.rows, start=1)]
    table = Table([header, *body], colWidths=[w * mm for _h, w in COLUMNS], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), sheet.font.name, sheet.size * 0.9),
                ("LEADING", (0, 0), (-1, -1), sheet.size * 1.15),
                ("GRID", (0, 0), (-1, -1), 0.4, RULE),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("ALIGN", (0, 0), (0, -1), "CENTER"),
                ("BACKGROUND", (0, 0), (-1, 0), (0.9, 0.9, 0.9)),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ("LEFTPADDING", (0, 0), (-1, -1), 1.5),
                ("RIGHTPADDING", (0, 0), (-1, -1), 1.5),
            ]
        )
    )
    return table


def _footer(font: str, doc: LedgerDocument, printed_on: date) -> Any:
    def draw(canvas: Canvas, _doc: Any, total: int) -> None:
        width, _height = canvas._pagesize
        canvas.saveState()
        canvas.setFont(font, 8)
        page = canvas.getPageNumber()
        canvas.drawString(MARGIN, MARGIN / 2, f"{doc.station_name}　{TITLE}")
        canvas.drawCentredString(width / 2, MARGIN / 2, f"第 {page} 页　共 {total} 页")
        canvas.drawRightString(width - MARGIN, MARGIN / 2, f"打印日期：{cn_date(printed_on)}")
        canvas.restoreState()

    return draw


def render(doc: LedgerDocument, font: CjkFont, printed_on: date | None = None) -> RenderedDocument:
    """The ledger of ``doc.rows`` on as many landscape A4 pages as it takes."""
    sheet = Sheet(font, size=8)
    period = f"{cn_date(doc.start)}至{cn_date(doc.end)}"
    story: list[Flowable] = [
        Paragraph(sheet.text(TITLE), sheet.styles["title"]),
        sheet.para(
            f"{doc.station_name}（{doc.station_division}）　统计期间：{period}　共{len(doc.rows)}件",
            "subtitle",
        ),
        Spacer(1, 3 * mm),
        _table(sheet, doc),
        Spacer(1, 6 * mm),
        sheet.para(
            "登记人（签字）：________________　　　审核人（签字）：________________　　　（盖章）",
            "body",
        ),
    ]
    footer = _footer(font.name, doc, printed_on or china_today())
    return build_a4(
        sheet, story, title=TITLE, author=doc.station_name, wide=True, margin=MARGIN, footer=footer
    )
