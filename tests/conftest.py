"""Fixtures shared by every test: temp data dirs, a throwaway PostgreSQL, determinism."""

from __future__ import annotations

import os
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest

from forms import clock, i18n
from tests.pgcluster import PgCluster, start_cluster


@pytest.fixture(autouse=True, scope="session")
def _quick_password_hashes() -> None:
    """Passwords hashed in a test process cost ~1 ms, not ~190 ms.

    argon2 writes its cost parameters into each hash, and checks a password with those of
    the hash: one made here is checked as quickly by any process, and one a ``daiban``
    subprocess made at the full cost is still checked here at that cost. No test is about
    the cost; ~600 hashes and sign-ins were ~2 of the run's ~25 minutes (``tests/station``
    alone: 110 s of its workers' time in argon2)."""
    from argon2 import PasswordHasher

    from central.services import accounts
    from station.services import auth

    quick = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    auth._HASHER = quick
    accounts._hasher = quick


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every test gets its own data directory and Chinese as the language."""
    monkeypatch.setenv("DAIBAN_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("DAIBAN_LANG", raising=False)
    i18n.set_language("zh_CN")
    yield
    i18n.set_language("zh_CN")


def set_machine_zone(zone: str) -> None:
    """Make this process's local time zone ``zone`` (the autouse fixture restores it)."""
    os.environ["TZ"] = zone
    time.tzset()


@pytest.fixture(autouse=True)
def _machine_in_utc() -> Iterator[None]:
    """Every test runs on a machine set to UTC (as servers are) and on the real clock.

    So a run gives the same result on a desk PC in Beijing and on CI, and a time
    taken from the machine's zone instead of China's shows (8 hours apart).
    """
    before = os.environ.get("TZ")
    set_machine_zone("UTC")
    clock.set_source(None)
    yield
    clock.set_source(None)
    if before is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = before
    time.tzset()


@pytest.fixture
def hold_time() -> Iterator[Callable[[datetime], None]]:
    """Hold "now" (``forms.clock``) at a given moment for the rest of the test."""

    def hold(moment: datetime) -> None:
        clock.set_source(lambda: moment)

    yield hold
    clock.set_source(None)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    """A PostgreSQL cluster for the whole run (one per xdist worker)."""
    try:
        cluster = start_cluster(in_memory=True)
    except RuntimeError as exc:
        message = f"\n\n!!! PostgreSQL tests SKIPPED: {exc} !!!\n\n"
        sys.stderr.write(message)
        pytest.skip(message)
    yield cluster
    cluster.stop()


@pytest.fixture
def pg_url(pg_cluster: PgCluster) -> str:
    """A fresh, empty PostgreSQL database for one test."""
    return pg_cluster.create_database(f"t_{uuid.uuid4().hex[:12]}")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The central's database, once on SQLite and once on PostgreSQL (one suite, both stores)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'central.db'}"
    return str(request.getfixturevalue("pg_url"))
