"""Shared layout: styles, escaped text with glyph checks, tables, QR, signature lines.

Every document builds its page through a :class:`Sheet`, which knows the font,
escapes text for reportlab's paragraph markup, and replaces characters the font
cannot draw with □ while recording them, so a rare character in a name never
vanishes silently: it is reported with the document and noted on the page.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib import textsplit as _textsplit
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Paragraph, Table, TableStyle
from reportlab.platypus import paragraph as _paragraph

from printing.flowables import GlyphNote
from printing.fonts import CjkFont
from printing.i18n import _

NO_LINE_START = "，；：！？”’》〉」』】〕）…％"
"""Chinese punctuation that may not begin a line (GB/T 15834 标点符号用法, 避头).

reportlab's CJK line breaking keeps such a mark on the line before, hanging it in the
margin, but only for the marks in its own list (``ALL_CANNOT_START``), which has the
Japanese 、。」 and the ASCII ones and not the full-width ，；：！？”》: our papers had
lines starting with ，and ；. No library breaks Chinese lines better inside reportlab, so
the list is completed here, once, for every paragraph this package lays out."""
for _module in (_paragraph, _textsplit):  # a paragraph of one style, and of several
    _module.ALL_CANNOT_START = "".join(dict.fromkeys(_module.ALL_CANNOT_START + NO_LINE_START))

_split_as_reportlab_does = _textsplit.wordSplit


def _split_pushing_out(
    word: str, widths: list[float], font: str, size: float, encoding: str = "utf8"
) -> list[list[Any]]:
    """reportlab's split of a one-style paragraph, then 推出 where it still leaves a mark at
    a line's start: it hangs one mark in the margin, never two (》；、）。), so the line before
    gives up its last character with the marks (and blanks) after it, and the text from
    there, as written, is split again."""
    marks = _textsplit.ALL_CANNOT_START  # reportlab's own and ours (。、 are its own)
    done: list[list[Any]] = []
    while True:
        room = [*widths[len(done) :]] or [widths[-1]]
        lines: list[list[Any]] = _split_as_reportlab_does(word, room, font, size, encoding)
        found = _first_push_out(word, lines, marks)
        if found is None:
            return done + lines
        index, at, kept = found
        width = room[min(index - 1, len(room) - 1)]
        done += [*lines[: index - 1], [width - stringWidth(kept, font, size), kept]]
        word = word[at:]


def _unbroken(character: str) -> bool:
    """A character of a run kept on one line: an ID number (masked or not), a case number,
    a phone, a date written with figures (12-16). CJK line breaking breaks between any two
    characters, so ``640522********102`` / ``9`` was read as two numbers."""
    return character.isascii() and (character.isalnum() or character in UNBROKEN_MARKS)


UNBROKEN_MARKS = "*-_./:#"


def _first_push_out(word: str, lines: list[list[Any]], marks: str) -> tuple[int, int, str] | None:
    """The first line that can be mended: one that begins with a mark (推出), or in the
    middle of a number (the number moves to it whole): its index, where in ``word`` the
    line before gives up its tail, and what that line keeps. None: none."""
    position = opened = 0  # where the line before began in ``word``
    for index, (_space, text) in enumerate(lines):
        start = word.find(text, position) if text else position
        if start < 0:  # reportlab changed the text (it never does): leave it be
            return None
        before = lines[index - 1][1] if index else ""
        if index and text and text[0] in marks:
            cut = len(before) - 1
            while cut > 0 and (before[cut] in marks or before[cut].isspace()):
                cut -= 1
            if cut > 0:  # a line of marks alone is left as it is
                return index, opened + cut, before[:cut].rstrip()
        if before and text and _unbroken(before[-1]) and _unbroken(text[0]):
            cut = len(before)
            while cut > 0 and _unbroken(before[cut - 1]):
                cut -= 1
            if cut > 0:  # a number longer than the line is broken where it must be
                return index, opened + cut, before[:cut].rstrip()
        opened, position = start, start + len(text)
    return None


_paragraph.wordSplit = _split_pushing_out

PLACEHOLDER = "□"
IDEOGRAPHIC_SPACE = "\u3000"
HARD_SPACE = "\xa0" * 4
"""reportlab collapses U+3000 like any blank; four no-break spaces keep one em."""
DATE_LINE = "　　　　　　年　　月　　日"
INK = colors.black
RULE = colors.Color(0.25, 0.25, 0.25)


class Sheet:
    """The font, styles and findings of one document being laid out."""

    def __init__(self, font: CjkFont, size: float = 10.5, floor: float = 0) -> None:
        """Lay out in ``font`` at ``size`` points; no text smaller than ``floor`` points.

        Args:
            font: the CJK font.
            size: the body size; other styles are scaled from it.
            floor: the smallest type on the page (10 on papers an elderly resident reads).
        """
        self.font = font
        self.size = size
        self.floor = floor
        self.warnings: list[str] = [font.warning] if font.warning else []
        self.unprintable: dict[str, str] = {}
        """Missing character -> the text it was found in (with □ in its place)."""
        self.styles = self._styles(size)
        self.note_placed = False

    def _styles(self, size: float) -> dict[str, ParagraphStyle]:
        def style(name: str, **kw: object) -> ParagraphStyle:
            wanted = float(kw.get("fontSize", size))  # type: ignore[arg-type]
            if wanted < self.floor:
                kw["fontSize"] = self.floor
                kw["leading"] = max(float(kw.get("leading", 0)), self.floor * 1.25)  # type: ignore[arg-type]
            base: dict[str, object] = {
                "fontName": self.font.name,
                "fontSize": size,
                "leading": size * 1.45,
                "wordWrap": "CJK",
                "textColor": INK,
            }
            base.update(kw)
            return ParagraphStyle(name, **base)

        return {
            "lead": style("lead", fontSize=size * 1.3, leading=size * 1.75),
            "title": style("title", fontSize=size * 1.9, leading=size * 2.4, alignment=TA_CENTER),
            "subtitle": style("subtitle", fontSize=size * 1.05, alignment=TA_CENTER),
            "heading": style("heading", fontSize=size * 1.1, spaceBefore=size * 0.5),
            "body": style("body", alignment=TA_LEFT),
            "indent": style("indent", firstLineIndent=size * 2),
            "right": style("right", alignment=TA_RIGHT),
            "center": style("center", alignment=TA_CENTER),
            "small": style("small", fontSize=size * 0.85, leading=size * 1.2),
            "cell": style("cell", fontSize=size * 0.9, leading=size * 1.2),
            "cellc": style("cellc", fontSize=size * 0.9, leading=size * 1.2, alignment=TA_CENTER),
            "note": style("note", fontSize=size * 0.85, leading=size * 1.2),
        }

    def style(self, commands: list[tuple[object, ...]], scale: float = 0.9) -> TableStyle:
        """A table style in this font: reportlab sets every cell's font, Helvetica by default,
        which would put an unembedded font in the PDF even when no cell uses it."""
        size = max(self.size * scale, self.floor)
        font = ("FONT", (0, 0), (-1, -1), self.font.name, size, max(self.size * 1.2, size * 1.2))
        return TableStyle([font, *commands])

    def text(self, value: object) -> str:
        """Escape ``value`` for paragraph markup, replacing unprintable characters with □."""
        raw = "" if value is None else str(value)
        missing = self.font.missing(raw)
        if missing:
            shown = "".join(PLACEHOLDER if ch in missing else ch for ch in raw)
            for ch in missing:
                self.unprintable.setdefault(ch, shown)
            raw = shown
        return escape(raw).replace(IDEOGRAPHIC_SPACE, HARD_SPACE)

    def para(self, value: object, style: str = "body") -> Paragraph:
        """A paragraph of plain text (escaped and glyph-checked)."""
        return Paragraph(self.text(value), self.styles[style])

    def markup(self, markup: str, style: str = "body") -> Paragraph:
        """A paragraph whose markup the caller built from :meth:`text` pieces."""
        return Paragraph(markup, self.styles[style])

    def glyph_note(self) -> Flowable:
        """The visible note about unprintable characters, placed where the document wants it.

        It is laid out lazily, when the page is built, so it also lists characters
        of text added to the story after it; a document that places none gets one
        at the end (see ``pages.finish``).
        """
        self.note_placed = True
        return GlyphNote(self)

    def note_markup(self) -> str:
        """The note's text, empty when every character could be printed."""
        if not self.unprintable:
            return ""
        parts = [
            f"“{escape(shown)}”中的{PLACEHOLDER}（U+{ord(ch):04X}）"
            for ch, shown in self.unprintable.items()
        ]
        return "注：" + "、".join(parts) + "为本机字库缺字，未能打印，请核对证件后手工补写。"

    def findings(self) -> list[str]:
        """What the clerk must be told about this document (font fallback, missing glyphs)."""
        message = _(
            "Character {code} in {text} has no glyph in font {font}: printed as □, "
            "write it in by hand"
        )
        found = [
            message.format(code=f"U+{ord(ch):04X}", text=shown, font=self.font.label)
            for ch, shown in self.unprintable.items()
        ]
        return [*self.warnings, *found]

    def field_table(
        self, rows: Sequence[Sequence[object]], widths: Sequence[float], style: str = "cell"
    ) -> Table:
        """A ruled label/value grid; even columns are labels (shaded lightly).

        Labels are our own short words, drawn as plain strings: a paragraph per
        label would double the time a receipt takes to lay out.
        """
        cells = [
            [self.plain(v) if c % 2 == 0 else self.para(v, style) for c, v in enumerate(row)]
            for row in rows
        ]
        table = Table(cells, colWidths=list(widths))
        commands: list[tuple[object, ...]] = [
            ("GRID", (0, 0), (-1, -1), 0.5, RULE),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ]
        shade = colors.Color(0.94, 0.94, 0.94)
        for r, row in enumerate(rows):
            for col in range(0, len(row), 2):
                if row[col] is not None and any(v is not None for v in row[col + 1 :]):
                    commands.append(("BACKGROUND", (col, r), (col, r), shade))
        _span_short_rows(rows, commands)
        table.setStyle(self.style(commands))
        return table

    def grid(
        self,
        header: Sequence[str],
        rows: Sequence[Sequence[object]],
        widths: Sequence[float],
        centered: Sequence[int] = (),
        repeat: bool = True,
    ) -> Table:
        """A ruled table with a header row (repeated on each page)."""
        head = [self.para(h, "cellc") for h in header]
        body = [[self._grid_cell(i, v, centered) for i, v in enumerate(row)] for row in rows]
        table = Table([head, *body], colWidths=list(widths), repeatRows=1 if repeat else 0)
        table.setStyle(
            self.style(
                [
                    ("GRID", (0, 0), (-1, -1), 0.5, RULE),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.9, 0.9, 0.9)),
                    ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
                    ("LEFTPADDING", (0, 0), (-1, -1), 2),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 2),
                    ("ALIGN", (0, 0), (0, -1), "CENTER"),
                ]
            )
        )
        return table

    def pairs(self, rows: Sequence[tuple[str, object]], widths: Sequence[float]) -> Table:
        """Borderless ``label：value`` lines with the values aligned (for narrow paper)."""
        cells = [[self.plain(f"{label}："), self.para(value, "cell")] for label, value in rows]
        table = Table(cells, colWidths=list(widths))
        padding = [(f"{side}PADDING", (0, 0), (-1, -1), 0) for side in ("LEFT", "RIGHT")]
        table.setStyle(
            self.style(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("TOPPADDING", (0, 0), (-1, -1), 0.5),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
                    *padding,
                ]
            )
        )
        return table

    def _grid_cell(self, column: int, value: object, centered: Sequence[int]) -> object:
        if column == 0 and 0 in centered:
            return self.plain(value)  # the row number: short, never wraps
        return self.para(value, "cellc" if column in centered else "cell")

    def plain(self, value: object) -> str:
        """A short table cell drawn as a plain string (fast); unprintable characters → □."""
        raw = "" if value is None else str(value)
        missing = self.font.missing(raw)
        if missing:
            self.text(raw)  # records the characters for the note
            raw = "".join(PLACEHOLDER if ch in missing else ch for ch in raw)
        return raw

    def unsplit(self, flowables: list[Flowable]) -> Table:
        """Flowables that stay together on one page (a one-cell table cannot split)."""
        table = Table([[flowables]])
        padding: list[tuple[object, ...]] = [
            (f"{side}PADDING", (0, 0), (-1, -1), 0) for side in ("LEFT", "RIGHT", "TOP", "BOTTOM")
        ]
        table.setStyle(self.style(padding))
        return table

    def signatures(self, labels: Sequence[str], width: float, per_row: int = 2) -> Table:
        """Signature lines: ``label：________`` with a date line under each."""
        cells: list[list[Paragraph]] = []
        row: list[Paragraph] = []
        for label in labels:
            line = self.text(f"{label}：________________")
            row.append(self.markup(f"{line}<br/><br/>{self.text(DATE_LINE)}"))
            if len(row) == per_row:
                cells.append(row)
                row = []
        if row:
            cells.append(row + [self.para("")] * (per_row - len(row)))
        table = Table(cells, colWidths=[width / per_row] * per_row)
        table.setStyle(
            self.style(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("TOPPADDING", (0, 0), (-1, -1), 4),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
                ]
            )
        )
        return table


def _span_short_rows(rows: Sequence[Sequence[object]], commands: list[tuple[object, ...]]) -> None:
    """A row whose trailing cells are None spans its last value to the right edge."""
    for r, row in enumerate(rows):
        filled = [i for i, v in enumerate(row) if v is not None]
        last = filled[-1] if filled else 0
        if last < len(row) - 1:
            commands.append(("SPAN", (last, r), (len(row) - 1, r)))
