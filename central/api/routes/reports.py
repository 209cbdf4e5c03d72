"""GET /admin/reports/{kind}: the county's reports as files, for a county administrator only."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Query, Response

from central.api.deps import AdminDep, SessionDep, SettingsDep
from central.api.routing import ReleasingRoute
from central.services.admin_audit import record_action
from central.services.excel import write_report
from central.services.report_period import Period, PeriodError, ReportKind, parse_period
from central.services.reports import ReportRequest, build_report, names_catalog, report_file_name
from forms.clock import china_today

router = APIRouter(prefix="/admin/reports", tags=["reports"], route_class=ReleasingRoute)

MEDIA_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


@router.get("/{kind}")
def report_file(
    kind: ReportKind,
    admin: AdminDep,
    session: SessionDep,
    settings: SettingsDep,
    month: Annotated[str | None, Query(description="YYYY-MM (default: last month).")] = None,
    start: Annotated[str | None, Query(alias="from", description="First day, YYYY-MM-DD.")] = None,
    end: Annotated[str | None, Query(alias="to", description="Last day, YYYY-MM-DD.")] = None,
    file_format: Annotated[str, Query(alias="format", pattern="^(xlsx|csv)$")] = "xlsx",
) -> Response:
    """One report as ``.xlsx`` or CSV, made by the signed-in administrator (audited)."""
    today = china_today()
    try:
        period = parse_period(month, start, end, today)
    except PeriodError as error:
        raise HTTPException(422, str(error)) from error
    request = ReportRequest(period=period, prepared_by=admin.user.display_name, today=today)
    catalog = names_catalog(settings.catalog_path)
    report = build_report(kind, session=session, catalog=catalog, request=request)
    data = write_report(report, file_format)
    detail = {"from": f"{period.start}", "to": f"{period.end}", "format": file_format}
    record_action(session, admin, "report.export", kind.value, detail)
    session.commit()
    headers = _attachment(report.title, kind, period, file_format)
    return Response(data, media_type=MEDIA_TYPES[file_format], headers=headers)


def _attachment(title: str, kind: ReportKind, period: Period, file_format: str) -> dict[str, str]:
    """A download named in ASCII for any browser, and in Chinese (RFC 6266) where understood."""
    ascii_name = report_file_name(kind, period, file_format)
    chinese = f"{title}-{period.start:%Y%m%d}-{period.end:%Y%m%d}.{file_format}"
    return {
        "Content-Disposition": (
            f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(chinese)}"
        )
    }
