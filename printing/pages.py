"""Page geometry and PDF assembly: A4 (portrait, landscape, with a stub) and 80 mm rolls."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    FrameBreak,
    KeepInFrame,
    KeepTogether,
    PageTemplate,
)
from reportlab.platypus.doctemplate import LayoutError

from printing.flowables import reprint_stamp
from printing.layout import Sheet

ROLL_WIDTH = 80 * mm
ROLL_MARGIN = 4 * mm
A4_MARGIN = 18 * mm

PageHook = Callable[[Canvas, Any], None]
_MEASURE = Canvas(io.BytesIO())
"""A canvas nothing is drawn on, to measure flowables before the real build."""


@dataclass(frozen=True)
class RenderedDocument:
    """A finished document: the PDF and what the clerk should know about it."""

    pdf: bytes
    warnings: list[str] = field(default_factory=list)
    title: str = ""


def _doc(buffer: io.BytesIO, sheet: Sheet, pagesize: tuple[float, float], **kw: Any) -> Any:
    return BaseDocTemplate(
        buffer,
        pagesize=pagesize,
        initialFontName=sheet.font.name,
        invariant=True,
        creator="daiban",
        producer="daiban",
        **kw,
    )


def _stamp_hook(sheet: Sheet, reprinted_on: date | None, running_head: str = "") -> PageHook:
    def hook(canvas: Canvas, doc: Any) -> None:
        width, height = doc.pagesize
        if reprinted_on is not None:
            reprint_stamp(canvas, sheet.font.name, reprinted_on, width - 8 * mm, height - 6 * mm)
        page = canvas.getPageNumber()
        if running_head and page > 1:
            # A continuation sheet says whose it is: it may be separated from page 1.
            canvas.saveState()
            canvas.setFont(sheet.font.name, 8)
            canvas.drawString(14 * mm, height - 10 * mm, f"{running_head}（第{page}页）")
            canvas.restoreState()

    return hook


def finish(sheet: Sheet, story: list[Flowable]) -> list[Flowable]:
    """Append the unprintable-character note to the story unless the document placed it."""
    return story if sheet.note_placed else [*story, sheet.glyph_note()]


def build_a4(
    sheet: Sheet,
    story: list[Flowable],
    *,
    title: str,
    author: str,
    reprinted_on: date | None = None,
    wide: bool = False,
    margin: float = A4_MARGIN,
    footer: Callable[[Canvas, Any, int], None] | None = None,
) -> RenderedDocument:
    """Lay a flowing story out on A4 (landscape when ``wide``), pages as needed."""
    pagesize = landscape(A4) if wide else A4
    buffer = io.BytesIO()
    doc = _doc(buffer, sheet, pagesize, title=title, author=author)
    frame = Frame(margin, margin, pagesize[0] - 2 * margin, pagesize[1] - 2 * margin, id="body")
    doc.addPageTemplates([PageTemplate("page", [frame], onPage=_stamp_hook(sheet, reprinted_on))])
    story = finish(sheet, story)
    canvasmaker = _numbered_canvas(footer) if footer else Canvas
    doc.build(story, canvasmaker=canvasmaker)
    return RenderedDocument(buffer.getvalue(), sheet.findings(), title)


STUB_FOOT = 10 * mm
"""The receipt's bottom margin: 4 mm less than the others' 14 lets a receipt of seven
materials keep its stub on page 1 (still clear of any office printer's unprintable edge)."""


def build_a4_with_stub(
    sheet: Sheet,
    main: list[Flowable],
    stub: list[Flowable],
    *,
    title: str,
    author: str,
    reprinted_on: date | None = None,
    running_head: str = "",
) -> RenderedDocument:
    """One A4 page: the resident's part on top, the station's stub below a cut line.

    When the resident's part is too long for the space above the stub (many
    materials), it flows over full pages and the stub follows, below it on the
    last page when there is room, rather than shrinking the print until it is
    hard to read.
    """
    width, height = A4
    margin = 14 * mm
    foot = STUB_FOOT
    inner = width - 2 * margin
    # The stub gets just the height it needs (its frame pads only its foot: 6 pt); the
    # resident's part all the rest.
    stub_height = sum(_height(f, inner - 12) for f in stub) + 6 + 2 * mm
    top = Frame(margin, foot + stub_height, inner, height - margin - foot - stub_height, id="main")
    bottom = Frame(margin, foot, inner, stub_height, id="stub", topPadding=0)
    main = finish(sheet, main)
    buffer = io.BytesIO()
    doc = _doc(buffer, sheet, A4, title=title, author=author)
    doc.addPageTemplates(
        [PageTemplate("stubbed", [top, bottom], onPage=_stamp_hook(sheet, reprinted_on))]
    )
    # "error": the resident's part is laid out once, and refused whole if it is too tall.
    story: list[Flowable] = [
        KeepInFrame(inner, top.height - 12, main, mode="error"),
        FrameBreak(),
        *stub,
    ]
    try:
        doc.build(story)
    except LayoutError:
        return _build_long(
            sheet, main, stub, stub_height, title, author, reprinted_on, running_head
        )
    return RenderedDocument(buffer.getvalue(), sheet.findings(), title)


def _build_long(
    sheet: Sheet,
    main: list[Flowable],
    stub: list[Flowable],
    stub_height: float,
    title: str,
    author: str,
    reprinted_on: date | None,
    running_head: str,
) -> RenderedDocument:
    """The resident's part over full pages; the stub below it when there is room, else next."""
    width, height = A4
    margin = 14 * mm
    full = Frame(margin, margin, width - 2 * margin, height - 2 * margin, id="full")
    buffer = io.BytesIO()
    doc = _doc(buffer, sheet, A4, title=title, author=author)
    hook = _stamp_hook(sheet, reprinted_on, running_head)
    doc.addPageTemplates([PageTemplate("full", [full], onPage=hook)])
    doc.build([*main, CondPageBreak(stub_height), KeepTogether(stub)])
    return RenderedDocument(buffer.getvalue(), sheet.findings(), title)


def build_roll(
    sheet: Sheet,
    story: list[Flowable],
    *,
    title: str,
    author: str,
    reprinted_on: date | None = None,
) -> RenderedDocument:
    """One page exactly as long as the content, 80 mm wide, for a thermal printer."""
    story = finish(sheet, story)
    inner = ROLL_WIDTH - 2 * ROLL_MARGIN
    content = sum(_height(f, inner) for f in story)
    stamp_room = 8 * mm if reprinted_on else 0
    height = content + 2 * ROLL_MARGIN + stamp_room + 12 * mm  # tear-off room at the end
    buffer = io.BytesIO()
    doc = _doc(buffer, sheet, (ROLL_WIDTH, height), title=title, author=author)
    frame = Frame(
        ROLL_MARGIN,
        ROLL_MARGIN,
        inner,
        height - 2 * ROLL_MARGIN - stamp_room,
        id="roll",
        leftPadding=0,
        rightPadding=0,
    )
    hook = _stamp_hook(sheet, reprinted_on)
    doc.addPageTemplates([PageTemplate("roll", [frame], onPage=hook)])
    doc.build(story)
    return RenderedDocument(buffer.getvalue(), sheet.findings(), title)


def _height(flowable: Flowable, width: float) -> float:
    _w, h = flowable.wrapOn(_MEASURE, width, 10_000)
    return float(h) + float(flowable.getSpaceBefore()) + float(flowable.getSpaceAfter())


def _numbered_canvas(footer: Callable[[Canvas, Any, int], None]) -> type[Canvas]:
    """A canvas that knows the page count when drawing each page's footer (第x页 共y页)."""

    class NumberedCanvas(Canvas):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._saved: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 - reportlab's name
            self._saved.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._saved)
            for state in self._saved:
                self.__dict__.update(state)
                footer(self, None, total)
                super().showPage()
            super().save()

    return NumberedCanvas
