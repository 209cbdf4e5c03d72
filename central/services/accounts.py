"""Accounts: one per person (一人一账号), argon2 password hashes, bound to a division."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from central.i18n import _
from central.models import User, as_utc, utcnow
from central.services import sequence
from central.services.stations import division_level, level_label
from forms.fieldtypes import is_phone
from forms.identity import IdNumberError, mask_id_number, parse_id_number
from forms.passwords import MIN_PASSWORD_LENGTH, password_problem
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


ROLE_LEVEL = {"agent": ("village", "township"), "reviewer": ("township",), "admin": ("county",)}
"""The division levels each role may belong to: an agent (代办员) at a village, or at a
township's own station; a reviewer (审核员) at a township; an administrator at the county."""


def role_label(role: str) -> str:
    """A role as people say it (代办员, 审核员, 县级管理员)."""
    labels = {"agent": _("agent"), "reviewer": _("reviewer"), "admin": _("administrator")}
    return labels.get(role, role)


def check_role_level(role: Role | str, division: str) -> None:
    """Refuse a role at a division of the wrong level (no reviewer on a village…).

    Raises:
        AccountError: a division that is not 12 digits, or a role that does not
            belong at its level (message in Chinese).
    """
    role = Role(role)
    if not (len(division) == 12 and division.isdigit()):
        raise AccountError(_("{code} is not a 12-digit division code").format(code=division))
    level = division_level(division)
    if level not in ROLE_LEVEL[role.value]:
        allowed = "、".join(level_label(name) for name in ROLE_LEVEL[role.value])
        message = _("a {role} cannot belong to a {level} ({code}): only to a {allowed}")
        raise AccountError(
            message.format(
                role=role_label(role.value),
                level=level_label(level),
                code=division,
                allowed=allowed,
            )
        )


def person_key(secret_key: str, id_number: str) -> str:
    """Who the person is, without keeping their ID number: HMAC-SHA256 with the centre's
    secret of the number (compacted), hex."""
    message = f"resident-id:{id_number}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()


def _identify(session: Session, secret_key: str, id_number: str) -> tuple[str, str]:
    """The person key and masked number of a new account's person; a second account refused.

    Raises:
        AccountError: not a valid resident ID number, or the person has an account.
    """
    try:
        number = parse_id_number(id_number).number
    except IdNumberError as error:
        raise AccountError(
            _("the resident ID number is not valid ({reason})").format(
                reason=_id_reason(error.reason)
            )
        ) from error
    key = person_key(secret_key, number)
    _refuse_second_active(session, key)
    return key, mask_id_number(number)


def _refuse_second_active(session: Session, key: str, *, besides: str | None = None) -> None:
    """Refuse a second active account of the person ``key`` (``besides``: the account
    being enabled). Their disabled accounts do not count: a person who moved to another
    station (调动) has the old one disabled and a new one there."""
    query = select(User).where(User.person_key == key, User.active)  # type: ignore[arg-type]
    held = next((u for u in session.scalars(query) if u.id != besides), None)
    if held is None:
        return
    if besides is None:
        message = _(
            "{name} already has the active account {username} ({masked}): one account per "
            "person. If the person moved to another station, disable that account first, "
            "then create the new one."
        )
    else:
        message = _(
            "{name} already has the active account {username} ({masked}): one account per "
            "person. Disable that one first."
        )
    raise AccountError(
        message.format(name=held.display_name, username=held.username, masked=held.id_masked)
    )


def _id_reason(reason: str) -> str:
    """Why an ID number is not one, as a person reads it (``IdNumberError.reason``)."""
    reasons = {
        "length": _("it does not have 18 characters"),
        "old15": _("it is an old 15-digit number"),
        "format": _("17 digits and a digit or X are expected"),
        "checksum": _("the check digit is wrong"),
        "birth_date": _("the birth date in it is not a real date"),
        "future": _("the birth date in it lies in the future"),
    }
    return reasons.get(reason, reason)


def _check_password(password: str, username: str) -> None:
    """The one password rule (``forms.passwords``), said as the centre says it."""
    problem = password_problem(password, username)
    if problem is None:
        return
    words = {
        "short": _("the password must have at least {n} characters; this one has {got}"),
        "same": _("the password is one character repeated: choose one harder to guess"),
        "digits": _(
            "the password is digits only (a birthday or a phone number is guessed first): "
            "put letters in it"
        ),
        "run": _(
            "the password is a run of the alphabet or the keyboard (abcdefgh, 12345678, "
            "qwertyui): choose one harder to guess"
        ),
        "username": _("the password contains the username {username}: choose one without it"),
    }
    raise AccountError(
        words[problem].format(n=MIN_PASSWORD_LENGTH, got=len(password), username=username)
    )


def check_placement(
    *, session: Session, catalog_path: Path | None, division: str, station_id: str | None
) -> None:
    """Where a new account is placed, checked against the county (the desk's API and
    ``daiban central user add`` alike): its division inside the county (the county's code in
    its division table), and a station it is bound to enrolled here, not revoked, at that
    same division.

    ``user add`` took any code (a Beijing one, 999999999999) and any station id: the account
    was made, reached no station and showed on no desk, so it could not be managed there.

    Raises:
        AccountError: why, in Chinese.
    """
    from central.models import Station
    from central.services.stations import county_divisions

    table = county_divisions(session=session, catalog_path=catalog_path)
    county = next((code for code, entry in table.items() if entry.level == "county"), "")
    if county and division[:6] != county[:6]:
        raise AccountError(
            _("{code} is not a division of this county ({county})").format(
                code=division, county=county[:6]
            )
        )
    if not station_id:
        return
    station = session.get(Station, station_id)
    if station is None:
        raise AccountError(_("there is no station {station} here").format(station=station_id))
    if station.revoked_at is not None:
        raise AccountError(_("station {station} is revoked").format(station=station.name))
    if station.division != division:
        raise AccountError(
            _("station {station} is at {at}, not at {division}").format(
                station=station.name, at=station.division, division=division
            )
        )


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
    id_number: str | None = None,
    secret_key: str = "",
) -> User:
    """Create an account; it reaches the stations of its scope with their next pull.

    The county desk and ``daiban central user add`` require the person's resident ID
    number (one account per person); it is kept only as an HMAC with the centre's
    secret and a masked form, never in clear.

    Args:
        session: a session; committed here.
        username: unique login name.
        display_name: the person's name as shown and printed.
        role: agent (村代办员) / reviewer (乡镇审核员) / admin (县级管理员).
        division: 12-digit division code the account belongs to.
        password: the initial password (only its argon2 hash is stored).
        phone: contact phone.
        station_id: the station the account is bound to, if any.
        id_number: the person's resident ID number (None: not identified, older callers).
        secret_key: the centre's secret (keys the ID number's HMAC).

    Returns:
        The new account.

    Raises:
        AccountError: bad division, a weak password (``forms.passwords``), a username already taken, or a
            person who already has an account.
    """
    role = Role(role)
    key, masked = (None, "") if not id_number else _identify(session, secret_key, id_number)
    if not (len(division) == 12 and division.isdigit()):
        raise AccountError(
            _("the division code must be 12 digits (got {division})").format(division=division)
        )
    _check_password(password, username)
    if not username.strip():
        raise AccountError(_("the username must not be empty"))
    if any(ch.isspace() for ch in username):  # typed at every sign-in: no blanks in it
        raise AccountError(_("the username must not contain spaces"))
    if phone.strip() and not is_phone(phone):
        raise AccountError(
            _(
                "the phone number is not one: a mobile has 11 digits starting with 1, a "
                "landline its area code (0954-1234567)"
            )
        )
    password_hash = hash_password(password)
    if session.scalars(select(User).where(User.username == username)).first() is not None:  # type: ignore[arg-type]
        raise AccountError(
            _("the username {username} is already taken: choose another").format(username=username)
        )
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
        person_key=key,
        id_masked=masked,
    )
    session.add(user)
    try:
        session.commit()
    except IntegrityError as error:  # a concurrent create with the same username or person
        session.rollback()
        raise AccountError(
            _("the username {username} or the person already has an account").format(
                username=username
            )
        ) from error
    return user


def update_user(
    *,
    session: Session,
    username: str,
    password: str | None = None,
    active: bool | None = None,
    display_name: str | None = None,
    phone: str | None = None,
    audit: Callable[[User], object] | None = None,
) -> User:
    """Change an account; the change reaches the stations of its scope with their next pull.

    Disabling (``active=False``) is how a person who left loses access: the
    station's cached copy is disabled too, so offline login stops as well.

    Args:
        audit: records the act (``record_action``) in the change's own transaction.

    Raises:
        AccountError: no such account, a weak password, or enabling an account of a
            person who has another active one.
    """
    if password is not None:
        _check_password(password, username)
    new_hash = hash_password(password) if password is not None else None
    user = session.scalars(select(User).where(User.username == username)).first()  # type: ignore[arg-type]
    if user is None:
        raise AccountError(_("no account {username}").format(username=username))
    if active and not user.active and user.person_key:
        _refuse_second_active(session, user.person_key, besides=user.id)
    session.commit()
    seq = sequence.take_one(session.connection())
    user = session.get_one(User, user.id)
    if new_hash is not None:
        user.password_hash = new_hash
    if active is not None:
        _set_active(user, active)
    if display_name is not None:
        user.display_name = display_name
    if phone is not None:
        user.phone = phone
    user.updated_at, user.updated_seq = utcnow(), seq
    session.add(user)
    if audit is not None:
        audit(user)
    try:
        session.commit()
    except IntegrityError as error:  # a concurrent enable or create of the same person
        session.rollback()
        raise AccountError(
            _("the person of {username} already has an active account").format(username=username)
        ) from error
    return user


def _set_active(user: User, active: bool) -> None:
    """Enable or disable; a disabled account keeps the moment it was first disabled."""
    if not active and user.active:
        user.disabled_at = utcnow()
    elif active:
        user.disabled_at = None
    user.active = active


def find_user(*, session: Session, username: str) -> User:
    """The account with this username.

    Raises:
        AccountError: no such account.
    """
    user = session.scalars(select(User).where(User.username == username)).first()  # type: ignore[arg-type]
    if user is None:
        raise AccountError(_("no account {username}").format(username=username))
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
