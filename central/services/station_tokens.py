"""Station bearer tokens that expire and rotate on their own.

A token lives ``station_token_days``. A hello in the second half of its life gets a
new one back (``HelloResponse.token``); the station saves it before using it. The
replaced token stays valid until its own expiry, so a station that missed the answer
(or a desk still holding the old token) is not locked out: a hello with it gets yet
another new token. Revocation refuses both at once (``central.api.deps``).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlmodel import Session

from central.models import Station, as_utc, utcnow
from central.services.stations import token_hash

TOKEN_EXPIRED = "the station's token expired on {date}: enroll this station again"
"""The 401 reason for an expired token (an English msgid; the station translates it)."""


class TokenExpiredError(Exception):
    """The presented token is past its lifetime."""

    def __init__(self, expired_at: datetime) -> None:
        super().__init__(TOKEN_EXPIRED.format(date=expired_at.date().isoformat()))
        self.expired_at = expired_at


@dataclass(frozen=True)
class IssuedToken:
    """A fresh bearer token (only its hash is stored) and when it expires."""

    token: str
    expires_at: datetime


def new_token(lifetime: timedelta, now: datetime | None = None) -> tuple[IssuedToken, str]:
    """A new random token and the hash to store for it."""
    token = secrets.token_urlsafe(32)
    issued = IssuedToken(token, (now or utcnow()) + lifetime)
    return issued, token_hash(token)


def station_for_bearer(*, session: Session, token: str, lifetime: timedelta) -> Station | None:
    """The station whose current or previous token this is, or None for an unknown token.

    Revoked stations are returned too (the caller refuses them).

    Raises:
        TokenExpiredError: the token is known but past its lifetime.
    """
    digest = token_hash(token)
    query = select(Station).where(
        or_(Station.token_hash == digest, Station.previous_token_hash == digest)  # type: ignore[arg-type]
    )
    station = session.scalars(query).first()
    if station is None:
        return None
    current = station.token_hash == digest
    issued = as_utc(station.token_issued_at if current else station.previous_token_issued_at)
    if issued is not None and utcnow() >= issued + lifetime:
        raise TokenExpiredError(issued + lifetime)
    return station


def rotate_if_due(
    *, session: Session, station: Station, presented: str, lifetime: timedelta
) -> IssuedToken | None:
    """A new token for the station when the one it presented is past half its life.

    A station presenting its previous token never received the current one: it gets
    a new current token and the previous one stays as it was.

    Returns:
        The new token (already committed), or None when none is due.
    """
    now = utcnow()
    if token_hash(presented) != station.token_hash:
        return _replace_current(session, station, lifetime, now)
    issued = as_utc(station.token_issued_at)
    if issued is not None and now - issued < lifetime / 2:
        return None
    station.previous_token_hash = station.token_hash
    station.previous_token_issued_at = issued or now - lifetime / 2
    return _replace_current(session, station, lifetime, now)


def _replace_current(
    session: Session, station: Station, lifetime: timedelta, now: datetime
) -> IssuedToken:
    issued, digest = new_token(lifetime, now)
    station.token_hash = digest
    station.token_issued_at = now
    session.add(station)
    session.commit()
    return issued
