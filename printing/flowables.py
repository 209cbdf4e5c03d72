"""Flowables and page marks shared by the documents: QR code, cut line, glyph note, 补打 stamp."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from reportlab.graphics.barcode.qr import QrCode
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph

from printing.fmt import cn_date

if TYPE_CHECKING:
    from printing.layout import Sheet


def qr_code(content: str, size: float) -> QrCode:
    """A QR code flowable ``size`` points wide; content must be ASCII (no ECI in reportlab).

    The flowable draws runs of modules straight on the canvas and encodes once,
    several times faster than the graphics widget.

    Raises:
        ValueError: for non-ASCII content.
    """
    if not content.isascii():
        raise ValueError("QR content must be ASCII (a case number or a URL)")
    return QrCode(content, width=size, height=size, qrBorder=2, qrLevel="M")


class GlyphNote(Flowable):  # type: ignore[misc]
    """The missing-glyph note, written when laid out (zero height when nothing is missing)."""

    def __init__(self, sheet: Sheet) -> None:
        super().__init__()
        self.sheet = sheet
        self.paragraph: Paragraph | None = None

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        markup = self.sheet.note_markup()
        if not markup:
            self.paragraph = None
            return 0, 0
        self.paragraph = Paragraph(markup, self.sheet.styles["note"])
        width, height = self.paragraph.wrap(avail_width, avail_height)
        return width, height + 2

    def draw(self) -> None:
        if self.paragraph is not None:
            self.paragraph.drawOn(self.canv, 0, 0)


class CutLine(Flowable):  # type: ignore[misc]
    """A dashed cut line across the frame with a centred caption (the stub's edge).

    Not drawn at the top of a full page (frame ``full``: the stub went whole to a page of
    its own, so there is no upper part to cut off); it stays in the stub's own frame
    below the resident's part, and below a resident's part that ends on the stub's page.
    """

    def __init__(self, caption: str, font: str, size: float = 8) -> None:
        super().__init__()
        self.caption, self.font, self.size = caption, font, size

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        return avail_width, self.size * 2.2

    def draw(self) -> None:
        frame = getattr(self, "_frame", None)
        if frame is not None and frame._atTop and getattr(frame, "id", "") == "full":
            return
        canvas = self.canv
        y = self.size * 1.1
        text_width = canvas.stringWidth(self.caption, self.font, self.size) + 12
        canvas.saveState()
        canvas.setDash(4, 3)
        canvas.setLineWidth(0.8)
        left_end = (self.width - text_width) / 2
        canvas.line(-6 * mm, y, left_end, y)
        canvas.line(left_end + text_width, y, self.width + 6 * mm, y)
        canvas.setFont(self.font, self.size)
        canvas.drawCentredString(self.width / 2, y - self.size * 0.35, self.caption)
        canvas.restoreState()


def reprint_stamp(canvas: Canvas, font: str, on: date, x_right: float, y_top: float) -> None:
    """Draw the boxed 补打 mark with its date at the top right of a page."""
    label = f"补打 {cn_date(on)}"
    size = 10
    width = canvas.stringWidth(label, font, size) + 10
    canvas.saveState()
    canvas.setStrokeColor(colors.red)
    canvas.setFillColor(colors.red)
    canvas.setLineWidth(1.2)
    canvas.rect(x_right - width, y_top - size - 8, width, size + 8)
    canvas.setFont(font, size)
    canvas.drawString(x_right - width + 5, y_top - size - 3, label)
    canvas.restoreState()
