"""County administration over the API: codes, stations, accounts, reconciliation and
statistics within the county's scope.

Every route needs a county administrator signed in as a person (``AdminDep``: the
workstation's token *and* the person's own session); every change is audited with
the person (``admin_action``), in the change's own transaction.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel
from sqlmodel import Session

from central.api.deps import AdminDep, SessionDep, SettingsDep
from central.api.routing import ReleasingRoute
from central.i18n import _
from central.models import EnrollmentCode, Station, StationPublic, User, UserCreate, UserPublic
from central.services.accounts import (
    AccountError,
    check_placement,
    check_role_level,
    create_user,
    find_user,
    list_users,
    update_user,
)
from central.services.admin_audit import record_action
from central.services.reconcile import case_statistics, reconcile
from central.services.scope import in_scope
from central.services.sessions import Person
from central.services.stations import (
    EnrollmentError,
    StationNotFoundError,
    cancel_code,
    code_details,
    county_divisions,
    find_code,
    find_station,
    issue_code,
    list_stations,
    outstanding_codes,
    revoke_station,
    unsent_warning,
)
from forms.clock import china_today
from sync.events import Role
from sync.protocol import StationRole

router = APIRouter(prefix="/admin", tags=["admin"], route_class=ReleasingRoute)


class CodeRequest(BaseModel):
    """Ask for a one-time enrollment code."""

    division: str
    name: str
    role: StationRole


class CodePublic(BaseModel):
    """An enrollment code as the desk shows it (the code itself only when just issued)."""

    ref: str
    division: str
    division_name: str = ""
    name: str
    role: str
    expires_at: datetime
    issued_by: str = ""
    code: str = ""
    replaced: list[str] = []
    """Just issued: the references of the village's earlier codes it made void."""


class RevokeRequest(BaseModel):
    """Revoke even though the station last reported unsent events."""

    force: bool = False


class PasswordRequest(BaseModel):
    """A new password for an account."""

    password: str


class DivisionPublic(BaseModel):
    """One entry of the county's division table."""

    code: str
    level: str
    name: str
    office: str = ""


def _within(admin: Person, division: str) -> None:
    county = admin.station
    if not in_scope(division, county.division, county.role):
        raise HTTPException(status.HTTP_403_FORBIDDEN, _("the division is outside this county"))


def _names(session: Session, settings: Any) -> dict[str, str]:
    table = county_divisions(session=session, catalog_path=settings.catalog_path)
    return {code: entry.name for code, entry in table.items()}


@router.get("/divisions", response_model=list[DivisionPublic])
def divisions(admin: AdminDep, session: SessionDep, settings: SettingsDep) -> list[DivisionPublic]:
    """The county's division table (for picking a division by name)."""
    table = county_divisions(session=session, catalog_path=settings.catalog_path)
    return [
        DivisionPublic(code=e.code, level=e.level, name=e.name, office=e.office)
        for e in table.values()
        if in_scope(e.code, admin.station.division, admin.station.role)
    ]


@router.post("/enrollment-codes", response_model=CodePublic)
def issue_enrollment_code(
    request: CodeRequest, admin: AdminDep, session: SessionDep, settings: SettingsDep
) -> CodePublic:
    """A one-time enrollment code for a station of a division in the county's table."""
    _within(admin, request.division)
    table = county_divisions(session=session, catalog_path=settings.catalog_path)
    try:
        issued = issue_code(
            session=session,
            division=request.division,
            name=request.name,
            role=request.role,
            ttl_minutes=settings.enrollment_code_ttl_minutes,
            divisions=table,
            issued_by=admin.username,
            before_commit=lambda row, replaced: record_action(
                session,
                admin,
                "station.code",
                request.division,
                code_details(request.name, request.role.value, row.ref, replaced),
            ),
        )
    except EnrollmentError as error:
        raise HTTPException(422, str(error)) from error
    entry = table.get(issued.division)
    return CodePublic(
        **asdict(issued), division_name=entry.name if entry else "", issued_by=admin.username
    )


def _code_public(code: EnrollmentCode, names: dict[str, str]) -> CodePublic:
    return CodePublic(
        ref=code.ref or "",
        division=code.division,
        division_name=names.get(code.division, ""),
        name=code.name,
        role=code.role,
        expires_at=code.expires_at,
        issued_by=code.issued_by,
    )


@router.get("/enrollment-codes", response_model=list[CodePublic])
def list_codes(admin: AdminDep, session: SessionDep, settings: SettingsDep) -> list[CodePublic]:
    """Codes issued for this county and not yet used, cancelled or expired."""
    names = _names(session, settings)
    county = admin.station
    return [
        _code_public(code, names)
        for code in outstanding_codes(session=session)
        if code.ref and in_scope(code.division, county.division, county.role)
    ]


@router.post("/enrollment-codes/{ref}/cancel", response_model=CodePublic)
def cancel_enrollment_code(
    ref: str, admin: AdminDep, session: SessionDep, settings: SettingsDep
) -> CodePublic:
    """Cancel an outstanding code: it can no longer enroll a station."""
    try:
        code = find_code(session=session, ref=ref)
    except EnrollmentError as error:
        raise HTTPException(404, str(error)) from error
    _within(admin, code.division)
    record_action(
        session, admin, "station.code.cancel", code.division, {"name": code.name, "ref": code.ref}
    )
    return _code_public(cancel_code(session=session, ref=ref), _names(session, settings))


@router.get("/stations", response_model=list[StationPublic])
def stations(admin: AdminDep, session: SessionDep) -> list[Station]:
    """The stations of this county (revoked ones too: a village's old PCs stay listed)."""
    county = admin.station
    return [
        station
        for station in list_stations(session=session)
        if in_scope(station.division, county.division, county.role)
    ]


@router.post("/stations/{station_id}/revoke", response_model=StationPublic)
def revoke(
    station_id: str,
    admin: AdminDep,
    session: SessionDep,
    request: RevokeRequest | None = None,
) -> Station:
    """Revoke a station of this county; refused (409) while it last reported unsent events,
    unless ``force``."""
    try:
        station = find_station(session=session, station_id=station_id)
    except StationNotFoundError as error:
        raise HTTPException(404, _("no such station")) from error
    _within(admin, station.division)
    if station.id == admin.station.id:  # the desk would lock itself out, mid-sentence
        message = _(
            "this is the station you are working at: it cannot revoke itself "
            "(revoke it from another county desk, or with daiban central revoke)"
        )
        raise HTTPException(status.HTTP_409_CONFLICT, message)
    warning = unsent_warning(station)
    if warning and not (request and request.force):
        raise HTTPException(status.HTTP_409_CONFLICT, warning)
    detail = {"name": station.name, "division": station.division, "unsent": station.outbox_depth}
    record_action(session, admin, "station.revoke", station_id, detail)
    return revoke_station(session=session, station_id=station_id)


@router.post("/stations/{station_id}/unrevoke", response_model=StationPublic)
def unrevoke(station_id: str, admin: AdminDep, session: SessionDep) -> Station:
    """Undo a revocation of this county's station within 7 days (as ``daiban central
    unrevoke``); 409 when it cannot be undone (not revoked, too long ago, replaced)."""
    from central.services.revocation import RevocationError, unrevoke_station

    try:
        station = find_station(session=session, station_id=station_id)
    except StationNotFoundError as error:
        raise HTTPException(404, _("no such station")) from error
    _within(admin, station.division)
    detail = {"name": station.name, "division": station.division}
    record_action(session, admin, "station.unrevoke", station_id, detail)
    try:
        return unrevoke_station(session=session, station_id=station_id)
    except RevocationError as error:
        session.rollback()  # the act is not recorded: nothing was done
        raise HTTPException(status.HTTP_409_CONFLICT, str(error)) from error


@router.get("/users", response_model=list[UserPublic])
def users(admin: AdminDep, session: SessionDep) -> list[User]:
    """The accounts of this county (ID numbers masked)."""
    county = admin.station
    return [
        user
        for user in list_users(session=session)
        if in_scope(user.division, county.division, county.role)
    ]


@router.post("/users", response_model=UserPublic)
def add_user(
    request: UserCreate, admin: AdminDep, session: SessionDep, settings: SettingsDep
) -> User:
    """Create an account in this county: one per person, a role that fits the division."""
    _within(admin, request.division)
    if request.role not in {role.value for role in Role}:
        raise HTTPException(422, _("role must be agent, reviewer or admin"))
    if not request.id_number.strip():
        raise HTTPException(422, _("the person's resident ID number is required"))
    try:
        check_role_level(request.role, request.division)
        check_placement(
            session=session,
            catalog_path=settings.catalog_path,
            division=request.division,
            station_id=request.station_id,
        )
        record_action(
            session,
            admin,
            "account.create",
            request.username,
            {"role": request.role, "division": request.division},
        )
        return create_user(
            session=session,
            username=request.username,
            display_name=request.display_name,
            role=request.role,
            division=request.division,
            password=request.password,
            phone=request.phone,
            station_id=request.station_id,
            id_number=request.id_number,
            secret_key=settings.secret_key,
        )
    except AccountError as error:
        session.rollback()
        raise HTTPException(422, str(error)) from error


def _change(admin: Person, session: Any, username: str, action: str, **changes: Any) -> User:
    try:
        user = find_user(session=session, username=username)
    except AccountError as error:
        raise HTTPException(404, str(error)) from error
    _within(admin, user.division)
    try:
        return update_user(
            session=session,
            username=username,
            audit=lambda changed: record_action(
                session, admin, action, changed.username, {"division": changed.division}
            ),
            **changes,
        )
    except AccountError as error:
        raise HTTPException(422, str(error)) from error


@router.post("/users/{username}/disable", response_model=UserPublic)
def disable_user(username: str, admin: AdminDep, session: SessionDep) -> User:
    """Disable an account (also at the stations, with their next sync)."""
    if username == admin.username:
        raise HTTPException(422, _("you cannot disable your own account"))
    return _change(admin, session, username, "account.disable", active=False)


@router.post("/users/{username}/enable", response_model=UserPublic)
def enable_user(username: str, admin: AdminDep, session: SessionDep) -> User:
    """Enable a disabled account again."""
    return _change(admin, session, username, "account.enable", active=True)


@router.post("/users/{username}/password", response_model=UserPublic)
def reset_password(
    username: str, request: PasswordRequest, admin: AdminDep, session: SessionDep
) -> User:
    """Set a new password for an account (reaches its stations with their next sync)."""
    return _change(admin, session, username, "account.password", password=request.password)


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
