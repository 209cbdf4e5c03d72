"""登录: Chinese login screen, wrong password message, lock after five failures."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from station.app import DaibanApp
from station.screens.home import HomeScreen
from station.screens.login import LoginScreen
from tests.station.helpers import flat_text, log_in, screen_text, settle


async def test_login_screen_is_chinese_and_shows_demo_accounts(
    desk: Callable[..., DaibanApp],
) -> None:
    async with desk().run_test(size=(80, 24)) as pilot:
        text = screen_text(pilot)
        assert "登录" in text
        assert "用户名" in text and "密码" in text
        assert "agent201" in text and "马丽" in text and "代办员" in text
        assert "山门村便民服务站" in text


async def test_wrong_password_says_so_in_chinese(desk: Callable[..., DaibanApp]) -> None:
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot, password="wrong")
        assert isinstance(pilot.app.screen, LoginScreen)
        assert "用户名或密码错误，还可尝试4次" in flat_text(pilot)


async def test_enter_on_an_empty_username_stays_there_and_says_so(
    desk: Callable[..., DaibanApp],
) -> None:
    """Enter on an empty 用户名 went on to 密码: the username typed next became the password."""
    from textual.widgets import Input

    async with desk().run_test(size=(80, 24)) as pilot:
        await pilot.press("enter", *"agent201")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, LoginScreen)
        assert screen.query_one("#username", Input).value == "agent201"
        assert screen.query_one("#password", Input).value == ""
        assert "请先输入用户名" in flat_text(pilot)
        await pilot.press("ctrl+u", "tab", *"demo1234", "enter")  # the sign-in with it too
        await settle(pilot)
        assert isinstance(pilot.app.screen, LoginScreen)
        assert screen.focused is screen.query_one("#username", Input)
        await pilot.press(*"agent201", "enter", *"demo1234", "enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, HomeScreen)


async def test_right_password_opens_home(desk: Callable[..., DaibanApp]) -> None:
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        assert isinstance(pilot.app.screen, HomeScreen)
        text = screen_text(pilot)
        assert "马丽" in text and "今日" in text and "待同步 0" in text


@pytest.mark.slow
async def test_five_failures_lock_even_the_right_password(desk: Callable[..., DaibanApp]) -> None:
    async with desk().run_test(size=(80, 24)) as pilot:
        for _attempt in range(5):
            await log_in(pilot, password="wrong")
        assert "失败次数过多，已锁定5分钟" in flat_text(pilot)
        await log_in(pilot)
        assert isinstance(pilot.app.screen, LoginScreen)
        assert "已锁定" in screen_text(pilot)


async def test_demo_account_row_fills_the_form(desk: Callable[..., DaibanApp]) -> None:
    async with desk().run_test(size=(80, 24)) as pilot:
        await pilot.press("f5", "enter")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, HomeScreen)


async def test_idle_desk_locks_and_password_unlocks(desk: Callable[..., DaibanApp]) -> None:
    from station.screens.lock import LockScreen

    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        app = pilot.app
        assert isinstance(app, DaibanApp)
        app._last_input -= 11 * 60  # eleven idle minutes (the setting is ten)
        app._check_idle()
        await pilot.pause()
        assert isinstance(pilot.app.screen, LockScreen)
        await pilot.press(*"demo1234", "enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, HomeScreen)


async def test_f10_signs_out_from_the_home_after_asking(desk: Callable[..., DaibanApp]) -> None:
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        await pilot.press("f1")  # the help lists it (it was reachable only from the lock screen)
        await pilot.pause()
        assert "F10  退出登录" in screen_text(pilot)
        await pilot.press("escape", "f10")
        await pilot.pause()
        assert "现在退出登录吗？未完成的收件会保存为草稿。" in flat_text(pilot)
        await pilot.press("N")  # no (Shift held: the button says 否（N）): still signed in
        await pilot.pause()
        assert isinstance(pilot.app.screen, HomeScreen)
        await pilot.press("f10", "y")
        await settle(pilot)
        assert isinstance(pilot.app.screen, LoginScreen)
        assert pilot.app.desk.user is None


async def test_enter_is_judged_by_the_username_as_it_was_when_it_was_pressed(
    desk: Callable[..., DaibanApp],
) -> None:
    """Enter, the username, Tab, the password and Enter typed at once (a real terminal, the
    desk just started): Enter was judged by the username typed after it, went on to 密码,
    and Tab then left the password for the button (请输入用户名和密码)."""
    from textual.widgets import Input

    async with desk().run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = pilot.app.screen
        username = screen.query_one("#username", Input)
        username.value = "agent201"  # the keys after Enter, in the box before Enter's turn
        username.post_message(Input.Submitted(username, ""))  # Enter, on an empty box
        await settle(pilot)
        assert screen.focused is username and "请先输入用户名" in flat_text(pilot)
