"""看板 over the API: the county's figures for a period, and the cases behind each one.

Only a county administrator signed in as a person (``AdminDep``) may read them;
the county is the administrator's workstation's, never a parameter.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query

from central.api.deps import AdminDep, SessionDep, SettingsDep
from central.api.routing import ReleasingRoute
from central.services.dashboard import dashboard
from central.services.dashboard_cases import cases_for_key
from central.services.dashboard_data import DashboardKeyError, Period
from forms.clock import china_today

router = APIRouter(prefix="/admin/dashboard", tags=["dashboard"], route_class=ReleasingRoute)


def _period(first: date | None, last: date | None, today: date) -> Period:
    month = Period.month_of(today)
    try:
        return Period(first or month.first, last or (month.last if first is None else today))
    except DashboardKeyError as error:
        raise HTTPException(422, str(error)) from error


@router.get("")
def board(
    admin: AdminDep,
    session: SessionDep,
    settings: SettingsDep,
    first: Annotated[date | None, Query(alias="from")] = None,
    last: Annotated[date | None, Query(alias="to")] = None,
    silent_days: Annotated[int, Query(ge=1, le=60)] = 3,
) -> dict[str, Any]:
    """The county's figures from ``from`` to ``to`` (China days; default: this month)."""
    today = china_today()
    figures = dashboard(
        session=session,
        county=admin.station.division,
        period=_period(first, last, today),
        today=today,
        catalog_path=settings.catalog_path,
        silent_days=silent_days,
    )
    return asdict(figures)


@router.get("/cases")
def drill_down(
    admin: AdminDep, session: SessionDep, settings: SettingsDep, key: str
) -> dict[str, Any]:
    """The cases (or 办不成事 records) a figure counted, by the figure's key."""
    try:
        return cases_for_key(
            session=session,
            county=admin.station.division,
            key=key,
            catalog_path=settings.catalog_path,
        )
    except DashboardKeyError as error:
        raise HTTPException(422, str(error)) from error
