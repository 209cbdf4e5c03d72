"""Pull: the events (and accounts) of a station's scope after its cursor.

Cost follows what changed: the cursor is the central_seq primary key (and the
``(division, central_seq)`` index for a village, ``(scope_township, central_seq)``
for a township and a county), so a pull with nothing new is
an index probe that finds nothing, whatever the history size. Superseded events
are included: that is how the agent who wrote one learns why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import BigInteger, Select, String, bindparam, func, or_, select
from sqlmodel import Session

from central.models import EVENT_TABLE, Station, User, as_utc
from central.services.accounts import account_record
from central.services.catalog_versions import LATEST_COLUMNS
from central.services.loops import LATEST_SEQ
from central.services.scope import division_match, division_params, scope_prefix
from forms.catalog import county_code, township_code
from sync.events import EventStatus, RecordedEvent
from sync.protocol import (
    PULL_PAGE_EVENTS,
    AccountRecord,
    EventAck,
    PullResponse,
    StationRole,
)

_ev = EVENT_TABLE.c


def pull_page(
    *,
    session: Session,
    station: Station,
    after: int,
    limit: int = PULL_PAGE_EVENTS,
    own_upto: int | None = None,
    horizon: int | None = None,
) -> PullResponse:
    """One page of the station's scope after ``after``.

    Accounts share the event counter (``User.updated_seq``), so the accounts
    changed in the same window come with the page; on the last page the cursor
    also moves past account changes newer than the last event, and past the
    events of other scopes committed before the page was read (so the next pull
    starts there, whatever happened elsewhere meanwhile).

    Args:
        session: a session.
        station: the authenticated station.
        after: the station's cursor (the last central_seq it applied).
        limit: page size (capped at ``PULL_PAGE_EVENTS``).
        own_upto: the highest ``station_seq`` of its own the station holds: its own
            events up to it are answered as acknowledgements, not in full (None: all
            in full, as an older station expects).
        horizon: the newest central_seq, read by the caller before this (``page_status``);
            None: read here first.

    Returns:
        The page, ``next_cursor`` and ``has_more``.
    """
    limit = max(1, min(limit, PULL_PAGE_EVENTS))
    connection = session.connection()
    if horizon is None:  # read first: every event up to it is committed (seq order = commit order)
        horizon = int(connection.execute(_HORIZON).scalar() or 0)
    template, params = _page(station)
    rows = [
        dict(row._mapping)
        for row in connection.execute(template, {**params, "after": after, "limit": limit + 1})
    ]
    has_more = len(rows) > limit
    rows = rows[:limit]
    cursor = int(rows[-1]["central_seq"]) if rows else after
    users = _changed_accounts(session, station, after, cursor if has_more else None)
    if not has_more:
        cursor = max(cursor, horizon, *(user.updated_seq for user in users))
    acked = [row for row in rows if _acknowledged(row, station, own_upto)]
    return PullResponse(
        events=[recorded_event(row) for row in rows if not _acknowledged(row, station, own_upto)],
        acks=[event_ack(row) for row in acked],
        next_cursor=cursor,
        has_more=has_more,
        accounts=_account_records(station, users),
    )


def _acknowledged(row: dict[str, Any], station: Station, own_upto: int | None) -> bool:
    """Whether the row goes back as an acknowledgement: the station's own, and held there."""
    return (
        own_upto is not None and row["station_id"] == station.id and row["station_seq"] <= own_upto
    )


def event_ack(row: dict[str, Any]) -> EventAck:
    """A stored event row as an acknowledgement to the station that wrote it."""
    return EventAck(
        id=row["id"],
        central_seq=row["central_seq"],
        status=EventStatus(row["status"]),
        reason=row["reason"],
    )


_HORIZON = select(func.max(_ev.central_seq))


@dataclass(frozen=True)
class PageStatus:
    """What a pull page announces besides its events, read before them in one statement."""

    horizon: int
    """The newest central_seq (``pull_page``'s ``horizon``)."""
    loops_seq: int
    """The newest 闭环 change stamp (``loops.latest_seq``)."""
    catalog: Sequence[Any]
    """The latest published catalog's number, version and hash (NULLs: none published;
    ``catalog.announced_from``)."""


_STATUS = select(_HORIZON.scalar_subquery(), LATEST_SEQ.scalar_subquery(), *LATEST_COLUMNS)
"""Three reads in one statement (one round trip, one statement's cost): every pull page
and every 9 a.m. sync makes it."""


def page_status(session: Session) -> PageStatus:
    """The newest central_seq, 闭环 stamp and published catalog, as of one moment: read
    before the page (every event up to the horizon is committed, as ``pull_page`` needs)."""
    row = session.connection().execute(_STATUS).one()
    return PageStatus(horizon=int(row[0] or 0), loops_seq=int(row[1] or 0), catalog=row[2:])


def page_statement(station: Station, after: int, limit: int) -> Select[Any]:
    """The events of the station's scope after ``after``, in cursor order, at most ``limit``."""
    template, params = _page(station)
    return template.params(**params, after=after, limit=limit)


def _page(station: Station) -> tuple[Select[Any], dict[str, str]]:
    """The page statement for the station's role (built once) and its scope parameters.

    A village pulls the cases it took in (by ``division``, its own even when routed
    elsewhere); a township or county the cases it handles (by ``scope_division``:
    its villages' and those routed to it, 区内通办); a township by equality on
    ``scope_township``, so events of other townships are never scanned; a county by
    the range of its prefix on ``scope_township`` (the same cases as on
    ``scope_division``, whose first digits it holds; one index for both).

    The statements are built once and run with parameters: building one anew per
    request (and its cache key) was about a tenth of a pull's CPU at the centre.
    """
    role = StationRole(station.role)
    prefix = scope_prefix(station.division, role)
    column = _ev.division if role is StationRole.village else _ev.scope_township
    kind, params = division_params(prefix, equal=role is not StationRole.county)
    return _page_template(column.name, kind), params


_PULLED = [column for column in EVENT_TABLE.c if column.name != "audit_link"]
"""An event's columns but its audit link (the centre's own: never sent)."""


@cache
def _page_template(column: str, kind: str) -> Select[Any]:
    return (
        select(*_PULLED)
        .where(
            _ev.central_seq > bindparam("after", type_=BigInteger),
            division_match(_ev[column], kind),
        )
        .order_by(_ev.central_seq)
        .limit(bindparam("limit", type_=BigInteger))
    )


def _changed_accounts(
    session: Session, station: Station, after: int, upto: int | None
) -> list[User]:
    """The accounts changed in the window: the station's scope's, and the people above
    it who act on its cases (a village's township reviewers and county staff, a
    township's county staff), so its desk names who accepted or returned a case."""
    prefix = scope_prefix(station.division, station.role)
    kind, params = division_params(prefix, equal=False)
    above = _offices_above(station)
    query = _accounts_template(kind, len(above), bounded=upto is not None)
    values = {**params, "after": after, "upto": upto}
    values |= {f"above{index}": division for index, division in enumerate(above)}
    return list(session.scalars(query, values))


def _offices_above(station: Station) -> list[str]:
    """The division codes of the offices above the station (its township's, its county's)."""
    role = StationRole(station.role)
    if role is StationRole.county:
        return []
    county = county_code(station.division)
    return [township_code(station.division), county] if role is StationRole.village else [county]


@cache
def _accounts_template(kind: str, above: int, *, bounded: bool) -> Select[Any]:
    users = User.__table__.c  # type: ignore[attr-defined]
    division = users.division
    offices = [division == bindparam(f"above{i}", type_=String) for i in range(above)]
    query = select(User).where(
        users.updated_seq > bindparam("after", type_=BigInteger),
        or_(division_match(division, kind), *offices),
    )
    if bounded:
        query = query.where(users.updated_seq <= bindparam("upto", type_=BigInteger))
    return query.order_by(users.updated_seq)


def _account_records(station: Station, users: list[User]) -> list[AccountRecord]:
    """The accounts as sent to ``station``: the argon2 hash only of those who sign in
    there (its own division's people); everyone else's without one (listed for names,
    roles and the work phone its papers print, and unable to sign in at that desk)."""
    records = [account_record(user) for user in users]
    return [
        r if r.division == station.division else r.model_copy(update={"password_hash": ""})
        for r in records
    ]


def recorded_event(row: dict[str, Any]) -> RecordedEvent:
    """A stored event row as the wire's RecordedEvent."""
    return RecordedEvent(
        id=row["id"],
        case_id=row["case_id"],
        case_number=row["case_number"],
        division=row["division"],
        kind=row["kind"],
        station_id=row["station_id"],
        station_seq=row["station_seq"],
        schema_version=row["schema_version"],
        base_version=row["base_version"],
        actor_id=row["actor_id"],
        actor_role=row["actor_role"],
        device_time=as_utc(row["device_time"]),
        payload=row["payload"],
        central_seq=row["central_seq"],
        status=EventStatus(row["status"]),
        reason=row["reason"],
    )
