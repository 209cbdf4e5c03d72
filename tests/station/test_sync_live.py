"""The desk syncs with a real central (the demo's): status goes online, what moved is shown."""

from __future__ import annotations

from pathlib import Path

import pytest

from daiban.commands.demo import (
    DESK_VILLAGE,
    demo_accounts_for,
    demo_port,
    running_central,
    set_up,
    set_up_central,
)
from station.app import make_app
from station.config import load_settings
from station.store import StationStore
from tests.station.cases_seed import station_agent, take_in
from tests.station.conftest import NOW, shipped_catalog
from tests.station.helpers import flat_text, log_in, settle


@pytest.mark.slow
async def test_sync_now_sends_the_case_to_a_real_central(tmp_path: Path) -> None:
    base = tmp_path / "demo"
    set_up_central(base / "central")
    with running_central(base / "central", demo_port(base)) as url:
        desk_dir = set_up(base, url)
        store = StationStore.open(desk_dir)
        try:
            case = take_in(store, agent=station_agent(store))
            app = make_app(
                load_settings(desk_dir),
                store=store,
                demo_accounts=demo_accounts_for(DESK_VILLAGE),
                clock=lambda: NOW,
                catalog=shipped_catalog(),
            )
            async with app.run_test(size=(80, 24)) as pilot:
                await log_in(pilot)  # signing in syncs once in the background
                await settle(pilot)
                assert "中心：在线" in flat_text(pilot) and "待同步0" in flat_text(pilot)
                notices = [str(n.message) for n in pilot.app._notifications]
                assert any("同步完成：上传" in n for n in notices), notices
            synced = store.get_case(case.case_number)
            assert synced is not None and synced.state == "submitted"
            assert store.outbox_depth() == 0
        finally:
            store.close()
