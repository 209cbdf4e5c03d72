"""``daiban case import``: JSON lines in, cases out, with the desk's validation.

A line that fails is reported with its number and field; the lines that pass
are kept (written in batches, each batch one transaction).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import ValidationError

from station.services import _
from station.services.application import ActionRefused, Application, ValidationFailed
from station.services.cases import CaseService
from station.store import NewEvent

BATCH_CASES = 500
"""Cases written per transaction (a crash loses at most the batch being written)."""


@dataclass(frozen=True)
class LineFailure:
    """Why one line was not imported."""

    line: int
    field: str
    error: str


@dataclass
class ImportReport:
    """What an import did."""

    imported: int = 0
    failed: list[LineFailure] = field(default_factory=list)
    case_numbers: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """The shape ``daiban case import --json`` prints."""
        return {
            "imported": self.imported,
            "failed": [{"line": f.line, "field": f.field, "error": f.error} for f in self.failed],
            "case_numbers": self.case_numbers,
        }


def parse_line(text: str) -> tuple[Application, bool]:
    """One JSON line as an application and whether to take it in (``receive``).

    Raises:
        ValueError: not a JSON object.
        ValidationError: the object does not have the shape of an application.
    """
    data = json.loads(text)
    if not isinstance(data, dict):
        raise ValueError(_("A line must be one JSON object."))
    receive = bool(data.pop("receive", True))
    if "item" in data:
        data["item_code"] = data.pop("item")
    return Application.model_validate(data), receive


def _failures(number: int, error: Exception) -> list[LineFailure]:
    if isinstance(error, ValidationFailed):
        return [LineFailure(number, p.field, p.message) for p in error.problems]
    if isinstance(error, ValidationError):
        return [
            LineFailure(
                number, ".".join(str(p) for p in e["loc"]).replace("item_code", "item"), e["msg"]
            )
            for e in error.errors()
        ]
    if isinstance(error, json.JSONDecodeError):
        return [LineFailure(number, "", _("Not valid JSON: {error}").format(error=error.msg))]
    message = error.message if isinstance(error, ActionRefused) else str(error)
    return [LineFailure(number, "", message)]


def import_lines(
    service: CaseService, lines: Iterable[str], today: date | None = None
) -> ImportReport:
    """Validate every line, then write the good ones in batches.

    Args:
        service: the case service of the importing actor.
        lines: the file's lines (blank ones are skipped).
        today: the intake day (default: today in China).

    Returns:
        Counts, failures by line and the new case numbers in file order.
    """
    report = ImportReport()
    pending: list[list[NewEvent]] = []
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        try:
            application, receive = parse_line(text)
            pending.append(service.intake_events(application, receive=receive, today=today))
        except (ValueError, ValidationError, ValidationFailed, ActionRefused) as error:
            report.failed.extend(_failures(number, error))
            continue
        if len(pending) >= BATCH_CASES:
            _write(service, pending, report, today)
    _write(service, pending, report, today)
    return report


def _write(
    service: CaseService, pending: list[list[NewEvent]], report: ImportReport, today: date | None
) -> None:
    if not pending:
        return
    views = service.take_in_many(pending, today)
    report.imported += len(views)
    report.case_numbers += [view.case_number for view in views]
    pending.clear()
