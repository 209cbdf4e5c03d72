"""``daiban case import``: JSON lines in, cases out, with the desk's validation.

A line that fails is reported with its number, its field and a message in the
desk's language; the lines that pass are kept (written in batches, each batch
one transaction). A line goes through exactly the desk's checks and the
centre's payload schema (``CaseService.intake_events``), so a line imported is
a case the centre accepts. A deferred (容缺) material takes its deadline from
the line's ``supply_by`` (checked) or the item's default.

Importing is idempotent where it matters: a line whose applicant already has an open
case of the same item (at this station, or on an earlier line of the file) is not
imported again but reported as skipped (重复申请), so running the same file twice makes
no second set of cases.
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
    skipped: list[LineFailure] = field(default_factory=list)
    """Lines not imported because the applicant already has an open case of the item."""
    case_numbers: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """The shape ``daiban case import --json`` prints."""
        return {
            "imported": self.imported,
            "failed": [{"line": f.line, "field": f.field, "error": f.error} for f in self.failed],
            "skipped": [{"line": f.line, "field": f.field, "error": f.error} for f in self.skipped],
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
        failures = []
        for item in error.errors():
            where = ".".join(str(p) for p in item["loc"]).replace("item_code", "item")
            message = _("{field}: not as an application line has it ({error})").format(
                field=where, error=item["msg"]
            )
            failures.append(LineFailure(number, where, message))
        return failures
    if isinstance(error, json.JSONDecodeError):
        return [LineFailure(number, "", _("Not valid JSON: {error}").format(error=error.msg))]
    message = error.message if isinstance(error, ActionRefused) else str(error)
    return [LineFailure(number, "", message)]


def _repeat(
    service: CaseService, application: Application, number: int, earlier: dict[tuple[str, str], int]
) -> LineFailure | None:
    """Why this line repeats an open case (重复申请), or None (then it is remembered)."""
    id_number = str(application.applicant.get("id_number") or "").strip().upper()
    if not id_number:
        return None
    key = (application.item_code, id_number)
    if key in earlier:
        message = _(
            "Duplicate application: the same applicant and item as line {line}; not imported again."
        ).format(line=earlier[key])
        return LineFailure(number, "applicant.id_number", message)
    cases = service.store.open_cases_of(id_number, application.item_code)
    if cases:
        message = _(
            "Duplicate application: this applicant already has an open case of this item "
            "({cases}); not imported again."
        ).format(cases="、".join(cases))
        return LineFailure(number, "applicant.id_number", message)
    earlier[key] = number
    return None


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
    pending: list[tuple[int, list[NewEvent]]] = []
    earlier: dict[tuple[str, str], int] = {}  # (item, ID number) -> the line that has it
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        try:
            application, receive = parse_line(text)
            events = service.intake_events(application, receive=receive, today=today)
        except (ValueError, ValidationError, ValidationFailed, ActionRefused) as error:
            report.failed.extend(_failures(number, error))
            continue
        repeat = _repeat(service, application, number, earlier)
        if repeat is not None:
            report.skipped.append(repeat)
            continue
        pending.append((number, events))
        if len(pending) >= BATCH_CASES:
            _write(service, pending, report, today)
    _write(service, pending, report, today)
    return report


def _write(
    service: CaseService,
    pending: list[tuple[int, list[NewEvent]]],
    report: ImportReport,
    today: date | None,
) -> None:
    if not pending:
        return
    try:
        views = service.take_in_many([events for _number, events in pending], today)
    except ValidationFailed as refused:  # the centre's rule, judged again at the write
        for number, _events in pending:
            report.failed.extend(_failures(number, refused))
        pending.clear()
        return
    report.imported += len(views)
    report.case_numbers += [view.case_number for view in views]
    pending.clear()
