"""The lean push path: a stored case view without its history, replays, kills and upgrades.

The centre stores each case's view without its history (the event table is the history)
and each payload as compact JSON text. A push killed before its commit leaves nothing
behind and its retry applies; a replayed batch answers ``duplicate`` with the first
answer's sequence numbers; the stored view is always the fold of the case's events.
"""

from __future__ import annotations

import gc
import json
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import Text, cast, func, select, text
from sqlmodel import Session

from central.models import (
    CASE_BODY,
    CASE_TABLE,
    CASES_WITH_BODY,
    EVENT_TABLE,
    VIEW_COLUMNS,
    VIEW_FIELDS,
    stored_view,
    whole_view,
)
from central.services.audit import verify_audit
from sync.events import EventKind, RecordedEvent, Role
from sync.protocol import API_PREFIX
from sync.reducer import CaseView, fold
from tests.central.conftest import TOWNSHIP, VILLAGE, StationClient, default_payload


def _stored(session: Session, case_id: UUID) -> dict[str, Any]:
    """The case's view as the centre stores it (the JSON text, parsed)."""
    session.expire_all()
    raw = session.connection().execute(
        select(cast(CASE_TABLE.c.view, Text)).where(CASE_TABLE.c.case_id == case_id)
    )
    value: dict[str, Any] = json.loads(raw.scalar_one())
    return value


def _body(session: Session, case_id: UUID) -> dict[str, Any] | None:
    """The payload the case's stored view leaves out: its ``created`` event's (None: the
    view is whole)."""
    raw = session.connection().execute(
        select(cast(CASE_BODY, Text))
        .select_from(CASES_WITH_BODY)
        .where(CASE_TABLE.c.case_id == case_id)
    )
    text_ = raw.scalar_one()
    return json.loads(text_) if text_ is not None else None


def _whole(session: Session, case_id: UUID) -> dict[str, Any]:
    """The case's stored view with its columns and payload put back, as the centre reads it."""
    columns = [CASE_TABLE.c[name] for name in VIEW_COLUMNS]
    row = (
        session.connection().execute(select(*columns).where(CASE_TABLE.c.case_id == case_id)).one()
    )
    return whole_view(row._mapping, _stored(session, case_id), _body(session, case_id))


def _expected(session: Session, station: StationClient, case_id: UUID) -> dict[str, Any]:
    """What the centre should store for the case: its fold, as ``stored_view`` writes it."""
    value: dict[str, Any] = json.loads(
        stored_view(_folded(station, case_id), _body(session, case_id))
    )
    return value


def _folded(station: StationClient, case_id: UUID) -> CaseView:
    """The case folded from its events as the centre hands them out (status and reason)."""
    page = station.pull()
    events = [RecordedEvent.model_validate(e) for e in page["events"]]
    return fold(e for e in events if e.case_id == case_id)


def centre_history(station: StationClient, case_id: UUID) -> list[dict[str, Any]]:
    """The case's history as the centre holds it (its events, pulled and folded), as JSON."""
    return [entry.model_dump(mode="json") for entry in _folded(station, case_id).history]


def _event_count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(EVENT_TABLE)) or 0)


def test_the_stored_view_has_no_history_and_is_the_fold_of_its_events(
    enroll: Any, session: Session
) -> None:
    village, township = enroll(), enroll(TOWNSHIP, "township")
    events = village.new_case()
    case_id = events[0].case_id
    assert [r["status"] for r in village.push(events)] == ["applied"] * 3
    accept = township.event(EventKind.accepted, case_id, division=VILLAGE, role=Role.reviewer)
    refused = village.event(EventKind.edited, case_id, payload={"fields": {"x": "1"}})
    assert township.push([accept])[0]["status"] == "applied"
    assert village.push([refused])[0]["status"] == "superseded"

    stored = _stored(session, case_id)

    assert "history" not in stored
    folded = _folded(township, case_id)
    assert len(folded.history) == 5 and folded.history[-1].status == "superseded"
    assert stored == json.loads(stored_view(folded, _body(session, case_id)))
    assert not set(VIEW_FIELDS) & set(stored)  # the row's columns hold them, once
    whole = CaseView.model_validate(_whole(session, case_id))
    assert whole == folded.model_copy(update={"history": ()})


def test_a_case_written_again_restates_what_its_new_events_changed_and_only_that(
    enroll: Any, session: Session
) -> None:
    """Written again in a later batch, a case compares with its payload only what changed
    since it was read: a corrected field is stored whole, an untouched one stays left out,
    and the text is what ``stored_view`` makes of the fold, byte for byte."""
    village, township = enroll(), enroll(TOWNSHIP, "township")
    filed = {
        **default_payload(EventKind.created),
        "fields": {"bank_account": "6228480012345678903", "hukou_address": "一组"},
        "materials": {"id_card": "provided"},
    }
    events = village.new_case(filed)
    case_id = events[0].case_id
    village.push(events)
    lean = _stored(session, case_id)
    assert "fields" not in lean and "applicant" not in lean  # as filed: in the payload
    returned = township.event(
        EventKind.returned,
        case_id,
        division=VILLAGE,
        role=Role.reviewer,
        payload={"reason": "账号有误", "fields": ["bank_account"]},
    )
    assert township.push([returned])[0]["status"] == "applied"
    change = {"fields.bank_account": {"old": "6228480012345678903", "new": "62284801"}}
    corrected = village.event(EventKind.corrected, case_id, payload={"changes": change})
    assert village.push([corrected])[0]["status"] == "applied"
    session.expire_all()

    stored = _stored(session, case_id)
    assert stored["fields"]["bank_account"] == "62284801"  # changed: stored whole
    assert stored["fields"]["hukou_address"] == "一组"
    assert "applicant" not in stored and "materials" not in stored  # untouched: the payload's
    assert stored == json.loads(stored_view(_folded(township, case_id), _body(session, case_id)))
    whole = CaseView.model_validate(_whole(session, case_id))
    assert whole == _folded(township, case_id).model_copy(update={"history": ()})


def test_payloads_are_stored_as_compact_utf8_json(enroll: Any, session: Session) -> None:
    village = enroll()
    events = village.new_case()
    village.push(events)
    raw = session.connection().execute(
        select(cast(EVENT_TABLE.c.payload, Text)).where(EVENT_TABLE.c.id == events[0].id)
    )
    payload = raw.scalar_one()
    assert "张三" in payload and "\\u" not in payload  # not six bytes per Chinese character
    assert json.loads(payload) == events[0].payload
    pulled = [e for e in village.pull()["events"] if e["id"] == str(events[0].id)]
    assert pulled[0]["payload"] == events[0].payload


def test_a_replayed_batch_is_all_duplicate_and_the_view_is_unchanged(
    enroll: Any, session: Session
) -> None:
    village = enroll()
    first_case, second_case = village.new_case(), village.new_case()
    batch = [*first_case, *second_case]
    first = village.push(batch)
    views = {e.case_id: _stored(session, e.case_id) for e in batch}
    count = _event_count(session)

    again = village.push(batch)

    assert [r["status"] for r in again] == ["duplicate"] * 6
    assert [r["central_seq"] for r in again] == [r["central_seq"] for r in first]
    assert _event_count(session) == count
    for case_id, view in views.items():
        assert _stored(session, case_id) == view
        assert view == _expected(session, village, case_id)


def test_a_push_killed_before_its_commit_leaves_nothing_and_its_retry_applies(
    enroll: Any, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The process dies after the events, audit links and views were written but before
    the commit: nothing of the batch is kept, and the station's retry applies it whole."""
    village = enroll()
    events = village.new_case()

    def killed(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("killed while writing the batch")

    with monkeypatch.context() as patch:
        patch.setattr("central.services.push.record_keys", killed)
        body = {"events": [e.model_dump(mode="json") for e in events]}
        answer = village.client.post(f"{API_PREFIX}/push", json=body, headers=village.headers)
        assert answer.status_code == 500  # the station keeps its outbox and retries
    assert gc.isenabled()  # the collector paused for the batch is on again after the kill
    assert _event_count(session) == 0
    session.expire_all()
    assert session.connection().execute(select(func.count()).select_from(CASE_TABLE)).scalar() == 0

    retried = village.push(events)

    assert [r["status"] for r in retried] == ["applied"] * 3
    case_id = events[0].case_id
    assert _stored(session, case_id) == _expected(session, village, case_id)
    assert [r["status"] for r in village.push(events)] == ["duplicate"] * 3
    assert gc.isenabled()
    assert verify_audit(session=session).ok


def test_a_last_release_database_with_histories_is_upgraded_and_takes_unsent_events(
    settings: Any,
) -> None:
    """A centre of the last release (0012) stored views with their whole history; 0013
    strips it, and a station's unsent events of that case (and a replay) then apply."""
    from alembic import command
    from fastapi.testclient import TestClient

    from central.app import create_app
    from central.db import make_engine
    from central.migrate import alembic_config
    from tests.central.conftest import enroll_station

    app = create_app(settings)
    try:
        with TestClient(app) as client, Session(app.state.engine) as session:
            village = enroll_station(client, session)
            created, received, submitted = village.new_case()
            assert village.push([created])[0]["status"] == "applied"
            old_view = _folded(village, created.case_id)  # with its history, as 0012 kept it
            assert len(old_view.history) == 1
            session.connection().execute(
                CASE_TABLE.update()
                .where(CASE_TABLE.c.case_id == created.case_id)
                .values(view=old_view.model_dump(mode="json"))
            )
            session.commit()
    finally:
        app.state.engine.dispose()
    engine = make_engine(settings.db_url)
    try:
        with engine.connect() as connection:
            config = alembic_config(settings.db_url)
            config.attributes["connection"] = connection
            command.downgrade(config, "0012_actors_disabled_at")  # the last release's forms
            connection.commit()
            held = connection.execute(text("SELECT view FROM case_state")).scalar_one()
            assert "history" in (held if isinstance(held, dict) else json.loads(held))
    finally:
        engine.dispose()

    app = create_app(settings)  # upgrades to the head at start-up
    try:
        with TestClient(app) as client, Session(app.state.engine) as session:
            village.client = client
            assert "history" not in _stored(session, created.case_id)

            results = village.push([created, received, submitted])  # the unsent two, a replay

            assert [r["status"] for r in results] == ["duplicate", "applied", "applied"]
            stored = _stored(session, created.case_id)
            assert "history" not in stored and "state" not in stored
            assert _whole(session, created.case_id)["state"] == "submitted"
            assert _body(session, created.case_id) is None  # stored before: kept whole
            assert stored == json.loads(stored_view(_folded(village, created.case_id)))
    finally:
        app.state.engine.dispose()


def test_an_event_stored_between_the_look_up_and_the_insert_is_kept_once(
    enroll: Any, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another transaction stores the batch's events after the look-up said they were new
    (only possible if something wrote without the counter lock): the insert skips them
    (ON CONFLICT), the batch is redone, and its events come back duplicate, each stored
    once, the counter and the audit chain as they were."""
    from central.services import push

    village = enroll()
    events = village.new_case()
    first = village.push(events)
    count = _event_count(session)
    missed: list[int] = []
    look_up = push._held_events

    def blind_once(connection: Any, ids: list[UUID]) -> Any:
        if not missed:
            missed.append(len(ids))
            return {}  # as if the other transaction had not committed yet
        return look_up(connection, ids)

    monkeypatch.setattr(push, "_held_events", blind_once)
    again = village.push(events)
    assert missed == [3]
    assert [r["status"] for r in again] == ["duplicate"] * 3
    assert [r["central_seq"] for r in again] == [r["central_seq"] for r in first]
    assert _event_count(session) == count
    after = village.push(village.new_case())  # the counter did not move for the redone batch
    assert after[0]["central_seq"] == first[-1]["central_seq"] + 1
    assert verify_audit(session=session).ok
