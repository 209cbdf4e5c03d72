"""County administration over the API (a county workstation's token): codes, revocation,
accounts, reconciliation and statistics within the county's scope."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel

from central.api.deps import CountyDep, SessionDep, SettingsDep
from central.models import utcnow
from central.services.accounts import AccountError, create_user
from central.services.reconcile import case_statistics, reconcile
from central.services.scope import in_scope
from central.services.stations import (
    EnrollmentError,
    StationNotFoundError,
    enroll_code,
    find_station,
    revoke_station,
)
from sync.events import Role
from sync.protocol import StationRole

router = APIRouter(prefix="/admin", tags=["admin"])


class CodeRequest(BaseModel):
    """Ask for a one-time enrollment code."""

    division: str
    name: str
    role: StationRole


class UserRequest(BaseModel):
    """Create an account."""

    username: str
    display_name: str
    role: Role
    division: str
    password: str
    phone: str = ""
    station_id: str | None = None


def _within(county: CountyDep, division: str) -> None:
    if not in_scope(division, county.division, county.role):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "the division is outside this county")


@router.post("/enrollment-codes")
def issue_code(
    request: CodeRequest, county: CountyDep, session: SessionDep, settings: SettingsDep
) -> dict[str, str]:
    """A one-time enrollment code for a station of this county."""
    _within(county, request.division)
    try:
        code = enroll_code(
            session=session,
            division=request.division,
            name=request.name,
            role=request.role,
            ttl_minutes=settings.enrollment_code_ttl_minutes,
        )
    except EnrollmentError as error:
        raise HTTPException(422, str(error)) from error
    return {"code": code}


@router.post("/stations/{station_id}/revoke")
def revoke(station_id: str, county: CountyDep, session: SessionDep) -> dict[str, Any]:
    """Revoke a station of this county."""
    try:
        station = find_station(session=session, station_id=station_id)
    except StationNotFoundError as error:
        raise HTTPException(404, "no such station") from error
    _within(county, station.division)
    station = revoke_station(session=session, station_id=station_id)
    return {"station": station.id, "revoked_at": station.revoked_at}


@router.post("/users")
def add_user(request: UserRequest, county: CountyDep, session: SessionDep) -> dict[str, str]:
    """Create an account in this county."""
    _within(county, request.division)
    try:
        user = create_user(session=session, **request.model_dump())
    except AccountError as error:
        raise HTTPException(422, str(error)) from error
    return {"user_id": user.id, "username": user.username}


@router.get("/reconcile")
def reconciliation(county: CountyDep, session: SessionDep) -> dict[str, Any]:
    """Reconciliation of this county's stations."""
    entries = [
        entry.as_json()
        for entry in reconcile(session=session)
        if in_scope(entry.division, county.division, county.role)
    ]
    return {"stations": entries}


@router.get("/stats")
def statistics(county: CountyDep, session: SessionDep) -> dict[str, Any]:
    """Cases by state and item, flagged and overdue."""
    prefix = county.division[:6]
    return asdict(case_statistics(session=session, today=utcnow().date(), prefix=prefix))
