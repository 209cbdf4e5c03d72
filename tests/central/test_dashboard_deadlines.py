"""The 看板's deadline cards count the working days to each deadline once, however many
open cases share it (a county's morning files hundreds of cases with the same few
deadlines; the count walks the calendar day by day)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlmodel import Session

from central.services import dashboard_data
from central.services.dashboard_data import card_rows
from forms.workdays import working_days_between
from sync.events import EventKind
from tests.central.conftest import VILLAGE


def test_cases_sharing_a_deadline_have_their_days_counted_once(
    enroll: Any, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    village = enroll()
    payload = {"item_code": "pension-enrollment", "applicant": {"name": "张三", "id_number": "X"}}
    events = []
    for _case in range(3):  # filed the same day: one deadline (受理 within its days)
        created = village.event(EventKind.created, payload=payload)
        events += [
            created,
            village.event(EventKind.received, created.case_id),
            village.event(EventKind.submitted, created.case_id),
        ]
    assert [r["status"] for r in village.push(events)] == ["applied"] * 9
    counted: list[tuple[date, date]] = []

    def counting(first: date, last: date) -> int:
        counted.append((first, last))
        return working_days_between(first, last)

    monkeypatch.setattr(dashboard_data, "working_days_between", counting)
    today = date(2026, 12, 7)

    cards = card_rows(session=session, county=VILLAGE, today=today)

    assert len(cards) == 3
    deadlines = {card.deadline for card in cards}
    assert len(deadlines) == 1 and None not in deadlines
    (deadline,) = deadlines
    assert counted == [(today, deadline)]
    left = working_days_between(today, deadline)
    assert [card.days_left for card in cards] == [left] * 3
