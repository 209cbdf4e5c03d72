"""GET /p/{key}: the public progress page, from a pushed case's key (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from fastapi.testclient import TestClient

from central.services.progress import page_of
from sync.events import EventKind
from sync.lifecycle import CaseState
from sync.payloads import Person
from sync.progress import PAYLOAD_KEY, masked_name, new_progress_key, progress_url
from sync.reducer import fold
from sync.views import CaseView
from tests.central.conftest import StationClient, default_payload

NAME, ID_NUMBER = "王秀芳", "64052219430208067X"


def _push_case(station: StationClient, key: Any) -> None:
    payload = default_payload(EventKind.created)
    payload |= {"applicant": {"name": NAME, "id_number": ID_NUMBER, "phone": "13912345678"}}
    payload |= {"item_name": "高龄津贴申领", PAYLOAD_KEY: key}
    created = station.event(EventKind.created, payload=payload)
    events = [
        created,
        station.event(EventKind.received, created.case_id),
        station.event(EventKind.submitted, created.case_id),
    ]
    assert [r["status"] for r in station.push(events)] == ["applied"] * 3


def test_a_pushed_case_answers_at_its_key_with_the_name_masked(
    client: TestClient, enroll: Any
) -> None:
    key = new_progress_key()
    _push_case(enroll(), key)
    answer = client.get(f"/p/{key}")
    assert answer.status_code == 200
    page = answer.text
    assert "高龄津贴申领" in page and "已报送乡镇（街道），等待受理" in page
    assert "王*芳" in page and "收件日期" in page and "2026年11月23日" in page
    for personal in (NAME, ID_NUMBER, ID_NUMBER[-4:], "13912345678"):
        assert personal not in page
    assert answer.headers["referrer-policy"] == "no-referrer"


def test_every_key_that_opens_nothing_gets_the_same_answer(client: TestClient, enroll: Any) -> None:
    """Unknown, one character off, malformed, or carried by a case with a malformed key."""
    key = new_progress_key()
    _push_case(enroll(), key)
    _push_case(enroll(division="640522100202"), "short")  # not a key: nothing is recorded
    one_off = key[:-1] + ("B" if key.endswith("A") else "A")
    wrong = (new_progress_key(), one_off, "short", "x" * 300, "..%2F..%2Fapi", "a/b", "")
    answers = [client.get(f"/p/{w}") for w in wrong]
    assert {a.status_code for a in answers} == {404}
    assert len({a.text for a in answers}) == 1
    assert "<h1>未找到</h1>" in answers[0].text and "高龄津贴" not in answers[0].text


def test_the_key_is_in_the_view_and_off_the_timeline(enroll: Any) -> None:
    station = enroll()
    key = new_progress_key()
    payload = default_payload(EventKind.created) | {PAYLOAD_KEY: key}
    view = fold([station.event(EventKind.created, payload=payload)])
    assert view.progress_key == key
    assert PAYLOAD_KEY not in view.history[0].summary
    bad = default_payload(EventKind.created) | {PAYLOAD_KEY: "not a key"}
    assert fold([station.event(EventKind.created, payload=bad)]).progress_key == ""


def _view(state: CaseState, **values: Any) -> CaseView:
    moment = datetime(2026, 11, 30, 17, 30, tzinfo=UTC)  # 12-01 01:30 in China
    return CaseView(
        case_id="0193a0c0-0000-7000-8000-000000000001",
        case_number="640522100201-20261201-0001",
        division="640522100201",
        item_name="高龄津贴申领",
        state=state,
        applicant=Person(name="欧阳秀芳"),
        received_at=moment,
        **values,
    )


def test_dates_are_china_days_and_open_cases_show_the_expected_day() -> None:
    accepted = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
    page = page_of(
        _view(CaseState.accepted, accepted_at=accepted, promised_days=5), today=date(2026, 12, 1)
    )
    assert page.name == "欧**芳"
    assert dict(page.dates) == {
        "收件日期": "2026年12月1日",
        "受理日期": "2026年12月1日",
        "预计办结": "2026年12月8日",
    }
    assert page.state == "已受理，正在办理" and "办结后" in page.next_step


def test_a_completed_case_says_its_result_and_shows_no_expected_day() -> None:
    done = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)
    page = page_of(_view(CaseState.completed, completed_at=done, promised_days=5, result="denied"))
    assert page.state == "已办结：不予批准"
    assert [label for label, _ in page.dates] == ["收件日期", "办结日期"]


def test_masked_names_and_urls() -> None:
    assert [masked_name(n) for n in ("王芳", "王秀芳", "欧阳秀芳", "王")] == [
        "王*",
        "王*芳",
        "欧**芳",
        "王",
    ]
    key = new_progress_key()
    assert progress_url("https://zwfw.example.gov.cn/", key) == (
        f"https://zwfw.example.gov.cn/p/{key}"
    )
    assert progress_url("", key) is None, "no configured URL: the QR keeps the case number"
    assert progress_url("https://zwfw.example.gov.cn", "") is None, "a case of older software"
    assert progress_url("https://政务.cn", key) is None, "the QR carries ASCII only"


def test_keys_pushed_before_the_upgrade_answer_after_it(db_url: str) -> None:
    """0008 fills ``progress_key`` from the applied ``created`` events already held."""
    from alembic import command
    from sqlalchemy import insert, select

    from central.db import make_engine
    from central.migrate import alembic_config, upgrade
    from central.models import EVENT_TABLE, PROGRESS_KEY_TABLE
    from central.services.progress import key_hash
    from sync.events import Event, Role
    from sync.ids import new_id
    from tests.central.conftest import as_released

    key = new_progress_key()
    event = Event(
        id=new_id(),
        case_id=new_id(),
        case_number="640522100201-20261130-0001",
        division="640522100201",
        kind=EventKind.created,
        station_id="st-new",
        station_seq=1,
        base_version=0,
        actor_id="u-agent",
        actor_role=Role.agent,
        device_time=datetime(2026, 11, 30, 9, 0, tzinfo=UTC),
        payload=default_payload(EventKind.created) | {PAYLOAD_KEY: key},
    )
    engine = make_engine(db_url)
    try:
        with engine.connect() as connection:
            config = alembic_config(db_url)
            config.attributes["connection"] = connection
            command.upgrade(config, "0007")
            row = event.model_dump(mode="json") | {"id": event.id, "case_id": event.case_id}
            row |= {"device_time": event.device_time, "kind": "created", "actor_role": "agent"}
            row |= {"central_seq": 1, "status": "applied", "received_at": event.device_time}
            row |= {"scope_division": event.division}
            connection.execute(insert(as_released(EVENT_TABLE)), [row])
            connection.commit()
        upgrade(engine)
        with engine.connect() as connection:
            found = connection.execute(select(PROGRESS_KEY_TABLE)).all()
        assert [(r.key_hash, r.case_id) for r in found] == [(key_hash(key), event.case_id)]
    finally:
        engine.dispose()
