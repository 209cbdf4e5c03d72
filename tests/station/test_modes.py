"""长辈模式 on one key from any screen, every action in the command palette, English on request."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from station.app import DaibanApp
from station.screens.commands import screen_commands
from station.screens.intake import IntakeScreen
from tests.station.helpers import log_in, settle

ROOT = Path(__file__).resolve().parents[2]


async def test_f2_toggles_elder_mode_from_login_home_and_take_in(
    desk: Callable[..., DaibanApp],
) -> None:
    async with desk().run_test(size=(80, 24)) as pilot:
        app = pilot.app
        await pilot.press("f2")
        assert app.has_class("elder") and app.theme == "daiban-elder"
        said = [str(n.message) for n in app._notifications]
        assert said[-1].startswith("已打开长辈模式") and "再按 F2 关闭" in said[-1]
        await pilot.press("f2")
        assert not app.has_class("elder") and app.theme == "daiban"
        said = [str(n.message) for n in app._notifications]
        assert said[-1] == "已关闭长辈模式（再按 F2 打开）。"
        await log_in(pilot)
        await pilot.press("f2")
        assert app.has_class("elder")
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, IntakeScreen)
        await pilot.press("f2")
        assert not app.has_class("elder")


async def test_elder_mode_from_settings_starts_in_elder_mode(
    desk: Callable[..., DaibanApp],
) -> None:
    async with desk(elder_mode=True).run_test(size=(80, 24)) as pilot:
        assert pilot.app.has_class("elder")


async def test_home_actions_are_in_the_command_palette(desk: Callable[..., DaibanApp]) -> None:
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        titles = [c.name for c in screen_commands(pilot.app.screen)]
        for title in ("收件", "办件", "立即同步", "办不成事", "设置", "长辈模式", "导出离线包"):
            assert title in titles, title


async def test_take_in_from_the_command_palette(desk: Callable[..., DaibanApp]) -> None:
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        command = next(c for c in screen_commands(pilot.app.screen) if c.name == "收件")
        await command.run()
        await settle(pilot)
        assert isinstance(pilot.app.screen, IntakeScreen)


def test_english_when_asked(station_dir: Path, store: object) -> None:
    script = (
        "import asyncio, sys\n"
        "from pathlib import Path\n"
        "from station.app import make_app\n"
        "from station.config import load_settings\n"
        "from tests.station.helpers import screen_text\n"
        "async def main():\n"
        "    app = make_app(load_settings(Path(sys.argv[1])))\n"
        "    async with app.run_test(size=(80, 24)) as pilot:\n"
        "        await pilot.pause()\n"
        "        print(screen_text(pilot))\n"
        "asyncio.run(main())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(station_dir)],
        cwd=ROOT,
        env={**os.environ, "DAIBAN_LANG": "en", "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert "Sign in" in done.stdout and "Username" in done.stdout
    assert "登录" not in done.stdout
