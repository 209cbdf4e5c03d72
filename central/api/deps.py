"""Annotated dependencies: the session, the settings, the authenticated station."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session

from central.api.shedding import check_waited
from central.models import Station
from central.services.sessions import Person, person_for_token
from central.services.station_tokens import TokenExpiredError, station_for_bearer
from central.services.stations import is_revoked
from central.settings import CentralSettings

_bearer = HTTPBearer(auto_error=False)


async def get_settings(request: Request) -> CentralSettings:
    """The app's settings (set by ``create_app``).

    The dependencies that do no I/O are ``async``: FastAPI runs a plain ``def``
    dependency in the worker's thread pool, a thread hop (two context switches) per
    dependency per request, which at 9 a.m. was a large share of the centre's CPU.
    """
    settings: CentralSettings = request.app.state.settings
    return settings


async def get_session(request: Request) -> AsyncIterator[Session]:
    """A session per request; services commit, anything left is rolled back.

    Opening a session does no I/O (it takes a connection on its first statement, in
    the request's thread); closing it here on the event loop at most rolls back a
    finished read and returns its connection to the pool.

    Raises:
        HTTPException: 429 when the request waited past the centre's queue budget
            (``central.api.shedding``): no session is opened for it.
    """
    settings: CentralSettings = request.app.state.settings
    check_waited(request, settings.queue_budget_s, settings.shed_retry_after_s)
    with Session(request.app.state.engine, expire_on_commit=False) as session:
        yield session


SettingsDep = Annotated[CentralSettings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_session)]


def _unauthorized(reason: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, reason, headers={"WWW-Authenticate": "Bearer"}
    )


async def get_bearer(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> str:
    """The bearer token the request presents: 401 without one."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise _unauthorized("missing bearer token")
    return credentials.credentials


BearerDep = Annotated[str, Depends(get_bearer)]


def get_station(session: SessionDep, settings: SettingsDep, token: BearerDep) -> Station:
    """The station behind the bearer token: 401 for none, unknown or expired, 403 once revoked."""
    lifetime = timedelta(days=settings.station_token_days)
    try:
        station = station_for_bearer(session=session, token=token, lifetime=lifetime)
    except TokenExpiredError as expired:
        raise _unauthorized(str(expired)) from None
    if station is None:
        raise _unauthorized("unknown station token")
    if is_revoked(station):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "this station has been revoked")
    # End the read so the request's own write transaction starts fresh
    # (on SQLite its first statement must be the write that takes the lock).
    session.commit()
    return station


StationDep = Annotated[Station, Depends(get_station)]


PERSON_HEADER = "X-Daiban-Person"
"""The header that carries a person's session token (``POST /auth/session``)."""


def get_person(
    station: StationDep,
    session: SessionDep,
    person_token: Annotated[str | None, Header(alias=PERSON_HEADER)] = None,
) -> Person:
    """The person signed in at the station: their own session, not the station's token alone.

    401 when the header is missing, or the session is unknown, expired, ended, opened at
    another station, or its account was disabled since.
    """
    person = (
        person_for_token(session=session, station=station, token=person_token)
        if person_token
        else None
    )
    if person is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "sign in as a person first (POST /auth/session)",
            headers={"WWW-Authenticate": "Bearer"},
        )
    session.commit()
    return person


PersonDep = Annotated[Person, Depends(get_person)]


async def get_admin(person: PersonDep) -> Person:
    """A county administrator (县级管理员) signed in at a county workstation."""
    if person.user.role != "admin" or person.station.role != "county":
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            "only a county administrator at a county workstation may do this",
        )
    return person


AdminDep = Annotated[Person, Depends(get_admin)]
