"""The signed-in person's role decides the home: 今日 for an agent, 审核台 for a township reviewer."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from textual.widgets import DataTable

from station.app import make_app
from station.config import load_settings
from station.screens.home import HomeScreen
from station.screens.review_queue import ReviewQueueScreen
from station.store import StationIdentity, StationStore
from sync.events import EventKind, Role
from sync.protocol import AccountRecord, StationRole
from tests.station.cases_seed import take_in, township
from tests.station.conftest import NOW, PASSWORD, _hash, shipped_catalog
from tests.station.helpers import flat_text, log_in, settle


def township_station(data_dir: Path) -> StationStore:
    """A township station with one reviewer and one agent account cached."""
    store = StationStore.open(data_dir)
    store.save_identity(
        StationIdentity(
            station_id="st-test-100",
            division="640522100000",
            name="海城镇便民服务中心",
            role=StationRole.township,
            central_url="http://127.0.0.1:9",
            token="t",
            signing_key="00" * 32,
        )
    )
    people = [("u-wf", "wangfang", "王芳", Role.reviewer), ("u-ag", "agent100", "李梅", Role.agent)]
    store.upsert_accounts(
        [
            AccountRecord(
                user_id=user_id,
                username=username,
                display_name=name,
                role=role,
                division="640522100000",
                password_hash=_hash(PASSWORD),
                updated_at=datetime(2026, 1, 1, tzinfo=UTC),
            )
            for user_id, username, name, role in people
        ]
    )
    return store


async def test_a_reviewer_signs_in_to_the_cases_waiting_for_a_decision(tmp_path: Path) -> None:
    store = township_station(tmp_path / "township")
    waiting = take_in(store, "马占福")
    township(store, waiting.case_number)  # 已报送: waits for the township
    decided = take_in(store, "李秀英")
    township(store, decided.case_number, (EventKind.accepted, {}))
    app = make_app(
        load_settings(tmp_path / "township"),
        store=store,
        clock=lambda: NOW,
        catalog=shipped_catalog(),
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await log_in(pilot, "wangfang")
        screen = pilot.app.screen
        assert isinstance(screen, ReviewQueueScreen)
        text = flat_text(pilot)
        assert "审核台" in text and "王芳" in text
        table = screen.query_one(DataTable)
        assert table.row_count == 1 and waiting.case_number in text
        # already accepted: not among the waiting (only named as the same resident's other case)
        assert [row.value for row in table.rows] == [waiting.case_number]
        await pilot.press("escape")
        await settle(pilot)
        assert pilot.app.screen is screen  # home: Esc goes nowhere
    store.close()


async def test_an_agent_at_the_same_station_gets_today(tmp_path: Path) -> None:
    store = township_station(tmp_path / "township")
    app = make_app(
        load_settings(tmp_path / "township"),
        store=store,
        clock=lambda: NOW,
        catalog=shipped_catalog(),
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await log_in(pilot, "agent100")
        assert isinstance(pilot.app.screen, HomeScreen)
        assert "今日" in flat_text(pilot)
    store.close()


async def test_a_reviewer_signing_out_is_not_told_of_take_in_drafts(tmp_path: Path) -> None:
    store = township_station(tmp_path / "township")
    app = make_app(
        load_settings(tmp_path / "township"),
        store=store,
        clock=lambda: NOW,
        catalog=shipped_catalog(),
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await log_in(pilot, "wangfang")
        await pilot.press("f10")
        await settle(pilot)
        text = flat_text(pilot)
        assert "现在退出登录吗？" in text and "收件" not in text
        await pilot.press("Y")
        await settle(pilot)
        assert pilot.app.desk.user is None  # type: ignore[attr-defined]
