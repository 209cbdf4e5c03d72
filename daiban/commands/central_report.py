"""``daiban central report export``: the county's reports as ``.xlsx`` or CSV files.

Run at the centre (direct database access), as a named county administrator:
the workbook says who made it (制表人), so there is no default person.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from central.i18n import _
from central.services.report_period import PeriodError, ReportKind, parse_period
from daiban.context import JsonFlag, fail, print_json
from daiban.signin import AsUser, password_for, require_user
from forms.clock import china_today

if TYPE_CHECKING:
    from central.services.excel import Report
    from central.services.reports import ReportRequest

FORMAT_BY_SUFFIX = {".xlsx": "xlsx", ".csv": "csv"}


def export(
    kind: Annotated[
        ReportKind,
        typer.Option("--kind", help="monthly | reconcile | ratings | unresolved | disposition."),
    ],
    out: Annotated[Path, typer.Option("--out", help="The file to write (.xlsx or .csv).")],
    month: Annotated[
        str | None, typer.Option("--month", help="YYYY-MM (default: last month).")
    ] = None,
    start: Annotated[str | None, typer.Option("--from", help="First day, YYYY-MM-DD.")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last day, YYYY-MM-DD.")] = None,
    as_user: AsUser = None,
    as_json: JsonFlag = False,
) -> None:
    """Write a report the county sends upward: 月报, 对账表, 好差评 or 办不成事 ledger, 收件去向表."""
    from central.services.excel import write_report
    from central.services.reports import ReportRequest, report_file_name

    file_format = FORMAT_BY_SUFFIX.get(out.suffix.lower())
    if file_format is None:
        fail(_("Write the report to a .xlsx or .csv file."))
    today = china_today()
    try:
        period = parse_period(month, start, end, today)
    except PeriodError as error:
        fail(str(error))
    person = _administrator(require_user(as_user))
    report = _build(kind, ReportRequest(period=period, prepared_by=person, today=today))
    data = write_report(report, file_format)
    _write_whole(out, data)
    if as_json:
        print_json(
            {
                "kind": kind.value,
                "path": str(out),
                "rows": len(report.rows),
                "period": [period.start.isoformat(), period.end.isoformat()],
                "name": report_file_name(kind, period, file_format),
            }
        )
        return
    typer.echo(
        _("{title} ({period}, {rows} rows) written to {path}.").format(
            title=report.title, period=report.period, rows=len(report.rows), path=out
        )
    )


def _administrator(username: str) -> str:
    """The display name of the county administrator ``username``, password checked."""
    from sqlalchemy import select

    from central.bootstrap import open_session
    from central.models import User
    from central.services.accounts import verify_password
    from daiban.commands.central import _settings

    password = password_for(username)
    with open_session(_settings()) as session:
        user = session.scalars(select(User).where(User.username == username)).first()  # type: ignore[arg-type]
    if user is None or not user.active or not verify_password(user.password_hash, password):
        fail(_("Wrong username or password, or the account is disabled."))
    if user.role != "admin":
        fail(_("Only a county administrator makes the county's reports."))
    return user.display_name


def _build(kind: ReportKind, request: ReportRequest) -> Report:
    from central.bootstrap import open_session
    from central.services.reports import build_report, names_catalog
    from daiban.commands.central import _settings

    settings = _settings()
    catalog = names_catalog(settings.catalog_path)
    with open_session(settings) as session:
        return build_report(kind, session=session, catalog=catalog, request=request)


def _write_whole(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all; where it cannot, say where and why."""
    from central.services.export import ReportFileError, write_file

    try:
        write_file(path, data)
    except ReportFileError as error:
        fail(str(error))
