"""Excel exports of the county's reports (openpyxl)."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

from central.i18n import _
from central.services.reconcile import StationReconciliation
from forms.clock import to_china


def reconciliation_workbook(report: list[StationReconciliation], path: Path) -> Path:
    """Write the reconciliation as one sheet, one row per station.

    Args:
        report: what ``reconcile`` returned.
        path: the ``.xlsx`` file to write.

    Returns:
        The path written.
    """
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("Reconciliation")
    header = [
        _("Station"),
        _("Division"),
        _("Name"),
        _("Cases"),
        _("Events"),
        _("Gaps"),
        _("Duplicates"),
        _("Last seen"),
        _("Revoked"),
    ]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for entry in report:
        sheet.append(
            [
                entry.station,
                entry.division,
                entry.name,
                entry.cases,
                entry.events,
                ",".join(str(g) for g in entry.gaps),
                entry.duplicates,
                to_china(entry.last_seen).replace(tzinfo=None) if entry.last_seen else "",
                _("yes") if entry.revoked else _("no"),
            ]
        )
    for column, width in zip("ABCDEFGHI", (38, 14, 24, 8, 8, 24, 10, 20, 8), strict=True):
        sheet.column_dimensions[column].width = width
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path
