"""Person sessions: a person's own credential at the centre (一人一账号, at the centre too).

A station's token says which PC is asking; it never says who sits at it. A
person who acts at the centre (a county administrator publishing the catalog,
a township reviewer recording a 回访) first opens a session with their own
username and password, through their station, and every act names them.
Sessions are bound to the station that opened them and end after a working day.
"""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NoReturn

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from central.i18n import _
from central.models import LoginFailure, PersonSession, Station, User, as_utc, utcnow
from central.services.accounts import verify_password
from central.services.scope import in_scope
from central.services.stations import token_hash

SESSION_HOURS = 10
"""A session lasts a working day; the desk signs in again after that."""
MAX_FAILURES = 5
"""Wrong passwords for one username within ``FAILURE_WINDOW`` that lock it."""
FAILURE_WINDOW = timedelta(minutes=15)
LOCK_TIME = timedelta(minutes=15)
"""How long a username stays locked (kept in the database: a restart does not lift it)."""


class SessionRefused(PermissionError):
    """Wrong username or password, a disabled account, or one that does not work here."""


@dataclass(frozen=True)
class Person:
    """Who is acting, at which station: what every administrative act records."""

    user: User
    station: Station

    @property
    def username(self) -> str:
        """The person's login name."""
        return self.user.username


def open_session(
    *, session: Session, station: Station, username: str, password: str
) -> tuple[str, datetime, User]:
    """Check the person's password and open a session bound to ``station``.

    Args:
        session: a session; committed here.
        station: the (authenticated, not revoked) station the person sits at.
        username: the person's login.
        password: the person's password (checked against the argon2 hash).

    Returns:
        The session token (shown once, never stored), when it expires, the account.

    Raises:
        SessionRefused: unknown username, wrong password, a locked username (5 wrong
            passwords in 15 minutes lock it for 15, across restarts), a disabled
            account, or an account whose division is outside the station's scope.
    """
    user = checked_password(session=session, username=username, password=password)
    if not user.active:
        raise SessionRefused("this account is disabled")
    if not in_scope(user.division, station.division, station.role) and not in_scope(
        station.division, user.division, _role_scope(user.role)
    ):
        raise SessionRefused("this account does not work at this station")
    token = secrets.token_urlsafe(32)
    now = utcnow()
    expires = now + timedelta(hours=SESSION_HOURS)
    session.add(
        PersonSession(
            token_hash=token_hash(token),
            user_id=user.id,
            station_id=station.id,
            created_at=now,
            expires_at=expires,
        )
    )
    session.commit()
    return token, expires, user


def checked_password(*, session: Session, username: str, password: str) -> User:
    """The account whose password this is, under the sign-in lockout (not committed on success).

    Used by every sign-in at the centre: a desk's person session and the server's own
    ``--as`` on administrative commands, so guessing at the server's shell is locked the
    same way (5 wrong passwords in 15 minutes lock the username for 15, across restarts).

    Raises:
        SessionRefused: unknown username, wrong password, or a locked username.
    """
    name = username.strip()[:64]
    _refuse_if_locked(session, name)
    user = session.scalars(select(User).where(User.username == name)).first()  # type: ignore[arg-type]
    if user is None or not verify_password(user.password_hash, password):
        _count_failure(session, name)
    session.execute(delete(LoginFailure).where(LoginFailure.username == name))  # type: ignore[arg-type]
    return user


def _refuse_if_locked(session: Session, username: str) -> None:
    row = session.get(LoginFailure, username)
    until = as_utc(row.locked_until) if row is not None else None
    if until is not None and until > utcnow():
        raise SessionRefused(_locked_message(until))


def _count_failure(session: Session, username: str) -> NoReturn:
    """Count a wrong password (committed), lock at ``MAX_FAILURES``, and refuse."""
    now = utcnow()
    row = session.get(LoginFailure, username)
    first = as_utc(row.first_failed_at) if row is not None else None
    if row is None or first is None or now - first > FAILURE_WINDOW:
        row = row or LoginFailure(username=username, first_failed_at=now)
        row.failures, row.first_failed_at, row.locked_until = 0, now, None
    row.failures += 1
    if row.failures >= MAX_FAILURES:
        row.locked_until = now + LOCK_TIME
    session.add(row)
    try:
        session.commit()
    except IntegrityError:  # the same username's first failure, counted at once elsewhere
        session.rollback()
        raise SessionRefused(_("wrong username or password")) from None
    if row.locked_until is not None:
        raise SessionRefused(_locked_message(row.locked_until))
    left = MAX_FAILURES - row.failures
    raise SessionRefused(_("wrong username or password ({left} attempts left)").format(left=left))


def _locked_message(until: datetime) -> str:
    minutes = max(1, math.ceil((until - utcnow()).total_seconds() / 60))
    return _("too many wrong passwords: this account is locked for {minutes} minutes").format(
        minutes=minutes
    )


def _role_scope(role: str) -> str:
    """The station level whose scope an account of ``role`` covers."""
    return {"admin": "county", "reviewer": "township"}.get(role, "village")


def person_for_token(*, session: Session, station: Station, token: str) -> Person | None:
    """The person behind a session token presented by ``station``, or None.

    None when the token is unknown, ended, expired, opened at another station, or
    its account has since been disabled.
    """
    row = session.get(PersonSession, token_hash(token))
    if row is None or row.ended_at is not None or row.station_id != station.id:
        return None
    expires = as_utc(row.expires_at)
    if expires is None or expires <= utcnow():
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    return Person(user=user, station=station)


def end_session(*, session: Session, token: str) -> None:
    """Sign the session out (idempotent)."""
    session.execute(
        update(PersonSession)
        .where(PersonSession.token_hash == token_hash(token))  # type: ignore[arg-type]
        .values(ended_at=utcnow())
    )
    session.commit()
