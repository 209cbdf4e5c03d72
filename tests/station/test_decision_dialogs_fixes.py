"""The reviewer's decision dialogs as a tester found them: a 不予受理 outside the office's remit
without where to apply instead, 批量受理 blind to a 重复申请, irreversible decisions without a
question, a 转办 that ignored the township code, keys lost after a refusal, and 办结 offered
on an item the county completes."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input, RadioButton, RadioSet, Select, Static

from station.screens.decisions import (
    COMMON_REJECTIONS,
    AcceptDialog,
    CompleteDialog,
    ForwardDialog,
    PauseDialog,
    RejectDialog,
    ReturnDialog,
)
from station.screens.dialogs import ConfirmDialog, MessageDialog
from station.screens.review import ReviewScreen
from station.screens.review_queue import ReviewQueueScreen
from station.store import NewEvent, StationStore
from sync.events import EventKind, Role
from tests.station.cases_seed import take_in, township
from tests.station.helpers import flat_text, screen_text, settle
from tests.station.queue_seed import at, decide
from tests.station.review_helpers import open_review, take_in_assistance, township_app
from tests.station.test_intake import ELDER_ID
from tests.station.test_review import fixed_clock as fixed_clock  # noqa: F401 - autouse
from tests.station.test_review import station as station  # noqa: F401 - the fixture
from tests.station.test_review_queue import LI_ID, Township, queue_on, rows
from tests.station.test_review_queue import town as town  # noqa: F401 - the fixture

REMIT = "申请事项依法不属于本机关职权范围"


def state(store: StationStore, number: str) -> str:
    view = store.get_case(number)
    assert view is not None
    return str(view.state)


def message(pilot: Pilot[None]) -> str:
    return str(pilot.app.screen.query_one("#form-message", Static).render())


def focused_id(pilot: Pilot[None]) -> str | None:
    return pilot.app.focused.id if pilot.app.focused is not None else None


async def test_not_our_remit_is_refused_until_where_to_apply_is_said(
    station: StationStore, tmp_path: Path
) -> None:
    number = township(station, take_in(station).case_number).case_number
    async with township_app(station, tmp_path / "township").run_test(size=(100, 30)) as pilot:
        await open_review(pilot, number)
        await pilot.press("j")
        dialog = pilot.app.screen
        assert isinstance(dialog, RejectDialog) and REMIT in COMMON_REJECTIONS
        dialog.query_one("#common", Select).value = REMIT
        await settle(pilot)
        await pilot.press("f9")
        await settle(pilot)
        assert pilot.app.screen is dialog, "went through without where to apply"
        assert "应向何处申请" in message(pilot)
        assert focused_id(pilot) == "instead"
        assert dialog.query_one("#reason", Input).value == REMIT  # kept
        # a reason typed in other words is held to the same rule
        dialog.query_one("#reason", Input).value = "该事项不属于本机关职权范围"
        await pilot.press("f9")
        await settle(pilot)
        assert pilot.app.screen is dialog and "应向何处申请" in message(pilot)
        await pilot.press(*"县民政局")
        await settle(pilot)
        assert message(pilot) == ""  # the box named was typed into: the message goes
        await pilot.press("f9")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
    view = station.get_case(number)
    assert view is not None and view.state == "rejected" and view.apply_instead == "县民政局"


def _granted_and_delivered(town: Township, name: str) -> Any:
    """A Shanmen case of ``name``'s, 受理 and 办结 通过 on 6 Nov, then handed over (已送达:
    no longer an open duplicate, but granted before, as the county counts)."""
    done = town.shanmen.submit(name, at(date(2026, 11, 2)))
    town.deliver()
    decide(town.store, done.case_number, EventKind.accepted, at(date(2026, 11, 6)))
    granted = {"result": "approved"}
    decide(town.store, done.case_number, EventKind.completed, at(date(2026, 11, 6)), granted)
    handed = NewEvent(EventKind.handed_over, "u-agent-201", Role.agent, {"how": "本人领取"})
    town.store.append(done.case_number, [handed])
    return done


async def test_bulk_accept_names_each_applicant_and_the_already_granted_warning(
    town: Township,  # noqa: F811 - the fixture
) -> None:
    done = _granted_and_delivered(town, "马占福")
    again = town.lizhuang.submit("马占福", at(date(2026, 11, 20)))
    li = town.lizhuang.submit("李秀英", at(date(2026, 11, 18)), LI_ID)
    town.deliver()
    async with queue_on(town, date(2026, 11, 23)) as pilot:
        assert rows(pilot) == [li.case_number, again.case_number]
        await pilot.press("space", "down", "space", "A")
        await settle(pilot)
        dialog = pilot.app.screen
        assert isinstance(dialog, ConfirmDialog)
        assert "受理这2件办件吗" in flat_text(pilot)
        lines = dialog.question.splitlines()  # the dialog's own text, not the list behind it
        ma = next(line for line in lines if line.startswith(again.case_number))
        assert "马占福 640522" in ma and "********" in ma
        assert f"重复申请：该群众的此事项已办结通过（{done.case_number}）" in ma
        assert any(line.startswith(f"{li.case_number}  李秀英") for line in lines)
        assert ELDER_ID not in dialog.question and LI_ID not in dialog.question  # masked
        await pilot.press("enter")  # a warning: Enter answers no
        await settle(pilot)
        assert isinstance(pilot.app.screen, ReviewQueueScreen)
    assert state(town.store, again.case_number) == state(town.store, li.case_number) == "submitted"


async def test_the_accept_dialog_never_cuts_a_case_number_across_lines(
    town: Township,  # noqa: F811 - the fixture
) -> None:
    """At 80 columns the 重复申请 warning wrapped inside the earlier case's number
    (…办结通过（640522100201-2026120 / 7-0001）): the reviewer could not read it off."""
    done = _granted_and_delivered(town, "马占福")
    again = town.lizhuang.submit("马占福", at(date(2026, 11, 20)))
    town.deliver()
    async with queue_on(town, date(2026, 11, 23)) as pilot:  # 80 × 24
        assert rows(pilot) == [again.case_number]
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(pilot.app.screen, AcceptDialog)
        lines = screen_text(pilot).splitlines()
        assert any(f"（{done.case_number}）" in line for line in lines)  # whole, on one line
        assert "重复申请：该群众的此事项已办结通过" in flat_text(pilot)


async def ask_and_answer(pilot: Pilot[None], dialog: object, question: str) -> None:
    """F9 asks ``question`` (Enter: no, back to the dialog), then F9 and Y decide."""
    await pilot.press("f9")
    await settle(pilot)
    assert isinstance(pilot.app.screen, ConfirmDialog)
    assert question in flat_text(pilot).replace("█", "")
    await pilot.press("enter")
    await settle(pilot)
    assert pilot.app.screen is dialog
    await pilot.press("f9")
    await settle(pilot)
    await pilot.press("y")
    await settle(pilot)


async def test_reject_asks_naming_the_case_and_keeps_the_form_on_no(
    station: StationStore, tmp_path: Path
) -> None:
    number = township(station, take_in(station).case_number).case_number
    async with township_app(station, tmp_path / "township").run_test(size=(100, 30)) as pilot:
        await open_review(pilot, number)
        await pilot.press("j")
        dialog = pilot.app.screen
        dialog.query_one("#reason", Input).value = "申请人不具备申请资格"
        await pilot.press("f9")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ConfirmDialog)
        await pilot.press("enter")  # no
        await settle(pilot)
        assert pilot.app.screen is dialog and state(station, number) == "submitted"
        assert dialog.query_one("#reason", Input).value == "申请人不具备申请资格"
        question = f"对{number}（马占福）作出不予受理决定吗？此决定不能撤回。"
        await ask_and_answer(pilot, dialog, question)
    assert state(station, number) == "rejected"


async def test_a_completion_not_approved_asks_and_an_approval_does_not(
    station: StationStore, tmp_path: Path
) -> None:
    denied = take_in_assistance(station).case_number
    township(station, denied, (EventKind.accepted, {}))
    approved = take_in_assistance(station, "李秀英").case_number
    township(station, approved, (EventKind.accepted, {}))
    async with township_app(station, tmp_path / "township").run_test(size=(100, 30)) as pilot:
        screen = await open_review(pilot, denied)
        await pilot.press("d")
        dialog = pilot.app.screen
        assert isinstance(dialog, CompleteDialog)
        dialog.query_one("#result", Select).value = "denied"
        dialog.query_one("#note", Input).value = "不属于急难型困难"
        question = f"对{denied}（李秀英）作出办结不通过决定吗？此决定不能撤回。"
        await ask_and_answer(pilot, dialog, question)
        assert pilot.app.screen is screen and state(station, denied) == "completed"
        pilot.app.pop_screen()
        await settle(pilot)
        await open_review_of(pilot, approved)
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("f9")  # 通过: no question
        await settle(pilot)
        assert isinstance(pilot.app.screen, ReviewScreen)
    assert state(station, approved) == "completed"


async def test_an_approval_carrying_a_note_asks_with_the_note(
    station: StationStore, tmp_path: Path
) -> None:
    """不通过's reason, kept when 通过 was chosen after, went on the 办结通知书 unasked:
    "经审查，家庭收入超过标准。……本机关决定予以批准"."""
    number = take_in_assistance(station).case_number
    township(station, number, (EventKind.accepted, {}))
    async with township_app(station, tmp_path / "township").run_test(size=(100, 30)) as pilot:
        screen = await open_review(pilot, number)
        await pilot.press("d")
        dialog = pilot.app.screen
        assert isinstance(dialog, CompleteDialog)
        dialog.query_one("#result", Select).value = "denied"
        dialog.query_one("#note", Input).value = "家庭收入超过标准"  # written as 不通过's reason
        await settle(pilot)
        dialog.query_one("#result", Select).value = "approved"
        question = f"以“通过”办结{number}（李秀英），并在办结通知书上写明：“家庭收入超过标准”吗？"
        await pilot.press("f9")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ConfirmDialog)
        assert question in flat_text(pilot).replace("█", "")
        await pilot.press("n")  # no: the note is cleared, and 通过 goes without a question
        await settle(pilot)
        assert pilot.app.screen is dialog and state(station, number) == "accepted"
        dialog.query_one("#note", Input).value = ""
        await pilot.press("f9")
        await settle(pilot)
        assert pilot.app.screen is screen
    assert state(station, number) == "completed"


async def open_review_of(pilot: Pilot[None], number: str) -> None:
    """The review page of ``number``, already signed in."""
    app = pilot.app
    app.push_screen(ReviewScreen(app.desk, number))  # type: ignore[attr-defined]
    await settle(pilot)


async def test_forward_starts_on_the_choice_and_a_typed_code_chooses_a_township(
    station: StationStore, tmp_path: Path
) -> None:
    number = take_in(station).case_number
    township(station, number, (EventKind.accepted, {}))
    async with township_app(station, tmp_path / "township").run_test(size=(100, 30)) as pilot:
        await open_review(pilot, number)
        await pilot.press("f")
        dialog = pilot.app.screen
        assert isinstance(dialog, ForwardDialog)
        assert isinstance(pilot.app.focused, RadioSet)  # where it goes, first
        dialog.query_one("#division", Input).focus()
        await pilot.press("1", "2", "3")
        await settle(pilot)
        assert dialog.query_one("#to-township", RadioButton).value  # chosen by the code
        await pilot.press("f9")
        await settle(pilot)
        assert pilot.app.screen is dialog, "forwarded to 县民政局 with the code ignored"
        assert focused_id(pilot) == "to"  # the township's name is asked first
        assert dialog.query_one("#division", Input).value == "123"
        # back to the department with a code still typed: refused, naming both
        dialog.query_one("#to-department", RadioButton).value = True
        await settle(pilot)
        await pilot.press("f9")
        await settle(pilot)
        said = message(pilot)
        assert "乡镇区划代码" in said and "转至审批部门" in said and pilot.app.screen is dialog
        dialog.query_one("#division", Input).value = ""
        await settle(pilot)
        # another township, its code asked for; then the department again: the code's
        # message went with the choice (it stayed on screen, about a box no longer used)
        dialog.query_one("#to-township", RadioButton).value = True
        dialog.query_one("#to", Input).value = "李旺镇"
        await pilot.press("f9")
        await settle(pilot)
        assert "12位区划代码" in message(pilot)
        dialog.query_one("#to-department", RadioButton).value = True
        await settle(pilot)
        assert message(pilot) == ""
        dialog.query_one("#to", Input).value = "县民政局"
        # another name typed as the department: the question says which the catalog names
        dialog.query_one("#to", Input).value = "李旺镇"
        await pilot.press("f9")
        await settle(pilot)
        asked = flat_text(pilot).replace("█", "")
        assert isinstance(pilot.app.screen, ConfirmDialog)
        assert "目录中该事项的审批部门是县民政局。" in asked and "转办至李旺镇吗" in asked
        await pilot.press("enter")  # no: back, to put the name right
        await settle(pilot)
        dialog.query_one("#to", Input).value = "县民政局"
        await ask_and_answer(pilot, dialog, f"将{number}（马占福）转办至县民政局吗")
    view = station.get_case(number)
    assert view is not None and view.forwarded_to == "县民政局"


async def test_after_a_refusal_the_keys_go_to_the_box_it_names(
    station: StationStore, tmp_path: Path
) -> None:
    number = take_in_assistance(station).case_number
    township(station, number, (EventKind.accepted, {}))
    async with township_app(station, tmp_path / "township").run_test(size=(100, 30)) as pilot:
        await open_review(pilot, number)
        await pilot.press("d")
        dialog = pilot.app.screen
        assert isinstance(dialog, CompleteDialog)
        dialog.query_one("#result", Select).value = "denied"
        await pilot.press("f9")
        await settle(pilot)
        assert "不通过须说明原因" in message(pilot) and focused_id(pilot) == "note"
        await pilot.press(*"材料不实")
        await settle(pilot)
        assert dialog.query_one("#note", Input).value == "材料不实"
        assert message(pilot) == ""
        await pilot.press("escape", "y")
        await settle(pilot)
        await pilot.press("z")  # 暂停
        await settle(pilot)
        pause = pilot.app.screen
        assert isinstance(pause, PauseDialog)
        pause.query_one("#days", Input).focus()
        await pilot.press("7", "f9")
        await settle(pilot)
        assert focused_id(pilot) == "reason" and message(pilot) != ""
        await pilot.press(*"公示")
        await settle(pilot)
        assert pause.query_one("#reason", Input).value == "公示" and message(pilot) == ""
        pause.query_one("#days", Input).value = "400"
        await pilot.press("f9")
        await settle(pilot)
        assert focused_id(pilot) == "days"
        pause.query_one("#days", Input).value = ""
        await pilot.press("9")
        await settle(pilot)
        assert pause.query_one("#days", Input).value == "9" and message(pilot) == ""


async def test_a_word_typed_into_the_days_box_is_told_not_dropped_silently(
    station: StationStore, tmp_path: Path
) -> None:
    """预计天数 takes digits only: the procedure's reason typed into it vanished, character
    by character, with nothing said (Textual only rings the bell)."""
    number = take_in_assistance(station).case_number
    township(station, number, (EventKind.accepted, {}))
    async with township_app(station, tmp_path / "township").run_test(size=(80, 24)) as pilot:
        await open_review(pilot, number)
        await pilot.press("z")  # 暂停
        await settle(pilot)
        pause = pilot.app.screen
        assert isinstance(pause, PauseDialog)
        pause.query_one("#days", Input).focus()
        await pilot.press(*"村内公示", "7")
        await settle(pilot)
        assert pause.query_one("#days", Input).value == "7"
        told = [str(n.message) for n in pilot.app._notifications]
        assert told == ["预计天数：只能填数字。"]  # once for the word, not once a character


def footer(pilot: Pilot[None]) -> str:
    return screen_text(pilot).splitlines()[-1]


async def test_complete_is_not_offered_on_an_item_the_county_completes(
    station: StationStore, tmp_path: Path
) -> None:
    county = take_in(station).case_number  # 高龄津贴: 县民政局 decides
    township(station, county, (EventKind.accepted, {}))
    ours = take_in_assistance(station).case_number  # 临时救助: the township decides
    township(station, ours, (EventKind.accepted, {}))
    async with township_app(station, tmp_path / "township").run_test(size=(100, 30)) as pilot:
        screen = await open_review(pilot, county)
        assert screen.check_action("complete", ()) is False
        assert "办结" not in footer(pilot) and "转办" in footer(pilot)
        await pilot.press("d")  # still says why, as before
        await settle(pilot)
        assert isinstance(pilot.app.screen, MessageDialog)
        assert "请转办至县民政局" in pilot.app.screen.text
        await pilot.press("escape")
        await settle(pilot)
        pilot.app.pop_screen()
        await settle(pilot)
        await open_review_of(pilot, ours)
        assert "办结" in footer(pilot)


async def test_an_empty_box_in_a_decision_dialog_stands_out_from_the_dialog(
    station: StationStore, tmp_path: Path
) -> None:
    """The 不予受理 boxes (原因, 应向何处申请) had the dialog's own ground: empty and not
    focused, each looked like a blank line under its name."""
    number = township(station, take_in(station).case_number).case_number
    async with township_app(station, tmp_path / "township").run_test(size=(80, 24)) as pilot:
        await open_review(pilot, number)
        await pilot.press("j")
        await settle(pilot)
        dialog = pilot.app.screen
        assert isinstance(dialog, RejectDialog)
        ground = dialog.query_one(".dialog").styles.background
        for box in dialog.query(Input):
            if not box.has_focus:
                assert box.styles.background != ground, box.id


async def test_forward_and_pause_name_every_box_above_it_at_80_by_24(
    station: StationStore, tmp_path: Path
) -> None:
    """The 转办 boxes and the 程序 dropdown had their placeholders as their only names (a
    box filled in, or the department's name already in it, said nothing of what it was)."""
    number = take_in(station).case_number
    township(station, number, (EventKind.accepted, {}))
    async with township_app(station, tmp_path / "township").run_test(size=(80, 24)) as pilot:
        await open_review(pilot, number)
        await pilot.press("f")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ForwardDialog)
        text = flat_text(pilot)
        assert "转至（部门或乡镇名称）" in text and "乡镇区划代码（仅转其他乡镇时填写）" in text
        assert "确定（F9）" in text and "取消（Esc）" in text  # the buttons still fit
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("z")  # 暂停
        await settle(pilot)
        assert isinstance(pilot.app.screen, PauseDialog)
        lines = [line.strip(" █▌▐") for line in screen_text(pilot).splitlines()]
        assert "程序" in lines and "确定（F9）" in flat_text(pilot)  # a name of its own


async def test_return_and_complete_name_their_boxes_above_them_at_80_by_24(
    station: StationStore, tmp_path: Path
) -> None:
    """退回补正's reason box was named by its placeholder alone (gone once typed in), and its
    items' 原因 boxes said nothing of what the list was; 办结's note box likewise."""
    number = township(station, take_in(station).case_number).case_number
    async with township_app(station, tmp_path / "township").run_test(size=(80, 24)) as pilot:
        await open_review(pilot, number)
        await pilot.press("b")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ReturnDialog)
        pilot.app.screen.query_one("#reason", Input).value = "户口簿页面不清楚，请重新拍照"
        await pilot.pause()
        text = flat_text(pilot)
        assert "总体原因（群众可读懂的话）" in text and "户口簿页面不清楚" in text
        assert "要补正的材料和项目：打勾，右边写原因" in text and "确定（F9）" in text
        await pilot.press("escape")
        await settle(pilot)
        if isinstance(pilot.app.screen, ConfirmDialog):  # something was typed: leave it
            await pilot.press("y")
            await settle(pilot)
    assisted = take_in_assistance(station).case_number  # an item the township completes
    township(station, assisted, (EventKind.accepted, {}))
    async with township_app(station, tmp_path / "township2").run_test(size=(80, 24)) as pilot:
        await open_review(pilot, assisted)
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(pilot.app.screen, CompleteDialog)
        assert "备注（不通过时必填）" in screen_text(pilot).replace(" ", "")


async def test_a_reason_that_says_nothing_is_refused_before_it_goes_on_paper(
    station: StationStore, tmp_path: Path
) -> None:
    """A trial's reviewer typed ``Z`` as 退回补正's reason and the 补正告知书 read 经审查，Z。;
    ``1`` reached 不予受理's last question. A reason printed for the resident needs two
    Chinese characters at least; said naming the box, the cursor in it, nothing decided."""
    number = township(station, take_in_assistance(station).case_number).case_number
    accepted = take_in_assistance(station, "马占福").case_number
    township(station, accepted, (EventKind.accepted, {}))
    needs = "请用中文写明（至少两个汉字），它会印在给群众的告知书上。"
    async with township_app(station, tmp_path / "township").run_test(size=(100, 30)) as pilot:
        await open_review(pilot, number)
        await pilot.press("b")
        await settle(pilot)
        back = pilot.app.screen
        assert isinstance(back, ReturnDialog)
        await pilot.press("Z")  # the overall reason
        back.query_one("#tick-0").value = True  # type: ignore[attr-defined]
        await pilot.press("f9")
        await settle(pilot)
        assert pilot.app.screen is back and focused_id(pilot) == "reason"
        assert message(pilot).endswith(needs) and "原因" in message(pilot)
        back.query_one("#reason", Input).value = "材料不全"
        back.query_one("#why-0", Input).value = "x1"  # an item's own reason prints too
        await pilot.press("f9")
        await settle(pilot)
        assert pilot.app.screen is back and focused_id(pilot) == "why-0"
        assert message(pilot) == f"{back.choices[0][1]}：{needs}"
        await pilot.press("escape", "y")
        await settle(pilot)

        await pilot.press("j")
        await settle(pilot)
        reject = pilot.app.screen
        assert isinstance(reject, RejectDialog)
        await pilot.press("1", "f9")
        await settle(pilot)
        assert pilot.app.screen is reject and focused_id(pilot) == "reason"
        assert message(pilot).endswith(needs)
        reject.query_one("#common", Select).value = reject.reasons[0]  # the 1 kept after it
        await settle(pilot)
        assert reject.query_one("#reason", Input).value == f"{reject.reasons[0]}；1"
        await pilot.press("f9")
        await settle(pilot)
        assert pilot.app.screen is reject and message(pilot).endswith(needs)
        await pilot.press("escape", "y")
        await settle(pilot)

        pilot.app.push_screen(ReviewScreen(pilot.app.desk, accepted))  # type: ignore[attr-defined]
        await settle(pilot)
        await pilot.press("z")  # 暂停
        await settle(pilot)
        pause = pilot.app.screen
        assert isinstance(pause, PauseDialog)
        await pilot.press("a", "b", "f9")
        await settle(pilot)
        assert pilot.app.screen is pause and message(pilot).endswith(needs)
        await pilot.press("escape", "y")
        await settle(pilot)
    assert (state(station, number), state(station, accepted)) == ("submitted", "accepted")


async def test_a_common_reason_chosen_keeps_what_was_typed_after_it(
    station: StationStore, tmp_path: Path
) -> None:
    """Choosing a 常见原因 replaced the reason typed in the box, without a word."""
    number = township(station, take_in_assistance(station).case_number).case_number
    async with township_app(station, tmp_path / "township").run_test(size=(100, 30)) as pilot:
        await open_review(pilot, number)
        await pilot.press("j")
        await settle(pilot)
        dialog = pilot.app.screen
        assert isinstance(dialog, RejectDialog)
        box = dialog.query_one("#reason", Input)
        box.value = "经入户核实家庭收入超标"
        first, second = dialog.reasons[0], dialog.reasons[1]
        dialog.query_one("#common", Select).value = first
        await settle(pilot)
        assert box.value == f"{first}；经入户核实家庭收入超标"
        dialog.query_one("#common", Select).value = second  # another: it replaces the first
        await settle(pilot)
        assert box.value == f"{second}；经入户核实家庭收入超标"
        box.value = ""
        dialog.query_one("#common", Select).value = first
        await settle(pilot)
        assert box.value == first
