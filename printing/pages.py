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
    Flowable,
    Frame,
    FrameBreak,
    KeepInFrame,
    PageTemplate,
)

from printing.flowables import reprint_stamp
from printing.layout import Sheet

ROLL_WIDTH = 80 * mm
ROLL_MARGIN = 4 * mm
A4_MARGIN = 18 * mm

PageHook = Callable[[Canvas, Any], None]


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


def _stamp_hook(sheet: Sheet, reprinted_on: date | None) -> PageHook:
    def hook(canvas: Canvas, doc: Any) -> None:
        if reprinted_on is not None:
            width, height = doc.pagesize
            reprint_stamp(canvas, sheet.font.name, reprinted_on, width - 8 * mm, height - 6 * mm)

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


def build_a4_with_stub(
    sheet: Sheet,
    main: list[Flowable],
    stub: list[Flowable],
    *,
    stub_height: float,
    title: str,
    author: str,
    reprinted_on: date | None = None,
) -> RenderedDocument:
    """One A4 page: the resident's part on top, the station's stub below a cut line.

    The resident's part is shrunk to fit its frame if it is long, so the stub
    always stays on the same sheet, below the cut line.
    """
    width, height = A4
    margin = 14 * mm
    inner = width - 2 * margin
    top = Frame(margin, margin + stub_height, inner, height - 2 * margin - stub_height, id="main")
    bottom = Frame(margin, margin, inner, stub_height, id="stub", topPadding=0)
    buffer = io.BytesIO()
    doc = _doc(buffer, sheet, A4, title=title, author=author)
    hook = _stamp_hook(sheet, reprinted_on)
    doc.addPageTemplates([PageTemplate("stubbed", [top, bottom], onPage=hook)])
    main = finish(sheet, main)
    story: list[Flowable] = [
        KeepInFrame(inner, top.height - 12, main, mode="shrink"),
        FrameBreak(),
        KeepInFrame(inner, stub_height - 12, stub, mode="shrink"),
    ]
    doc.build(story)
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
    _w, h = flowable.wrap(width, 10_000)
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
