"""argon2 hashes only go where the person signs in: a township station pulls its
villages' agents (names, roles) without their password hashes, and its desk says
such an account signs in at its own station."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from station.services.auth import LoginGate
from station.store import StationStore
from tests.e2e.conftest import (
    PASSWORD,
    TOWNSHIP,
    VILLAGE,
    Central,
    enrolled_station,
    id_number,
    running_central,
)


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Central]:
    """A real central on loopback (SQLite)."""
    with running_central(tmp_path_factory.mktemp("county"), ()) as running:
        yield running


def _account(county: Central, username: str, role: str, division: str, serial: str) -> None:
    county.cli(
        "user", "add", "--username", username, "--name", username, "--role", role,
        "--division", division, "--password", PASSWORD,
        "--id-number", id_number(f"64052219850505{serial}"),
    )  # fmt: skip


def test_a_township_pull_carries_no_hash_of_a_village_agent(
    county: Central, tmp_path: Path
) -> None:
    _account(county, "cun-agent", "agent", VILLAGE, "002")
    _account(county, "zhen-reviewer", "reviewer", TOWNSHIP, "003")
    township = enrolled_station(county, tmp_path / "township", TOWNSHIP, "杨郎镇", "township")
    village = enrolled_station(county, tmp_path / "village", VILLAGE, "杨郎村", "village")
    township.cli("sync")
    village.cli("sync")

    store = StationStore.open(township.data_dir)
    try:
        agent = store.find_account("cun-agent")
        reviewer = store.find_account("zhen-reviewer")
        assert agent is not None and agent.role == "agent" and agent.password_hash == ""
        assert reviewer is not None and reviewer.password_hash.startswith("$argon2")
        gate = LoginGate(store)
        refused = gate.attempt("cun-agent", PASSWORD)
        assert refused.user is None
        assert refused.error == "该账号只能在其所属站点登录，不能在本站登录。"
        assert gate.attempt("zhen-reviewer", PASSWORD).user is not None
    finally:
        store.close()

    store = StationStore.open(village.data_dir)
    try:
        agent = store.find_account("cun-agent")
        assert agent is not None and agent.password_hash.startswith("$argon2")
        assert LoginGate(store).attempt("cun-agent", PASSWORD).user is not None
    finally:
        store.close()
