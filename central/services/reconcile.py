"""Reconciliation (对账): what the centre holds of every station, and statistics.

Per station: the cases it owns, the events it wrote, the gaps in its station
sequence (numbers between 1 and the highest received that never arrived: an
event refused, lost, or still on a stick), and the duplicates held: different
events that reused a station sequence number. Re-pushes of events already held
(a retry after a lost answer) are counted apart as ``duplicate_pushes``: they
are the idempotent path doing its job, and changed nothing. Everything is computed with a few grouped queries, not per event.

Both sides: beside what the centre holds, what the station said at its last hello it
still holds (outbox depth, oldest unsent event, cases held; None until it reports),
and whether it is silent (the 看板's stalled rule, :func:`central.services.dashboard_data.silence`).
Across stations: the same resident applying for the same item at two stations, both
applications open (:func:`duplicate_applications`; ID numbers masked).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, func, select, true
from sqlmodel import Session

from central.models import (
    CASE_BODY,
    CASE_TABLE,
    CASES_WITH_BODY,
    EVENT_TABLE,
    UNRESOLVED_TABLE,
    VIEW_COLUMNS,
    Station,
    as_utc,
    view_value,
    whole_view,
)
from central.services.dashboard_data import silence
from central.services.scope import division_filter
from central.services.stations import list_stations
from forms.clock import china_today
from forms.identity import mask_id_number
from forms.workdays import due_date
from sync.reducer import CaseView, deadline_inputs

MAX_LISTED_GAPS = 10_000
_ev = EVENT_TABLE.c


@dataclass
class StationReconciliation:
    """What the centre holds of one station."""

    station: str
    division: str
    name: str
    role: str
    cases: int
    events: int
    max_station_seq: int
    gaps: list[int]
    duplicate_pushes: int
    sequence_conflicts: int
    last_seen: datetime | None
    revoked: bool
    unresolved: int = 0
    """办不成事 records it wrote: their events are among ``events``, never among ``cases``."""
    outbox_depth: int | None = None
    """Events the station reported it still holds unsent (None: not reported yet)."""
    oldest_unsent: datetime | None = None
    cases_held: int | None = None
    """Cases the station reported it holds."""
    reported_at: datetime | None = None
    silent_days: int | None = None
    """Working days since the station was last seen (None: never)."""
    stalled: str = ""
    """Why the station is flagged: ``never``, ``silent``, ``outbox``; empty when it is not."""

    @property
    def duplicates(self) -> int:
        """Duplicates in what the centre holds: events that reused a station sequence number.

        The UNIQUE event id makes a second copy of one event impossible, so this
        counts the only duplicates that can exist; re-pushes are not in it.
        """
        return self.sequence_conflicts

    def as_json(self) -> dict[str, Any]:
        """The JSON shape of ``daiban central report reconcile --json``."""
        data = asdict(self)
        data["duplicates"] = self.duplicates
        for moment in ("last_seen", "oldest_unsent", "reported_at"):
            value = getattr(self, moment)
            data[moment] = value.isoformat() if value else None
        data["silent"] = bool(self.stalled)
        return data


def reconcile(
    *, session: Session, today: date | None = None, silent_days: int = 3
) -> list[StationReconciliation]:
    """Reconcile every enrolled station against what the centre holds.

    Args:
        session: a session.
        today: the China day silence is judged on (default: today).
        silent_days: working days without a word after which a station is flagged.

    Returns:
        One entry per station, ordered by division.
    """
    connection = session.connection()
    events = _event_counts(connection)
    cases = _case_counts(connection)
    records = _record_counts(connection)
    report = []
    for station in list_stations(session=session):
        count, max_seq, distinct = events.get(station.id, (0, 0, 0))
        gaps = _gaps(connection, station.id) if max_seq > distinct else []
        entry = _entry(station, cases.get(station.id, 0), count, max_seq, distinct, gaps)
        entry.unresolved = records.get(station.id, 0)
        _both_sides(entry, silence(station, today or china_today(), silent_days))
        report.append(entry)
    return report


def _entry(
    station: Station, cases: int, count: int, max_seq: int, distinct: int, gaps: list[int]
) -> StationReconciliation:
    return StationReconciliation(
        station=station.id,
        division=station.division,
        name=station.name,
        role=station.role,
        cases=cases,
        events=count,
        max_station_seq=max_seq,
        gaps=gaps,
        duplicate_pushes=station.duplicates,
        sequence_conflicts=count - distinct,
        last_seen=as_utc(station.last_seen),
        revoked=station.revoked_at is not None,
    )


def _both_sides(entry: StationReconciliation, state: dict[str, Any]) -> None:
    entry.outbox_depth = state["outbox_depth"]
    entry.oldest_unsent = state["oldest_unsent"]
    entry.cases_held = state["cases_held"]
    entry.reported_at = state["reported_at"]
    entry.silent_days = state["silent_days"]
    entry.stalled = state["stalled"]


def _event_counts(connection: Connection) -> dict[str, tuple[int, int, int]]:
    statement = select(
        _ev.station_id,
        func.count(),
        func.max(_ev.station_seq),
        func.count(func.distinct(_ev.station_seq)),
    ).group_by(_ev.station_id)
    return {
        row[0]: (int(row[1]), int(row[2]), int(row[3])) for row in connection.execute(statement)
    }


def _case_counts(connection: Connection) -> dict[str, int]:
    statement = select(CASE_TABLE.c.owner_station, func.count()).group_by(
        CASE_TABLE.c.owner_station
    )
    return {row[0]: int(row[1]) for row in connection.execute(statement)}


def _record_counts(connection: Connection) -> dict[str, int]:
    owner = UNRESOLVED_TABLE.c.owner_station
    statement = select(owner, func.count()).group_by(owner)
    return {row[0]: int(row[1]) for row in connection.execute(statement)}


def _gaps(connection: Connection, station_id: str) -> list[int]:
    """Missing station_seq numbers, found with a window over the held ones."""
    held = (
        select(
            _ev.station_seq.label("seq"),
            func.lag(_ev.station_seq).over(order_by=_ev.station_seq).label("prev"),
        )
        .where(_ev.station_id == station_id)
        .distinct()
        .subquery()
    )
    statement = (
        select(held.c.prev, held.c.seq)
        .where(func.coalesce(held.c.prev, 0) < held.c.seq - 1)
        .order_by(held.c.seq)
    )
    missing: list[int] = []
    for prev, seq in connection.execute(statement):
        missing.extend(range((prev or 0) + 1, seq))
        if len(missing) >= MAX_LISTED_GAPS:
            return missing[:MAX_LISTED_GAPS]
    return missing


@dataclass
class CaseStatistics:
    """The county's figures: cases by state and item, flagged and overdue ones."""

    cases: int = 0
    by_state: dict[str, int] = field(default_factory=dict)
    by_item: dict[str, int] = field(default_factory=dict)
    flagged: int = 0
    overdue: list[str] = field(default_factory=list)
    """Case numbers past their promised date (not yet completed)."""
    unresolved: int = 0
    """办不成事 records: counted apart, never among ``cases``."""


OPEN_STATES = ("accepted", "processing", "paused", "returned")


def case_statistics(*, session: Session, today: date, prefix: str = "") -> CaseStatistics:
    """Cases by state and item, how many are flagged, which are overdue on ``today``.

    Args:
        session: a session.
        today: the day to judge deadlines on.
        prefix: only cases whose division starts with it (empty: all).
    """
    connection = session.connection()
    scope = division_filter(CASE_TABLE.c.division, prefix) if prefix else true()
    stats = CaseStatistics()
    by_state = select(CASE_TABLE.c.state, func.count()).where(scope).group_by(CASE_TABLE.c.state)
    for state, count in connection.execute(by_state):
        stats.by_state[state] = int(count)
        stats.cases += int(count)
    by_item = (
        select(CASE_TABLE.c.item_code, func.count()).where(scope).group_by(CASE_TABLE.c.item_code)
    )
    for item, count in connection.execute(by_item):
        stats.by_item[item or "-"] = int(count)
    flagged = select(func.count()).select_from(CASE_TABLE).where(scope, CASE_TABLE.c.flagged)
    stats.flagged = int(connection.execute(flagged).scalar_one())
    columns = [CASE_TABLE.c[name] for name in VIEW_COLUMNS]
    open_cases = (
        select(*columns, CASE_TABLE.c.view, CASE_BODY)
        .select_from(CASES_WITH_BODY)
        .where(scope, CASE_TABLE.c.state.in_(OPEN_STATES))
    )
    for row in connection.execute(open_cases):
        view = whole_view(row._mapping, row.view, row.body)
        if _is_overdue(CaseView.model_validate(view), today):
            stats.overdue.append(row.case_number)
    records = division_filter(UNRESOLVED_TABLE.c.division, prefix) if prefix else true()
    count = select(func.count()).select_from(UNRESOLVED_TABLE).where(records)
    stats.unresolved = int(connection.execute(count).scalar_one())
    return stats


def _is_overdue(view: CaseView, today: date) -> bool:
    start, days, pauses = deadline_inputs(view)
    if start is None or days is None:
        return False
    closed = [(a, b if b is not None else today) for a, b in pauses]
    return due_date(start, days, closed).date < today


OPEN_APPLICATION_STATES = ("received", "submitted", "returned", "accepted", "processing", "paused")
"""An application still open: taken in (收件) and not completed, delivered, rejected,
withdrawn or discarded. A draft is not yet an application."""


@dataclass
class DuplicateApplication:
    """One resident applying for one item at more than one station, the applications open."""

    id_masked: str
    item_code: str
    item_name: str
    cases: list[dict[str, str]]
    """``case_number``, ``case_id``, ``station``, ``station_name``, ``division``, ``state``."""


GRANTED_STATES = ("completed", "delivered")
"""Closed applications that count against a new one when they were granted (通过, 容缺通过)."""
GRANTED_RESULTS = frozenset({"approved", "approved_deferred"})


def duplicate_applications(*, session: Session, prefix: str = "") -> list[DuplicateApplication]:
    """An open application of a resident (ID number) for an item that the resident holds
    open, or was granted, at another station.

    The granted ones count too: a 医保参保 granted at one village and taken in again at
    another (the demo's) was never listed, since only open applications were compared. A
    refused, withdrawn or rejected application does not count against a new one.

    One query over the open and the granted applications (columns and three JSON values,
    never whole views); the grouping is done here so ``x`` and ``X`` check characters meet.

    Args:
        session: a session.
        prefix: only cases whose division starts with it (empty: all).

    Returns:
        One entry per resident and item, by item then masked ID; the ID number masked.
    """
    case = CASE_TABLE.c
    scope = division_filter(case.division, prefix) if prefix else true()
    statement = (
        select(
            case.case_id,
            case.case_number,
            case.division,
            case.owner_station,
            case.state,
            case.item_code,
            view_value(("applicant", "id_number")),
            view_value("item_name"),
            case.view["result"].as_string(),
        )
        .select_from(CASES_WITH_BODY)
        .where(
            scope,
            case.state.in_(OPEN_APPLICATION_STATES + GRANTED_STATES),
            case.item_code != "",
        )
    )
    groups: dict[tuple[str, str], list[Any]] = {}
    for row in session.connection().execute(statement):
        number = (row[6] or "").strip().upper()
        if row[4] in GRANTED_STATES and row[8] not in GRANTED_RESULTS:
            continue  # refused at 办结: nothing held against a new application
        if number:
            groups.setdefault((number, row[5]), []).append(row)
    names = {station.id: station.name for station in list_stations(session=session)}
    out = [
        _duplicate(number, item, rows, names)
        for (number, item), rows in groups.items()
        if len({row[3] for row in rows}) > 1
        and any(row[4] in OPEN_APPLICATION_STATES for row in rows)
    ]
    return sorted(out, key=lambda d: (d.item_code, d.id_masked, d.cases[0]["case_number"]))


def _duplicate(
    number: str, item: str, rows: list[Any], names: dict[str, str]
) -> DuplicateApplication:
    cases = [
        {
            "case_number": row[1],
            "case_id": str(row[0]),
            "station": row[3],
            "station_name": names.get(row[3], row[3]),
            "division": row[2],
            "state": row[4],
        }
        for row in sorted(rows, key=lambda r: r[1])
    ]
    name = next((row[7] for row in rows if row[7]), item)
    return DuplicateApplication(mask_id_number(number), item, name, cases)


def reconciliation_json(
    report: list[StationReconciliation], duplicates: list[DuplicateApplication]
) -> dict[str, Any]:
    """The JSON of ``report reconcile --json`` and ``GET /admin/reconcile``.

    ``stations`` keeps its documented keys (and gains the station's reported side and
    ``silent``); ``duplicate_applications`` lists open applications across stations.
    """
    return {
        "stations": [entry.as_json() for entry in report],
        "silent": [entry.station for entry in report if entry.stalled],
        "duplicate_applications": [asdict(d) for d in duplicates],
    }
