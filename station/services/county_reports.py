"""The county's reports, fetched from the centre and kept as files at the county desk.

The centre builds the workbook (``GET /admin/reports/{kind}``, the administrator's own
session); the desk saves it where the person can find it and says where.
"""

from __future__ import annotations

import errno
import logging
import os
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from station.services import _
from station.services.application import ActionRefused
from station.services.desk import Desk
from sync.bundle import write_error
from sync.messages import _ as sync_

log = logging.getLogger(__name__)


class ReportKind(StrEnum):
    """The reports a county sends upward."""

    monthly = "monthly"
    """月报."""
    reconcile = "reconcile"
    """对账表."""
    ratings = "ratings"
    """好差评台账."""
    unresolved = "unresolved"
    """办不成事台账."""
    disposition = "disposition"
    """收件去向表: the month's cases received, and where each stands today."""


def report_title(kind: ReportKind) -> str:
    """The report's name as the county calls it."""
    titles = {
        ReportKind.monthly: _("Monthly report"),
        ReportKind.reconcile: _("Reconciliation"),
        ReportKind.ratings: _("Ratings ledger"),
        ReportKind.unresolved: _("Unresolved-requests ledger"),
        ReportKind.disposition: _("Where the applications stand"),
    }
    return titles[kind]


_MONTH = re.compile(r"^(\d{4})\s*[-/.年]?\s*(\d{1,2})\s*月?$")
"""A month as people write it: 2026-11, 2026-1, 202611, 2026年11月, 2026/11, 2026.11."""
_MONTH_ALONE = re.compile(r"^(\d{1,2})\s*月?$")
"""A month without its year (11, 11月): the latest one that has come."""


def parse_month(text: str, today: date | None = None) -> str:
    """``2026-11`` (or ``2026-1``, ``202611``, ``2026年11月``, full-width digits) as
    ``YYYY-MM``; with ``today``, not a month to come, and a month alone (``11``, ``3月``)
    is the latest of its name that has come.

    Raises:
        ActionRefused: not a month, or one still to come (the message names the field).
    """
    written = unicodedata.normalize("NFKC", text).strip()
    alone = _MONTH_ALONE.match(written)
    if alone is not None and today is not None and 1 <= int(alone.group(1)) <= 12:
        month_alone = int(alone.group(1))  # 11: the last November (this year's, or last)
        year = today.year if month_alone <= today.month else today.year - 1
        written = f"{year}-{month_alone}"
    match = _MONTH.match(written)
    if match is None or not 1 <= int(match.group(2)) <= 12:
        raise ActionRefused(
            _("Month: write it as year-month, e.g. {example}.").format(example="2026-11")
        )
    month = f"{int(match.group(1)):04d}-{int(match.group(2)):02d}"
    if today is not None and month > f"{today.year:04d}-{today.month:02d}":
        # an empty report of a month to come, saved as if it were one (2027-06)
        raise ActionRefused(_("Month: {month} has not come yet.").format(month=month))
    return month


def default_month(today: date) -> str:
    """The month a county reports on: the last full month."""
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    return f"{year:04d}-{month:02d}"


REPORTS_FOLDER = "reports"
"""The name under which the 报表 screen's folder is remembered (``StationStore.save_folder``)."""


def exports_folder(desk: Desk) -> Path:
    """``<data dir>/exports``: where reports go before one was saved elsewhere (no I/O)."""
    return Path(desk.settings.data_dir) / "exports"


def default_folder(desk: Desk) -> Path:
    """Where exports go unless the person says otherwise: the folder the last report was
    saved to (a county's reports go to one folder, typed once), else :func:`exports_folder`.
    Reads the store: call from a worker."""
    remembered = desk.store.save_folder(REPORTS_FOLDER)
    return Path(remembered) if remembered else exports_folder(desk)


@dataclass(frozen=True)
class SavedReport:
    """A report written to disk."""

    path: Path
    size: int


def export_report(
    desk: Desk, kind: ReportKind, month: str, folder: Path, file_format: str = "xlsx"
) -> SavedReport:
    """Fetch one report for ``month`` from the centre and save it in ``folder`` (对账表: as of
    today, named so; it has no month).

    Call from a worker. The file is written whole or not at all (a temporary file,
    then a rename), so a half-downloaded report never looks like a report.

    Raises:
        ActionRefused: a bad month; CentreError: offline or refused.
        OSError: the folder cannot be written.
    """
    today = desk.clock().date()
    if kind is ReportKind.reconcile:  # what the centre holds today, whatever the month
        month, named = default_month(today), _("as of {day}").format(day=f"{today:%Y-%m-%d}")
    else:
        month = named = parse_month(month, today)
    data = desk.centre().download(f"/admin/reports/{kind.value}", month=month, format=file_format)
    target = folder / f"{report_title(kind)}-{named}.{file_format}"
    try:
        if folder.exists() and not folder.is_dir():
            raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(folder))
        folder.mkdir(parents=True, exist_ok=True)
        target = free_name(folder, f"{report_title(kind)}-{named}", file_format)
        partial = target.with_name(target.name + ".part")
        partial.write_bytes(data)
        os.replace(partial, target)
    except OSError as error:  # the folder, not the report: say which and why, in words
        reason = sync_(write_error(target, error).reason)
        raise ActionRefused(
            _("Cannot save the report in {folder}: {reason}.").format(folder=folder, reason=reason)
        ) from None
    try:  # offered next time, as a whole path (a relative one would move with the directory)
        desk.store.remember_save_folder(REPORTS_FOLDER, str(folder.expanduser().resolve()))
    except (OSError, SQLAlchemyError):  # the report is saved: not remembering is no failure
        log.warning("the report folder could not be remembered", exc_info=True)
    return SavedReport(target, len(data))


def free_name(folder: Path, stem: str, suffix: str) -> Path:
    """``stem.suffix`` in ``folder``, numbered ``stem（2）.suffix``, ``（3）``… when taken:
    a report exported again never silently replaces the one saved before."""
    target, number = folder / f"{stem}.{suffix}", 1
    while target.exists():
        number += 1
        target = folder / f"{stem}（{number}）.{suffix}"
    return target
