"""The Alembic migrations build exactly the models' schema, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from central.db import make_engine
from central.migrate import upgrade
from central.models import CentralModel
from central.services.push import ACTOR_DISABLED
from sync.events import EventKind


def test_migrations_match_the_models_and_run_twice(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        upgrade(engine)
        upgrade(engine)  # idempotent: every worker runs it at start-up
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, CentralModel.metadata) == []
            counter = connection.exec_driver_sql("SELECT value FROM counter WHERE name='events'")
            assert counter.scalar_one() == 0
    finally:
        engine.dispose()


def test_older_unresolved_cases_become_records_on_upgrade(db_url: str) -> None:
    """A centre of the last release held 办不成事 as cases; 0002 moves them to records."""
    from datetime import UTC, datetime

    from alembic import command
    from sqlalchemy import insert, select

    from central.migrate import alembic_config
    from central.models import CASE_TABLE, EVENT_TABLE, UNRESOLVED_TABLE
    from sync.events import Event, EventKind, Role
    from sync.ids import new_id
    from sync.reducer import apply_event
    from tests.central.conftest import as_released

    payload = {"kind": "unresolved", "what": "办理林权证", "why": "本站无此事项"}
    event = Event(
        id=new_id(),
        case_id=new_id(),
        case_number="640522100201-20261130-0001",
        division="640522100201",
        kind=EventKind.created,
        station_id="st-old",
        station_seq=1,
        base_version=0,
        actor_id="u-agent",
        actor_role=Role.agent,
        device_time=datetime(2026, 11, 30, 9, 0, tzinfo=UTC),
        payload=payload,
    )
    old_view = apply_event(None, event, central_seq=1)  # what the last release stored
    engine = make_engine(db_url)
    try:
        with engine.connect() as connection:
            config = alembic_config(db_url)
            config.attributes["connection"] = connection
            command.upgrade(config, "0001")
            row = event.model_dump(mode="json") | {"id": event.id, "case_id": event.case_id}
            row |= {"device_time": event.device_time, "kind": "created", "actor_role": "agent"}
            connection.execute(
                insert(as_released(EVENT_TABLE)),
                [row | {"central_seq": 1, "status": "applied", "received_at": event.device_time}],
            )
            connection.execute(
                insert(as_released(CASE_TABLE)),
                [
                    {
                        "case_id": event.case_id,
                        "case_number": event.case_number,
                        "division": event.division,
                        "owner_station": "st-old",
                        "state": "draft",
                        "version": 1,
                        "item_code": "",
                        "flagged": False,
                        "updated_seq": 1,
                        "view": old_view.model_dump(mode="json"),
                    }
                ],
            )
            connection.commit()
        upgrade(engine)
        with engine.connect() as connection:
            assert connection.execute(select(CASE_TABLE.c.case_id)).all() == []
            [record] = connection.execute(select(UNRESOLVED_TABLE)).all()
            assert (record.record_id, record.state, record.owner_station) == (
                event.case_id,
                "reported",
                "st-old",
            )
            assert record.view["what"] == "办理林权证"
    finally:
        engine.dispose()


def test_events_of_the_last_release_are_handled_where_they_were_taken_in(db_url: str) -> None:
    """0003 adds ``scope_division`` (区内通办 routing) filled from ``division``; pulls go by
    its first digits' index (0010, 0014)."""
    from datetime import UTC, datetime

    from alembic import command
    from sqlalchemy import inspect, select, text

    from central.migrate import alembic_config
    from central.models import EVENT_TABLE
    from sync.ids import new_id

    engine = make_engine(db_url)
    moment = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    try:
        with engine.connect() as connection:
            config = alembic_config(db_url)
            config.attributes["connection"] = connection
            command.upgrade(config, "0002")
            for seq, division in enumerate(("640522100201", "640522101202"), start=1):
                connection.execute(
                    text(
                        "INSERT INTO event (central_seq, id, case_id, case_number, division,"
                        " kind, station_id, station_seq, schema_version, base_version, actor_id,"
                        " actor_role, device_time, payload, status, received_at) VALUES (:seq,"
                        " :id, :case_id, :number, :division, 'submitted', 'st', :seq, 1, 1, 'u',"
                        " 'agent', :at, '{}', 'applied', :at)"
                    ),
                    {
                        "seq": seq,
                        "id": new_id() if engine.dialect.name == "postgresql" else new_id().hex,
                        "case_id": new_id()
                        if engine.dialect.name == "postgresql"
                        else new_id().hex,
                        "number": f"{division}-20261130-0001",
                        "division": division,
                        "at": moment,
                    },
                )
            connection.commit()
        upgrade(engine)
        with engine.connect() as connection:
            rows = connection.execute(
                select(EVENT_TABLE.c.division, EVENT_TABLE.c.scope_division).order_by(
                    EVENT_TABLE.c.central_seq
                )
            ).all()
            assert [tuple(row) for row in rows] == [
                ("640522100201", "640522100201"),
                ("640522101202", "640522101202"),
            ]
            indexes = {
                ix["name"]: ix["column_names"] for ix in inspect(connection).get_indexes("event")
            }
            # 0014 pulls a county on the township index (its scope's first digits)
            assert "ix_event_scope_seq" not in indexes
            assert indexes["ix_event_township_seq"] == ["scope_township", "central_seq"]
    finally:
        engine.dispose()


def test_an_account_disabled_before_0012_keeps_its_offline_work(settings: Any) -> None:
    """0012 gives an account disabled on the last release ``disabled_at`` = its last change,
    so a station's unsent events by that person, written before, are still accepted."""
    from datetime import UTC, datetime, timedelta

    from alembic import command
    from fastapi.testclient import TestClient
    from sqlalchemy import text
    from sqlmodel import Session

    from central.app import create_app
    from central.migrate import alembic_config
    from central.services.stations import enroll_code
    from sync.protocol import API_PREFIX, EnrollResponse
    from tests.central.conftest import VILLAGE, StationClient

    left = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)  # when the county disabled the account
    engine = make_engine(settings.db_url)
    try:
        with engine.connect() as connection:
            config = alembic_config(settings.db_url)
            config.attributes["connection"] = connection
            command.upgrade(config, "0011_audit2_login_failures")
            connection.execute(
                text(
                    "INSERT INTO account (id, username, display_name, role, division, phone,"
                    " password_hash, active, updated_at, updated_seq, id_masked)"
                    " VALUES ('u-left', 'left', '马丽', 'agent', :division, '', 'x', :off,"
                    " :left, 0, '')"
                ),
                {"division": VILLAGE, "off": False, "left": left},
            )
            connection.commit()
    finally:
        engine.dispose()
    app = create_app(settings)  # upgrades to the head at start-up
    try:
        with TestClient(app) as client, Session(app.state.engine) as session:
            code = enroll_code(
                session=session, division=VILLAGE, name="站", role="village", ttl_minutes=60
            )
            answer = client.post(f"{API_PREFIX}/enroll", json={"code": code}).json()
            village = StationClient(
                client, EnrollResponse.model_validate(answer), actor_id="u-left"
            )
            unsent = [  # taken in offline the day before, pushed after the upgrade
                e.model_copy(update={"device_time": left - timedelta(days=1)})
                for e in village.new_case()
            ]
            late = village.event(EventKind.created, device_time=left + timedelta(hours=1))

            results = village.push([*unsent, late])

            assert [r["status"] for r in results] == ["applied"] * 3 + ["rejected"]
            assert results[3]["reason"] == ACTOR_DISABLED
    finally:
        app.state.engine.dispose()


def test_0016_lets_a_person_who_moved_have_a_new_account(db_url: str) -> None:
    """A centre of the last release (0015) holding a person's account, upgraded: the
    person may have a new account once the old one is disabled (调动), never two active."""
    import pytest
    from alembic import command
    from sqlalchemy import inspect, text
    from sqlalchemy.exc import IntegrityError

    from central.migrate import alembic_config

    insert = text(
        "INSERT INTO account (id, username, display_name, role, division, phone,"
        " password_hash, active, updated_at, updated_seq, id_masked, person_key)"
        " VALUES (:id, :id, '马丽', 'agent', '640522100201', '', 'x', :active,"
        " '2026-12-01 08:00:00+00:00', 0, '', 'k1')"
    )
    engine = make_engine(db_url)
    try:
        with engine.connect() as connection:
            config = alembic_config(db_url)
            config.attributes["connection"] = connection
            command.upgrade(config, "0015_compact_ids")
            connection.execute(insert, {"id": "old", "active": True})
            connection.commit()
        upgrade(engine)
        with engine.connect() as connection:
            connection.execute(text("UPDATE account SET active = :off"), {"off": False})
            connection.execute(insert, {"id": "new", "active": True})
            connection.commit()
            with pytest.raises(IntegrityError):
                connection.execute(text("UPDATE account SET active = :on"), {"on": True})
            connection.rollback()
            rows = connection.execute(text("SELECT id, active FROM account ORDER BY id"))
            assert [(row.id, bool(row.active)) for row in rows] == [("new", True), ("old", False)]
            config = alembic_config(db_url)
            config.attributes["connection"] = connection
            with pytest.raises(RuntimeError, match="1 people hold more than one account"):
                command.downgrade(config, "0015_compact_ids")  # refused, not half done
            connection.rollback()
            indexes = {ix["name"]: ix for ix in inspect(connection).get_indexes("account")}
            assert indexes["ix_account_person_key"]["unique"]  # still there
    finally:
        engine.dispose()
