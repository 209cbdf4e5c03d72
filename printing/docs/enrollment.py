"""站点注册单: the one-time code the county issues for a station, on paper.

The county administrator hands (or sends) it to whoever sets the station's PC up: the QR
is scanned there, or the centre's address and the code are typed. The code is shown once
on the desk (the centre keeps only its hash), so this paper is how it travels.
"""

from __future__ import annotations

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from printing import names
from printing.fmt import cn_datetime
from printing.fonts import CjkFont
from printing.layout import Sheet
from printing.model import EnrollmentDocument
from printing.pages import RenderedDocument, build_a4

TITLE = names.ENROLLMENT
WIDTH = 174 * mm
QR_SIZE = 55 * mm


def qr_drawing(text: str, size: float = QR_SIZE) -> Drawing:
    """``text`` as a QR code of ``size`` points square (reportlab's own widget)."""
    widget = QrCodeWidget(text, barLevel="M")
    left, bottom, right, top = widget.getBounds()
    drawing = Drawing(
        size, size, transform=[size / (right - left), 0, 0, size / (top - bottom), 0, 0]
    )
    drawing.add(widget)
    return drawing


def _rows(doc: EnrollmentDocument) -> list[tuple[str, str]]:
    rows = [
        ("站点名称", doc.station_name),
        ("所在区划", f"{doc.division_name}（{doc.division}）"),
        ("注册码", doc.code),
        ("有效期至", cn_datetime(doc.expires_at)),
        ("县级中心地址", doc.central_url),
    ]
    if doc.fingerprint:
        rows.append(("中心证书指纹", doc.fingerprint))
    rows.append(("发码人", doc.issued_by))
    return rows


def _steps(doc: EnrollmentDocument) -> str:
    fingerprint = "（以及中心证书指纹）" if doc.fingerprint else ""
    return (
        f"请在{doc.station_name}的电脑上注册本站：扫描下方二维码，得到以 daiban://enroll 开头的"
        "注册链接，运行 daiban station enroll --uri 加上该链接；不能扫码时，运行 daiban station "
        f"enroll，输入下表的县级中心地址和注册码{fingerprint}。注册码只能使用一次，须在"
        f"{cn_datetime(doc.expires_at)}前使用，过期或用后作废。本单等同于该站点的开通凭证，"
        "请妥善保管，勿交给无关人员；遗失时请县级管理员作废此码、重新发码。"
    )


def render(doc: EnrollmentDocument, font: CjkFont) -> RenderedDocument:
    """The 注册单 on A4: what it is for, the code and where it works, and its QR."""
    sheet = Sheet(font, size=11, floor=10)
    label = 30 * mm
    story: list[Flowable] = [
        sheet.para(TITLE, "title"),
        sheet.para(doc.station_name, "subtitle"),
        Spacer(1, 5 * mm),
        sheet.para(_steps(doc), "indent"),
        Spacer(1, 4 * mm),
        sheet.pairs(_rows(doc), [label, WIDTH - label]),
        Spacer(1, 6 * mm),
        qr_drawing(doc.uri),
        Spacer(1, 8 * mm),
        sheet.signatures(["发码人（签字）", "领取人签收"], WIDTH),
    ]
    return build_a4(sheet, story, title=TITLE, author=doc.issued_by)
