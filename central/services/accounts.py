"""Accounts: one per person (一人一账号), argon2 password hashes, bound to a division."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from central.models import User, as_utc, utcnow
from central.services import sequence
from sync.events import Role
from sync.ids import new_id
from sync.protocol import AccountRecord

_hasher = PasswordHasher()


class AccountError(ValueError):
    """An account cannot be created or changed as asked (reason in English)."""


def hash_password(password: str) -> str:
    """An argon2id hash of ``password``."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether ``password`` matches ``password_hash``."""
    try:
        return _hasher.verify(password_hash, password)
    except VerificationError:
        return False


def create_user(
    *,
    session: Session,
    username: str,
    display_name: str,
    role: Role | str,
    division: str,
    password: str,
    phone: str = "",
    station_id: str | None = None,
) -> User:
    """Create an account; it reaches the stations of its scope with their next pull.

    Args:
        session: a session; committed here.
        username: unique login name.
        display_name: the person's name as shown and printed.
        role: agent (村代办员) / reviewer (乡镇审核员) / admin (县级管理员).
        division: 12-digit division code the account belongs to.
        password: the initial password (only its argon2 hash is stored).
        phone: contact phone.
        station_id: the station the account is bound to, if any.

    Returns:
        The new account.

    Raises:
        AccountError: bad division, short password or a username already taken.
    """
    role = Role(role)
    if not (len(division) == 12 and division.isdigit()):
        raise AccountError(f"division code must be 12 digits, got {division!r}")
    if len(password) < 6:
        raise AccountError("the password must have at least 6 characters")
    if not username.strip():
        raise AccountError("the username must not be empty")
    password_hash = hash_password(password)
    if session.scalars(select(User).where(User.username == username)).first() is not None:  # type: ignore[arg-type]
        raise AccountError(f"the username {username!r} is already taken")
    # The counter lock orders account changes with events (pull cursor, see sequence.py).
    seq = sequence.take_one(session.connection())
    user = User(
        id=str(new_id()),
        username=username,
        display_name=display_name,
        role=role.value,
        division=division,
        station_id=station_id,
        phone=phone,
        password_hash=password_hash,
        active=True,
        updated_at=utcnow(),
        updated_seq=seq,
    )
    session.add(user)
    try:
        session.commit()
    except IntegrityError as error:  # a concurrent create with the same username
        session.rollback()
        raise AccountError(f"the username {username!r} is already taken") from error
    return user


def update_user(
    *,
    session: Session,
    username: str,
    password: str | None = None,
    active: bool | None = None,
    display_name: str | None = None,
    phone: str | None = None,
) -> User:
    """Change an account; the change reaches the stations of its scope with their next pull.

    Disabling (``active=False``) is how a person who left loses access: the
    station's cached copy is disabled too, so offline login stops as well.

    Raises:
        AccountError: no such account, or a short password.
    """
    if password is not None and len(password) < 6:
        raise AccountError("the password must have at least 6 characters")
    new_hash = hash_password(password) if password is not None else None
    user = session.scalars(select(User).where(User.username == username)).first()  # type: ignore[arg-type]
    if user is None:
        raise AccountError(f"no account {username!r}")
    session.commit()
    seq = sequence.take_one(session.connection())
    user = session.get_one(User, user.id)
    if new_hash is not None:
        user.password_hash = new_hash
    if active is not None:
        user.active = active
    if display_name is not None:
        user.display_name = display_name
    if phone is not None:
        user.phone = phone
    user.updated_at, user.updated_seq = utcnow(), seq
    session.add(user)
    session.commit()
    return user


def list_users(*, session: Session) -> list[User]:
    """Every account, by division and username."""
    query = select(User).order_by(User.division, User.username)
    return list(session.scalars(query))


def account_record(user: User) -> AccountRecord:
    """The account as sent to stations for offline login."""
    return AccountRecord(
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=Role(user.role),
        division=user.division,
        phone=user.phone,
        password_hash=user.password_hash,
        active=user.active,
        updated_at=as_utc(user.updated_at) or utcnow(),
    )
