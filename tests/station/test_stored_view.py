"""A stored case view is lean (its history kept by the event log) and reads back whole."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from station.store import NewEvent, StationStore, eventlog, projection, stored
from station.store.db import reading, writing
from station.store.stored import ROW_FIELDS, dump, load
from sync.events import EventKind, Role
from sync.reducer import CaseView, EntryStatus
from tests.station.cases_seed import AGENT, REVIEWER
from tests.station.conftest import seed_station
from tests.station.test_intake import ELDER_ID

SCAN = "ab" * 32
CREATED: dict[str, object] = {
    "item_code": "640522-MZ-001",
    "item_version": "1",
    "item_name": "80周岁以上高龄津贴申领",
    "applicant": {"name": "马占福", "id_number": ELDER_ID, "phone": "13895401122"},
    "relation": "agent",
    "principal": {"name": "马小梅", "id_number": "", "phone": "13900000000"},
    "fields": {"hukou_address": "海原县海城镇山门村三组", "bank_name": "中国邮政储蓄银行"},
    "materials": {"id_card": "provided", "bank_card": "deferred"},
    "supply_by": {"bank_card": "2026-11-30"},
    "attachments": [{"sha256": SCAN, "name": "身份证.jpg", "size": 2048}],
    "station_name": "山门村便民服务站",
    "agent_name": "马丽",
}


def _at(hour: int) -> datetime:
    return datetime(2026, 11, 23, hour, tzinfo=UTC)


def _event(kind: EventKind, hour: int, payload: dict[str, object] | None = None) -> NewEvent:
    reviewer = kind not in (EventKind.created, EventKind.received, EventKind.submitted)
    return NewEvent(
        kind,
        REVIEWER if reviewer else AGENT.user_id,
        Role.reviewer if reviewer else Role.agent,
        payload or {},
        device_time=_at(hour),
    )


def _rich_case(store: StationStore) -> CaseView:
    """A case with applicant, principal, materials, an attachment, a closed and an open pause."""
    first = [_event(EventKind.created, 1, CREATED), _event(EventKind.received, 2)]
    view = store.create_cases([first], date(2026, 11, 23))[0]
    later = [
        _event(EventKind.submitted, 3),
        _event(EventKind.accepted, 4, {"promised_days": 10}),
        _event(EventKind.paused, 5, {"reason": "公示七日", "kind": "公示", "expected_days": 7}),
        _event(EventKind.resumed, 6),
        _event(EventKind.paused, 7, {"reason": "调查", "kind": "调查"}),
    ]
    return store.append(view.case_number, later)


def _folded(store: StationStore, case_id: str) -> CaseView:
    with reading(store.engine) as conn:
        return projection.fold_rows(eventlog.case_rows(conn, case_id))


def test_a_stored_view_reads_back_as_the_view_folded_from_its_events(tmp_path: Path) -> None:
    store = seed_station(tmp_path / "station")
    written = _rich_case(store)
    case_id = written.case_id.hex
    # The centre numbered the first three and refused the last; the rest are ours alone.
    with writing(store.engine) as conn:
        for seq, event in enumerate(eventlog.case_rows(conn, case_id)[:3], start=41):
            conn.execute(
                text("UPDATE events SET central_seq = :s, status = 'applied' WHERE id = :i"),
                {"s": seq, "i": event.id},
            )
        last = eventlog.case_rows(conn, case_id)[-1].id
        conn.execute(
            text("UPDATE events SET status = 'rejected', reason = 'not allowed' WHERE id = :i"),
            {"i": last},
        )
        projection.refold(conn, case_id)

    stored = store.get_case(written.case_number)
    folded = _folded(store, case_id)
    assert stored == folded
    assert stored is not None and len(stored.history) == 7
    assert [entry.status for entry in stored.history].count(EntryStatus.applied) == 3
    assert [e.reason for e in stored.history if e.status is EntryStatus.superseded] == [
        "not allowed"
    ]
    assert stored.principal is not None and stored.principal.name == "马小梅"
    assert [a.sha256 for a in stored.attachments] == [SCAN]
    assert len(stored.pauses) == 1 and stored.pauses[0][1] is not None
    assert stored.history[0].summary["applicant"] == "马占福"
    assert store.case_history(case_id) == list(folded.history)
    assert [view.case_id for view in store.iter_cases()] == [written.case_id]


def test_the_stored_view_holds_no_copy_of_its_events(tmp_path: Path) -> None:
    store = seed_station(tmp_path / "station")
    view = _rich_case(store)
    with reading(store.engine) as conn:
        raw = conn.execute(text("SELECT view FROM cases")).scalar_one()
    body = json.loads(raw)
    assert "history" not in body and "summary" not in raw
    assert len(body["h"]) == len(view.history) == 7
    assert len(raw.encode()) < len(view.model_dump_json().encode()) / 2
    assert store.get_case(view.case_number) == view


def test_a_view_in_the_earlier_form_still_reads(tmp_path: Path) -> None:
    store = seed_station(tmp_path / "station")
    view = _rich_case(store)
    with writing(store.engine) as conn:
        conn.execute(text("UPDATE cases SET view = :v"), {"v": view.model_dump_json()})
    assert store.get_case(view.case_number) == view


@pytest.mark.parametrize(
    "fields",
    [
        {"note": '一行\n二行\t\x01\x7f\u2028"\\/ 𠀀', "count": 3, "flags": [True, None]},
        {"area_mu": 2.5, "big": 1e16, "nested": {"ratio": [0.1, 1]}},
    ],
    ids=["text", "floats"],
)
def test_a_view_is_stored_as_the_json_of_its_fields(
    tmp_path: Path, fields: dict[str, object]
) -> None:
    """Both ways of writing the stored text (pydantic's in one pass, or json's when a
    float is in the fields) give the JSON of the view's fields, exactly."""
    store = seed_station(tmp_path / "station")
    view = _rich_case(store).model_copy(update={"fields": fields, "what": '引号"与\\'})
    raw = dump(view)
    left_out = {"history", "station_id", *ROW_FIELDS}
    expected = view.model_dump(mode="json", exclude_defaults=True, exclude=left_out)
    expected["h"] = json.loads(raw)["h"]
    assert raw == json.dumps(expected, ensure_ascii=False, separators=(",", ":"))
    with reading(store.engine) as conn:
        assert load(conn, _row(view, raw)) == view


def _row(view: CaseView, raw: str) -> dict[str, object]:
    """The ``cases`` row of ``view`` stored as ``raw`` (the columns a reader selects)."""
    return {
        "view": raw,
        "case_id": view.case_id.hex,
        "case_number": view.case_number,
        "division": view.division,
        "item_code": view.item_code,
        "item_name": view.item_name,
        "state": view.state.value,
    }


def test_the_stored_json_leaves_out_what_the_row_holds(tmp_path: Path) -> None:
    store = seed_station(tmp_path / "station")
    view = _rich_case(store)
    with reading(store.engine) as conn:
        raw = conn.execute(text("SELECT view FROM cases")).scalar_one()
    body = json.loads(raw)
    assert not {"station_id", *ROW_FIELDS} & set(body)
    assert view.station_id == view.history[0].station_id != ""
    assert store.get_case(view.case_number) == view
    assert store.get_case(view.case_id.hex) == view


@pytest.mark.parametrize("station_id", ["", "0190e9a0-0000-7000-8000-00000000beef"])
def test_a_case_created_elsewhere_keeps_its_station_in_the_json(
    tmp_path: Path, station_id: str
) -> None:
    """The creating station is left out only when it is the first entry's: another one,
    even an empty one, is written and read back as it was."""
    store = seed_station(tmp_path / "station")
    view = _rich_case(store).model_copy(update={"station_id": station_id})
    raw = dump(view)
    assert json.loads(raw)["station_id"] == station_id
    with reading(store.engine) as conn:
        assert load(conn, _row(view, raw)) == view
        assert load(conn, dump(view, keep_columns=True)) == view


def test_fields_taken_from_the_created_event_are_read_back_from_it(tmp_path: Path) -> None:
    """The fields a view took unchanged from its created event are left out of the JSON
    (read back from the event row); one that changed since is kept, as it now is."""
    store = seed_station(tmp_path / "station")
    view = _rich_case(store)
    changed = view.model_copy(
        update={"fields": {**view.fields, "bank_name": "宁夏黄河农村商业银行"}, "relation": "self"}
    )
    with reading(store.engine) as conn:
        raw = conn.execute(text("SELECT view FROM cases")).scalar_one()
        sources = stored.created_payloads(conn, [changed])
        raw_changed = dump(changed, sources=sources)
        assert load(conn, _row(changed, raw_changed)) == changed
        assert load(conn, _row(view, raw)) == view
    body, body_changed = json.loads(raw), json.loads(raw_changed)
    assert not {"applicant", "principal", "fields", "materials", "attachments"} & set(body)
    assert body["p"][0] == 0 and body["station_name"] == CREATED["station_name"]
    assert body_changed["fields"]["bank_name"] == "宁夏黄河农村商业银行"
    assert "relation" not in body_changed  # the default: left out as ever
    assert "applicant" not in body_changed and body_changed["p"] != body["p"]


def test_a_value_equal_but_not_the_same_json_stays_in_the_view(tmp_path: Path) -> None:
    """1, 1.0 and True are equal in Python but not the same JSON: only the same text is
    read back from the created event."""
    store = seed_station(tmp_path / "station")
    view = _rich_case(store)
    created = {**CREATED, "fields": dict.fromkeys(view.fields, True)}
    sources = {view.history[0].event_id.hex: created}
    ones = view.model_copy(update={"fields": dict.fromkeys(view.fields, 1)})
    raw = dump(ones, sources=sources)
    assert json.loads(raw)["fields"] == dict.fromkeys(view.fields, 1)
    assert "applicant" not in json.loads(raw)


@pytest.mark.parametrize(
    "update",
    [
        {},
        {"fields": {}, "materials": {}, "applicant": None},
        {"relation": "self", "promised_days": 0, "commitment": True, "agent_phone": ""},
        {"fields": {"n": 1.0, "list": [1, {"x": None}], "flag": True}, "promised_days": None},
        {"supply_by": {"hukou": date(2026, 12, 1)}, "relation": "agent"},
    ],
)
def test_the_fields_compared_with_the_created_event_are_those_pydantic_dumps(
    update: dict[str, object],
) -> None:
    """The view's fields set against its created event are taken without a full dump
    (plain ones as they are): each must be exactly what ``model_dump(mode="json",
    exclude_defaults=True)`` gives, and no other field."""
    view = CaseView(
        case_id="01a23585-55be-77eb-bbaa-d81a70ecfaed",
        case_number="640522100201-20261202-0004",
        division="640522100201",
        item_version="2",
        applicant={"name": "张海明", "id_number": ELDER_ID},
        fields={"hukou_address": "杨郎村7组62号", "insured_year": 2027},
        materials={"id_card": "provided"},
        agent_name="马代办",
    ).model_copy(update=update)
    wanted = view.model_dump(mode="json", include=set(stored.FROM_CREATED), exclude_defaults=True)
    lean = stored._lean(view)
    assert lean.keys() == wanted.keys()
    assert all(repr(lean[name]) == repr(wanted[name]) for name in wanted)


def test_a_view_written_again_in_a_pull_is_written_as_a_fresh_copy_of_it_is(
    tmp_path: Path,
) -> None:
    """``_from_created`` remembers its answer for the field objects it compared: a view
    advanced by events that keep them, or change one, or move its created entry, is
    written as an independent copy (nothing remembered of it) is."""
    store = seed_station(tmp_path / "station")
    view = _rich_case(store)
    with reading(store.engine) as conn:
        sources = stored.created_payloads(conn, [view])
    stored.forget()
    first = dump(view, sources=sources)
    assert json.loads(first)[stored.SOURCE_KEY][1]  # fields left out: the memo has an answer

    kept = view.model_copy(update={"state": "accepted", "version": view.version + 1})
    changed = view.model_copy(update={"materials": {**view.materials, "bank_card": "provided"}})
    moved = view.model_copy(update={"history": (view.history[1], view.history[0])})
    for later in (view, kept, changed, moved, kept):
        remembered = dump(later, sources=sources)
        stored.forget()
        fresh = dump(CaseView.model_validate_json(later.model_dump_json()), sources=sources)
        assert remembered == fresh
        dump(view, sources=sources)  # the memo holds the first view's answer again
    assert '"bank_card":"provided"' in dump(changed, sources=sources)
