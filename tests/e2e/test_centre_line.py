"""The county desk's line to a real central: the person's own session, over HTTP only."""

from __future__ import annotations

from pathlib import Path

import pytest

from station.config import load_settings
from station.services.auth import LoginGate
from station.services.centre import CentreError
from station.services.desk import Desk
from station.store import StationStore
from tests.e2e.conftest import PASSWORD, Central, enrolled_station

COUNTY = "640522000000"
ADMIN_IDS = {"xu": "640522199009090037", "ma": "640522198505050021"}
"""One account per person: each administrator has their own ID number."""


def _county_desk(central: Central, tmp_path: Path, username: str) -> Desk:
    station = enrolled_station(central, tmp_path / "county", COUNTY, "海原县政务服务中心", "county")
    central.cli(
        "user", "add", "--username", username, "--name", "徐county", "--role", "admin",
        "--division", COUNTY, "--password", PASSWORD, "--id-number", ADMIN_IDS[username],
    )  # fmt: skip
    station.sign_up(username, "admin", COUNTY)  # type: ignore[arg-type]
    store = StationStore.open(station.data_dir)
    return Desk(load_settings(station.data_dir), store, LoginGate(store))


def test_signing_in_at_the_county_desk_opens_the_persons_session_at_the_centre(
    sqlite_central: Central, tmp_path: Path
) -> None:
    desk = _county_desk(sqlite_central, tmp_path, "xu")
    result = desk.gate.attempt("xu", PASSWORD)
    assert result.user is not None
    line = desk.centre()
    assert line.session.username == "xu" and line.session.role == "admin"
    stations = line.get("/admin/stations")
    assert "海原县政务服务中心" in {s["name"] for s in stations}

    desk.end_centre()
    with pytest.raises(CentreError) as refused:
        line.get("/admin/stations")
    assert "重新登录" in refused.value.message or "sign in again" in refused.value.message
    desk.store.close()


def test_offline_sign_in_works_and_the_centre_screens_say_why_they_cannot(
    sqlite_central: Central, tmp_path: Path
) -> None:
    desk = _county_desk(sqlite_central, tmp_path, "ma")
    identity = desk.store.identity()
    assert identity is not None
    desk.store.save_identity(identity.model_copy(update={"central_url": "http://127.0.0.1:9"}))
    assert desk.gate.attempt("ma", PASSWORD).user is not None  # the cached account: offline
    with pytest.raises(CentreError) as refused:
        desk.centre()
    assert refused.value.message
    desk.store.close()
