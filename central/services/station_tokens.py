"""Station bearer tokens that expire and rotate on their own.

A token lives ``station_token_days``. A hello in the second half of its life gets a
new one back (``HelloResponse.token``); the station saves it before using it. The
replaced token stays valid until its own expiry, so a station that missed the answer
(or a desk still holding the old token) is not locked out: a hello with it gets yet
another new token. Revocation refuses both at once (``central.api.deps``).

A station offline past its token's life (weeks of USB bundles in a village with a poor
line) renews on its own (:func:`renew_expired`): it signs a request naming its expired
token with the signing key it holds since enrollment. Each request carries a nonce,
kept in the renewal's audit row: a replayed request is refused. The expired token stays
the station's previous one (still refused as a bearer), so a station whose answer was
lost on a poor line asks again with a new request. A revoked station is never renewed.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, or_, select
from sqlmodel import Session

from central.models import AdminAction, Station, as_utc, utcnow
from central.services import admin_audit, audit_key
from central.services.sequence import take_one
from central.services.stations import is_revoked, signing_key, token_hash
from sync.protocol import TOKEN_EXPIRED_PREFIX, TokenRenewRequest, renewal_signature

TOKEN_EXPIRED = TOKEN_EXPIRED_PREFIX + "{date}: enroll this station again"
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


_BY_TOKEN = select(Station).where(
    or_(
        Station.token_hash == bindparam("digest"),  # type: ignore[arg-type]
        Station.previous_token_hash == bindparam("digest"),  # type: ignore[arg-type]
    )
)
"""The station by its current or previous token hash, built once: every request of every
station runs it, and building it anew (and its cache key) was a tenth of a pull's CPU."""


def station_for_bearer(*, session: Session, token: str, lifetime: timedelta) -> Station | None:
    """The station whose current or previous token this is, or None for an unknown token.

    Revoked stations are returned too (the caller refuses them).

    Raises:
        TokenExpiredError: the token is known but past its lifetime.
    """
    digest = token_hash(token)
    station = session.scalars(_BY_TOKEN, {"digest": digest}).first()
    if station is None:
        return None
    current = station.token_hash == digest
    issued = as_utc(station.token_issued_at if current else station.previous_token_issued_at)
    if issued is not None and utcnow() >= issued + lifetime:
        raise TokenExpiredError(issued + lifetime)
    return station


def rotation_due(*, station: Station, presented: str, lifetime: timedelta) -> bool:
    """Whether ``rotate_if_due`` would issue a new token (a cheap check, no writing)."""
    if token_hash(presented) != station.token_hash:
        return True
    issued = as_utc(station.token_issued_at)
    return issued is None or utcnow() - issued >= lifetime / 2


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


RENEW_CLOCK_WINDOW = timedelta(hours=24)
"""How far a renewal's ``issued_at`` may be from the centre's clock, either way."""

RENEW_ACTION = "station.token_renew"
"""The administrative audit's name for a station renewing its own expired token."""
ENROLL_AGAIN_ACTION = "station.enroll_again"
"""The administrative audit's name for an enrollment answered again (its answer lost)."""


class RenewRefusedError(Exception):
    """A renewal the centre refuses: the HTTP status and the reason (an English msgid)."""

    def __init__(self, status_code: int, reason: str) -> None:
        super().__init__(reason)
        self.status_code = status_code
        self.reason = reason


UNKNOWN_STATION = "no station with this id is enrolled here"
FORGED = "the renewal's signature does not match: it was not signed by this station"
REVOKED = "this station has been revoked"
CLOCK_OFF = "the renewal was written more than 24 hours from the centre's time: check the clock"
NOT_HELD = "the token named is not this station's token (already renewed?)"
NOT_EXPIRED = "the station's token has not expired: use it"
REPLAYED = "this renewal request was used already"


def renew_expired(
    *, session: Session, request: TokenRenewRequest, secret_key: str, lifetime: timedelta
) -> IssuedToken:
    """A fresh token for a station whose token expired, on its signed request.

    Checked in this order: the station exists, the signature is the station's, it is
    not revoked, ``issued_at`` is within :data:`RENEW_CLOCK_WINDOW`, the token named is
    the station's (current, or previous) and has expired, the nonce was never used. The renewal is recorded in
    the administrative audit with the station as the actor, in the same transaction.

    Returns:
        The new token (committed).

    Raises:
        RenewRefusedError: any check failed (404, 403, 400 or 409 with the reason).
    """
    station = session.get(Station, request.station_id, with_for_update=True)
    if station is None:
        raise RenewRefusedError(404, UNKNOWN_STATION)
    expected = renewal_signature(request, signing_key(secret_key, station.id))
    if not hmac.compare_digest(expected, request.signature):
        raise RenewRefusedError(403, FORGED)
    if is_revoked(station):
        raise RenewRefusedError(403, REVOKED)
    now = utcnow()
    if abs(request.issued_at - now) > RENEW_CLOCK_WINDOW:
        raise RenewRefusedError(400, CLOCK_OFF)
    expired_at = _named_token_expiry(station, request.expired_token_hash, lifetime)
    if expired_at > now:
        raise RenewRefusedError(409, NOT_EXPIRED)
    if request.nonce in _used_nonces(session, station.id):
        raise RenewRefusedError(409, REPLAYED)
    if request.expired_token_hash == station.token_hash:  # kept: the answer may get lost
        station.previous_token_hash = station.token_hash
        station.previous_token_issued_at = station.token_issued_at
    detail = {"expired_at": expired_at.isoformat(), "nonce": request.nonce}
    audit_station_act(session, station, RENEW_ACTION, detail)
    return _replace_current(session, station, lifetime, now)


def _used_nonces(session: Session, station_id: str) -> set[str]:
    """The nonces of the station's earlier renewals (kept in their audit rows)."""
    query = select(AdminAction).where(
        AdminAction.action == RENEW_ACTION,  # type: ignore[arg-type]
        AdminAction.target == station_id,  # type: ignore[arg-type]
    )
    return {str(row.detail.get("nonce")) for row in session.scalars(query)}


def _named_token_expiry(station: Station, digest: str, lifetime: timedelta) -> datetime:
    """When the station's token with hash ``digest`` expires(d).

    Raises:
        RenewRefusedError: 409, the station holds no token with that hash, or the
            token was issued before tokens expired (it never does).
    """
    if digest == station.token_hash:
        issued = as_utc(station.token_issued_at)
    elif digest == station.previous_token_hash:
        issued = as_utc(station.previous_token_issued_at)
    else:
        raise RenewRefusedError(409, NOT_HELD)
    if issued is None:
        raise RenewRefusedError(409, NOT_EXPIRED)
    return issued + lifetime


def audit_station_act(
    session: Session, station: Station, action: str, detail: dict[str, Any]
) -> AdminAction:
    """Append what the station did to its own credential (a renewal, an enrollment answered
    again) to the administrative chain, the station as the actor (no person acts: the
    station did it on its own), like ``admin_audit.record_action``."""
    seq = take_one(session.connection(), admin_audit.ADMIN_COUNTER)
    previous = session.scalars(
        select(AdminAction).where(AdminAction.seq == seq - 1)  # type: ignore[arg-type]
    ).first()
    row = AdminAction(
        seq=seq,
        at=utcnow(),
        actor_id=station.id,
        actor_username=station.name[:64],
        actor_role="station",
        station_id=station.id,
        action=action,
        target=station.id,
        detail=detail,
        prev_hash=previous.hash if previous is not None else admin_audit.GENESIS,
        hash="",
    )
    row.hash = admin_audit.link(audit_key.key_for(session.connection()), row.prev_hash, row)
    session.add(row)
    return row
