"""County desk lines as a person reads them: names, not codes."""

from __future__ import annotations

from station.services.loops import step_line


def test_an_assignment_reads_as_the_townships_name_without_its_codes() -> None:
    step = {
        "action": "assigned",
        "at": "2026-12-01T20:02:00+00:00",
        "actor_name": "赵军",
        "detail": {"unit_kind": "township", "unit": "640522100000", "unit_name": "海城镇"},
    }
    line = step_line(step)
    assert line.endswith("赵军：海城镇")
    assert "640522100000" not in line and "township" not in line
    assert line.startswith("2026-12-02 04:02")  # China time


def test_a_stations_catalog_reads_as_the_county_calls_it() -> None:
    from station.screens.stations_admin import catalog_label

    assert catalog_label("1:2026.12.1") == "2026.12.1 第1版"
    assert catalog_label("0:2026.11.2") == "2026.11.2 随软件"
    assert catalog_label("2026.11.1") == "2026.11.1"  # an older station: the version alone
    assert catalog_label("") == "—"
