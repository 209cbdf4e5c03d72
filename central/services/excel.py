"""The county's report files: a well-formed ``.xlsx`` (openpyxl) and the same as CSV.

Every report sent upward looks the same: a title, the county and the period, the
day it was made (China) and who made it (制表日期 / 制表人), a bold header row
that stays in view (frozen) with filters, column widths that fit Chinese text,
China time for every timestamp, and a 合计 row. The CSV carries the header, the
rows and the 合计 row, UTF-8 with a BOM so Chinese Excel opens it as Chinese.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from central.i18n import _
from forms.clock import to_china

Total = Literal["sum", "count"]
"""How a column adds up in the 合计 row: its numbers summed, or its filled cells counted."""

HEADER_ROW = 4
"""Rows 1-3 say what the report is; the header is the 4th, the data start below it."""
MIN_WIDTH, MAX_WIDTH = 6, 60
MINUTE_FORMAT, DAY_FORMAT = "yyyy-mm-dd hh:mm", "yyyy-mm-dd"
DATE_ROOM = 4
"""Room beyond a date or time's digits: Excel shows ##### for one that does not fit, and on
a Chinese Windows the digits are wider than the workbook's Calibri counts them."""
_THIN = Side(style="thin", color="999999")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


@dataclass(frozen=True)
class Column:
    """One column of a report: its (translated) header and how it adds up."""

    header: str
    total: Total | None = None
    """``sum``, ``count`` or None (nothing in the 合计 row)."""


@dataclass
class Report:
    """A report as rows, ready to be written as ``.xlsx`` or CSV."""

    title: str
    """The title line, e.g. 海原县帮代办月报."""
    sheet: str
    """The worksheet's name (Excel allows 31 characters)."""
    county: str
    """The county's name (海原县)."""
    period: str
    """The period in words, e.g. ``2026-11-01 至 2026-11-30``."""
    prepared_on: date
    """制表日期: the day in China it was made."""
    prepared_by: str
    """制表人: the person's name."""
    columns: list[Column]
    rows: list[list[Any]] = field(default_factory=list)
    """Cells: text, numbers, dates, or aware datetimes (written in China time)."""

    def totals(self) -> list[Any]:
        """The 合计 row: 合计 in the first column, each column's total where it has one."""
        out: list[Any] = [_("Total")]
        for index, column in enumerate(self.columns[1:], start=1):
            values = [row[index] for row in self.rows]
            if column.total == "sum":
                out.append(sum(v for v in values if isinstance(v, int | float)))
            elif column.total == "count":
                out.append(sum(1 for v in values if v not in (None, "")))
            else:
                out.append("")
        return out


def _cell_value(value: Any) -> Any:
    """What the workbook holds: datetimes in China time (Excel has no zones), others as is."""
    if isinstance(value, datetime):
        return to_china(value).replace(tzinfo=None, second=0, microsecond=0)
    return value


def _text(value: Any) -> str:
    """The value as a person reads it (also the CSV's text)."""
    if isinstance(value, datetime):
        return f"{to_china(value):%Y-%m-%d %H:%M}"
    if isinstance(value, date):
        return f"{value:%Y-%m-%d}"
    return "" if value is None else str(value)


def display_width(text: str) -> int:
    """Columns ``text`` takes on screen: Chinese (wide) characters count two."""
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


def write_xlsx(report: Report) -> bytes:
    """The report as an ``.xlsx`` workbook.

    Args:
        report: what to write.

    Returns:
        The file's bytes.
    """
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = report.sheet[:31]
    _write_heading(sheet, report)
    sheet.append([c.header for c in report.columns])
    for row in report.rows:
        sheet.append([_cell_value(v) for v in row])
    sheet.append(report.totals())
    _style(sheet, report)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _write_heading(sheet: Worksheet, report: Report) -> None:
    last = get_column_letter(max(len(report.columns), 1))
    lines = (
        report.title,
        _("County: {county}    Period: {period}").format(
            county=report.county, period=report.period
        ),
        _("Prepared on: {day}    Prepared by: {person}").format(
            day=f"{report.prepared_on:%Y-%m-%d}", person=report.prepared_by
        ),
    )
    for number, text in enumerate(lines, start=1):
        sheet.cell(row=number, column=1, value=text)
        sheet.merge_cells(f"A{number}:{last}{number}")
    sheet["A1"].font = Font(bold=True, size=16)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.row_dimensions[1].height = 28


def _style(sheet: Worksheet, report: Report) -> None:
    width = len(report.columns)
    last_data = HEADER_ROW + len(report.rows)
    totals_row = last_data + 1
    for cell in sheet[HEADER_ROW]:
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for cell in sheet[totals_row]:
        cell.font = Font(bold=True)
    for row in sheet.iter_rows(min_row=HEADER_ROW, max_row=totals_row, max_col=width):
        for cell in row:
            cell.border = _BOX
            if isinstance(cell.value, datetime):
                cell.number_format = MINUTE_FORMAT
            elif isinstance(cell.value, date):
                cell.number_format = DAY_FORMAT
    sheet.freeze_panes = sheet.cell(row=HEADER_ROW + 1, column=1)
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(width)}{last_data}"
    _fit_widths(sheet, report)
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def _fit_widths(sheet: Worksheet, report: Report) -> None:
    """Each column as wide as its widest cell (Chinese counted double), within limits."""
    for index, column in enumerate(report.columns):
        cells = [
            display_width(column.header) + 2,
            *(_cell_width(row[index]) for row in report.rows),
        ]
        letter = get_column_letter(index + 1)
        sheet.column_dimensions[letter].width = min(max(*cells, MIN_WIDTH), MAX_WIDTH)


def _cell_width(value: Any) -> int:
    """The width a cell needs: its text, and for a date or time the room Excel needs to
    show it rather than #####."""
    room = DATE_ROOM if isinstance(value, date) else 2  # a datetime is a date too
    return display_width(_text(value)) + room


def write_csv(report: Report) -> bytes:
    """The report as CSV: header, rows and 合计, UTF-8 with a BOM, China time.

    Args:
        report: what to write.

    Returns:
        The file's bytes (starting with the UTF-8 BOM).
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([c.header for c in report.columns])
    for row in (*report.rows, report.totals()):
        writer.writerow([_text(v) for v in row])
    return buffer.getvalue().encode("utf-8-sig")


def write_report(report: Report, file_format: str) -> bytes:
    """The report as ``xlsx`` or ``csv`` bytes.

    Raises:
        ValueError: another format.
    """
    if file_format == "xlsx":
        return write_xlsx(report)
    if file_format == "csv":
        return write_csv(report)
    raise ValueError(f"unknown report format {file_format!r}")


FORMATS: Sequence[str] = ("xlsx", "csv")
"""The formats a report is written in."""
