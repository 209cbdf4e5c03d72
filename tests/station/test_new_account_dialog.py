"""The county's 新建账号 dialog says what the centre would refuse, and keeps what was typed."""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.widgets import Input, Static

from station.screens.county_dialogs import DivisionPicker, NewAccountDialog
from station.services.county_admin import DivisionChoice
from tests.station.helpers import flat_text

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


async def test_every_wrong_box_is_said_at_once_the_cursor_in_the_first() -> None:
    """One refusal at a time: each correction met the next (a check digit, then the phone,
    then the password), three rounds for one account."""
    app = _Host()
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = app.screen
        assert isinstance(dialog, NewAccountDialog)
        _fill(dialog, name="马丽", id="640522199001011235", phone="1390000", username="ma li")
        _fill(dialog, password="abc")
        dialog.query_one("#division-search", Input).value = "山门"
        await pilot.pause()
        dialog.query_one("#account-password", Input).focus()
        await pilot.press("enter")
        await pilot.pause()
        said = str(dialog.query_one("#account-message", Static).render()).splitlines()
        assert app.screen is dialog and len(said) == 4, said
        assert said[0] == "身份证号：最后一位（校验码）对不上，请逐位核对。"
        assert said[1].startswith("电话：") and said[2].startswith("用户名")
        assert "初始密码：至少 8 个字符" in said[3]
        assert dialog.query_one("#account-id", Input).has_focus  # the first, in form order
        assert dialog.query_one("#account-message", Static).region.height >= 4  # all shown


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
        assert (
            app.screen is dialog and message == "身份证号：最后一位（校验码）对不上，请逐位核对。"
        )
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


async def test_a_phone_that_is_none_or_a_username_with_a_space_is_refused_in_the_dialog() -> None:
    """The walkthrough's admin made an account with the phone abc123 and the username
    "Wang Wu"; an old 15-digit ID number was refused without saying why."""
    app = _Host()
    async with app.run_test(size=(100, 30)) as pilot:
        dialog = app.screen
        assert isinstance(dialog, NewAccountDialog)
        dialog.query_one("#division-search", Input).value = "山门"
        _fill(dialog, name="王五", id="640522900101123", username="wangwu", password="secret-2026")
        said = []
        for values in ({}, {"id": "640522199001011234", "phone": "abc123"},
                       {"phone": "0954-4012345", "username": "Wang Wu"}):  # fmt: skip
            _fill(dialog, **values)
            await pilot.pause()
            dialog.query_one("#account-password", Input).focus()
            await pilot.press("enter")
            await pilot.pause()
            said.append(str(dialog.query_one("#account-message", Static).render()))
        assert said == [
            "身份证号：这是旧的15位号码，请填18位的号码。",
            "电话：手机号是1开头的11位数字；固定电话要带区号，如 0954-1234567。",
            "用户名：不能有空格（每次登录都要输入它）。",
        ]
        assert app.screen is dialog and app.answers == []


async def test_a_new_password_says_which_rule_it_broke_and_enter_moves_on() -> None:
    from station.screens.county_dialogs import PasswordDialog

    class _Reset(App[None]):
        def __init__(self) -> None:
            super().__init__()
            self.answers: list[Any] = []

        def on_mount(self) -> None:
            self.push_screen(PasswordDialog("mali"), self.answers.append)

    app = _Reset()
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = app.screen
        await pilot.press(*"brand-new-1", "enter")  # Enter in the first box: on to the second
        assert dialog.focused is dialog.query_one("#password-2", Input)
        await pilot.press(*"brand-new-2", "enter")
        message = str(dialog.query_one("#password-message", Static).render())
        assert message == "两次输入的密码不一样，请输入同一个密码两遍。"
        dialog.query_one("#password-1", Input).value = "short"
        dialog.query_one("#password-2", Input).value = "short"
        await pilot.press("enter")
        message = str(dialog.query_one("#password-message", Static).render())
        assert message == "新密码：至少 8 个字符，这个只有 5 个。"
        for weak in ("mali-mali", "11111111"):  # the username in it; one key held down
            dialog.query_one("#password-1", Input).value = weak
            dialog.query_one("#password-2", Input).value = weak
            await pilot.press("enter")
            said = str(dialog.query_one("#password-message", Static).render())
            assert (
                said
                == {
                    "mali-mali": "新密码：里面有用户名 mali，请换一个不含用户名的密码。",
                    "11111111": "新密码：同一个字符重复，一猜就中，请换一个。",
                }[weak]
            )
        dialog.query_one("#password-1", Input).value = "brand-new-2"
        dialog.query_one("#password-2", Input).value = "brand-new-2"
        await pilot.press("enter")
        await pilot.pause()
    assert app.answers == ["brand-new-2"]


async def test_a_weak_initial_password_is_refused_in_the_dialog_naming_the_box() -> None:
    """ "12345678" went through for a new account (the only rule was 8 characters)."""
    app = _Host()
    async with app.run_test(size=(100, 30)) as pilot:
        dialog = app.screen
        assert isinstance(dialog, NewAccountDialog)
        dialog.query_one("#division-search", Input).value = "山门"
        _fill(dialog, name="马丽", id="640522199001011234", username="mali")
        said = []
        for password in ("12345678", "abcdefgh", "19800101", "mali2026"):
            _fill(dialog, password=password)
            await pilot.pause()
            dialog.query_one("#account-password", Input).focus()
            await pilot.press("enter")
            await pilot.pause()
            said.append(str(dialog.query_one("#account-message", Static).render()))
        run = "初始密码：连着的一串（如 12345678、abcdefgh）一猜就中，请换一个。"
        assert said == [
            run,
            run,
            "初始密码：全是数字（生日、电话号码）最先被猜到，请加上字母。",
            "初始密码：里面有用户名 mali，请换一个不含用户名的密码。",
        ]
        assert app.screen is dialog and app.answers == []


async def test_each_box_is_named_and_the_id_number_shows_as_typed() -> None:
    """Once filled, nothing said which box was which (placeholders only), and the ID number
    was a row of dots that could not be proofread."""
    app = _Host()
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = app.screen
        assert isinstance(dialog, NewAccountDialog)
        _fill(dialog, name="马丽", id="640522199001011234", phone="13900000001",
              username="mali", password="hai-yuan-9")  # fmt: skip
        dialog.query_one("#division-search", Input).value = "山门"
        await pilot.pause()
        text = flat_text(pilot)
        for name in ("角色", "姓名", "区划", "身份证号", "电话", "用户名", "初始密码"):
            assert name in text, name
        assert "640522199001011234" in text  # as typed, to be checked digit by digit
        assert "hai-yuan-9" not in text  # the password stays hidden
        assert "建立（回车）" in text and "取消（Esc）" in text  # all of it fits at 80×24


async def test_esc_on_a_typed_form_asks_before_throwing_it_away() -> None:
    """Esc on 新建账号 threw away everything typed, without a word."""
    from station.screens.dialogs import ConfirmDialog

    app = _Host()
    async with app.run_test(size=(100, 30)) as pilot:
        dialog = app.screen
        assert isinstance(dialog, NewAccountDialog)
        await pilot.press(*"wangwu")
        await pilot.press("escape")
        await pilot.pause()
        asking = app.screen
        assert isinstance(asking, ConfirmDialog) and "不保存就关闭吗" in flat_text(pilot)
        await pilot.press("escape")  # Esc again: stay, with what was typed
        await pilot.pause()
        assert app.screen is dialog and app.answers == []
        assert dialog.query_one("#account-name", Input).value == "wangwu"
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert app.answers == [None]


async def test_esc_on_an_untouched_form_closes_it_at_once() -> None:
    app = _Host()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("escape")
        await pilot.pause()
    assert app.answers == [None]


async def test_after_a_refusal_the_cursor_is_in_the_box_it_names() -> None:
    """Enter in 初始密码 said what was wrong with another box and left the cursor in the
    password: the administrator's Ctrl+U and the right ID number went into the hidden
    password (18 dots where 3 had been), and the account was made with a password nobody
    knew. The cursor now goes to the box the message is about."""
    app = _Host()
    async with app.run_test(size=(100, 30)) as pilot:
        dialog = app.screen
        assert isinstance(dialog, NewAccountDialog)
        dialog.query_one("#division-search", Input).value = "山门"
        _fill(dialog, id="640522199001011235", username="mali", password="secret-2026")
        await pilot.pause()
        password = dialog.query_one("#account-password", Input)
        password.focus()
        await pilot.press("enter")  # no name
        await pilot.pause()
        assert dialog.focused is dialog.query_one("#account-name", Input)
        await pilot.press(*"mali", "enter")  # typed where the cursor is; the ID's check digit
        await pilot.pause()
        assert dialog.query_one("#account-name", Input).value == "mali"
        assert "校验码" in str(dialog.query_one("#account-message", Static).render())
        assert dialog.focused is dialog.query_one("#account-id", Input)
        await pilot.press("ctrl+u", *"640522199001011234", "enter")
        await pilot.pause()
        assert password.value == "secret-2026"  # never touched
    assert [(a["id_number"], a["password"]) for a in app.answers] == [
        ("640522199001011234", "secret-2026")
    ]


async def test_tab_from_the_division_goes_to_the_id_box_and_arrows_pick_in_the_list() -> None:
    """Tab from the division's name went into the list of matches, where the ID number
    typed next was lost without a word and each later box got the one before's text."""
    wuyuan = DivisionChoice("640522100202", "village", "武塬村")

    class Host(App[None]):
        def on_mount(self) -> None:
            self.push_screen(NewAccountDialog([VILLAGE, wuyuan]))

    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = app.screen
        assert isinstance(dialog, NewAccountDialog)
        dialog.query_one("#division-search", Input).focus()
        await pilot.press(*"村")  # both villages match
        await pilot.pause()
        picker = dialog.query_one(DivisionPicker)
        assert picker.chosen == VILLAGE
        await pilot.press("down")  # in the name box: the next match is highlighted
        await pilot.pause()
        assert picker.chosen == wuyuan and dialog.query_one("#division-search", Input).has_focus
        await pilot.press("tab", *"640522199001011234")
        await pilot.pause()
        assert dialog.query_one("#account-id", Input).value == "640522199001011234"
        assert picker.chosen == wuyuan


async def test_what_is_still_needed_follows_what_is_filled_in_and_goes() -> None:
    """The message named 姓名 and 区划 after both were filled in (a county trial)."""
    app = _Host()
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = app.screen
        assert isinstance(dialog, NewAccountDialog)
        await pilot.press("enter")  # nothing typed yet
        await pilot.pause()

        def said() -> str:
            return str(dialog.query_one("#account-message", Static).render())

        assert said() == "还需要填写：姓名、区划（输入名称后选定）、身份证号、用户名、初始密码。"
        _fill(dialog, name="马丽")
        await pilot.pause()
        assert said() == "还需要填写：区划（输入名称后选定）、身份证号、用户名、初始密码。"
        dialog.query_one("#division-search", Input).value = "山门"
        _fill(dialog, username="mali", password="secret-2026")
        await pilot.pause()
        assert said() == "还需要填写：身份证号。"
        _fill(dialog, phone="13900000001")  # not needed: the message stays as it is
        await pilot.pause()
        assert said() == "还需要填写：身份证号。"
        _fill(dialog, id="640522199001011235")
        await pilot.pause()
        assert "还需要填写" not in said()
