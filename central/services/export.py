"""Writing the county's report files to disk, whole or not at all, and saying why not.

``daiban central report export`` and ``report reconcile --xlsx`` write here; both give
the same formatted workbook (``central.services.reports``, ``central.services.excel``).
"""

from __future__ import annotations

import contextlib
import errno
import os
from pathlib import Path

from central.i18n import _
from central.services.excel import write_xlsx
from central.services.reconcile import DuplicateApplication, StationReconciliation
from central.services.report_period import Period
from central.services.reports import Names, ReportRequest, names_catalog, reconciliation_ledger
from forms.catalog.model import Catalog
from forms.clock import china_today


class ReportFileError(Exception):
    """A report file could not be written; the message names the path and why, in the
    person's language."""


def write_reason(path: Path, error: OSError) -> str:
    """Why ``path`` could not be written, as a person reads it.

    Args:
        path: the file asked for.
        error: what the operating system said.

    Returns:
        The reason (没有写入权限, 这是一个文件夹, 上级路径不是文件夹…).
    """
    if path.is_dir() or error.errno == errno.EISDIR:
        return _("it is a folder")
    if error.errno in (errno.ENOTDIR, errno.EEXIST):  # EEXIST: mkdir where a file is
        return _("a part of the path above it is a file, not a folder")
    if error.errno in (errno.EACCES, errno.EPERM):
        return _("there is no permission to write there")
    if error.errno == errno.EROFS:
        return _("the disk is read-only")
    if error.errno == errno.ENOSPC:
        return _("the disk is full")
    if error.errno == errno.ENOENT and not path.parent.is_dir():
        return _("the folder does not exist and cannot be made")
    if error.errno == errno.ENOENT:  # e.g. /proc/sys: a folder that holds no files
        return _("files cannot be kept in that folder")
    return error.strerror or type(error).__name__


def write_file(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all (a temporary file, then a rename).

    Raises:
        ReportFileError: it could not be written (the message says where and why).
    """
    partial = path.with_name(path.name + ".part")
    try:
        if path.is_dir():
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
        path.parent.mkdir(parents=True, exist_ok=True)
        partial.write_bytes(data)
        os.replace(partial, path)
    except OSError as error:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        message = _("Cannot write {path}: {reason}.").format(
            path=path, reason=write_reason(path, error)
        )
        raise ReportFileError(message) from error


def reconciliation_workbook(
    report: list[StationReconciliation],
    path: Path,
    *,
    duplicates: list[DuplicateApplication] | None = None,
    catalog: Catalog | None = None,
    prepared_by: str = "",
) -> Path:
    """Write the 对账表 as ``report export --kind reconcile`` writes it (title, frozen
    header, names not ids, China time to the minute, 合计).

    Args:
        report: what ``reconcile`` returned.
        path: the ``.xlsx`` file to write.
        duplicates: what ``duplicate_applications`` returned (None: none listed).
        catalog: the county's catalog, which names the places (None: the shipped one).
        prepared_by: 制表人.

    Returns:
        The path written.

    Raises:
        ReportFileError: it could not be written.
    """
    today = china_today()
    names = Names(catalog or names_catalog(None), {e.station: e.name for e in report})
    request = ReportRequest(period=Period(today, today), prepared_by=prepared_by, today=today)
    ledger = reconciliation_ledger(report, duplicates or [], names, request)
    write_file(path, write_xlsx(ledger))
    return path
