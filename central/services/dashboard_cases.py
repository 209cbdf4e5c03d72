"""看板 drill-down: the cases behind a figure, found again by the figure's key.

A key is ``kind:scope:code:first:last`` as :mod:`central.services.dashboard` hands it
out; it is answered with the very queries that counted the figure, so the list is
exactly what was counted. The county's prefix comes from the signed-in
administrator, never from the key: a key cannot reach outside the county.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, select
from sqlmodel import Session

from central.models import CASE_TABLE, EVENT_TABLE, UNRESOLVED_TABLE
from central.services.catalog_versions import current_catalog
from central.services.dashboard import (
    BAD_RATING,
    GOOD_RATING,
    rated_rows,
    received_rows,
    unresolved_ids,
)
from central.services.dashboard_data import (
    CardRow,
    DashboardKeyError,
    Period,
    card_rows,
    county_names,
    item_names,
    pauses_of,
)
from central.services.scope import division_filter
from forms.catalog.lint import CatalogError
from forms.clock import china_day, utc_now
from forms.workdays import due_date, working_days_between

CLOSED_STATES = ("completed", "delivered", "rejected", "withdrawn", "discarded")
"""A station's cases no longer open (a stalled station's drill-down lists the others)."""
CHUNK = 500
"""Case ids per ``IN (...)`` (SQLite's variable limit is far above; PostgreSQL's plans stay small)."""

_case = CASE_TABLE.c
_ev = EVENT_TABLE.c


@dataclass(frozen=True)
class Key:
    """A parsed drill-down key."""

    kind: str
    scope: str
    code: str
    first: date | None
    last: date | None

    @property
    def period(self) -> Period:
        """The key's China days (a card key's first and last are both ``today``)."""
        if self.first is None or self.last is None:
            raise DashboardKeyError("this key has no period")
        return Period(self.first, self.last)


_SCOPES = {
    "received": ("all", "township", "village", "item"),
    "yellow": ("all", "township", "reviewer"),
    "red": ("all", "township", "reviewer"),
    "rating": ("all", "good", "bad"),
    "unresolved": ("all",),
    "station": ("-",),
}


def parse_key(text: str) -> Key:
    """Read a key, refusing anything the board never hands out.

    Raises:
        DashboardKeyError: not a key of the board.
    """
    parts = text.split(":")
    if len(parts) != 5 or parts[0] not in _SCOPES or parts[1] not in _SCOPES[parts[0]]:
        raise DashboardKeyError(f"not a dashboard key: {text!r}")
    try:
        first = date.fromisoformat(parts[3]) if parts[3] != "-" else None
        last = date.fromisoformat(parts[4]) if parts[4] != "-" else None
    except ValueError as error:
        raise DashboardKeyError(f"not a dashboard key: {text!r}") from error
    return Key(parts[0], parts[1], parts[2], first, last)


def cases_for_key(
    *, session: Session, county: str, key: str, catalog_path: Path | None = None
) -> dict[str, Any]:
    """The cases (or 办不成事 records) a figure counted.

    Args:
        session: a session.
        county: the administrator's county (its 6-digit prefix is used).
        key: the figure's key.
        catalog_path: the county's catalog, for names.

    Returns:
        ``{"key", "kind", "total", "cases": [...]}``; each case with ``case_number``,
        ``case_id``, ``item_code``, ``item_name``, ``division``, ``village``, ``state``,
        ``received_on``, ``accepted_on``, ``completed_on`` (China days) and, for a case
        whose clock runs, ``deadline`` and ``days_left`` (every list: the 收件 list left
        them blank while the case's own page and the 黄牌 list said 剩1个工作日).

    Raises:
        DashboardKeyError: the key is not one of the board's.
    """
    parsed = parse_key(key)
    county = county[:6]
    if parsed.kind == "unresolved":
        records = _records(session, unresolved_ids(session, county, parsed.period))
        return {"key": key, "kind": "unresolved", "total": len(records), "cases": records}
    cards: dict[UUID, CardRow] = {}
    today = china_day(utc_now())
    if parsed.kind in ("yellow", "red"):
        cards = {row.case_id: row for row in _card_matches(session, county, parsed, catalog_path)}
        ids: Iterable[UUID] = cards
    else:
        ids = _FINDERS[parsed.kind](session, county, parsed)
        running = card_rows(session=session, county=county, today=today, catalog_path=catalog_path)
        cards = {row.case_id: row for row in running}
    lines = _lines(
        session,
        set(ids),
        county_names(session, catalog_path),
        item_names(session, catalog_path, short=True),
    )
    correcting = (  # the catalog read only when a line needs it
        _correction_days(session, catalog_path)
        if any(line["state"] == "returned" for line in lines)
        else {}
    )
    for line in lines:
        pauses = line.pop(_PAUSES)
        card = cards.get(UUID(line["case_id"]))
        if card is not None:
            line["deadline"] = card.deadline.isoformat() if card.deadline else None
            line["days_left"] = card.days_left
        elif line["state"] == "returned":  # 补正中: the village's day, as its notice says
            due = _correction_due(pauses, correcting.get(line["item_code"]))
            if due is not None:
                line["deadline"] = due.isoformat()
                line["days_left"] = working_days_between(today, due)
    return {"key": key, "kind": "cases", "total": len(lines), "cases": lines}


_PAUSES = "_pauses"
"""A line's stopped clocks while it is built (not sent: only a 补正中 line's day is)."""


def _correction_days(session: Session, catalog_path: Path | None) -> dict[str, int]:
    """Each item's working days for a 补正 (``defer_days``), from the catalog the county runs."""
    try:
        catalog = current_catalog(session=session, path=catalog_path)
    except (CatalogError, OSError, ValueError):
        return {}
    return {item.code: item.defer_days for item in [*catalog.retired, *catalog.items]}


def _correction_due(pauses: list[tuple[date, date | None]], days: int | None) -> date | None:
    """The last day to answer a 补正 returned on the open pause's first day (the 审核台's
    and the village's 期限: ``station.services.review_queue``), or None."""
    if days is None or not pauses or pauses[-1][1] is not None:
        return None
    return due_date(pauses[-1][0], days).date


def _received(session: Session, county: str, key: Key) -> list[UUID]:
    extra: ColumnElement[bool] | None = None
    if key.scope == "township":
        extra = division_filter(_ev.division, key.code[:9])
    elif key.scope == "village":
        extra = _ev.division == key.code
    elif key.scope == "item":
        extra = _case.item_code == ("" if key.code == "-" else key.code)
    return [row[0] for row in received_rows(session, county, key.period, extra)]


def _rated(session: Session, county: str, key: Key) -> list[UUID]:
    rows = rated_rows(session, county, key.period)
    if key.scope == "good":
        return [case_id for case_id, rating in rows if rating >= GOOD_RATING]
    if key.scope == "bad":
        return [case_id for case_id, rating in rows if rating <= BAD_RATING]
    return [case_id for case_id, _rating in rows]


def _held(session: Session, county: str, key: Key) -> list[UUID]:
    statement = select(_case.case_id).where(
        division_filter(_case.division, county),
        _case.owner_station == key.code,
        _case.state.not_in(CLOSED_STATES),
    )
    return [row[0] for row in session.connection().execute(statement)]


_FINDERS: dict[str, Callable[[Session, str, Key], list[UUID]]] = {
    "received": _received,
    "rating": _rated,
    "station": _held,
}


def _card_matches(
    session: Session, county: str, key: Key, catalog_path: Path | None
) -> list[CardRow]:
    today = key.period.first
    rows = card_rows(session=session, county=county, today=today, catalog_path=catalog_path)
    rows = [row for row in rows if row.mark == key.kind]
    if key.scope == "township":
        return [row for row in rows if row.township == key.code]
    if key.scope == "reviewer":
        return [row for row in rows if (row.reviewer or "-") == key.code]
    return rows


def _day_of(value: Any) -> str | None:
    if not value:
        return None
    return china_day(datetime.fromisoformat(str(value))).isoformat()


def _lines(
    session: Session, ids: set[UUID], names: dict[str, str], items: dict[str, str]
) -> list[dict[str, Any]]:
    view = _case.view
    columns = (
        _case.case_id,
        _case.case_number,
        _case.division,
        _case.item_code,
        _case.state,
        view["received_at"].as_string(),
        view["accepted_at"].as_string(),
        view["completed_at"].as_string(),
        view["rating"].as_integer(),
        view["pauses"],
    )
    ordered = sorted(ids)
    out = []
    for start in range(0, len(ordered), CHUNK):
        statement = select(*columns).where(_case.case_id.in_(ordered[start : start + CHUNK]))
        for row in session.connection().execute(statement):
            out.append(
                {
                    "case_number": row[1],
                    "case_id": str(row[0]),
                    "item_code": row[3],
                    "item_name": items.get(row[3], row[3]),
                    "division": row[2],
                    "village": names.get(row[2], row[2]),
                    "state": row[4],
                    "received_on": _day_of(row[5]),
                    "accepted_on": _day_of(row[6]),
                    "completed_on": _day_of(row[7]),
                    "rating": row[8],
                    _PAUSES: pauses_of(row[9]),
                }
            )
    return sorted(out, key=lambda line: line["case_number"])


def _records(session: Session, ids: list[UUID]) -> list[dict[str, Any]]:
    """办不成事 records as drill-down lines (never cases: no item, no state of a case)."""
    record = UNRESOLVED_TABLE.c
    out = []
    for start in range(0, len(ids), CHUNK):
        statement = select(
            record.record_id,
            record.number,
            record.division,
            record.state,
            record.view["what"].as_string(),
            record.view["station_name"].as_string(),
            record.view["reported_at"].as_string(),
        ).where(record.record_id.in_(ids[start : start + CHUNK]))
        for row in session.connection().execute(statement):
            out.append(
                {
                    "case_number": row[1],
                    "case_id": str(row[0]),
                    "item_code": "",
                    "item_name": row[4] or "",
                    "division": row[2],
                    "village": row[5] or row[2],
                    "state": row[3],
                    "received_on": _day_of(row[6]),
                }
            )
    return sorted(out, key=lambda line: line["case_number"])
