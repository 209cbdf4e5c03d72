"""County administration over the API: codes, revocation, accounts, reconciliation and
statistics within the county's scope.

Every route needs a county administrator signed in as a person (``AdminDep``: the
workstation's token *and* the person's own session); every change is audited with
the person (``admin_action``)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel

from central.api.deps import AdminDep, SessionDep, SettingsDep
from central.models import Station, StationPublic, User, UserCreate, UserPublic
from central.services.accounts import AccountError, create_user
from central.services.admin_audit import record_action
from central.services.reconcile import case_statistics, reconcile
from central.services.scope import in_scope
from central.services.sessions import Person
from central.services.stations import (
    EnrollmentError,
    StationNotFoundError,
    enroll_code,
    find_station,
    list_stations,
    revoke_station,
)
from forms.clock import china_today
from sync.events import Role
from sync.protocol import StationRole

router = APIRouter(prefix="/admin", tags=["admin"])


class CodeRequest(BaseModel):
    """Ask for a one-time enrollment code."""

    division: str
    name: str
    role: StationRole


def _within(admin: Person, division: str) -> None:
    county = admin.station
    if not in_scope(division, county.division, county.role):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "the division is outside this county")


@router.post("/enrollment-codes")
def issue_code(
    request: CodeRequest, admin: AdminDep, session: SessionDep, settings: SettingsDep
) -> dict[str, str]:
    """A one-time enrollment code for a station of this county."""
    _within(admin, request.division)
    record_action(
        session,
        admin,
        "station.code",
        request.division,
        {"name": request.name, "role": request.role},
    )
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


@router.get("/stations", response_model=list[StationPublic])
def stations(admin: AdminDep, session: SessionDep) -> list[Station]:
    """The stations of this county."""
    county = admin.station
    return [
        station
        for station in list_stations(session=session)
        if in_scope(station.division, county.division, county.role)
    ]


@router.post("/stations/{station_id}/revoke", response_model=StationPublic)
def revoke(station_id: str, admin: AdminDep, session: SessionDep) -> Station:
    """Revoke a station of this county."""
    try:
        station = find_station(session=session, station_id=station_id)
    except StationNotFoundError as error:
        raise HTTPException(404, "no such station") from error
    _within(admin, station.division)
    record_action(session, admin, "station.revoke", station_id, {"name": station.name})
    return revoke_station(session=session, station_id=station_id)


@router.post("/users", response_model=UserPublic)
def add_user(request: UserCreate, admin: AdminDep, session: SessionDep) -> User:
    """Create an account in this county."""
    _within(admin, request.division)
    if request.role not in {role.value for role in Role}:
        raise HTTPException(422, "role must be agent, reviewer or admin")
    record_action(
        session,
        admin,
        "account.create",
        request.username,
        {"role": request.role, "division": request.division},
    )
    try:
        return create_user(
            session=session,
            username=request.username,
            display_name=request.display_name,
            role=request.role,
            division=request.division,
            password=request.password,
            phone=request.phone,
            station_id=request.station_id,
        )
    except AccountError as error:
        raise HTTPException(422, str(error)) from error


@router.get("/reconcile")
def reconciliation(admin: AdminDep, session: SessionDep) -> dict[str, Any]:
    """Reconciliation of this county's stations, both sides, and duplicates across stations."""
    from central.services.reconcile import duplicate_applications, reconciliation_json

    county = admin.station
    entries = [
        entry
        for entry in reconcile(session=session)
        if in_scope(entry.division, county.division, county.role)
    ]
    prefix = county.division[:6]
    return reconciliation_json(entries, duplicate_applications(session=session, prefix=prefix))


@router.get("/stats")
def statistics(admin: AdminDep, session: SessionDep) -> dict[str, Any]:
    """Cases by state and item, flagged and overdue."""
    prefix = admin.station.division[:6]
    return asdict(case_statistics(session=session, today=china_today(), prefix=prefix))
