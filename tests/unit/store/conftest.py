"""Fixtures of the station-store tests: an enrolled store, an application, an actor."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from forms.catalog import Catalog, load_catalog
from station.services.cases import Actor, Application, CaseService
from station.store import StationIdentity, StationStore
from sync.events import Role
from sync.protocol import StationRole

VILLAGE = "640522100201"
ITEM = "640522-YB-001"


def id_number(first17: str) -> str:
    """A resident ID number with a valid GB 11643 check character."""
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(c) * w for c, w in zip(first17, weights, strict=True))
    return first17 + "10X98765432"[total % 11]


def application(name: str = "张三丰", serial: int = 1) -> Application:
    """A valid medical-insurance enrollment (城乡居民医保参保登记)."""
    return Application(
        item_code=ITEM,
        applicant={
            "name": name,
            "id_number": id_number(f"64052219500101{serial:03d}"),
            "phone": "13800000000",
        },
        fields={"hukou_address": "杨郎村一组", "category": "普通居民", "insured_year": 2027},
        materials={"id_card": "provided"},
    )


def identity(role: StationRole = StationRole.village, division: str = VILLAGE) -> StationIdentity:
    return StationIdentity(
        station_id=f"st-{role.value}",
        division=division,
        name=f"{role.value} station",
        role=role,
        central_url="http://127.0.0.1:9",
        token="token",
        signing_key="00" * 32,
    )


@pytest.fixture
def store(tmp_path: Path) -> Iterator[StationStore]:
    opened = StationStore.open(tmp_path / "station")
    opened.save_identity(identity())
    yield opened
    opened.close()


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture
def agent() -> Actor:
    return Actor(user_id="u-agent", role=Role.agent, name="王代办")


@pytest.fixture
def service(store: StationStore, catalog: Catalog, agent: Actor) -> CaseService:
    return CaseService(store, catalog, agent)


def downgrade(store: StationStore, revision: str) -> None:
    """Take the store's schema down to ``revision`` (as the migrations' downgrades do)."""
    from alembic import command

    from station.store import migrate

    config = migrate.alembic_config()
    with store.engine.connect() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, revision)
        conn.commit()


def last_release_search(store: StationStore, revision: str, case_id: str, terms: str) -> None:
    """The store taken down to ``revision`` (its unsent events kept) with the search terms
    that release wrote for ``case_id``, and no rebuild asked for: what the upgrade meets."""
    from sqlalchemy import text

    from station.store.db import writing

    downgrade(store, revision)
    with writing(store.engine) as conn:
        conn.execute(text("DELETE FROM cases_fts"))
        conn.execute(
            text("INSERT INTO cases_fts (case_id, terms) VALUES (:c, :t)"),
            {"c": case_id, "t": terms},
        )
        conn.execute(text("UPDATE station_meta SET value = '0' WHERE key = 'fts_rebuild'"))
