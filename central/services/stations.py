"""Enrollment and trust: one-time codes, station credentials, revocation."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlmodel import Session

from central.i18n import _
from central.models import (
    CASE_TABLE,
    UNRESOLVED_TABLE,
    EnrollmentCode,
    Station,
    as_utc,
    utcnow,
)
from forms.catalog.model import Division
from forms.clock import china_today, format_minute
from sync.enroll_uri import normalise_code
from sync.ids import new_id
from sync.protocol import EnrollRequest, EnrollResponse, StationReport, StationRole

log = logging.getLogger("daiban.central.stations")

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


def token_hash(token: str) -> str:
    """What is stored for a bearer token (sha256 hex)."""
    return _sha256(token)


def signing_key(secret_key: str, station_id: str) -> str:
    """The station's bundle signing key: HMAC(secret_key, station_id), hex.

    Derived, so the centre can verify any station's bundle without storing keys.
    """
    return hmac.new(secret_key.encode(), station_id.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class IssuedCode:
    """A one-time code as handed to the station's installer (the code is shown once)."""

    code: str
    ref: str
    division: str
    name: str
    role: str
    expires_at: datetime
    replaced: tuple[str, ...] = ()
    """The references of the village's earlier codes this one made void (see :func:`issue_code`)."""


DivisionTable = Mapping[str, Division]
"""The county's division table by code (``forms/catalog/divisions.toml``)."""


def county_divisions(*, session: Session, catalog_path: Path | None) -> dict[str, Division]:
    """The county's division table: the one place the centre reads it from.

    The table of the catalog the county runs now (``catalog_versions.current_catalog``:
    the latest published version, else the configured one, else the shipped one), so a
    village the county added and published can be enrolled at once.
    """
    from central.services.catalog_versions import current_catalog

    catalog = current_catalog(session=session, path=catalog_path)
    return {entry.code: entry for entry in catalog.divisions}


def level_label(level: str) -> str:
    """A division level as people say it (村, 乡镇, 县)."""
    labels = {"village": _("village"), "township": _("township"), "county": _("county")}
    return labels.get(level, level)


def division_level(code: str) -> str:
    """The level a 12-digit code is at: county (xxxxxx000000), township (xxxxxxxxx000), village."""
    if code[6:] == "000000":
        return "county"
    return "township" if code[9:] == "000" else "village"


def check_division(
    table: DivisionTable, division: str, role: StationRole | str, county: str = ""
) -> Division:
    """The division table's entry for a station about to be enrolled, checked.

    Args:
        table: the county's division table.
        division: the station's 12-digit code.
        role: village / township / county: must be the division's level.
        county: the county's code (a division outside it is refused); "": the table's own.

    Returns:
        The table's entry (its name, its office).

    Raises:
        EnrollmentError: not 12 digits, outside the county, not in the table, or a
            role that does not match the division's level (message in Chinese).
    """
    role = StationRole(role)
    if not (len(division) == 12 and division.isdigit()):
        raise EnrollmentError(_("{code} is not a 12-digit division code").format(code=division))
    county = county or next((code for code, e in table.items() if e.level == "county"), "")
    if county and division[:6] != county[:6]:
        message = _("{code} is not a division of this county ({county})")
        raise EnrollmentError(message.format(code=division, county=county[:6]))
    entry = table.get(division)
    if entry is None:
        message = _(
            "{code} is not in the county's division table: add it to divisions.toml and "
            "publish the catalog first"
        )
        raise EnrollmentError(message.format(code=division))
    if division_level(division) != role.value or entry.level != role.value:
        message = _("{code} ({name}) is a {level}: it cannot have a {role} station")
        raise EnrollmentError(
            message.format(
                code=division,
                name=entry.name,
                level=level_label(entry.level),
                role=level_label(role.value),
            )
        )
    return entry


def enroll_code(
    *,
    session: Session,
    division: str,
    name: str,
    role: StationRole | str,
    ttl: timedelta | int | None = None,
    ttl_minutes: int | None = None,
    divisions: DivisionTable | None = None,
    issued_by: str = "",
) -> str:
    """Issue a one-time enrollment code for a station (see :func:`issue_code`).

    Returns:
        The code, e.g. ``K7MQ-4XRP`` (only its hash is stored).
    """
    return issue_code(
        session=session,
        division=division,
        name=name,
        role=role,
        ttl=ttl,
        ttl_minutes=ttl_minutes,
        divisions=divisions,
        issued_by=issued_by,
    ).code


def issue_code(
    *,
    session: Session,
    division: str,
    name: str,
    role: StationRole | str,
    ttl: timedelta | int | None = None,
    ttl_minutes: int | None = None,
    divisions: DivisionTable | None = None,
    issued_by: str = "",
    before_commit: Callable[[EnrollmentCode, tuple[str, ...]], object] | None = None,
) -> IssuedCode:
    """Issue a one-time enrollment code for a station.

    Args:
        session: a session; committed here (with the caller's audit record).
        division: the station's 12-digit division code.
        name: the station's name (e.g. 杨河村便民服务站).
        role: village / township / county.
        ttl: how long the code stays valid (a timedelta, or minutes).
        ttl_minutes: the same in minutes (default three days).
        divisions: the county's division table; when given, the division must be in
            it at the role's level (the county desk and ``daiban central enroll``).
        issued_by: the administrator's username (shown with outstanding codes).
        before_commit: records the act (``record_action``) in the code's own transaction,
            given the code's row and the references of the codes it made void.

    Returns:
        The code, its reference and its expiry (only the code's hash is stored).

    A village's code makes its earlier outstanding codes void: one station may hold a
    village's division, so only one of them could ever enroll, and a code issued again
    (its slip lost, or never printed) left the lost one working, said nowhere.

    Raises:
        EnrollmentError: a blank name; a division code that is not 12 digits, not in the
            table, at another level than the role, or a village that has an active station.
    """
    lifetime = _lifetime(ttl, ttl_minutes)
    role = StationRole(role)
    name = name.strip()
    if not name:  # the desk asks for one; the command line issued a code for "  "
        raise EnrollmentError(_("the station needs a name (e.g. 杨河村便民服务站)"))
    if divisions is not None:
        check_division(divisions, division, role)
    if not (len(division) == 12 and division.isdigit()):
        raise EnrollmentError(
            _("the division code must be 12 digits (got {division})").format(division=division)
        )
    _refuse_second_village(session, division, role.value)
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    now = utcnow()
    row = EnrollmentCode(
        code_hash=_sha256(raw),
        division=division,
        name=name,
        role=role.value,
        created_at=now,
        expires_at=now + lifetime,
        ref=secrets.token_hex(4).upper(),
        issued_by=issued_by,
    )
    replaced = _void_earlier(session, division, role.value, now)  # before the new row is in
    session.add(row)
    if before_commit is not None:
        before_commit(row, replaced)
    session.commit()
    code = f"{raw[:4]}-{raw[4:]}"
    return IssuedCode(code, row.ref or "", division, name, role.value, now + lifetime, replaced)


def replaced_text(replaced: tuple[str, ...]) -> str:
    """What a code issued again says of the village's earlier ones it made void."""
    return _("earlier code {refs} of this village is void: only the new one enrolls").format(
        refs="、".join(replaced)
    )


def code_details(
    name: str, role: str, ref: str | None, replaced: tuple[str, ...]
) -> dict[str, Any]:
    """The audit record's details of a code issued (and of the earlier ones it made void)."""
    details: dict[str, Any] = {"name": name, "role": role, "ref": ref}
    if replaced:
        details["replaces"] = list(replaced)
    return details


def _void_earlier(session: Session, division: str, role: str, now: datetime) -> tuple[str, ...]:
    """Cancel a village's outstanding codes (a new one is being issued); their references."""
    if role != StationRole.village.value:  # a township or county may enroll several PCs
        return ()
    earlier = [
        code
        for code in outstanding_codes(session=session)
        if code.division == division and code.role == role
    ]
    for code in earlier:
        code.cancelled_at = now
        session.add(code)
    return tuple(code.ref or "" for code in earlier)


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
        message = _(
            "village {division} already has an active station ({name}, enrolled {enrolled}): revoke "
            "the old PC first (desk: r 吊销; daiban central revoke --division {division})"
        )
        raise EnrollmentError(
            message.format(
                division=division,
                name=active.name,
                enrolled=format_minute(as_utc(active.enrolled_at)),
            )
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

    A code spent with an attempt secret (``request.attempt``) is answered again to the
    same secret until the station is first heard from (:func:`_answer_again`): the
    station that sent it again after its answer was lost gets its credential, with a
    fresh token, and the county has one station.

    Raises:
        EnrollmentError: unknown, used or expired code.
    """
    code_hash = _sha256(normalise_code(request.code))
    attempt_hash = _sha256(request.attempt) if request.attempt else None
    station_id = str(new_id())
    now = utcnow()
    spent = session.connection().execute(
        update(EnrollmentCode)
        .where(
            EnrollmentCode.code_hash == code_hash,  # type: ignore[arg-type]
            EnrollmentCode.used_at.is_(None),  # type: ignore[union-attr]
            EnrollmentCode.cancelled_at.is_(None),  # type: ignore[union-attr]
            EnrollmentCode.expires_at > now,  # type: ignore[arg-type]
        )
        .values(used_at=now, station_id=station_id, attempt_hash=attempt_hash)
    )
    if spent.rowcount != 1:
        session.rollback()
        again = _answer_again(
            session, code_hash, attempt_hash, secret_key, now, request.software_version
        )
        if again is None:
            raise EnrollmentError(
                "the enrollment code is unknown, already used, cancelled or expired"
            )
        return again
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
            token_issued_at=now,
            enrolled_at=now,
            last_seen=now,
            software_version=request.software_version,
        )
    )
    session.commit()
    return _credential(session, code, station_id, token, secret_key)


def _answer_again(
    session: Session,
    code_hash: str,
    attempt_hash: str | None,
    secret_key: str,
    now: datetime,
    software_version: str = "",
) -> EnrollResponse | None:
    """The credential again for the station that spent the code with this attempt secret,
    while it has never been heard from since (its answer was lost on the line), with a new
    token. The token it replaces is kept as the previous one: two answers crossing on a
    slow line both leave the station a token the centre takes. Recorded in the
    administrative audit, the station as the actor. The software version it sends now is
    the one the county's station list shows (a PC updated between the two tries).

    None (refused) for another secret or none, a code cancelled, a station revoked, or one
    that has said hello or pushed since (a working station keeps its credential: a copy
    of its store with the code cannot take it over)."""
    from central.services.station_tokens import ENROLL_AGAIN_ACTION, audit_station_act

    if attempt_hash is None:
        return None
    code = session.get(EnrollmentCode, code_hash)
    if (
        code is None
        or code.station_id is None
        or code.attempt_hash is None
        or not hmac.compare_digest(code.attempt_hash, attempt_hash)
        or code.cancelled_at is not None
    ):
        return None
    station = session.get(Station, code.station_id, with_for_update=True)
    if station is None or station.revoked_at is not None or not _never_heard(station):
        session.rollback()
        return None
    token = secrets.token_urlsafe(32)
    station.previous_token_hash = station.token_hash
    station.previous_token_issued_at = station.token_issued_at
    station.token_hash, station.token_issued_at = token_hash(token), now
    station.software_version = software_version or station.software_version
    session.add(station)
    audit_station_act(session, station, ENROLL_AGAIN_ACTION, {"code_ref": code.ref})
    session.commit()
    log.info("enrollment code %s answered again to station %s", code.ref, station.id)
    return _credential(session, code, station.id, token, secret_key)


def _never_heard(station: Station) -> bool:
    """Whether the station has said nothing since it enrolled: no hello (which reports
    what it holds) and no push (which marks it seen)."""
    seen, enrolled = as_utc(station.last_seen), as_utc(station.enrolled_at)
    return station.reported_at is None and (seen is None or enrolled is None or seen <= enrolled)


def _credential(
    session: Session, code: EnrollmentCode, station_id: str, token: str, secret_key: str
) -> EnrollResponse:
    """What an enrolled station keeps: its id, token and key, and its division's numbers."""
    cases, records = numbers_used(session, code.division)
    return EnrollResponse(
        station_id=station_id,
        token=token,
        signing_key=signing_key(secret_key, station_id),
        division=code.division,
        name=code.name,
        role=StationRole(code.role),
        case_numbers=cases,
        record_numbers=records,
    )


NUMBER_DAYS_BACK = 3
"""How many China days back a new PC learns its division's numbers (clock skew, a PC whose
date is behind): numbers are made with the station's own date, so older days never recur."""


def numbers_used(session: Session, division: str) -> tuple[dict[str, int], dict[str, int]]:
    """The highest case and 办不成事 serial per day the division used since a few days ago.

    Both tables are indexed by division; the day is compared as the number's 8 digits
    (digit strings order alike under every collation; a bound with ``'-'`` or ``'~'``
    does not: glibc's and ICU's Chinese collations found nothing).
    """
    since = (china_today() - timedelta(days=NUMBER_DAYS_BACK)).strftime("%Y%m%d")
    case_prefix, record_prefix = f"{division}-", f"BCS-{division}-"
    number = CASE_TABLE.c.case_number
    cases = session.scalars(
        select(number).where(
            CASE_TABLE.c.division == division,
            func.substr(number, len(case_prefix) + 1, 8) >= since,
        )
    )
    record = UNRESOLVED_TABLE.c.number
    records = session.scalars(
        select(record).where(
            UNRESOLVED_TABLE.c.division == division,
            func.substr(record, len(record_prefix) + 1, 8) >= since,
        )
    )
    return _highest(cases, case_prefix), _highest(records, record_prefix)


def _highest(numbers: Iterable[str], prefix: str) -> dict[str, int]:
    highest: dict[str, int] = {}
    for number in numbers:
        day, _dash, serial = number.removeprefix(prefix).partition("-")
        if len(day) == 8 and day.isdigit() and serial.isdigit():
            highest[day] = max(highest.get(day, 0), int(serial))
    return highest


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
software or what the station reports changed): a no-change sync then takes no write
lock and commits nothing."""


def touch_station(
    *,
    session: Session,
    station: Station,
    software_version: str = "",
    report: StationReport | None = None,
) -> None:
    """Record that the station was seen now (hello), with what it reports holding.

    At most once a minute unless the software or the report changed. An older
    station reports its outbox depth alone: its catalog version and cases held are
    left as they were.
    """
    values = touch_values(station, software_version, report)
    if values is not None:
        write_touch(session, station.id, values)
        session.commit()


def touch_values(
    station: Station, software_version: str = "", report: StationReport | None = None
) -> dict[str, object] | None:
    """The station columns a hello changes; ``None`` when there is nothing to write
    (seen less than a minute ago, nothing new reported)."""
    now = utcnow()
    seen = as_utc(station.last_seen)
    values = _report_values(station, report)
    if software_version and software_version != station.software_version:
        values["software_version"] = software_version
    if not values and seen is not None and timedelta(0) <= now - seen < TOUCH_EVERY:
        return None
    values["last_seen"] = now
    if report is not None:
        values["reported_at"] = now
    return values


def write_touch(session: Session, station_id: str, values: dict[str, object]) -> None:
    """Write ``touch_values`` for one station (the caller commits)."""
    columns = tuple(sorted(values))
    statement = _TOUCHES.get(columns)
    if statement is None:
        table = Station.__table__  # type: ignore[attr-defined]
        statement = _TOUCHES[columns] = (
            update(table)
            .where(table.c.id == bindparam("station_key", type_=table.c.id.type))
            .values({name: bindparam(f"new_{name}", type_=table.c[name].type) for name in columns})
        )
    parameters = {f"new_{name}": value for name, value in values.items()}
    session.connection().execute(statement, {"station_key": station_id, **parameters})


_TOUCHES: dict[tuple[str, ...], Any] = {}
"""A hello's update by the columns it sets, built once: every hello of every station
writes one (building it, and its cache key, cost more than running it)."""


def _report_values(station: Station, report: StationReport | None) -> dict[str, object]:
    """The station columns a report changes (empty: nothing new)."""
    if report is None:
        return {}
    reported: dict[str, object] = {
        "outbox_depth": report.outbox_depth,
        # stored as UTC: SQLite keeps the wall time and drops the zone a station sent
        "oldest_unsent": as_utc(report.oldest_unsent),
    }
    if report.catalog_version:
        reported["catalog_version"] = report.catalog_version
    if report.cases_held is not None:
        reported["cases_held"] = report.cases_held
    held = {
        "outbox_depth": station.outbox_depth,
        "oldest_unsent": as_utc(station.oldest_unsent),
        "catalog_version": station.catalog_version,
        "cases_held": station.cases_held,
    }
    return reported if any(held[key] != value for key, value in reported.items()) else {}


def list_stations(*, session: Session) -> list[Station]:
    """Every enrolled station, by division (a village's old PCs beside its new one)."""
    return list(session.scalars(select(Station).order_by(Station.division, Station.enrolled_at)))  # type: ignore[arg-type]


def find_stations(*, session: Session, division: str = "", name: str = "") -> list[Station]:
    """The stations not yet revoked with this division code and/or name.

    Args:
        session: a session.
        division: a 12-digit division code ("" any).
        name: the station's name, exactly ("" any).
    """
    query = select(Station).where(Station.revoked_at.is_(None))  # type: ignore[union-attr]
    if division:
        query = query.where(Station.division == division)  # type: ignore[arg-type]
    if name:
        query = query.where(Station.name == name)  # type: ignore[arg-type]
    return list(session.scalars(query.order_by(Station.enrolled_at)))  # type: ignore[arg-type]


def unsent_warning(station: Station) -> str | None:
    """Why revoking ``station`` loses work, in Chinese, or None when it reported none unsent.

    An unsent event of a revoked station is refused for good: its cases stay at
    the PC. The figure is the one last reported (at its last hello).
    """
    if not station.outbox_depth:
        return _silent_warning(station)
    oldest = as_utc(station.oldest_unsent)
    since = _(", the oldest written {when}").format(when=format_minute(oldest)) if oldest else ""
    reported = format_minute(as_utc(station.reported_at) or as_utc(station.last_seen))
    message = _(
        "{name} still held {count} unsent events{since} when it last reported ({reported}): "
        "once revoked, they can no longer reach the centre"
    )
    return message.format(
        name=station.name, count=station.outbox_depth, since=since, reported=reported or "—"
    )


SILENT_DAYS = 3
"""A station that last reported this many days ago may hold work the centre has not seen
(an offline station, or one that sends by USB stick, whose bundles carry no report)."""


def _silent_warning(station: Station) -> str | None:
    """Why revoking a station that reported nothing unsent may still lose work: its last
    report is old (None: recent, or it never reported)."""
    reported = as_utc(station.reported_at) or as_utc(station.last_seen)
    if reported is None or utcnow() - reported < timedelta(days=SILENT_DAYS):
        return None
    message = _(
        "{name} has not reported for {days} days (last {reported}): it may hold work taken"
        " in since, not yet sent"
    )
    days = (utcnow() - reported).days
    return message.format(name=station.name, days=days, reported=format_minute(reported))


def outstanding_codes(*, session: Session) -> list[EnrollmentCode]:
    """Codes not yet used, cancelled or expired, soonest expiry first."""
    query = select(EnrollmentCode).where(
        EnrollmentCode.used_at.is_(None),  # type: ignore[union-attr]
        EnrollmentCode.cancelled_at.is_(None),  # type: ignore[union-attr]
        EnrollmentCode.expires_at > utcnow(),  # type: ignore[arg-type]
    )
    return list(session.scalars(query.order_by(EnrollmentCode.expires_at)))  # type: ignore[arg-type]


def find_code(*, session: Session, ref: str) -> EnrollmentCode:
    """The outstanding code with this reference.

    Raises:
        EnrollmentError: no outstanding code has it (used, cancelled, expired or unknown).
    """
    wanted = ref.strip().upper()
    code = next((c for c in outstanding_codes(session=session) if c.ref == wanted), None)
    if code is None:
        message = _("no outstanding enrollment code {ref} (used, cancelled or expired)")
        raise EnrollmentError(message.format(ref=wanted))
    return code


def cancel_code(*, session: Session, ref: str) -> EnrollmentCode:
    """Cancel an outstanding code: it can no longer enroll a station. Committed here (the
    caller records the act first, in the same transaction).

    Raises:
        EnrollmentError: no outstanding code has this reference.
    """
    code = find_code(session=session, ref=ref)
    code.cancelled_at = utcnow()
    session.add(code)
    session.commit()
    return code


def is_revoked(station: Station) -> bool:
    """Whether the station's credential was revoked."""
    return as_utc(station.revoked_at) is not None
