"""A replacement PC for a village never repeats its dead predecessor's numbers.

The old PC took cases in and a 办不成事 report today and synced, then died; the county
revoked it and enrolled a new PC, which takes a case in before its first pull (the
network went again). Its numbers continue after the old PC's, so the pull that brings
the old cases down applies cleanly and every case keeps the number on its receipt.
"""

from __future__ import annotations

from pathlib import Path

from forms.catalog import load_catalog
from forms.clock import china_today
from station.services.application import Actor
from station.services.cases import CaseService
from station.store import StationStore
from sync.events import Role
from tests.e2e.conftest import VILLAGE, Central, Station, enrolled_station, write_cases


def _report_unresolved(station: Station) -> str:
    store = StationStore.open(station.data_dir)
    try:
        service = CaseService(store, load_catalog(), _agent(station))
        return service.record_unresolved(what="补办出生医学证明", why="医院签发", contact="").number
    finally:
        store.close()


def _agent(station: Station) -> Actor:
    return Actor(user_id=station.user_id, role=Role.agent, name="马丽")


def test_a_replacement_pc_continues_the_villages_numbers(
    sqlite_central: Central, tmp_path: Path
) -> None:
    old = enrolled_station(sqlite_central, tmp_path / "old", VILLAGE, "山门村旧电脑", "village")
    old_numbers = old.cli("case", "import", str(write_cases(tmp_path / "two.jsonl", 2)))[
        "case_numbers"
    ]
    old_record = _report_unresolved(old)
    old.cli("sync")
    sqlite_central.cli("revoke", old.station_id)  # the PC died; its outbox is empty

    new = enrolled_station(sqlite_central, tmp_path / "new", VILLAGE, "山门村新电脑", "village")
    (first_new,) = new.cli("case", "import", str(write_cases(tmp_path / "one.jsonl", 1, first=3)))[
        "case_numbers"
    ]
    new_record = _report_unresolved(new)

    today = f"{VILLAGE}-{china_today():%Y%m%d}-"
    assert old_numbers == [f"{today}0001", f"{today}0002"]
    assert first_new == f"{today}0003"  # not 0001 again
    assert old_record.endswith("-0001") and new_record.endswith("-0002")

    report = new.cli("sync")  # the old cases come down beside the new one
    assert report["rejected"] == 0 and report["superseded"] == 0
    for number in [*old_numbers, first_new]:
        assert new.cli("case", "show", number)["case_number"] == number
    held = {s["station"]: s for s in sqlite_central.cli("report", "reconcile")["stations"]}
    assert held[new.station_id]["cases"] == 1 and held[old.station_id]["cases"] == 2
