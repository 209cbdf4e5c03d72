"""Listing, searching and counting cases; a case's history."""

from __future__ import annotations

import json
from collections import namedtuple
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import (
    Connection,
    Engine,
    Integer,
    Select,
    and_,
    bindparam,
    column,
    func,
    literal_column,
    or_,
    select,
    text,
)
from sqlalchemy.sql.elements import ColumnElement

from forms.clock import china_today
from station.store import eventlog, projection, stored
from station.store.db import reading, writing
from station.store.models import CaseSummary
from station.store.search import (
    cached_id_key,
    id_hash,
    id_key,
    is_id_number,
    match_expression,
    tokens,
)
from station.store.tables import CASES, EVENTS
from sync.events import EventKind
from sync.lifecycle import CaseState
from sync.reducer import CaseView, HistoryEntry

_ROWID: ColumnElement[int] = literal_column("cases.rowid", Integer)
"""A case's row: the search index's key (migration 0015)."""

_CASES_HELD = select(func.count()).select_from(CASES)
"""Built once: a desk asks it at every sync (every 30 s)."""
_WAITING = (
    select(EVENTS.c.case_number, EVENTS.c.actor_id)
    .select_from(CASES)
    .join(EVENTS, EVENTS.c.case_id == CASES.c.case_id)
    .where(
        CASES.c.state == CaseState.received.value,
        EVENTS.c.kind == EventKind.received.value,
        EVENTS.c.origin == "local",
        # "+": not through the index of the station's own events (SQLite would walk
        # every event the station ever wrote); the cases in 收件, then their events
        text("+events.station_id = :own").bindparams(bindparam("own")),
    )
    .order_by(EVENTS.c.local_order)
)
"""The 收件 events of a station's cases still taken in, oldest first: read through the
cases' state index, then each case's events (``EXPLAIN QUERY PLAN`` in the tests)."""

_SUMMARY_COLUMNS = (
    CASES.c.case_id,
    CASES.c.case_number,
    CASES.c.state,
    CASES.c.item_code,
    CASES.c.item_name,
    CASES.c.applicant_name,
    CASES.c.id_masked,
    CASES.c.division,
    CASES.c.updated_at,
    CASES.c.due_date,
    CASES.c.flagged,
)


CLOSED_STATES = ("rejected", "withdrawn", "delivered", "discarded")
"""A case in one of these is no longer open (a new application for the same thing is no duplicate)."""

CLAIM_KINDS = ("claimed", "unclaimed", "released")
"""History kinds that take or give back a case (认领); read from the event rows as text, so
a station whose software does not know them yet still lists its cases."""

_LAST_CLAIM: Any = literal_column(
    "CASE WHEN EXISTS (SELECT 1 FROM events AS c WHERE c.case_id = cases.case_id "
    "AND c.kind = 'claimed') THEN ("
    "SELECT e.kind || ' ' || e.actor_id "
    "FROM json_each(cases.view, '$.h') AS h JOIN events AS e ON e.id = h.value ->> 0 "
    "WHERE e.kind IN ('claimed', 'unclaimed', 'released') "
    "AND h.value ->> 1 != 'superseded' "
    "ORDER BY CAST(h.key AS INTEGER) DESC LIMIT 1) END"
).label("last_claim")
"""``"claimed <actor id>"`` (or ``unclaimed``/``released``) of a case's latest claim entry."""

_QUEUE_COLUMNS: tuple[Any, ...] = (
    CASES.c.case_id,
    CASES.c.case_number,
    CASES.c.state,
    CASES.c.item_code,
    CASES.c.item_name,
    CASES.c.applicant_name,
    CASES.c.id_masked,
    CASES.c.id_hash,
    CASES.c.division,
    CASES.c.due_date,
    # one JSON parse per row: the village's name, the submission, the latest pause
    literal_column(
        "json_extract(view, '$.station_name', '$.submitted_at', '$.pauses[#-1]', '$.pause_kind',"
        " '$.forwarded_to')"
    ).label("from_view"),
    _LAST_CLAIM,
)


@dataclass(frozen=True)
class QueueRecord:
    """One case of the review queue as stored (the service turns it into what is shown).

    Read from the small columns plus a few values of the view's JSON, without
    parsing any view in Python: 2,000 waiting cases read in a few milliseconds.
    """

    case_id: str
    case_number: str
    state: str
    item_code: str
    item_name: str
    applicant_name: str
    id_masked: str
    id_hash: str = field(repr=False)
    """The station's keyed hash of the ID number (never the number; kept out of reprs,
    so crash output shows only the masked number)."""
    division: str
    due_date: date | None
    station_name: str
    """The village station that took the case in (from its ``created`` event)."""
    submitted_at: str | None
    """ISO time of the ``submitted`` event (as written)."""
    last_pause: tuple[date, date | None] | None
    """The latest returned/paused interval (China days), open while it lasts."""
    pause_kind: str | None
    last_claim: tuple[str, str] | None
    """``(kind, actor id)`` of the latest claim entry (认领), if any."""
    forwarded_to: str = ""
    """The department the case was forwarded to (转办), if any: its decision is theirs."""


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _queue_record(row: Any) -> QueueRecord:
    (case_id, number, state, item, item_name, name, masked, hashed, division, due, raw, claim) = row
    station_name, submitted_at, pause, pause_kind, forwarded_to = json.loads(raw)
    who: list[str] = claim.split(" ", 1) if claim else []
    return QueueRecord(
        case_id,
        number,
        state,
        item,
        item_name,
        name,
        masked,
        hashed,
        division,
        _day(due),
        station_name or "",
        submitted_at,
        (date.fromisoformat(pause[0]), _day(pause[1])) if pause else None,
        pause_kind,
        (who[0], who[1]) if len(who) == 2 else None,
        forwarded_to or "",
    )


Alternatives = tuple[Sequence[str], Sequence[str]]
"""What a searched word may also mean: the division codes (or code prefixes: a township's
nine digits) of the places it names, and the codes of the service items it names."""


def _conditions(
    key: Callable[[], bytes],
    query: str,
    state: str | None = None,
    item: str | None = None,
    overdue: bool = False,
    flagged: bool = False,
    today: date | None = None,
    undelivered: bool = False,
    overdue_also: Sequence[str] = (),
    also: Mapping[str, Alternatives] | None = None,
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    query = query.strip()
    if query and is_id_number(query):
        conditions.append(CASES.c.id_hash == id_hash(key(), query))
    elif query:
        words = tokens(query)
        alternatives = {word: also[word] for word in words if also and word in also}
        plain = match_expression(" ".join(w for w in words if w not in alternatives))
        if plain is not None:
            conditions.append(_matching(plain))
        for word, (places, items) in alternatives.items():  # the word, or a place or item it names
            expression = match_expression(word)
            either = [_matching(expression)] if expression is not None else []
            either += [CASES.c.division.startswith(place) for place in places]
            if items:
                either.append(CASES.c.item_code.in_(list(items)))
            conditions.append(or_(*either))
    if state:
        conditions.append(CASES.c.state == state)
    if item:
        conditions.append(CASES.c.item_code == item)
    if overdue:
        day = (today or china_today()).isoformat()
        running = [s.value for s in projection.CLOCK_RUNNING]
        late = and_(CASES.c.due_date < day, CASES.c.state.in_(running))
        conditions.append(or_(late, CASES.c.case_id.in_(overdue_also)) if overdue_also else late)
    if flagged:
        conditions.append(CASES.c.flagged == 1)
    if undelivered:  # no 送达 recorded (a view keeps ``delivered_at`` only once it has one)
        conditions.append(func.json_extract(CASES.c.view, "$.delivered_at").is_(None))
    return conditions


ORDERED_SCAN_MIN = 200
"""From this many cases matching a search up, a page of them is found by walking the
cases newest first (``ix_cases_updated``, whose entries carry the row the search index
names) until the page is full, not by reading every match's row to sort them: with
100,000 cases, 冯 matched 2,001 and reading their rows took 50–220 ms on a fresh desk,
the walk 3–11 ms; a name matching 4 is the other way round (5 ms against 30–55)."""

_MATCHES = text("SELECT count(*) FROM cases_fts WHERE cases_fts MATCH :q")

_SummaryRow = namedtuple("_SummaryRow", [c.name for c in _SUMMARY_COLUMNS])  # type: ignore[misc]

_NAMES = ", ".join(_SummaryRow._fields)
_SEARCHED = {
    walk: f"SELECT json_group_array(json_array({_NAMES})) FROM (SELECT {_NAMES} FROM cases"
    f" WHERE {'+' if walk else ''}rowid IN (SELECT rowid FROM cases_fts WHERE cases_fts MATCH ?)"
    " ORDER BY updated_at DESC, case_number DESC LIMIT ? OFFSET ?)"
    for walk in (False, True)
}
"""A page of a search with no other condition, as SQL handed to SQLite as it is (the
desk's commonest read: no statement built and compiled at every key); ``+rowid``: walked
(ORDERED_SCAN_MIN), not looked up."""


def _search_only(query: str, also: Mapping[str, Alternatives] | None, filters: Any) -> str | None:
    """The full-text expression of a search that has no other condition, or None."""
    query = query.strip()
    if not query or is_id_number(query) or any(filters.values()):
        return None
    if also and any(word in also for word in tokens(query)):
        return None
    return match_expression(query)


def _matching(expression: str) -> ColumnElement[bool]:
    """The cases whose search terms match an FTS5 ``expression``."""
    # unique: a search with several words has several of these, each with its own text
    matching = text("SELECT rowid FROM cases_fts WHERE cases_fts MATCH :q").bindparams(
        bindparam("q", expression, unique=True)
    )
    # keyed by the case's row (migration 0015): no case id read off the index, none looked up
    return _ROWID.in_(matching.columns(column("rowid", Integer)))


def _match_count(conn: Connection, expression: str) -> int:
    """How many cases a full-text expression matches (read off the index alone: it holds
    one row of terms per case)."""
    return int(conn.execute(_MATCHES, {"q": expression}).scalar_one())


def _in_one_step(page: Select[Any]) -> Select[Any]:
    """A page of rows as one JSON array, in one row: SQLite steps once, not once a row.

    A desk reads in a worker thread, which lets the interpreter go at every step of SQLite
    and waits for it back; while the screen draws, each wait lasted up to Python's
    switch interval, and a page of 50 rows that took 2 ms alone took 85–260 ms (one step:
    18 ms). The rows come back in no promised order: :func:`_page` sorts them again."""
    rows = page.subquery()
    return select(func.json_group_array(func.json_array(*rows.c)))


def _page(packed: str) -> list[CaseSummary]:
    """The summaries of a page read :func:`_in_one_step`, newest first."""
    page = [_summary(_SummaryRow(*values)) for values in json.loads(packed)]
    return sorted(page, key=lambda case: (case.updated_at, case.case_number), reverse=True)


def _summary(row: Any) -> CaseSummary:
    return CaseSummary(
        case_id=row.case_id,
        case_number=row.case_number,
        state=row.state,
        item_code=row.item_code,
        item_name=row.item_name,
        applicant_name=row.applicant_name,
        id_masked=row.id_masked,
        division=row.division,
        updated_at=row.updated_at,
        due_date=date.fromisoformat(row.due_date) if row.due_date else None,
        flagged=bool(row.flagged),
    )


class CaseListMixin:
    """Queries over the ``cases`` projection (fast with 100,000 cases)."""

    engine: Engine

    def _id_key(self) -> bytes:
        """The station's ID key (read once per engine, then cached)."""
        key = cached_id_key(self.engine)
        if key is None:
            with writing(self.engine) as conn:  # once per engine: it may be stored
                key = id_key(conn)
        return key

    def list_cases(
        self,
        query: str = "",
        *,
        state: str | None = None,
        item: str | None = None,
        overdue: bool = False,
        flagged: bool = False,
        undelivered: bool = False,
        overdue_also: Sequence[str] = (),
        also: Mapping[str, Alternatives] | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[CaseSummary]:
        """Cases matching a search (name, pinyin initials, ID number, case number), newest first.

        Args:
            query: the search box's text ("" for all).
            also: for a searched word, the places and items it may name instead
                (``Alternatives``): a case matches the word by its terms or by those.
            state: only cases in this state.
            item: only cases of this service item code.
            overdue: only cases past their promised deadline (and ``overdue_also``: the
                cases past a deadline the store does not hold, by id: §32's).
            flagged: only cases with a superseded event of ours.
            undelivered: only cases with no 送达 recorded.
            limit: page size.
            offset: rows to skip.

        Returns:
            One page of summaries.
        """
        filters: dict[str, Any] = {"state": state, "item": item, "overdue": overdue}
        filters |= {
            "flagged": flagged,
            "undelivered": undelivered,
            "overdue_also": overdue_also,
            "also": also,
        }
        return self.case_page(query, limit=limit, offset=offset, counted=False, **filters)[0]

    def case_page(
        self,
        query: str = "",
        *,
        limit: int = 50,
        offset: int = 0,
        counted: bool = True,
        **filters: Any,
    ) -> tuple[list[CaseSummary], int]:
        """A page of :meth:`list_cases` and how many :meth:`count_cases` counts, read in one
        transaction (the desk's list asks at every key typed into its search box).

        Args:
            query: the search box's text.
            limit: page size.
            offset: rows to skip.
            counted: count them (False: the total is -1).
            **filters: those of :meth:`list_cases`.
        """
        also = filters.pop("also", None)
        expression = _search_only(query, also, filters)
        with reading(self.engine) as conn:
            if expression:  # no statement built: SQL as it is (_SEARCHED)
                total = _match_count(conn, expression)
                sql = _SEARCHED[total >= ORDERED_SCAN_MIN]
                packed = conn.exec_driver_sql(sql, (expression, limit, offset)).scalar_one()
                return _page(packed), total
            conditions = _conditions(self._id_key, query, also=also, **filters)
            statement: Select[Any] = (
                select(*_SUMMARY_COLUMNS)
                .where(*conditions)
                .order_by(CASES.c.updated_at.desc(), CASES.c.case_number.desc())
                .limit(limit)
                .offset(offset)
            )
            page = _page(conn.execute(_in_one_step(statement)).scalar_one())
            if not counted:
                return page, -1
            counting = select(func.count()).select_from(CASES).where(*conditions)
            return page, int(conn.execute(counting).scalar_one())

    def holdings(self, station_id: str) -> tuple[int, str | None, int]:
        """What this station holds, read in one transaction (its hello's report, said at
        every sync): the outbox's depth, the device time of its oldest event (None: empty),
        the cases held."""
        with reading(self.engine) as conn:
            depth = eventlog.outbox_depth(conn)
            oldest = eventlog.outbox_rows(conn, station_id, 1) if depth else []
            cases = int(conn.execute(_CASES_HELD).scalar_one())
        return depth, oldest[0].device_time if oldest else None, cases

    def waiting_submission(self, station_id: str) -> dict[str, str]:
        """The cases this station took in and has not yet submitted (报送): case number →
        the agent who took it in (its last 收件), in the order they were taken in.

        Read from the events and the cases' states, not the cases' views: every desk sync
        asks, and loading the views (with their events) was a fifth of its CPU."""
        with reading(self.engine) as conn:
            rows = conn.execute(_WAITING, {"own": station_id})
            return {row.case_number: row.actor_id for row in rows}

    def count_cases(self, query: str = "", **filters: Any) -> int:
        """How many cases ``list_cases`` would list without paging."""
        also = filters.pop("also", None)
        expression = _search_only(query, also, filters)
        with reading(self.engine) as conn:
            if expression:  # the index alone
                return _match_count(conn, expression)
            conditions = _conditions(self._id_key, query, also=also, **filters)
            counting = select(func.count()).select_from(CASES).where(*conditions)
            return int(conn.execute(counting).scalar_one())

    def queue_records_of(self, case_ids: Sequence[str]) -> list[QueueRecord]:
        """The review queue's records of these cases (a page of a list: its deadlines)."""
        statement = select(*_QUEUE_COLUMNS).where(CASES.c.case_id.in_(list(case_ids)))
        with reading(self.engine) as conn:
            return [_queue_record(row) for row in conn.execute(statement)]

    def queue_records(self, states: Sequence[str], query: str = "") -> list[QueueRecord]:
        """Every case in ``states`` matching a search, for the review queue (审核台).

        Args:
            states: the case states the queue shows.
            query: the search box's text (as :meth:`list_cases`), "" for all.

        Returns:
            The records, in no particular order (the queue sorts each section itself).
        """
        statement: Select[Any] = select(*_QUEUE_COLUMNS).where(
            CASES.c.state.in_(list(states)), *_conditions(self._id_key, query)
        )
        with reading(self.engine) as conn:
            return [_queue_record(row) for row in conn.execute(statement)]

    def open_duplicates(self) -> set[tuple[str, str]]:
        """``(ID hash, item code)`` pairs held by more than one open case (重复申请).

        Open: not rejected, withdrawn, delivered or discarded. Cases without an
        ID number are never duplicates of each other.
        """
        statement = (
            select(CASES.c.id_hash, CASES.c.item_code)
            .where(CASES.c.id_hash != "", CASES.c.state.not_in(CLOSED_STATES))
            .group_by(CASES.c.id_hash, CASES.c.item_code)
            .having(func.count() > 1)
        )
        with reading(self.engine) as conn:
            return {(row.id_hash, row.item_code) for row in conn.execute(statement)}

    def open_cases_of(self, id_number: str, item_code: str) -> list[str]:
        """Case numbers of this resident's open cases of this item (a new one is 重复申请).

        Open as in :meth:`open_duplicates`; no ID number, no duplicates.
        """
        return self._cases_of(id_number, item_code, CASES.c.state.not_in(CLOSED_STATES))

    def names_of(self, id_number: str) -> list[tuple[str, str]]:
        """The names this resident's cases here were taken in under, each with its first
        case number (``(name, case number)`` by case number; no ID number, nothing)."""
        key = id_hash(self._id_key(), id_number)
        if not key:
            return []
        first = func.min(CASES.c.case_number).label("first")
        statement = (
            select(CASES.c.applicant_name, first)
            .where(CASES.c.id_hash == key, CASES.c.applicant_name != "")
            .group_by(CASES.c.applicant_name)
            .order_by(first)
        )
        with reading(self.engine) as conn:
            return [(row.applicant_name, row.first) for row in conn.execute(statement)]

    def delivered_cases_of(self, id_number: str, item_code: str) -> list[str]:
        """Case numbers of this resident's delivered (送达) cases of this item, whatever their
        result (the caller reads it: a granted one makes a new application a duplicate)."""
        return self._cases_of(id_number, item_code, CASES.c.state == "delivered")

    def _cases_of(self, id_number: str, item_code: str, state: Any) -> list[str]:
        """Case numbers of this resident's cases of this item in ``state`` (a condition)."""
        key = id_hash(self._id_key(), id_number)
        if not key:
            return []
        statement = (
            select(CASES.c.case_number)
            .where(CASES.c.id_hash == key, CASES.c.item_code == item_code, state)
            .order_by(CASES.c.case_number)
        )
        with reading(self.engine) as conn:
            return [row.case_number for row in conn.execute(statement)]

    def open_cases_by_hash(self, hashes: Sequence[str]) -> list[tuple[str, str, str, str]]:
        """Open cases of these residents (by ID hash), for naming a duplicate's other cases.

        Returns:
            ``(id hash, item code, case number, state)`` per case, by case number.
        """
        out: list[tuple[str, str, str, str]] = []
        columns = (CASES.c.id_hash, CASES.c.item_code, CASES.c.case_number, CASES.c.state)
        with reading(self.engine) as conn:
            for start in range(0, len(hashes), 500):
                statement = select(*columns).where(
                    CASES.c.id_hash.in_(list(hashes[start : start + 500])),
                    CASES.c.state.not_in(CLOSED_STATES),
                )
                out += [
                    (r.id_hash, r.item_code, r.case_number, r.state)
                    for r in conn.execute(statement)
                ]
        return sorted(out, key=lambda case: case[2])

    def case_history(self, case_id: UUID | str) -> list[HistoryEntry]:
        """Everything that happened to a case, superseded events with their reason."""
        key = eventlog.hex_id(case_id)
        with reading(self.engine) as conn:
            view = projection.load(conn, key)
        return list(view.history) if view is not None else []

    def outbox_depth(self) -> int:
        """Events of this station not yet sent (or not yet answered)."""
        with reading(self.engine) as conn:
            return eventlog.outbox_depth(conn)

    def cases_in_state(self, state: str) -> list[CaseView]:
        """Every case in one state (e.g. all taken in and not yet submitted)."""
        with reading(self.engine) as conn:
            rows = conn.execute(select(*stored.COLUMNS).where(CASES.c.state == state)).all()
            return stored.load_many(conn, rows)

    def owing_cases(self, limit: int) -> list[CaseView]:
        """The cases owing a 容缺 material (promised at take-in for later), the soonest due
        first, at most ``limit`` (the ``owed_by`` index: a station of 100,000 open cases
        read every one of them, and its case list opened in 450 ms instead of 90)."""
        statement = (
            select(*stored.COLUMNS)
            .where(CASES.c.owed_by.is_not(None))
            .order_by(CASES.c.owed_by, CASES.c.case_number)
            .limit(limit)
        )
        with reading(self.engine) as conn:
            return stored.load_many(conn, conn.execute(statement).all())

    def iter_cases(self, batch: int = 500) -> Iterator[CaseView]:
        """Every case, by case number (for export); reads in batches."""
        after = ""
        while True:
            with reading(self.engine) as conn:
                rows = conn.execute(
                    select(*stored.COLUMNS)
                    .where(CASES.c.case_number > after)
                    .order_by(CASES.c.case_number)
                    .limit(batch)
                ).all()
                views = stored.load_many(conn, rows)
            if not rows:
                return
            yield from views
            after = rows[-1].case_number
