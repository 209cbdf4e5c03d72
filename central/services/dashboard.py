"""看板: the county's figures for a period, each with a key that lists its cases.

- Volumes (收件量): cases received (收件, the ``received`` event) in the period, by
  township, village (the taking station's division) and item.
- 红黄牌 as of ``today``, by the township in charge (区内通办's, else the village's)
  and by the reviewer (who accepted; for an application not yet accepted, who
  claimed it). The rule is the township 审核台's, so a county and a township see the
  same cards: the decision deadline (办结时限: the promised working days from
  受理) is yellow with one working day left or due today, red once past; the
  acceptance deadline of 行政许可法 §32 (5 working days from the day the
  application reached the township) is yellow on day 4, red from day 5. A case
  returned for correction or paused (特别程序) has its clock stopped: no card.
- Satisfaction (好差评): ratings given in the period (the ``rated`` event), the
  share of 满意 and above (4-5) and the number of 差评 (1-2), at the current
  rating (a correction counts).
- 办不成事: records reported in the period (their own table, never cases).
- Stalled stations: see :func:`station_silence`.

Every figure comes with a *key*; :func:`cases_for_key` answers it with exactly the
cases (or records) the figure counted. Queries read columns and a few JSON values,
never whole case views, and group in SQL where a group is wanted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, and_, func, select
from sqlmodel import Session

from central.models import CASE_TABLE, EVENT_TABLE, UNRESOLVED_TABLE, User
from central.services.dashboard_data import (
    DashboardKeyError,
    Period,
    card_rows,
    county_names,
    item_names,
    station_silence,
)
from central.services.scope import division_filter
from forms.catalog.model import township_code

__all__ = [
    "Cards",
    "Dashboard",
    "DashboardKeyError",
    "Figure",
    "Period",
    "dashboard",
]

_ev = EVENT_TABLE.c
_case = CASE_TABLE.c
GOOD_RATING = 4
"""满意 (4) and 非常满意 (5)."""
BAD_RATING = 2
"""差评: 不满意 (2) and 非常不满意 (1)."""


@dataclass
class Figure:
    """One number on the board and the key that lists its cases."""

    code: str
    name: str
    count: int
    key: str


@dataclass
class Cards:
    """红黄牌 of one township or reviewer."""

    code: str
    name: str
    yellow: int
    red: int
    yellow_key: str
    red_key: str


@dataclass
class Dashboard:
    """The county's board for a period."""

    county: str
    first: date
    last: date
    today: date
    received: Figure
    by_township: list[Figure] = field(default_factory=list)
    by_village: list[Figure] = field(default_factory=list)
    by_item: list[Figure] = field(default_factory=list)
    yellow: Figure | None = None
    red: Figure | None = None
    cards_by_township: list[Cards] = field(default_factory=list)
    cards_by_reviewer: list[Cards] = field(default_factory=list)
    rated: Figure | None = None
    satisfied: Figure | None = None
    """满意 and above."""
    bad: Figure | None = None
    """差评 (不满意, 非常不满意)."""
    satisfaction: float | None = None
    """Share of 满意 and above among the ratings (None: no rating in the period)."""
    unresolved: Figure | None = None
    stalled: list[dict[str, Any]] = field(default_factory=list)
    silent_days: int = 3


def received_rows(
    session: Session, county: str, period: Period, extra: ColumnElement[bool] | None = None
) -> list[Any]:
    """``(case_id, division, item_code)`` of the cases received in the period (one query)."""
    start, end = period.bounds()
    conditions = [
        _ev.kind == "received",
        _ev.status == "applied",
        _ev.device_time >= start,
        _ev.device_time < end,
        division_filter(_ev.division, county),
    ]
    if extra is not None:
        conditions.append(extra)
    statement = (
        select(_case.case_id, _case.division, _case.item_code)
        .select_from(EVENT_TABLE.join(CASE_TABLE, _case.case_id == _ev.case_id))
        .where(and_(*conditions))
    )
    return list(session.connection().execute(statement))


def received_counts(session: Session, county: str, period: Period) -> list[tuple[str, str, int]]:
    """``(division, item_code, cases)`` received in the period, grouped in SQL (no ids read)."""
    start, end = period.bounds()
    statement = (
        select(_case.division, _case.item_code, func.count())
        .select_from(EVENT_TABLE.join(CASE_TABLE, _case.case_id == _ev.case_id))
        .where(
            _ev.kind == "received",
            _ev.status == "applied",
            _ev.device_time >= start,
            _ev.device_time < end,
            division_filter(_ev.division, county),
        )
        .group_by(_case.division, _case.item_code)
    )
    return [(row[0], row[1], int(row[2])) for row in session.connection().execute(statement)]


def rated_rows(session: Session, county: str, period: Period) -> list[tuple[UUID, int]]:
    """``(case_id, current rating)`` of the cases rated in the period, without the 差评 the
    county overturned on appeal (申诉复核: a mistaken 差评 does not count)."""
    from central.services.loops import overturned_ratings

    start, end = period.bounds()
    rating = _case.view["rating"].as_integer()
    statement = (
        select(_case.case_id, rating)
        .select_from(EVENT_TABLE.join(CASE_TABLE, _case.case_id == _ev.case_id))
        .where(
            _ev.kind == "rated",
            _ev.status == "applied",
            _ev.device_time >= start,
            _ev.device_time < end,
            division_filter(_ev.division, county),
            rating.is_not(None),
        )
    )
    overturned = overturned_ratings(session)
    rows = session.connection().execute(statement)
    return [(row[0], int(row[1])) for row in rows if row[0] not in overturned]


def unresolved_ids(session: Session, county: str, period: Period) -> list[UUID]:
    """The 办不成事 records reported in the period."""
    start, end = period.bounds()
    record = UNRESOLVED_TABLE.c
    statement = (
        select(record.record_id)
        .select_from(EVENT_TABLE.join(UNRESOLVED_TABLE, record.record_id == _ev.case_id))
        .where(
            _ev.kind.in_(("reported", "created")),  # older software wrote a created record
            _ev.status == "applied",
            _ev.device_time >= start,
            _ev.device_time < end,
            division_filter(_ev.division, county),
        )
    )
    return [row[0] for row in session.connection().execute(statement)]


def dashboard(
    *,
    session: Session,
    county: str,
    period: Period,
    today: date,
    catalog_path: Path | None = None,
    silent_days: int = 3,
) -> Dashboard:
    """The county's board.

    Args:
        session: a session.
        county: the county's division prefix (6 digits) or 12-digit code.
        period: the China days to count (inclusive).
        today: the China day deadlines and silence are judged on.
        catalog_path: the county's catalog (names of divisions and items; None: shipped).
        silent_days: working days without a word after which a station is stalled.

    Returns:
        Every figure with its drill-down key.
    """
    county = county[:6]
    names = county_names(session, catalog_path)
    first, last = period.first.isoformat(), period.last.isoformat()
    span = f"{first}:{last}"
    received = received_counts(session, county, period)
    board = Dashboard(
        county=county,
        first=period.first,
        last=period.last,
        today=today,
        received=Figure(
            county,
            names.get(county + "000000", county),
            sum(count for _division, _item, count in received),
            f"received:all:-:{span}",
        ),
        silent_days=silent_days,
    )
    _volumes(board, received, names, item_names(session, catalog_path), span)
    _cards(board, session, county, today, names, catalog_path)
    _ratings(board, rated_rows(session, county, period), span)
    board.unresolved = Figure(
        "unresolved", "", len(unresolved_ids(session, county, period)), f"unresolved:all:-:{span}"
    )
    board.stalled = station_silence(session=session, county=county, today=today, days=silent_days)
    return board


def _figures(counts: Counter[str], names: dict[str, str], scope: str, span: str) -> list[Figure]:
    ordered = sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))
    return [
        Figure(code, names.get(code, code), n, f"received:{scope}:{code}:{span}")
        for code, n in ordered
    ]


def _volumes(
    board: Dashboard,
    rows: Iterable[tuple[str, str, int]],
    names: dict[str, str],
    items: dict[str, str],
    span: str,
) -> None:
    towns: Counter[str] = Counter()
    villages: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    for division, item, count in rows:
        towns[township_code(division)] += count
        villages[division] += count
        kinds[item or "-"] += count
    board.by_township = _figures(towns, names, "township", span)
    board.by_village = _figures(villages, names, "village", span)
    board.by_item = _figures(kinds, items, "item", span)


def _cards(
    board: Dashboard,
    session: Session,
    county: str,
    today: date,
    names: dict[str, str],
    catalog_path: Path | None,
) -> None:
    rows = card_rows(session=session, county=county, today=today, catalog_path=catalog_path)
    day = today.isoformat()
    yellow = [r for r in rows if r.mark == "yellow"]
    red = [r for r in rows if r.mark == "red"]
    board.yellow = Figure("yellow", "", len(yellow), f"yellow:all:-:{day}:{day}")
    board.red = Figure("red", "", len(red), f"red:all:-:{day}:{day}")
    board.cards_by_township = _cards_by(rows, "township", lambda r: r.township, names, day)
    people = _people(session, {r.reviewer for r in rows if r.reviewer})
    board.cards_by_reviewer = _cards_by(rows, "reviewer", lambda r: r.reviewer or "-", people, day)


def _cards_by(
    rows: list[Any], scope: str, key: Any, names: dict[str, str], day: str
) -> list[Cards]:
    yellow: Counter[str] = Counter(key(r) for r in rows if r.mark == "yellow")
    red: Counter[str] = Counter(key(r) for r in rows if r.mark == "red")
    out = [
        Cards(
            code=code,
            name=names.get(code, code),
            yellow=yellow[code],
            red=red[code],
            yellow_key=f"yellow:{scope}:{code}:{day}:{day}",
            red_key=f"red:{scope}:{code}:{day}:{day}",
        )
        for code in set(yellow) | set(red)
    ]
    return sorted(out, key=lambda c: (-c.red, -c.yellow, c.code))


def _people(session: Session, ids: set[str]) -> dict[str, str]:
    """Account ids → display names (one query)."""
    if not ids:
        return {}
    account = User.__table__.c  # type: ignore[attr-defined]
    statement = select(account.id, account.display_name).where(account.id.in_(sorted(ids)))
    return {row[0]: row[1] for row in session.connection().execute(statement)}


def _ratings(board: Dashboard, rows: list[tuple[UUID, int]], span: str) -> None:
    good = sum(1 for _case_id, rating in rows if rating >= GOOD_RATING)
    bad = sum(1 for _case_id, rating in rows if rating <= BAD_RATING)
    board.rated = Figure("rated", "", len(rows), f"rating:all:-:{span}")
    board.satisfied = Figure("good", "", good, f"rating:good:-:{span}")
    board.bad = Figure("bad", "", bad, f"rating:bad:-:{span}")
    board.satisfaction = good / len(rows) if rows else None
