"""看板 at the centre: every figure counted again here from the database, and its key
answered with exactly the cases it counted."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlmodel import Session

from central.models import CASE_TABLE, EVENT_TABLE, Station, UnresolvedRecordRow
from central.services.dashboard import Dashboard, Period, dashboard
from central.services.dashboard_cases import cases_for_key
from central.services.dashboard_data import DashboardKeyError
from sync.events import EventKind, Role
from sync.protocol import API_PREFIX
from tests.central.conftest import COUNTY
from tests.central.dashboard_seed import (
    ITEM_1,
    ITEM_2,
    TODAY,
    TOWNSHIP_A,
    TOWNSHIP_C,
    VILLAGE_A,
    VILLAGE_B,
    VILLAGE_C,
    Seeded,
    seed_month,
)

NOVEMBER = Period(date(2026, 11, 1), date(2026, 11, 30))


@pytest.fixture
def month(enroll: Any) -> Seeded:
    return seed_month(enroll)


def _board(session: Session, period: Period = NOVEMBER, silent_days: int = 3) -> Dashboard:
    return dashboard(
        session=session, county=COUNTY, period=period, today=TODAY, silent_days=silent_days
    )


def _listed(session: Session, key: str) -> set[str]:
    answer = cases_for_key(session=session, county=COUNTY, key=key)
    assert answer["total"] == len(answer["cases"])
    return {line["case_number"] for line in answer["cases"]}


def _received_in(session: Session, first: date, last: date) -> dict[str, tuple[str, str]]:
    """Counted here, independently: case number → (division, item) of cases received in the days."""
    out = {}
    for row in session.connection().execute(
        select(
            EVENT_TABLE.c.case_number,
            EVENT_TABLE.c.division,
            EVENT_TABLE.c.device_time,
            EVENT_TABLE.c.case_id,
        ).where(EVENT_TABLE.c.kind == "received")
    ):
        china = row.device_time.replace(tzinfo=UTC) + timedelta(hours=8)
        if first <= china.date() <= last:
            item = (
                session.connection()
                .execute(select(CASE_TABLE.c.item_code).where(CASE_TABLE.c.case_id == row.case_id))
                .scalar_one()
            )
            out[row.case_number] = (row.division, item)
    return out


def test_volumes_by_township_village_and_item_match_the_database_and_drill_down(
    session: Session, month: Seeded
) -> None:
    board = _board(session)
    counted = _received_in(session, date(2026, 11, 1), date(2026, 11, 30))
    assert board.received.count == len(counted) == 8  # the October case is not in November
    assert _listed(session, board.received.key) == set(counted)

    towns = {f.code: f for f in board.by_township}
    assert {code: f.count for code, f in towns.items()} == {
        TOWNSHIP_A: sum(1 for d, _i in counted.values() if d.startswith(TOWNSHIP_A[:9])),
        TOWNSHIP_C: sum(1 for d, _i in counted.values() if d.startswith(TOWNSHIP_C[:9])),
    }
    for code, figure in towns.items():
        expected = {n for n, (d, _i) in counted.items() if d[:9] == code[:9]}
        assert _listed(session, figure.key) == expected
    villages = {f.code: f.count for f in board.by_village}
    assert villages == {VILLAGE_A: 3, VILLAGE_B: 2, VILLAGE_C: 3}
    names = {f.code: f.name for f in board.by_village}
    # the county's division table names a village; a village it lacks, by its station's name
    assert names == {VILLAGE_A: "山门村", VILLAGE_B: "武塬村", VILLAGE_C: "李俊村站"}
    items = {f.code: f for f in board.by_item}
    assert {code: f.count for code, f in items.items()} == {
        ITEM_1: sum(1 for _d, i in counted.values() if i == ITEM_1),
        ITEM_2: sum(1 for _d, i in counted.values() if i == ITEM_2),
    }
    assert items[ITEM_2].name == "临时救助申请"  # the catalog's name, not the code
    lines = cases_for_key(session=session, county=COUNTY, key=items[ITEM_2].key)["cases"]
    assert {line["item_name"] for line in lines} == {"临时救助"}  # a list's narrow column
    assert _listed(session, items[ITEM_1].key) == {
        n for n, (_d, i) in counted.items() if i == ITEM_1
    }


def test_red_and_yellow_cards_by_township_and_reviewer(session: Session, month: Seeded) -> None:
    board = _board(session)
    number = {
        label: month.numbers[case_id]
        for label, case_id in month.cases.items()
        if case_id in month.numbers
    }
    assert board.red is not None and board.yellow is not None
    assert _listed(session, board.red.key) == {number["red_decision"], number["red_acceptance"]}
    assert _listed(session, board.yellow.key) == {
        number["yellow_decision"],
        number["yellow_acceptance"],
    }
    towns = {c.code: c for c in board.cards_by_township}
    assert (towns[TOWNSHIP_A].red, towns[TOWNSHIP_A].yellow) == (1, 1)
    assert (towns[TOWNSHIP_C].red, towns[TOWNSHIP_C].yellow) == (1, 1)
    assert _listed(session, towns[TOWNSHIP_C].red_key) == {number["red_acceptance"]}
    people = {c.code: c for c in board.cards_by_reviewer}
    reviewer = month.stations["town_a"].accounts[Role.reviewer]  # the township's 审核员
    assert (people[reviewer].red, people[reviewer].yellow) == (1, 1)  # accepted both
    assert (people["-"].red, people["-"].yellow) == (1, 1)  # nobody has taken the §32 ones
    assert _listed(session, people[reviewer].yellow_key) == {number["yellow_decision"]}
    lines = cases_for_key(session=session, county=COUNTY, key=people[reviewer].red_key)["cases"]
    assert lines[0]["deadline"] == "2026-11-09" and lines[0]["days_left"] == -10


def test_satisfaction_counts_ratings_given_in_the_period(session: Session, month: Seeded) -> None:
    board = _board(session)
    assert board.rated is not None and board.satisfied is not None and board.bad is not None
    assert (board.rated.count, board.satisfied.count, board.bad.count) == (3, 2, 1)
    assert board.satisfaction == pytest.approx(2 / 3)
    assert _listed(session, board.bad.key) == {month.numbers[month.cases["bad1"]]}
    october = _board(session, Period(date(2026, 10, 1), date(2026, 10, 31)))
    assert october.bad is not None and october.bad.count == 1 and october.satisfaction == 0.0


def test_unresolved_records_are_counted_apart_and_listed_as_records(
    session: Session, month: Seeded
) -> None:
    board = _board(session)
    assert board.unresolved is not None and board.unresolved.count == 1
    record = session.get_one(UnresolvedRecordRow, month.cases["record_nov"])
    answer = cases_for_key(session=session, county=COUNTY, key=board.unresolved.key)
    assert answer["kind"] == "unresolved"
    assert [line["case_number"] for line in answer["cases"]] == [record.number]
    assert answer["cases"][0]["item_name"] == "办理林权证"
    assert record.number not in _listed(session, board.received.key)


def test_a_silent_station_is_stalled_and_lists_the_cases_it_holds(
    session: Session, month: Seeded
) -> None:
    assert _board(session).stalled == []  # everyone was seen just now... by the real clock
    quiet = month.stations["c"]
    session.connection().execute(
        update(Station)
        .where(Station.id == quiet.id)
        .values(last_seen=datetime(2026, 11, 18, 2, tzinfo=UTC))  # type: ignore[arg-type]
    )  # Wednesday: Thu, Fri, Mon = 3 working days silent on Monday 23 November
    session.commit()
    [stalled] = _board(session).stalled
    assert (stalled["station"], stalled["stalled"], stalled["silent_days"]) == (
        quiet.id,
        "silent",
        3,
    )
    assert _board(session, silent_days=4).stalled == []
    held = {month.numbers[month.cases[k]] for k in ("calm", "yellow_acceptance", "red_acceptance")}
    assert _listed(session, stalled["key"]) == held


def test_a_station_clock_decades_off_is_counted_back_five_years_at_most(
    session: Session, month: Seeded
) -> None:
    """A station reports its oldest unsent event by its own clock. Year 1 (or 9999) was
    counted day by day, and the county's dashboard did not answer (fuzzing found it)."""
    early, late = month.stations["c"], month.stations["a"]
    for station, oldest in ((early, datetime(1, 1, 2, tzinfo=UTC)), (late, datetime(9999, 12, 30, tzinfo=UTC))):  # fmt: skip
        session.connection().execute(
            update(Station)
            .where(Station.id == station.id)  # type: ignore[arg-type]
            .values(oldest_unsent=oldest, outbox_depth=5)
        )
    session.commit()

    [stalled] = _board(session).stalled

    assert (stalled["station"], stalled["stalled"]) == (early.id, "outbox")
    assert 1200 < stalled["unsent_days"] < 1320  # about five years of working days


def test_a_key_cannot_be_forged(session: Session, month: Seeded) -> None:
    for key in (
        "received:all:-:2026-11-01",
        "drop:all:-:-:-",
        "received:all:-:x:y",
        "red:item:-:-:-",
    ):
        with pytest.raises(DashboardKeyError):
            cases_for_key(session=session, county=COUNTY, key=key)


def test_the_board_over_the_api_for_a_county_administrator_only(
    client: TestClient, enroll: Any, sign_in: Any, session: Session, month: Seeded
) -> None:
    county = enroll(COUNTY, "county", "县级工作站")
    headers = sign_in(county)
    answer = client.get(
        f"{API_PREFIX}/admin/dashboard",
        params={"from": "2026-11-01", "to": "2026-11-30"},
        headers=headers,
    )
    assert answer.status_code == 200, answer.text
    board = answer.json()
    assert board["received"]["count"] == 8
    cases = client.get(
        f"{API_PREFIX}/admin/dashboard/cases", params={"key": board["bad"]["key"]}, headers=headers
    )
    assert [c["case_number"] for c in cases.json()["cases"]] == [month.numbers[month.cases["bad1"]]]
    assert (
        client.get(
            f"{API_PREFIX}/admin/dashboard/cases", params={"key": "x"}, headers=headers
        ).status_code
        == 422
    )
    assert client.get(f"{API_PREFIX}/admin/dashboard", headers=county.headers).status_code == 401
    reviewer = sign_in(month.stations["town_a"], "rev1", "reviewer")
    assert client.get(f"{API_PREFIX}/admin/dashboard", headers=reviewer).status_code == 403


def test_every_drill_down_gives_a_running_case_its_deadline(
    session: Session, month: Seeded, hold_time: Any
) -> None:
    """The 收件 list left 期限 blank for every case, while the case's page and the 黄牌 list
    said 剩1个工作日: only a card's list carried the deadline."""
    hold_time(datetime(2026, 11, 23, 2, tzinfo=UTC))  # TODAY in China
    board = _board(session)
    assert board.yellow is not None
    carded = {
        line["case_number"]: (line["deadline"], line["days_left"])
        for line in cases_for_key(session=session, county=COUNTY, key=board.yellow.key)["cases"]
    }
    lines = cases_for_key(session=session, county=COUNTY, key=board.received.key)["cases"]
    received = {
        line["case_number"]: (line.get("deadline"), line.get("days_left")) for line in lines
    }
    for number, due in carded.items():
        if number in received:
            assert received[number] == due, number
    closed = [line for line in lines if line["state"] in ("completed", "delivered", "rejected")]
    assert closed and all(line.get("deadline") is None for line in closed)
    running = [line for line in lines if line["state"] in ("submitted", "accepted")]
    assert running and all(line.get("deadline") for line in running)


def test_a_case_in_correction_is_listed_with_the_village_s_day_to_answer(
    session: Session, month: Seeded, hold_time: Any
) -> None:
    """补正中 had no 期限 in the drill-down (only running clocks had one), while the village's
    desk and the 审核台 said by when it must answer: the return's day + the item's 5 working
    days (临时救助, returned Friday 20 November: Friday 27 November, 4 working days on)."""
    hold_time(datetime(2026, 11, 23, 2, tzinfo=UTC))  # Monday 23 November in China
    case_id = month.cases["yellow_acceptance"]
    town_c = month.stations["town_c"]
    returned = town_c.event(
        EventKind.returned,
        case_id,
        division=VILLAGE_C,
        role=Role.reviewer,
        payload={"reason": "户口簿复印件不清晰", "missing": ["hukou"]},
        device_time=datetime(2026, 11, 20, 2, tzinfo=UTC),
        base_version=0,
        case_number=month.numbers[case_id],
    )
    assert town_c.push([returned])[0]["status"] == "applied"
    lines = cases_for_key(session=session, county=COUNTY, key=_board(session).received.key)
    (line,) = [x for x in lines["cases"] if x["case_id"] == str(case_id)]
    assert line["state"] == "returned"
    assert (line["deadline"], line["days_left"]) == ("2026-11-27", 4)
    assert "_pauses" not in line  # built with it, not sent
    others = [x for x in lines["cases"] if x["state"] in ("completed", "delivered")]
    assert others and all(x.get("deadline") is None for x in others)
