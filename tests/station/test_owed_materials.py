"""容缺后补: what a resident promised to bring later is on the agent's home until brought
(only the case page said so; home's lists and the case list had nothing)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

from station.app import DaibanApp, make_app
from station.config import load_settings
from station.services.cases import CaseService
from station.services.today import read_home
from station.store import StationStore
from tests.station.cases_seed import AGENT, take_in
from tests.station.conftest import CHINA, shipped_catalog
from tests.station.helpers import flat_text, log_in, settle


def _owed_section(desk: DaibanApp) -> list[str]:
    sections = dict(read_home(desk.desk).sections)
    return [line.text for line in sections["容缺待补交"]]


async def test_a_promised_material_waits_on_home_until_it_is_brought(
    desk: Callable[..., DaibanApp], store: StationStore, station_dir: Path
) -> None:
    owing = take_in(store, "马占福")  # 社会保障卡或存折复印件 容缺, by 2026-11-30
    brought = take_in(store, "张桂兰")
    service = CaseService(store, shipped_catalog(), AGENT)
    service.supplement(brought.case_number, {"bank_card": "provided"})
    app = desk()
    async with app.run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        await settle(pilot)
        text = flat_text(pilot)
        assert "容缺待补交(1)" in text.replace("（", "(").replace("）", ")")
        lines = _owed_section(app)
        assert lines == [
            f"{owing.case_number}  马占福  {owing.item_name}\n"
            "    待补交：社会保障卡或存折复印件（2026-11-30前）"
        ]
    # the day passed: how late it is, in working days (11-30 is a Monday, 12-02 two later)
    assert date(2026, 11, 30).weekday() == 0
    later = make_app(
        load_settings(station_dir),
        store=store,
        clock=lambda: datetime(2026, 12, 2, 9, 0, tzinfo=CHINA),
        catalog=shipped_catalog(),
    )
    (line,) = _owed_section(later)
    assert line.endswith("社会保障卡或存折复印件（2026-11-30前，已逾期 2 个工作日）")
    service.supplement(owing.case_number, {"bank_card": "provided"})  # brought: off the list
    assert _owed_section(later) == []
