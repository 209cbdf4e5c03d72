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
    assert catalog_label("0:2026.11.3") == "2026.11.3 随软件"
    assert catalog_label("2026.11.1") == "2026.11.1"  # an older station: the version alone
    assert catalog_label("") == "—"


def test_an_appeal_decision_reads_as_words_not_its_code() -> None:
    """The county's history read `申诉裁定 赵军：overturned；…`."""
    for code, words in (("overturned", "撤销差评"), ("upheld", "维持差评")):
        step = {
            "action": "appeal_decided",
            "at": "2026-12-05T13:47:00+00:00",
            "actor_name": "赵军",
            "detail": {"outcome": code, "note": "经核实，办件按时办结"},
        }
        line = step_line(step)
        assert line.endswith(f"赵军：{words}；经核实，办件按时办结"), line
        assert code not in line
