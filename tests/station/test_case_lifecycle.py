"""Issue 9, points 5-8 at the desk: 补正 corrects, the result and the people, 好差评 once,
办不成事 as its own record (what the agent sees, and what the store then holds)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.widgets import Input, Select

from printing.fmt import cn_datetime
from station.app import DaibanApp
from station.screens.case import CaseScreen
from station.screens.dialogs import (
    CorrectionDialog,
    MessageDialog,
    RatingCorrectionDialog,
    RatingDialog,
)
from station.screens.unresolved import UnresolvedListScreen, UnresolvedScreen
from station.services.application import Actor, Application
from station.services.cases import CaseService
from station.store import NewEvent, StationStore
from sync.events import EventKind, Role
from sync.protocol import AccountRecord
from tests.station.conftest import DIVISION, NOW, shipped_catalog
from tests.station.helpers import flat_text, log_in, settle
from tests.station.test_intake import ALLOWANCE, ELDER_ID

WRONG = "6228480012345678903"
RIGHT = "6228480098765432103"
WIDE = (200, 40)
"""Wide enough that the timeline's notes are not cut off."""


def _service(store: StationStore) -> CaseService:
    return CaseService(store, shipped_catalog(), Actor("u-agent201", Role.agent, "马丽"))


def _taken_in(store: StationStore) -> str:
    application = Application(
        item_code=ALLOWANCE,
        applicant={"name": "马占福", "id_number": ELDER_ID, "phone": "13895401122"},
        fields={
            "hukou_address": "山门村一组",
            "living_situation": "与子女同住",
            "bank_name": "中国农业银行",
            "bank_account": WRONG,
        },
        materials={
            "id_card": "provided",
            "hukou": "provided",
            "application_form": "provided",
            "bank_card": "provided",
        },
    )
    return _service(store).take_in(application, today=NOW.date()).case_number


def _township(store: StationStore, number: str, kind: EventKind, **payload: Any) -> None:
    """王芳 at the township did this (as a pull would bring it)."""
    store.append(number, [NewEvent(kind, "u-wangfang", Role.reviewer, payload)])


def _wangfang(store: StationStore) -> None:
    store.upsert_accounts(
        [
            AccountRecord(
                user_id="u-wangfang",
                username="wangfang",
                display_name="王芳",
                role=Role.reviewer,
                division=DIVISION[:9] + "000",
                password_hash="x",
                updated_at=NOW,
            )
        ]
    )


async def _open_case(pilot: Any, number: str) -> None:
    pilot.app.push_screen(CaseScreen(pilot.app.desk, number))
    await settle(pilot)


async def test_a_returned_case_corrects_the_named_field_and_shows_old_and_new(
    desk: Callable[..., DaibanApp], store: StationStore
) -> None:
    number = _taken_in(store)
    _service(store).act(number, EventKind.submitted)
    returned = {"reason": "银行账号有误", "fields": ["bank_account"]}
    _township(store, number, EventKind.returned, **returned)
    async with desk().run_test(size=WIDE) as pilot:
        await log_in(pilot)
        await _open_case(pilot, number)
        assert "按C更正乡镇指明的内容" in flat_text(pilot)
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(pilot.app.screen, CorrectionDialog)
        assert f"社保卡金融账户或存折账号（现为：{WRONG}）" in flat_text(pilot)
        assert "户籍地址" not in flat_text(pilot)  # only what the township named
        pilot.app.screen.query_one("#c-0", Input).value = "6228 48AB"
        await pilot.press("f9")
        await settle(pilot)
        assert isinstance(pilot.app.screen, CorrectionDialog)  # stays open, says which field
        assert "社保卡金融账户或存折账号：" in flat_text(pilot)
        pilot.app.screen.query_one("#c-0", Input).value = RIGHT
        await pilot.press("f9")
        await settle(pilot)
        assert isinstance(pilot.app.screen, CaseScreen)
        assert f"社保卡金融账户或存折账号:{WRONG}→{RIGHT}" in flat_text(pilot)
    view = store.get_case(number)
    assert view is not None and view.fields["bank_account"] == RIGHT
    assert view.history[-1].kind is EventKind.corrected


async def test_named_items_show_with_their_reasons_and_a_material_s_state_in_chinese(
    desk: Callable[..., DaibanApp], store: StationStore
) -> None:
    number = _taken_in(store)
    _service(store).act(number, EventKind.submitted)
    returned = {
        "reason": "请补正",
        "missing": ["application_form"],
        "fields": ["bank_account"],
        "reasons": {"materials.application_form": "缺村委会盖章"},
    }
    _township(store, number, EventKind.returned, **returned)
    async with desk().run_test(size=WIDE) as pilot:
        await log_in(pilot)
        await _open_case(pilot, number)
        text = flat_text(pilot)  # each named item on the case page, with its own reason
        assert "·《高龄津贴申请审批表》：缺村委会盖章" in text
        assert "·社保卡金融账户或存折账号" in text
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(pilot.app.screen, CorrectionDialog)
        text = flat_text(pilot)
        assert "（现为：已提交）" in text and "provided" not in text


async def test_the_result_and_the_reviewer_by_name_on_the_case_page_and_today(
    desk: Callable[..., DaibanApp], store: StationStore
) -> None:
    _wangfang(store)
    number = _taken_in(store)
    _service(store).act(number, EventKind.submitted)
    _township(store, number, EventKind.accepted)
    _township(store, number, EventKind.completed, result="denied", note="户籍不在本县")
    async with desk().run_test(size=WIDE) as pilot:
        await log_in(pilot)
        assert "办结结果：不通过—户籍不在本县" in flat_text(pilot)  # 今日, under 待送达
        await _open_case(pilot, number)
        text = flat_text(pilot)
        assert "办结结果：不通过—户籍不在本县" in text
        assert "受理王芳" in text and "办结王芳" in text  # the person, not 乡镇审核员
        assert "乡镇审核员" not in text
        assert "收件马丽" in text


async def _delivered(store: StationStore) -> str:
    number = _taken_in(store)
    _service(store).act(number, EventKind.submitted)
    _township(store, number, EventKind.accepted)
    _township(store, number, EventKind.completed, result="approved")
    _service(store).hand_over(number, how="当面", signed_by="马占福")
    return number


async def test_a_rating_starts_unchosen_is_saved_once_and_only_corrected_after(
    desk: Callable[..., DaibanApp], store: StationStore
) -> None:
    number = await _delivered(store)
    async with desk().run_test(size=WIDE) as pilot:
        await log_in(pilot)
        await _open_case(pilot, number)
        await pilot.press("g")
        await settle(pilot)
        assert isinstance(pilot.app.screen, RatingDialog)
        assert pilot.app.screen.query_one("#grade", Select).value is Select.NULL
        await pilot.press("tab", "tab", "enter")  # the old trap: three keys used to save a 5
        await settle(pilot)
        assert isinstance(pilot.app.screen, RatingDialog)
        assert "请选择群众的评价等级" in flat_text(pilot)
        pilot.app.screen.query_one("#grade", Select).value = 2
        await pilot.press("tab")
        await pilot.press("tab", "enter")
        await settle(pilot)
        assert "请说明群众不满意的原因" in flat_text(pilot) or isinstance(
            pilot.app.screen, RatingDialog
        )
        pilot.app.screen.query_one("#reason", Input).value = "等了三次才办好"
        pilot.app.screen.query_one("#reason", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, CaseScreen)
        saved = store.get_case(number)
        assert saved is not None and (saved.rating, saved.rating_reason) == (2, "等了三次才办好")
        # the page says it in the words the resident chose from, then the reason
        assert "评价：不满意（2分）：等了三次才办好" in flat_text(pilot)

        await pilot.press("g")  # a second time: the saved rating is shown, never overwritten
        await settle(pilot)
        assert isinstance(pilot.app.screen, RatingCorrectionDialog)
        assert "已保存的评价：不满意（2分）：等了三次才办好" in flat_text(pilot)
        pilot.app.screen.query_one("#grade", Select).value = 4
        pilot.app.screen.query_one("#reason", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert "请填写更正评价的原因" in flat_text(pilot)
        pilot.app.screen.query_one("#why", Input).value = "居民说当时点错了"
        pilot.app.screen.query_one("#reason", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        # a 差评 is the county's to review (申诉复核): the rated station cannot lift it
        said = flat_text(pilot).replace("█", "") + "".join(
            str(n.message) for n in pilot.app._notifications
        )
        assert "差评不能在本站改为较好的评价" in said
    view = store.get_case(number)
    assert view is not None and view.rating == 2
    assert [h.kind for h in view.history][-1] is EventKind.rated  # nothing recorded


async def test_an_unresolved_request_is_a_record_of_its_own_listed_apart_from_cases(
    desk: Callable[..., DaibanApp], store: StationStore
) -> None:
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        await pilot.press("u")
        await settle(pilot)
        assert isinstance(pilot.app.screen, UnresolvedListScreen)
        assert "共0条" in flat_text(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(pilot.app.screen, UnresolvedScreen)
        await pilot.press("f9")
        assert "请填写" in flat_text(pilot)
        form = pilot.app.screen
        form.query_one("#what", Input).value = "办理林权证"
        await pilot.press("escape")  # on main the form closed and what was typed was gone
        await settle(pilot)
        assert "不登记就离开吗" in flat_text(pilot)
        await pilot.press("enter")  # Enter (and Esc) say stay
        await settle(pilot)
        assert pilot.app.screen is form and form.query_one("#what", Input).value == "办理林权证"
        why = "本站无此事项，需到县自然资源局林业站现场勘验后由县局审批发证"
        pilot.app.screen.query_one("#why", Input).value = why
        pilot.app.screen.query_one("#contact", Input).value = "儿子 138abc"
        form.action_save()  # a phone the county could not call: said, nothing recorded
        await settle(pilot)
        said = flat_text(pilot)
        assert "反映人及联系方式：“138abc”不是电话号码" in said and not store.list_records()
        assert form.query_one("#why", Input).value == why and form.focused is form.query_one(
            "#contact"
        )
        pilot.app.screen.query_one("#contact", Input).value = "儿子 138 9540 1122"
        form.action_save()  # F9
        form.action_save()  # F9 again while it is being recorded: nothing more is recorded
        await settle(pilot)
        [record] = store.list_records()
        said = flat_text(pilot)  # recorded, and the resident's slip kept (no printer set)
        # kept under its title and number, and said by that name
        kept = f"办不成事登记回执-{record.number}.pdf"
        assert f"已登记，编号{record.number}。" in said
        dialog = pilot.app.screen  # (at 80 columns the name wraps: read as it was told)
        assert isinstance(dialog, MessageDialog)
        assert f"已保存为 PDF：\n{kept}" in str(dialog.text), dialog.text
        assert record.number.startswith(f"BCS-{DIVISION}-20261123-")  # the desk's day
        slip = _pdf_words(store, kept)
        assert f"编号：{record.number}" in slip and "想办的事：办理林权证" in slip
        assert f"未能办成的原因：{why}" in slip and "反映人及联系方式：儿子13895401122" in slip
        assert record.reported_at is not None
        assert (
            "登记人：马丽（代办员）" in slip
            and f"您于{cn_datetime(record.reported_at).replace(' ', '')}" in slip
        )
        assert "政务服务便民热线12345" in slip and "补打" not in slip
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, UnresolvedListScreen)
        text = flat_text(pilot)
        assert f"BCS-{DIVISION}-" in text and "办理林权证" in text and "已登记" in text
        assert f"原因：{why}" in text  # the chosen record's reason in full, under the list
        assert "反映人：儿子13895401122" in text  # and who reported it
        await pilot.press("p")  # 补打: the slip again, marked as a reprint
        await settle(pilot)
        again = _pdf_words(store, f"办不成事登记回执-{record.number}-补打20261123.pdf")
        assert "补打" in again and "想办的事：办理林权证" in again
    assert store.count_cases() == 0 and store.list_cases() == []
    assert record.what == "办理林权证" and store.outbox_depth() == 1


def _pdf_words(store: StationStore, name: str) -> str:
    """The words a reader sees on a kept document, without the spaces of the layout."""
    import re
    import subprocess

    path = store.data_dir / "documents" / name
    shown = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, check=True)
    return re.sub(r"\s+", "", shown.stdout.decode("utf-8"))


async def test_a_slip_reprinted_by_a_colleague_gives_the_recorder_s_phone(
    desk: Callable[..., DaibanApp], store: StationStore
) -> None:
    """补打 by 马丽 of a record 张伟 made: the slip names 张伟 with his phone, never hers."""
    store.upsert_accounts(
        [
            AccountRecord(
                user_id="u-zhangwei",
                username="zhangwei",
                display_name="张伟",
                role=Role.agent,
                division=DIVISION,
                phone="13911112222",
                password_hash="x",
                updated_at=NOW,
            )
        ]
    )
    his = CaseService(store, shipped_catalog(), Actor("u-zhangwei", Role.agent, "张伟"))
    record = his.record_unresolved(what="办理林权证", why="本站无此事项", contact="13895401122")
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)  # 马丽
        await pilot.press("u")
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
    (slip,) = (store.data_dir / "documents").glob(f"办不成事登记回执-{record.number}-补打*.pdf")
    words = _pdf_words(store, slip.name)
    assert "联系本站代办员张伟（电话13911112222）" in words and "马丽" not in words


async def test_esc_in_a_dialog_with_something_typed_asks_before_losing_it(
    desk: Callable[..., DaibanApp], store: StationStore
) -> None:
    """One Esc threw away a typed 撤件 reason (and a rating's, and a 补正 form)."""
    from station.screens.dialogs import ConfirmDialog, ReasonDialog

    number = _taken_in(store)
    async with desk().run_test(size=WIDE) as pilot:
        await log_in(pilot)
        await _open_case(pilot, number)
        await pilot.press("w")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ReasonDialog)
        await pilot.press("escape")  # nothing typed: closes at once
        await settle(pilot)
        assert isinstance(pilot.app.screen, CaseScreen)
        await pilot.press("w")
        await settle(pilot)
        pilot.app.screen.query_one("#reason", Input).value = "群众说不办了"
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ConfirmDialog)
        assert "不保存就关闭吗" in flat_text(pilot)
        await pilot.press("enter")  # 否 first: back to the dialog, the reason kept
        await settle(pilot)
        assert isinstance(pilot.app.screen, ReasonDialog)
        assert pilot.app.screen.query_one("#reason", Input).value == "群众说不办了"
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(pilot.app.screen, CaseScreen)
    view = store.get_case(number)
    assert view is not None and view.state == "received"  # nothing recorded


async def test_a_correction_s_new_value_shows_at_80_columns(
    desk: Callable[..., DaibanApp], store: StationStore
) -> None:
    number = _taken_in(store)
    _service(store).act(number, EventKind.submitted)
    _township(store, number, EventKind.returned, reason="银行账号有误", fields=["bank_account"])
    _service(store).correct(number, {"fields.bank_account": RIGHT})
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        await _open_case(pilot, number)
        # the note wraps in its column: it ran past the 80th column, the new value unseen
        assert f"社保卡金融账户或存折账号:{WRONG}→{RIGHT}" in flat_text(pilot)


async def test_the_case_page_gives_the_day_a_deferred_material_is_due(
    desk: Callable[..., DaibanApp], store: StationStore
) -> None:
    from tests.station.cases_seed import take_in

    case = take_in(store)  # 社会保障卡或存折复印件 容缺, to be brought by 2026-11-30
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        await _open_case(pilot, case.case_number)
        # the line named it without the day: the agent had to find the receipt
        assert "尚待补交：社会保障卡或存折复印件（2026-11-30前）" in flat_text(pilot)


async def test_a_corrected_material_s_state_is_in_words_on_the_timeline(
    desk: Callable[..., DaibanApp], store: StationStore
) -> None:
    number = _taken_in(store)
    _service(store).act(number, EventKind.submitted)
    _township(store, number, EventKind.returned, reason="缺照片", missing=["photo"])
    _service(store).correct(number, {"materials.photo": "provided"})
    async with desk().run_test(size=WIDE) as pilot:
        await log_in(pilot)
        await _open_case(pilot, number)
        text = flat_text(pilot)  # it read 户口簿: （空） → provided
        assert "→已提供" in text and "provided" not in text
