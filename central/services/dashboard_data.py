"""What the county board (看板) is built from: the period, names, 红黄牌 and silent stations.

Split from :mod:`central.services.dashboard` so each reads in one sitting.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlmodel import Session

from central.models import CASE_TABLE, CASES_WITH_BODY, EVENT_TABLE, Station, as_utc, view_value
from central.services.scope import division_filter, in_scope
from central.services.stations import county_divisions, list_stations
from forms.catalog.lint import CatalogError
from forms.catalog.loader import load_catalog
from forms.catalog.model import township_code
from forms.clock import CHINA, china_day, to_utc
from forms.workdays import due_date, working_days_between

ACCEPTANCE_DAYS = 5
"""行政许可法 §32: an application not returned nor refused within 5 working days of its
receipt counts as accepted (red from day 5, the last day)."""
ACCEPTANCE_WARN_DAY = 4
"""The working day after receipt that is yellow."""
DECISION_WARN_DAYS = 1
"""Working days left on the decision deadline at (or under) which a case is yellow."""
CARD_STATES = ("submitted", "accepted", "processing")
"""States whose clock runs for the township or county (returned and paused: stopped)."""

_case = CASE_TABLE.c
_ev = EVENT_TABLE.c


class DashboardKeyError(ValueError):
    """A drill-down key the board never hands out."""


@dataclass(frozen=True)
class Period:
    """China days ``first``..``last`` (inclusive)."""

    first: date
    last: date

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise DashboardKeyError("the period ends before it starts")

    def bounds(self) -> tuple[datetime, datetime]:
        """The period as UTC instants ``[start, end)``."""
        start = datetime.combine(self.first, time(0), CHINA)
        end = datetime.combine(self.last + timedelta(days=1), time(0), CHINA)
        return to_utc(start), to_utc(end)

    @classmethod
    def month_of(cls, day: date) -> Period:
        """The calendar month ``day`` is in."""
        first = day.replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
        return cls(first, following - timedelta(days=1))


def county_names(session: Session, catalog_path: Path | None) -> dict[str, str]:
    """Division code → name: the county's division table (as last published), then station
    names, then nothing."""
    names = {s.division: s.name for s in list_stations(session=session)}
    try:
        table = county_divisions(session=session, catalog_path=catalog_path)
        names.update({code: entry.name for code, entry in table.items()})
    except (CatalogError, OSError, ValueError):
        pass
    return names


def item_names(
    session: Session, catalog_path: Path | None, *, short: bool = False
) -> dict[str, str]:
    """Item code → name: the catalog's (current and retired), then the names cases carry;
    ``short``: the catalog's short name where it has one (a list's narrow column: 医保参保,
    where 城乡居民基本医疗保险参保登记 was cut to 城乡居)."""
    name = view_value("item_name")
    statement = select(_case.item_code, name).select_from(CASES_WITH_BODY).distinct()
    names = {row[0]: row[1] for row in session.connection().execute(statement) if row[1]}
    try:
        catalog = load_catalog(catalog_path)
        items = [*catalog.retired, *catalog.items]
        names.update({item.code: item.title if short else item.name for item in items})
    except (CatalogError, OSError, ValueError):
        pass
    return names


@dataclass(frozen=True)
class CardRow:
    """An open case whose clock runs, with its deadline and card."""

    case_id: UUID
    state: str
    township: str
    """The township in charge (区内通办's), or the county when the county handles it."""
    reviewer: str
    """Who accepted it (an account id); for a submitted one who claimed it; else empty."""
    deadline: date | None
    days_left: int | None
    mark: str
    """``none``, ``yellow`` or ``red``."""


def mark(acceptance: bool, days_left: int) -> str:
    """红黄牌 of a deadline ``days_left`` working days away (the 审核台's rule)."""
    if acceptance:
        if days_left <= 0:
            return "red"
        return "yellow" if days_left <= ACCEPTANCE_DAYS - ACCEPTANCE_WARN_DAY else "none"
    if days_left < 0:
        return "red"
    return "yellow" if days_left <= DECISION_WARN_DAYS else "none"


def _day(value: Any) -> date | None:
    if not value:
        return None
    return china_day(datetime.fromisoformat(str(value)))


def pauses_of(value: Any) -> list[tuple[date, date | None]]:
    """A stored view's ``pauses`` (JSON pairs of ISO days) as days: (first, last or None)."""
    out = []
    for pair in value or []:
        first, last = pair[0], pair[1] if len(pair) > 1 else None
        out.append((date.fromisoformat(first), date.fromisoformat(last) if last else None))
    return out


_Due = dict[tuple[date, int, tuple[tuple[date, date], ...]], date]


def _due(memo: _Due, start: date, days: int, pauses: tuple[tuple[date, date], ...] = ()) -> date:
    """``forms.workdays.due_date``, memoised: a county's cases share a few start days."""
    key = (start, days, pauses)
    if key not in memo:
        memo[key] = due_date(start, days, pauses).date
    return memo[key]


def _deadline(row: Any, memo: _Due) -> tuple[date | None, bool]:
    """The binding deadline of an open case row and whether it is §32's."""
    pauses = pauses_of(row.pauses)
    if row.state == "submitted":
        arrived = _day(row.submitted_at)
        back = pauses[-1][1] if pauses else None
        if arrived is not None and back is not None:
            arrived = max(arrived, back)
        return (_due(memo, arrived, ACCEPTANCE_DAYS) if arrived else None), True
    start = _day(row.accepted_at)
    if start is None or row.promised_days is None:
        return None, False
    if any(b is None for _a, b in pauses):
        return None, False  # the clock is stopped (补正 or 特别程序 still running)
    kept = tuple((a, b) for a, b in pauses if b is not None and b >= start)
    return _due(memo, start, int(row.promised_days), kept), False


def card_rows(
    *, session: Session, county: str, today: date, catalog_path: Path | None = None
) -> list[CardRow]:
    """Every open case of the county whose clock runs, with its deadline and card.

    One query for the cases (columns and a few JSON values), one for who accepted them.
    """
    view = _case.view
    statement = (
        select(
            _case.case_id,
            _case.division,
            _case.state,
            view["submitted_at"].as_string().label("submitted_at"),
            view["accepted_at"].as_string().label("accepted_at"),
            view_value("promised_days", integer=True).label("promised_days"),
            view["pauses"].label("pauses"),
            view_value("handling_division").label("handling"),
            view["claimed_by"].as_string().label("claimed_by"),
        )
        .select_from(CASES_WITH_BODY)
        .where(division_filter(_case.division, county[:6]), _case.state.in_(CARD_STATES))
    )
    rows = list(session.connection().execute(statement))
    accepters = _accepters(session, county)
    between: dict[date, int] = {}
    memo: _Due = {}
    out = []
    for row in rows:
        deadline, acceptance = _deadline(row, memo)
        left = None
        if deadline is not None:
            left = between.get(deadline)
            if left is None:  # once per deadline (setdefault counted the days for every case)
                left = between[deadline] = working_days_between(today, deadline)
        handling = row.handling or row.division
        township = handling if handling.endswith("000000") else township_code(handling)
        reviewer = accepters.get(row.case_id) or (
            "" if row.state != "submitted" else row.claimed_by or ""
        )
        out.append(
            CardRow(
                case_id=row.case_id,
                state=row.state,
                township=township,
                reviewer=reviewer or "",
                deadline=deadline,
                days_left=left,
                mark="none" if left is None else mark(acceptance, left),
            )
        )
    return out


def _accepters(session: Session, county: str) -> dict[UUID, str]:
    """Case → the account that accepted it (the last applied ``accepted``), in the county."""
    statement = (
        select(_ev.case_id, _ev.actor_id)
        .where(
            _ev.kind == "accepted",
            _ev.status == "applied",
            division_filter(_ev.division, county[:6]),
        )
        .order_by(_ev.central_seq)
    )
    return {row[0]: row[1] for row in session.connection().execute(statement)}


def reported(station: Station) -> dict[str, Any]:
    """What the station said at its last hello about what it still holds.

    The columns come with the station list's work (``outbox_depth``, ``oldest_unsent``,
    ``cases_held``, ``reported_at``); until a station has reported, each is None.
    """
    oldest = getattr(station, "oldest_unsent", None)
    at = getattr(station, "reported_at", None)
    return {
        "outbox_depth": getattr(station, "outbox_depth", None),
        "oldest_unsent": as_utc(oldest) if isinstance(oldest, datetime) else None,
        "cases_held": getattr(station, "cases_held", None),
        "reported_at": as_utc(at) if isinstance(at, datetime) else None,
    }


REPORTED_SPAN = timedelta(days=5 * 366)
"""How far before today a station's reported day is counted back (see ``_bounded``)."""


def _bounded(day: date, today: date) -> date:
    """``day`` within ``REPORTED_SPAN`` before ``today``: a station reports its oldest
    unsent event by its own clock, which may be decades off; counted day by day, such a
    date held the county's dashboard for minutes (found by fuzzing ``POST /sync``). Five
    years of silence says "stalled" as well as fifty, and a day after today counts none."""
    return min(max(day, today - REPORTED_SPAN), today)


def silence(station: Station, today: date, days: int) -> dict[str, Any]:
    """Whether a station is stalled, and why (the one rule, used by 看板 and 对账).

    Stalled: never seen, or not seen for ``days`` working days or more (``silent``);
    or its outbox holds an event unsent for that long (``outbox``: it has work it
    cannot get out). Revoked stations are never stalled.
    """
    seen = as_utc(station.last_seen)
    silent_for = working_days_between(_bounded(china_day(seen), today), today) if seen else None
    held = reported(station)
    oldest = held["oldest_unsent"]
    unsent_for = working_days_between(_bounded(china_day(oldest), today), today) if oldest else None
    reason = ""
    if station.revoked_at is None:
        if silent_for is None:
            reason = "never"
        elif silent_for >= days:
            reason = "silent"
        elif unsent_for is not None and unsent_for >= days and (held["outbox_depth"] or 0) > 0:
            reason = "outbox"
    return {"silent_days": silent_for, "unsent_days": unsent_for, "stalled": reason, **held}


def station_silence(
    *, session: Session, county: str, today: date, days: int
) -> list[dict[str, Any]]:
    """The county's stalled stations (see :func:`silence`), longest silent first."""
    out = []
    for station in list_stations(session=session):
        if not in_scope(station.division, county[:6], "county"):
            continue
        state = silence(station, today, days)
        if state["stalled"]:
            seen = as_utc(station.last_seen)
            out.append(
                {
                    "station": station.id,
                    "name": station.name,
                    "division": station.division,
                    "last_seen": seen.isoformat() if seen else None,
                    "key": f"station:-:{station.id}:-:-",
                    **_json(state),
                }
            )
    return sorted(out, key=lambda s: (-(s["silent_days"] or 10_000), s["division"]))


def _json(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in values.items()}
