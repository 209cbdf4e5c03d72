"""Desk fixtures: an enrolled station in a temp dir, its cached accounts, a fixed clock."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from forms.clock import CHINA
from station.app import DaibanApp, make_app
from station.config import load_settings
from station.services.auth import DemoAccount, hash_password
from station.store import StationIdentity, StationStore
from sync.events import Role
from sync.protocol import AccountRecord, StationRole

NOW = datetime(2026, 11, 23, 10, 0, 0, tzinfo=CHINA)
"""The desk's "now" in every test (a Monday, 10:00 in Beijing)."""
DIVISION = "640522100201"
PASSWORD = "demo1234"
DEMO = [DemoAccount("agent201", "马丽", "agent", PASSWORD)]


@cache
def _hash(password: str) -> str:
    return hash_password(password)


@cache
def shipped_catalog() -> Any:
    """The shipped catalog, read once per test process."""
    from forms.catalog import load_catalog

    return load_catalog()


def seed_station(data_dir: Path) -> StationStore:
    """An enrolled village station with one agent account cached."""
    store = StationStore.open(data_dir)
    store.save_identity(
        StationIdentity(
            station_id="st-test-201",
            division=DIVISION,
            name="山门村便民服务站",
            role=StationRole.village,
            central_url="http://127.0.0.1:9",
            token="t",
            signing_key="00" * 32,
        )
    )
    store.upsert_accounts(
        [
            AccountRecord(
                user_id="u-agent201",
                username="agent201",
                display_name="马丽",
                role=Role.agent,
                division=DIVISION,
                password_hash=_hash(PASSWORD),
                updated_at=datetime(2026, 1, 1, tzinfo=UTC),
            )
        ]
    )
    return store


@pytest.fixture
def station_dir(tmp_path: Path) -> Path:
    """The station's data directory."""
    return tmp_path / "station"


@pytest.fixture
def store(station_dir: Path) -> Iterator[StationStore]:
    """An open, enrolled station store."""
    opened = seed_station(station_dir)
    yield opened
    opened.close()


@pytest.fixture
def desk(station_dir: Path, store: StationStore) -> Callable[..., DaibanApp]:
    """Build the desk through the one factory, with a fixed clock."""

    def build(**settings: Any) -> DaibanApp:
        return make_app(
            load_settings(station_dir, **settings),
            store=store,
            demo_accounts=DEMO,
            clock=lambda: NOW,
            catalog=shipped_catalog(),
        )

    return build
