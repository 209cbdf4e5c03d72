"""Listing, searching and counting cases; a case's history."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import Engine, Select, func, select, text
from sqlalchemy.sql.elements import ColumnElement

from forms.clock import china_today
from station.store import eventlog, projection
from station.store.db import reading
from station.store.models import CaseSummary
from station.store.search import id_hash, is_id_number, match_expression
from station.store.tables import CASES
from sync.reducer import CaseView, HistoryEntry

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


def _conditions(
    query: str,
    state: str | None = None,
    item: str | None = None,
    overdue: bool = False,
    flagged: bool = False,
    today: date | None = None,
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    query = query.strip()
    if query and is_id_number(query):
        conditions.append(CASES.c.id_hash == id_hash(query))
    elif query:
        expression = match_expression(query)
        if expression is not None:
            matching = text("SELECT case_id FROM cases_fts WHERE cases_fts MATCH :q").bindparams(
                q=expression
            )
            conditions.append(CASES.c.case_id.in_(matching.columns(CASES.c.case_id)))
    if state:
        conditions.append(CASES.c.state == state)
    if item:
        conditions.append(CASES.c.item_code == item)
    if overdue:
        day = (today or china_today()).isoformat()
        running = [s.value for s in projection.CLOCK_RUNNING]
        conditions += [CASES.c.due_date < day, CASES.c.state.in_(running)]
    if flagged:
        conditions.append(CASES.c.flagged == 1)
    return conditions


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

    def list_cases(
        self,
        query: str = "",
        *,
        state: str | None = None,
        item: str | None = None,
        overdue: bool = False,
        flagged: bool = False,
        limit: int = 50,
        offset: int = 0,
    ) -> list[CaseSummary]:
        """Cases matching a search (name, pinyin initials, ID number, case number), newest first.

        Args:
            query: the search box's text ("" for all).
            state: only cases in this state.
            item: only cases of this service item code.
            overdue: only cases past their promised deadline.
            flagged: only cases with a superseded event of ours.
            limit: page size.
            offset: rows to skip.

        Returns:
            One page of summaries.
        """
        statement: Select[Any] = (
            select(*_SUMMARY_COLUMNS)
            .where(*_conditions(query, state, item, overdue, flagged))
            .order_by(CASES.c.updated_at.desc(), CASES.c.case_number.desc())
            .limit(limit)
            .offset(offset)
        )
        with reading(self.engine) as conn:
            return [_summary(row) for row in conn.execute(statement)]

    def count_cases(self, query: str = "", **filters: Any) -> int:
        """How many cases ``list_cases`` would list without paging."""
        statement = select(func.count()).select_from(CASES).where(*_conditions(query, **filters))
        with reading(self.engine) as conn:
            return int(conn.execute(statement).scalar_one())

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
            rows = conn.execute(select(CASES.c.view).where(CASES.c.state == state)).all()
        return [CaseView.model_validate_json(raw) for (raw,) in rows]

    def iter_cases(self, batch: int = 500) -> Iterator[CaseView]:
        """Every case, by case number (for export); reads in batches."""
        after = ""
        while True:
            with reading(self.engine) as conn:
                rows = conn.execute(
                    select(CASES.c.case_number, CASES.c.view)
                    .where(CASES.c.case_number > after)
                    .order_by(CASES.c.case_number)
                    .limit(batch)
                ).all()
            if not rows:
                return
            for _number, raw in rows:
                yield CaseView.model_validate_json(raw)
            after = rows[-1].case_number
