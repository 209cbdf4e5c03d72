"""看板 and 对账 for the county desk: read from the centre over the person's own line.

The figures are the centre's (``GET /admin/dashboard``), each with a key the centre
answers with the cases it counted (``GET /admin/dashboard/cases``). Call everything
here from a worker: it goes over the network.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from station.services import _
from station.services.desk import Desk


def card_rule() -> str:
    """红黄牌 as the board states it on screen."""
    return _(
        "Red card: past the promised deadline, or the 5th working day after the township "
        "received it, still not accepted (行政许可法 §32). Yellow card: 1 working day left "
        "or due today, or the 4th working day after receipt. Same rule as the township "
        "review desk."
    )


class PeriodChoice(StrEnum):
    """The period switch."""

    this_month = "this_month"  # 本月
    last_month = "last_month"  # 上月
    this_year = "this_year"  # 本年
    custom = "custom"  # 自定义


def period_name(choice: PeriodChoice) -> str:
    """本月, 上月, 本年, 自定义."""
    names = {
        PeriodChoice.this_month: _("This month"),
        PeriodChoice.last_month: _("Last month"),
        PeriodChoice.this_year: _("This year"),
        PeriodChoice.custom: _("Custom"),
    }
    return names[choice]


@dataclass(frozen=True)
class Period:
    """China days ``first``..``last`` and how they were chosen."""

    first: date
    last: date
    choice: PeriodChoice = PeriodChoice.custom

    def label(self) -> str:
        """``2026-11-01 至 2026-11-30（本月）``."""
        return _("{first} to {last} ({name})").format(
            first=self.first.isoformat(), last=self.last.isoformat(), name=period_name(self.choice)
        )


def period_of(choice: PeriodChoice, today: date) -> Period:
    """This month, last month or this year, seen from ``today`` (custom: this month)."""
    first = today.replace(day=1)
    if choice is PeriodChoice.last_month:
        last = first - timedelta(days=1)
        return Period(last.replace(day=1), last, choice)
    if choice is PeriodChoice.this_year:
        return Period(date(today.year, 1, 1), date(today.year, 12, 31), choice)
    following = (first + timedelta(days=32)).replace(day=1)
    return Period(first, following - timedelta(days=1), PeriodChoice.this_month)


def custom_period(first: str, last: str) -> Period:
    """A period typed by the administrator (``YYYY-MM-DD`` twice).

    Raises:
        ValueError: not dates, or the end before the start (the message is Chinese).
    """
    try:
        start, end = date.fromisoformat(first.strip()), date.fromisoformat(last.strip())
    except ValueError as error:
        raise ValueError(_("Type the dates as 2026-11-01.")) from error
    if end < start:
        raise ValueError(_("The period ends before it starts."))
    return Period(start, end, PeriodChoice.custom)


@dataclass(frozen=True)
class Drill:
    """A figure a person can open: its words, its number, its key."""

    label: str
    count: int
    key: str


@dataclass
class Board:
    """The board as the desk shows it."""

    period: Period
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def satisfaction(self) -> str:
        """``66.7%`` or ``—`` when nothing was rated."""
        share = self.data.get("satisfaction")
        return "—" if share is None else f"{share * 100:.1f}%"


def read_board(desk: Desk, period: Period, silent_days: int = 3) -> Board:
    """The centre's board for ``period`` (call from a worker).

    Raises:
        CentreError: offline, or the centre refused (the message says why).
    """
    data = desk.centre().get(
        "/admin/dashboard",
        **{"from": period.first.isoformat(), "to": period.last.isoformat()},
        silent_days=silent_days,
    )
    return Board(period, data)


@dataclass(frozen=True)
class CaseLine:
    """One case behind a figure, as the drill-down list shows it."""

    case_number: str
    case_id: str
    item_name: str
    village: str
    state: str
    received_on: str
    deadline: str
    days_left: int | None
    record: bool
    """A 办不成事 record, not a case."""


def read_cases(desk: Desk, key: str) -> list[CaseLine]:
    """The cases a figure counted (call from a worker).

    Raises:
        CentreError: offline, or the centre refused.
    """
    answer = desk.centre().get("/admin/dashboard/cases", key=key)
    record = answer.get("kind") == "unresolved"
    return [
        CaseLine(
            case_number=line["case_number"],
            case_id=line["case_id"],
            item_name=line.get("item_name") or line.get("item_code") or "",
            village=line.get("village") or line.get("division") or "",
            state=line.get("state") or "",
            received_on=line.get("received_on") or "",
            deadline=line.get("deadline") or "",
            days_left=line.get("days_left"),
            record=record,
        )
        for line in answer.get("cases", [])
    ]


def held_here(desk: Desk, case_id: str) -> bool:
    """Whether this workstation holds the case (it does after a sync; call from a worker)."""
    return desk.store.get_case(case_id) is not None


def read_reconciliation(desk: Desk) -> dict[str, Any]:
    """The centre's reconciliation of the county (call from a worker).

    Raises:
        CentreError: offline, or the centre refused.
    """
    answer: dict[str, Any] = desk.centre().get("/admin/reconcile")
    return answer
