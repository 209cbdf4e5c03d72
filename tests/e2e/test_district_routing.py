"""区内通办 against a real central: a case taken in at a village of township A for a
resident of township B is handled by B, not A; B's decision reaches the taking village.

Real ``daiban central serve`` (SQLite and PostgreSQL), three real stations driven
through the CLI, and a replay of the village's batch through the real client.
"""

from __future__ import annotations

import itertools
import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from daiban.cli import app
from station.store import StationStore
from sync.client import CentralClient
from sync.protocol import ResultStatus
from tests.e2e.conftest import PASSWORD, Central, Station, case_line, enrolled_station

pytestmark = pytest.mark.slow  # a real central and three stations

_VILLAGES = itertools.count(31)
"""Each test's village of 海城镇 has a division of its own (two stations of one
division would number their cases alike)."""
TOWNSHIP_A = "640522100000"
TOWNSHIP_B = "640522101000"
RESIDENT_B = "640522101203"
"""A village of 李旺镇: where the resident's 户籍 is."""


def _routed_line(serial: int) -> str:
    line = json.loads(case_line(serial, "马秀兰"))
    line["residence_division"] = RESIDENT_B
    return json.dumps(line, ensure_ascii=False)


def _numbers(station: Station, path: Path, lines: list[str]) -> list[str]:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return list(station.cli("case", "import", str(path))["case_numbers"])


def _has(station: Station, number: str) -> bool:
    result = CliRunner().invoke(
        app, ["case", "show", number, "--json", "--data-dir", str(station.data_dir)]
    )
    return result.exit_code == 0


def _flat_pdf(path: Path) -> str:
    done = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, check=True)
    return re.sub(r"\s+", "", done.stdout.decode("utf-8"))


@pytest.fixture
def stations(central: Central, tmp_path: Path) -> Iterator[tuple[Station, Station, Station]]:
    """A village of 海城镇, 海城镇's centre and 李旺镇's; retired after the test (the
    module shares one central, and a division has one active station at a time)."""
    division = f"6405221002{next(_VILLAGES):02d}"
    village = enrolled_station(
        central, tmp_path / "va", division, "海城镇某村便民服务站", "village"
    )
    township_a = enrolled_station(
        central, tmp_path / "ta", TOWNSHIP_A, "海城镇便民服务中心", "township"
    )
    township_b = enrolled_station(
        central, tmp_path / "tb", TOWNSHIP_B, "李旺镇便民服务中心", "township"
    )
    yield village, township_a, township_b
    for station in (village, township_a, township_b):
        central.cli("revoke", station.station_id, "--force")  # the test is over: retire the PC


def test_a_case_for_a_resident_of_another_township_is_handled_there_and_followed_here(
    central: Central, stations: tuple[Station, Station, Station], tmp_path: Path
) -> None:
    village, township_a, township_b = stations
    routed, local = _numbers(
        village, tmp_path / "cases.jsonl", [_routed_line(1), case_line(2, "张三丰")]
    )
    assert village.cli("case", "show", routed)["state"] == "received"
    assert village.cli("sync")["pushed"] == 6

    township_a.cli("sync")
    township_b.cli("sync")
    assert _has(township_b, routed) and not _has(township_b, local)
    assert _has(township_a, local) and not _has(township_a, routed)  # A never sees it
    assert township_b.cli("case", "show", routed)["state"] == "submitted"

    assert township_b.cli("case", "accept", routed)["state"] == "accepted"
    assert township_b.cli("sync")["pushed"] == 1
    village.cli("sync")
    assert village.cli("case", "show", routed)["state"] == "accepted"  # the taker follows it
    township_a.cli("sync")
    assert not _has(township_a, routed)

    # The village's receipt names the township in charge; B's paper is in B's name.
    receipt = tmp_path / "receipt.pdf"
    village.cli("print", "receipt", routed, "--out", str(receipt))
    assert "报送海原县李旺镇便民服务中心审核" in _flat_pdf(receipt)
    notice = tmp_path / "acceptance.pdf"
    township_b.cli("print", "acceptance", routed, "--out", str(notice))
    text = _flat_pdf(notice)
    assert "海原县李旺镇便民服务中心（盖章）" in text
    assert re.search(r"李旺便民受〔20\d\d〕1号", text)


def test_the_townships_decision_on_a_case_routed_away_is_refused_by_the_centre(
    central: Central, stations: tuple[Station, Station, Station], tmp_path: Path
) -> None:
    """Township A forges a 受理 on a case routed to B: the centre refuses it, nothing moves."""
    from sync.events import Event, EventKind, Role
    from sync.ids import new_id

    village, township_a, township_b = stations
    (routed,) = _numbers(village, tmp_path / "one.jsonl", [_routed_line(3)])
    village.cli("sync")
    store = StationStore.open(village.data_dir)
    try:
        case = store.get_case(routed)
    finally:
        store.close()
    assert case is not None and case.handling_division == TOWNSHIP_B
    store = StationStore.open(township_a.data_dir)
    try:
        identity = store.require_identity()
    finally:
        store.close()
    forged = Event(
        id=new_id(),
        case_id=case.case_id,
        case_number=case.case_number,
        division=case.division,
        kind=EventKind.accepted,
        station_id=identity.station_id,
        station_seq=10_001,
        base_version=case.version,
        actor_id="u-reviewer-000",
        actor_role=Role.reviewer,
        device_time=case.created_at or case.received_at,  # type: ignore[arg-type]
        payload={},
    )
    with CentralClient(identity.central_url, identity.token) as client:
        (answer,) = client.push([forged]).results
    assert answer.status is ResultStatus.rejected
    assert answer.reason == "the case is outside this station's scope"
    township_b.cli("sync")
    assert township_b.cli("case", "show", routed)["state"] == "submitted"


def test_a_replayed_routed_batch_changes_nothing_and_the_handler_pulls_it_once(
    central: Central, stations: tuple[Station, Station, Station], tmp_path: Path
) -> None:
    village, _township_a, township_b = stations
    (routed,) = _numbers(village, tmp_path / "one.jsonl", [_routed_line(4)])
    store = StationStore.open(village.data_dir)
    try:
        batch = store.outbox_batch(10_000, 1 << 30)
        identity = store.require_identity()
    finally:
        store.close()
    with CentralClient(identity.central_url, identity.token) as client:
        first = client.push(batch)
        replay = client.push(batch)
    assert {r.status for r in first.results} == {ResultStatus.applied}
    assert {r.status for r in replay.results} == {ResultStatus.duplicate}
    assert [(r.id, r.central_seq) for r in replay.results] == [
        (r.id, r.central_seq) for r in first.results
    ]
    report = village.cli("sync")  # the station's own sync after the replays: all acknowledged
    assert (report["pending"], report["superseded"]) == (0, 0)
    pulled = township_b.cli("sync")["pulled"]
    assert pulled >= len(batch)
    assert township_b.cli("sync")["pulled"] == 0  # nothing new: the cursor moved past it
    history = township_b.cli("case", "show", routed)["history"]
    ids = [entry["event_id"] for entry in history]
    assert len(ids) == len(set(ids))  # each event once, however often it was pushed
    assert {str(event.id) for event in batch} <= set(ids)
    assert [entry["kind"] for entry in history] == ["created", "received", "submitted"]


def test_a_resident_outside_the_county_is_refused_at_intake(
    stations: tuple[Station, Station, Station], tmp_path: Path
) -> None:
    village = stations[0]
    line = json.loads(case_line(5))
    line["residence_division"] = "640523100201"
    path = tmp_path / "outside.jsonl"
    path.write_text(json.dumps(line, ensure_ascii=False) + "\n", encoding="utf-8")
    result = CliRunner().invoke(
        app,
        ["case", "import", str(path), "--json", "--as", village.user]
        + ["--data-dir", str(village.data_dir)],
        env={"DAIBAN_PASSWORD": PASSWORD},
    )
    report = json.loads(result.stdout)
    assert report["imported"] == 0
    assert report["failed"][0]["field"] == "residence_division"
    assert "640523100201不是本县" in report["failed"][0]["error"]
