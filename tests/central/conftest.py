"""Fixtures for the central API: an app per database (SQLite and PostgreSQL), stations, events."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection, DateTime, MetaData, String, Table, Uuid, select
from sqlmodel import Session

from central.api.deps import PERSON_HEADER
from central.app import create_app
from central.models import CompactTime, CompactUuid, User, UuidText
from central.services.accounts import create_user
from central.services.stations import enroll_code
from central.settings import CentralSettings
from sync.events import Event, EventKind, Role
from sync.ids import case_number, new_id
from sync.protocol import API_PREFIX, EnrollResponse

VILLAGE = "640522100201"
VILLAGE_2 = "640522100202"
OTHER_TOWN_VILLAGE = "640522101301"
TOWNSHIP = "640522100000"
COUNTY = "640522000000"
OTHER_COUNTY_VILLAGE = "640521100201"


@pytest.fixture
def settings(db_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> CentralSettings:
    """Settings for a central on ``db_url`` with a test secret. A test module that runs
    the audit checks itself sets ``AUDIT_TIMER = False`` (no timer checking meanwhile)."""
    timer = {} if getattr(request.module, "AUDIT_TIMER", True) else {"audit_check_seconds": 0}
    return CentralSettings(
        data_dir=tmp_path / "central",
        db_url=db_url,
        secret_key="test-secret-key-0123456789",
        **timer,
    )


@pytest.fixture
def app(settings: CentralSettings) -> Iterator[FastAPI]:
    application = create_app(settings)
    yield application
    application.state.engine.dispose()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def session(app: FastAPI) -> Iterator[Session]:
    with Session(app.state.engine, expire_on_commit=False) as db:
        yield db


ACCOUNT_PASSWORD = "pass-word-1"

AccountMaker = Callable[[str, Role, str], str]
"""``(username, role, division) -> account id``: an account at the centre."""


def central_account(
    session: Session, username: str, role: Role | str, division: str, display_name: str = ""
) -> str:
    """The id of the centre's account ``username``, made through the service if it is new.

    The centre refuses events by an actor who is not one of its accounts, so every
    actor of a test's events is a real account of the station's scope.
    """
    held = session.scalars(select(User).where(User.username == username)).first()  # type: ignore[arg-type]
    if held is not None:
        return str(held.id)
    user = create_user(
        session=session,
        username=username,
        display_name=display_name or f"测试{username}",
        role=role,
        division=division,
        password=ACCOUNT_PASSWORD,
    )
    return str(user.id)


def account_maker(session: Session) -> AccountMaker:
    """Accounts made with ``session`` (for ``StationClient.make_account``)."""
    return lambda username, role, division: central_account(session, username, role, division)


@dataclass
class StationClient:
    """An enrolled station talking to the test app, writing gapless events."""

    client: TestClient
    credential: EnrollResponse
    make_account: AccountMaker | None = None
    """Makes the station's accounts at the centre (None: ``actor_id`` must be set)."""
    seq: int = 0
    actor_id: str | None = None
    """Who acts in every event (None: the station's own account of the event's role)."""
    accounts: dict[Role, str] = field(default_factory=dict)
    """The station's own accounts by role, made at the centre when first needed."""
    cases: dict[UUID, int] = field(default_factory=dict)
    numbers: dict[UUID, str] = field(default_factory=dict)

    def actor(self, role: Role) -> str:
        """The actor of the station's events by ``role``: a real account in its division."""
        if self.actor_id is not None:
            return self.actor_id
        if role not in self.accounts:
            assert self.make_account is not None, "give the station make_account or actor_id"
            username = f"{role.value}-{self.id}"
            self.accounts[role] = self.make_account(username, role, self.credential.division)
        return self.accounts[role]

    @property
    def id(self) -> str:
        return self.credential.station_id

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.credential.token}"}

    def event(
        self,
        kind: EventKind,
        case_id: UUID | None = None,
        *,
        division: str | None = None,
        role: Role = Role.agent,
        payload: dict[str, Any] | None = None,
        **overrides: Any,
    ) -> Event:
        """The station's next event (case_id None starts a new case)."""
        self.seq += 1
        division = division or self.credential.division
        if case_id is None:
            case_id = new_id()
            day = datetime(2026, 11, 23).date()
            self.numbers[case_id] = case_number(division, day, len(self.numbers) + 1)
        version = self.cases.get(case_id, 0)
        self.cases[case_id] = version + 1
        data: dict[str, Any] = {
            "id": new_id(),
            "case_id": case_id,
            "case_number": self.numbers.get(case_id)
            or case_number(division, datetime(2026, 11, 23).date(), 9999),
            "division": division,
            "kind": kind,
            "station_id": self.id,
            "station_seq": self.seq,
            "base_version": version,
            "actor_id": overrides.pop("actor_id", None) or self.actor(role),
            "actor_role": role,
            "device_time": datetime(2026, 11, 23, 9, 30, tzinfo=UTC),
            "payload": payload if payload is not None else default_payload(kind),
        }
        data.update(overrides)
        return Event.model_validate(data)

    def new_case(self, payload: dict[str, Any] | None = None) -> list[Event]:
        """created (with ``payload``) + received + submitted of one new case."""
        created = self.event(EventKind.created, payload=payload)
        return [
            created,
            self.event(EventKind.received, created.case_id),
            self.event(EventKind.submitted, created.case_id),
        ]

    def push(self, events: list[Event]) -> list[dict[str, Any]]:
        body = {"events": [e.model_dump(mode="json") for e in events]}
        response = self.client.post(f"{API_PREFIX}/push", json=body, headers=self.headers)
        assert response.status_code == 200, response.text
        results: list[dict[str, Any]] = response.json()["results"]
        return results

    def pull(self, after: int = 0, limit: int = 500) -> dict[str, Any]:
        response = self.client.get(
            f"{API_PREFIX}/pull", params={"after": after, "limit": limit}, headers=self.headers
        )
        assert response.status_code == 200, response.text
        page: dict[str, Any] = response.json()
        return page


def default_payload(kind: EventKind) -> dict[str, Any]:
    """A valid payload for ``kind``."""
    if kind is EventKind.created:
        return {
            "item_code": "pension-enrollment",
            "applicant": {"name": "张三", "id_number": "640522195001011234"},
        }
    if kind in (EventKind.returned, EventKind.rejected, EventKind.paused, EventKind.withdrawn):
        return {"reason": "材料不全"}
    if kind is EventKind.completed:
        return {"result": "approved"}
    return {}


def enroll_station(
    client: TestClient,
    session: Session,
    division: str = VILLAGE,
    role: str = "village",
    name: str = "站",
) -> StationClient:
    """A station enrolled through POST /enroll on ``client``'s app (tests that make their
    own app call it; the others use the ``enroll`` fixture)."""
    code = enroll_code(session=session, division=division, name=name, role=role, ttl_minutes=60)
    response = client.post(f"{API_PREFIX}/enroll", json={"code": code})
    assert response.status_code == 200, response.text
    credential = EnrollResponse.model_validate(response.json())
    return StationClient(client, credential, account_maker(session))


@pytest.fixture
def enroll(client: TestClient, session: Session) -> Any:
    """``enroll(division, role)`` -> an enrolled StationClient."""

    def _enroll(division: str = VILLAGE, role: str = "village", name: str = "站") -> StationClient:
        return enroll_station(client, session, division, role, name)

    return _enroll


@pytest.fixture
def sign_in(client: TestClient, session: Session) -> Any:
    """``sign_in(station, username, role)`` -> headers of a person signed in at ``station``.

    Creates the account (in the station's division) the first time, then opens the
    person's session through the station, as the desk does at sign-in.
    """

    def _sign_in(
        station: StationClient,
        username: str = "admin1",
        role: str = "admin",
        password: str = "admin-pass-1",
    ) -> dict[str, str]:
        if session.scalars(select(User).where(User.username == username)).first() is None:  # type: ignore[arg-type]
            create_user(
                session=session,
                username=username,
                display_name=f"测试{username}",
                role=role,
                division=station.credential.division,
                password=password,
            )
        answer = client.post(
            f"{API_PREFIX}/auth/session",
            json={"username": username, "password": password},
            headers=station.headers,
        )
        assert answer.status_code == 200, answer.text
        return {**station.headers, PERSON_HEADER: answer.json()["token"]}

    return _sign_in


def as_released(table: Table) -> Table:
    """``table`` as releases before 0015 declared it: SQLAlchemy's own ``Uuid``, text ids and
    ``DateTime`` where the models now have their compact forms (to write a database at an
    older revision as that release wrote it)."""
    copy = table.to_metadata(MetaData())
    for column in copy.columns:
        if isinstance(column.type, CompactUuid):
            column.type = Uuid()
        elif isinstance(column.type, UuidText):
            column.type = String(64)
        elif isinstance(column.type, CompactTime):
            column.type = DateTime(timezone=True)
    return copy


@contextmanager
def downgraded(settings: CentralSettings, revision: str) -> Iterator[Connection]:
    """The centre's database taken down to ``revision`` (a last release's schema, as its
    downgrade leaves it): a connection to look and write there, committed on leaving."""
    from alembic import command

    from central.db import make_engine
    from central.migrate import alembic_config

    engine = make_engine(settings.db_url)
    try:
        with engine.connect() as connection:
            config = alembic_config(settings.db_url)
            config.attributes["connection"] = connection
            command.downgrade(config, revision)
            connection.commit()
            yield connection
            connection.commit()
    finally:
        engine.dispose()
