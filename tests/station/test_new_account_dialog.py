"""The county's 新建账号 dialog says what the centre would refuse, and keeps what was typed."""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.widgets import Input, Static

from station.screens.county_dialogs import DivisionPicker, NewAccountDialog
from station.services.county_admin import DivisionChoice

VILLAGE = DivisionChoice("640522100201", "village", "山门村")


class _Host(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.answers: list[Any] = []

    def on_mount(self) -> None:
        self.push_screen(NewAccountDialog([VILLAGE]), self.answers.append)


def _fill(dialog: NewAccountDialog, **values: str) -> None:
    for key, value in values.items():
        dialog.query_one(f"#account-{key}", Input).value = value


async def test_a_short_password_or_a_bad_id_is_said_in_the_dialog_with_nothing_lost() -> None:
    """The centre refused a 3-character password (or an ID number with a wrong check
    digit) after the dialog had closed: every field typed was gone."""
    app = _Host()
    async with app.run_test(size=(100, 30)) as pilot:
        dialog = app.screen
        assert isinstance(dialog, NewAccountDialog)
        typed = {"name": "马丽", "id": "640522199001011235", "phone": "13900000001"}
        _fill(dialog, **typed, username="mali", password="secret-2026")
        await pilot.pause()
        dialog.query_one("#account-password", Input).focus()
        await pilot.press("enter")  # no division chosen: the list's first row is not one
        await pilot.pause()
        message = str(dialog.query_one("#account-message", Static).render())
        assert app.screen is dialog and message == "还需要填写：区划（输入名称后选定）。"
        assert "区划：还没有选" in str(dialog.query_one("#account-division", Static).render())
        assert dialog.query_one(DivisionPicker).chosen is None
        dialog.query_one("#division-search", Input).value = "山门"
        await pilot.pause()
        assert dialog.query_one(DivisionPicker).chosen == VILLAGE
        assert "区划：山门村" in str(dialog.query_one("#account-division", Static).render())
        dialog.query_one("#account-password", Input).focus()
        await pilot.press("enter")
        await pilot.pause()
        message = str(dialog.query_one("#account-message", Static).render())
        assert app.screen is dialog and "身份证号：不是有效的居民身份证号码" in message
        _fill(dialog, id="640522199001011234", password="abc")
        await pilot.pause()  # the ID number's own line is written as it is typed
        dialog.query_one("#account-password", Input).focus()
        await pilot.press("enter")
        await pilot.pause()
        message = str(dialog.query_one("#account-message", Static).render())
        assert app.screen is dialog and "初始密码：至少 8 个字符" in message
        assert dialog.query_one("#account-name", Input).value == "马丽"
        _fill(dialog, password="secret-2026")
        await pilot.pause()  # the ID number's own line is written as it is typed
        dialog.query_one("#account-password", Input).focus()
        await pilot.press("enter")
        await pilot.pause()
    assert [a["username"] for a in app.answers] == ["mali"]
