"""Enrollment and trust: one-time codes, station credentials, revocation."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from sqlalchemy import select, update
from sqlmodel import Session

from central.models import EnrollmentCode, Station, as_utc, utcnow
from sync.ids import new_id
from sync.protocol import EnrollRequest, EnrollResponse, StationRole

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
"""No 0/O, 1/I: a code is read aloud over the phone and typed by hand."""
CODE_LENGTH = 8
DEFAULT_CODE_TTL_MINUTES = 4320


class EnrollmentError(ValueError):
    """A code that is unknown, used or expired (reason in English)."""


class StationNotFoundError(LookupError):
    """No station with that id."""


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def normalise_code(code: str) -> str:
    """Upper case, without the spaces and dashes people type."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def token_hash(token: str) -> str:
    """What is stored for a bearer token (sha256 hex)."""
    return _sha256(token)


def signing_key(secret_key: str, station_id: str) -> str:
    """The station's bundle signing key: HMAC(secret_key, station_id), hex.

    Derived, so the centre can verify any station's bundle without storing keys.
    """
    return hmac.new(secret_key.encode(), station_id.encode(), hashlib.sha256).hexdigest()


def enroll_code(
    *,
    session: Session,
    division: str,
    name: str,
    role: StationRole | str,
    ttl: timedelta | int | None = None,
    ttl_minutes: int | None = None,
) -> str:
    """Issue a one-time enrollment code for a station.

    Args:
        session: a session; committed here.
        division: the station's 12-digit division code.
        name: the station's name (e.g. 杨河村便民服务站).
        role: village / township / county.
        ttl: how long the code stays valid (a timedelta, or minutes).
        ttl_minutes: the same in minutes (default three days).

    Returns:
        The code, e.g. ``K7MQ-4XRP`` (only its hash is stored).

    Raises:
        EnrollmentError: a division code that is not 12 digits.
    """
    lifetime = _lifetime(ttl, ttl_minutes)
    role = StationRole(role)
    if not (len(division) == 12 and division.isdigit()):
        raise EnrollmentError(f"division code must be 12 digits, got {division!r}")
    _refuse_second_village(session, division, role.value)
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    now = utcnow()
    session.add(
        EnrollmentCode(
            code_hash=_sha256(raw),
            division=division,
            name=name,
            role=role.value,
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    session.commit()
    return f"{raw[:4]}-{raw[4:]}"


def _refuse_second_village(session: Session, division: str, role: str) -> None:
    """One active village station per division.

    Case numbers are made offline from the division code, the day and the
    station's own counter, so two active stations of one village would number
    their cases alike. A replacement PC is enrolled after the old one is revoked.
    """
    if role != StationRole.village.value:
        return
    active = session.scalars(
        select(Station).where(
            Station.division == division,  # type: ignore[arg-type]
            Station.role == role,  # type: ignore[arg-type]
            Station.revoked_at.is_(None),  # type: ignore[union-attr]
        )
    ).first()
    if active is not None:
        raise EnrollmentError(
            f"village {division} already has an active station ({active.name}, {active.id});"
            " revoke it first (daiban central revoke STATION_ID)"
        )


def _lifetime(ttl: timedelta | int | None, ttl_minutes: int | None) -> timedelta:
    if isinstance(ttl, timedelta):
        return ttl
    minutes = ttl if ttl is not None else ttl_minutes
    return timedelta(minutes=DEFAULT_CODE_TTL_MINUTES if minutes is None else minutes)


def enroll_station(*, session: Session, request: EnrollRequest, secret_key: str) -> EnrollResponse:
    """Exchange a one-time code for a station credential.

    The code is spent by one conditional UPDATE (``used_at IS NULL AND not
    expired``), so two stations racing with the same code cannot both win.

    Raises:
        EnrollmentError: unknown, used or expired code.
    """
    code_hash = _sha256(normalise_code(request.code))
    station_id = str(new_id())
    now = utcnow()
    spent = session.connection().execute(
        update(EnrollmentCode)
        .where(
            EnrollmentCode.code_hash == code_hash,  # type: ignore[arg-type]
            EnrollmentCode.used_at.is_(None),  # type: ignore[union-attr]
            EnrollmentCode.expires_at > now,  # type: ignore[arg-type]
        )
        .values(used_at=now, station_id=station_id)
    )
    if spent.rowcount != 1:
        session.rollback()
        raise EnrollmentError("the enrollment code is unknown, already used or expired")
    code = session.get_one(EnrollmentCode, code_hash)
    try:
        _refuse_second_village(session, code.division, code.role)
    except EnrollmentError:
        session.rollback()  # the code stays unspent: revoke the old station, then enroll
        raise
    token = secrets.token_urlsafe(32)
    session.add(
        Station(
            id=station_id,
            division=code.division,
            name=code.name,
            role=code.role,
            token_hash=token_hash(token),
            enrolled_at=now,
            last_seen=now,
            software_version=request.software_version,
        )
    )
    session.commit()
    return EnrollResponse(
        station_id=station_id,
        token=token,
        signing_key=signing_key(secret_key, station_id),
        division=code.division,
        name=code.name,
        role=StationRole(code.role),
    )


def station_for_token(*, session: Session, token: str) -> Station | None:
    """The station a bearer token belongs to (revoked ones included), or None."""
    query = select(Station).where(Station.token_hash == token_hash(token))  # type: ignore[arg-type]
    return session.scalars(query).first()


def find_station(*, session: Session, station_id: str) -> Station:
    """The station with ``station_id``.

    Raises:
        StationNotFoundError: no such station.
    """
    station = session.get(Station, station_id)
    if station is None:
        raise StationNotFoundError(station_id)
    return station


def revoke_station(*, session: Session, station_id: str) -> Station:
    """Revoke a station: every later request with its token is refused (403).

    Raises:
        StationNotFoundError: no such station.
    """
    station = find_station(session=session, station_id=station_id)
    if station.revoked_at is None:
        station.revoked_at = utcnow()
        session.add(station)
        session.commit()
    return station


TOUCH_EVERY = timedelta(seconds=60)
"""A hello writes ``last_seen`` only when the stored one is older than this (or the
software changed): a no-change sync then takes no write lock and commits nothing."""


def touch_station(*, session: Session, station: Station, software_version: str = "") -> None:
    """Record that the station was seen now (hello); at most once a minute unless it changed."""
    now = utcnow()
    seen = as_utc(station.last_seen)
    changed = bool(software_version) and software_version != station.software_version
    if not changed and seen is not None and timedelta(0) <= now - seen < TOUCH_EVERY:
        return
    values: dict[str, object] = {"last_seen": now}
    if software_version:
        values["software_version"] = software_version
    session.connection().execute(update(Station).where(Station.id == station.id).values(**values))  # type: ignore[arg-type]
    session.commit()


def list_stations(*, session: Session) -> list[Station]:
    """Every enrolled station, by division."""
    return list(session.scalars(select(Station).order_by(Station.division, Station.enrolled_at)))  # type: ignore[arg-type]


def is_revoked(station: Station) -> bool:
    """Whether the station's credential was revoked."""
    return as_utc(station.revoked_at) is not None
