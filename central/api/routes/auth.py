"""POST/DELETE /auth/session: a person signs in at the centre with their own password."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, status
from pydantic import BaseModel

from central.api.deps import PERSON_HEADER, PersonDep, SessionDep, StationDep
from central.api.routing import ReleasingRoute
from central.services.sessions import SessionRefused, end_session, open_session

router = APIRouter(prefix="/auth", tags=["auth"], route_class=ReleasingRoute)


class SessionRequest(BaseModel):
    """A person's credentials, sent through their station's authenticated channel."""

    username: str
    password: str


class SessionResponse(BaseModel):
    """The person's session: send ``token`` in the ``X-Daiban-Person`` header."""

    token: str
    expires_at: datetime
    user_id: str
    username: str
    display_name: str
    role: str
    division: str


@router.post("/session", response_model=SessionResponse)
def sign_in(request: SessionRequest, station: StationDep, session: SessionDep) -> SessionResponse:
    """Open a session for the person at this station (their own password, argon2-checked)."""
    try:
        token, expires, user = open_session(
            session=session, station=station, username=request.username, password=request.password
        )
    except SessionRefused as error:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, str(error)) from error
    return SessionResponse(
        token=token,
        expires_at=expires,
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        division=user.division,
    )


@router.delete("/session", status_code=status.HTTP_204_NO_CONTENT)
def sign_out(
    person: PersonDep,
    session: SessionDep,
    token: Annotated[str, Header(alias=PERSON_HEADER)],
) -> None:
    """End the person's session (the desk signs out or locks)."""
    del person  # authenticated above: only the session's own holder ends it
    end_session(session=session, token=token)
