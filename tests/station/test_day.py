"""A day at the desk: 补正 and 待送达 on the home screen, the case list, supplement, hand over, rate."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Select

from station.app import DaibanApp
from station.screens.case import CaseScreen
from station.screens.cases import CasesScreen
from station.screens.dialogs import (
    ConfirmDialog,
    HandOverDialog,
    RatingDialog,
    ReasonDialog,
    SupplementDialog,
)
from station.services.today import read_home
from station.store import StationStore
from sync.events import EventKind
from tests.station.cases_seed import take_in, township
from tests.station.helpers import flat_text, log_in, screen_text, settle

RETURN_REASON = "户口簿复印件不清晰"


def seed_day(store: StationStore) -> tuple[str, str]:
    returned = take_in(store, "马占福")
    township(store, returned.case_number, (EventKind.returned, {"reason": RETURN_REASON}))
    done = take_in(store, "李秀英")
    township(
        store,
        done.case_number,
        (EventKind.accepted, {}),
        (EventKind.completed, {"result": "approved"}),
    )
    return returned.case_number, done.case_number


async def test_home_lists_returned_with_reason_and_cases_to_hand_over(
    desk: Callable[..., DaibanApp], store: StationStore
) -> None:
    returned, done = seed_day(store)
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        text = flat_text(pilot)
        assert "补正1" in text and "待送达1" in text
        assert returned in text and RETURN_REASON in text
        assert done in text and "李秀英" in text


async def test_case_list_searches_by_name_and_opens_the_case(
    desk: Callable[..., DaibanApp], store: StationStore
) -> None:
    returned, done = seed_day(store)
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        await pilot.press("l")
        await settle(pilot)
        assert isinstance(pilot.app.screen, CasesScreen)
        assert pilot.app.screen.query_one(DataTable).row_count == 2
        states = pilot.app.screen.query_one("#cases-state", Select)
        offered = [str(prompt) for prompt, _value in states._options]
        # every state a case can end in can be picked out (已送达, 不予受理 were not offered)
        assert {"已送达", "不予受理", "已撤件", "特别程序"} <= set(offered), offered
        states.value = "returned"
        await settle(pilot)
        assert pilot.app.screen.query_one(DataTable).row_count == 1
        states.clear()
        pilot.app.screen.query_one("#cases-search", Input).value = "没有这个人"
        await settle(pilot)
        assert "没有符合查找内容或所选状态的办件" in flat_text(pilot)
        assert "办不成事" not in flat_text(pilot)
        pilot.app.screen.query_one("#cases-search", Input).value = "BCS-640522100201-20261205"
        await settle(pilot)  # a 办不成事 number: where those are is said
        assert "BCS-开头的是办不成事登记，不是办件：请在首页按U（办不成事）查看" in flat_text(pilot)
        pilot.app.screen.query_one("#cases-search", Input).value = "李秀英"
        await settle(pilot)
        assert pilot.app.screen.query_one(DataTable).row_count == 1
        assert done in flat_text(pilot) and returned not in flat_text(pilot)
        case = store.get_case(done)
        assert case is not None and case.applicant is not None
        shown = screen_text(pilot)  # at 80 columns the item is read, not cut off by the ID
        # by the catalog's short name (80周岁以上高龄津贴申领 was cut to 80周岁以上高龄津)
        assert case.item_name == "80周岁以上高龄津贴申领"
        assert " 高龄津贴 " in shown and f"李秀英 *{case.applicant.id_number[-4:]}" in shown
        await pilot.press("enter", "enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, CaseScreen)
        assert "办结" in flat_text(pilot)


async def test_supplement_and_resubmit_a_returned_case(
    desk: Callable[..., DaibanApp], store: StationStore
) -> None:
    returned, _done = seed_day(store)
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        pilot.app.push_screen(CaseScreen(pilot.app.desk, returned))  # type: ignore[attr-defined]
        await settle(pilot)
        assert RETURN_REASON in flat_text(pilot)
        await pilot.press("s")  # 立即同步, as on the home screen: on main it was 补充材料 here
        await settle(pilot)
        assert isinstance(pilot.app.screen, CaseScreen)
        notices = [str(n.message) for n in pilot.app._notifications]
        assert "连不上中心，继续离线办理。" in notices  # the sync ran (正在同步… went at its end)
        await pilot.press("m")
        await settle(pilot)
        assert isinstance(pilot.app.screen, SupplementDialog)
        # ticked or not is read off the mark, not the colour (on main both were ▐X▌)
        shown = screen_text(pilot)
        assert "▐✓▌" not in shown and "▐X▌" not in shown  # nothing ticked for the agent
        await pilot.press("space")  # the 容缺 material, brought now
        shown = screen_text(pilot)
        assert "▐✓▌" in shown and "▐X▌" not in shown
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert "已报送" in flat_text(pilot)
    case = store.get_case(returned)
    assert case is not None and case.state == "submitted"
    assert case.materials["bank_card"] == "provided"
    from forms.catalog import load_catalog
    from station.services.timeline import timeline

    item = load_catalog().get(case.item_code or "")
    (line,) = [t for t in timeline(case, {}, item) if t.what == "补充材料"]
    assert line.note == "社会保障卡或存折复印件"  # which material came (it said nothing)


async def test_hand_over_then_a_dissatisfied_rating_needs_a_reason(
    desk: Callable[..., DaibanApp], store: StationStore
) -> None:
    _returned, done = seed_day(store)
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        pilot.app.push_screen(CaseScreen(pilot.app.desk, done))  # type: ignore[attr-defined]
        await settle(pilot)
        await pilot.press("h")
        await settle(pilot)
        assert isinstance(pilot.app.screen, HandOverDialog)
        text = flat_text(pilot)  # the case and its result, so the right paper goes
        assert done in text and "办结结果：通过" in text and "在服务站当面送达" in text
        pilot.app.screen.query_one("#signed-by", Input).value = ""
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, HandOverDialog)
        assert "请填写签收人" in flat_text(pilot)
        pilot.app.screen.query_one("#how", Select).value = "上门送达"
        pilot.app.screen.query_one("#signed-by", Input).value = "马小花"
        await pilot.press("enter")  # taken home, signed by a daughter
        await settle(pilot)
        await pilot.press("g")
        await settle(pilot)
        assert isinstance(pilot.app.screen, RatingDialog)
        pilot.app.screen.query_one("#grade", Select).value = 2
        pilot.app.screen.query_one("#reason", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert "说明" in flat_text(pilot) or "不满意" in flat_text(pilot)
        pilot.app.screen.query_one("#reason", Input).value = "等待时间太长"
        await pilot.press("enter")
        await settle(pilot)
    case = store.get_case(done)
    assert case is not None and case.state == "delivered"
    assert case.rating == 2 and case.rating_reason == "等待时间太长"
    delivered = [h for h in case.history if h.kind is EventKind.handed_over]
    assert [(h.summary.get("how"), h.summary.get("signed_by")) for h in delivered] == [
        ("上门送达", "马小花")
    ]
    from station.services.timeline import timeline

    (line,) = [t for t in timeline(case, {}) if t.what == "送达"]
    assert line.note == "上门送达，签收人：马小花"  # the timeline said nothing of it


async def test_home_lists_a_case_past_its_promised_date_in_working_days(
    desk: Callable[..., DaibanApp], store: StationStore
) -> None:
    from datetime import UTC, datetime

    from station.store import NewEvent
    from sync.events import Role

    late = take_in(store, "王桂兰")
    accepted_long_ago = datetime(2026, 10, 9, 2, 0, tzinfo=UTC)
    store.append(
        late.case_number,
        [
            NewEvent(EventKind.submitted, "u-agent201", Role.agent),
            NewEvent(
                EventKind.accepted, "u-reviewer", Role.reviewer, device_time=accepted_long_ago
            ),
        ],
    )
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        text = flat_text(pilot)
        assert "临期/逾期1" in text
        assert late.case_number in text and "已逾期" in text
        home = read_home(pilot.app.desk)  # type: ignore[attr-defined]
        (line,) = dict(home.sections)["临期/逾期"]  # (its 容缺 material is listed too)
        # the deadline on a line of its own, under the case (as the 补正 reason and result)
        first, second = line.text.split("\n")
        assert (
            first.startswith(late.case_number)
            and second.strip() == "期限 2026-11-05，已逾期 12 个工作日"
        )
        pilot.app.push_screen(CaseScreen(pilot.app.desk, late.case_number))  # type: ignore[attr-defined]
        await settle(pilot)
        # the case page says it too (it said nothing of the deadline)
        assert "办结期限2026-11-05（已逾期12个工作日）" in flat_text(pilot)


async def test_a_refresh_keeps_the_case_under_the_cursor_or_none(
    desk: Callable[..., DaibanApp], store: StationStore
) -> None:
    """A background sync moved the list under the agent's Enter: the case above opened."""
    from textual.widgets import OptionList

    from station.services.cases import CaseService
    from tests.station.cases_seed import AGENT, shipped_catalog

    first = take_in(store, "马占福").case_number
    second = take_in(store, "李秀英").case_number
    service = CaseService(store, shipped_catalog(), AGENT)
    service.supplement(second, {"bank_card": "provided"})  # owes nothing: listed once
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        options = pilot.app.screen.query_one("#home-list", OptionList)

        def under_cursor() -> str | None:
            index = options.highlighted
            if index is None:
                return None
            line = pilot.app.screen.lines.get(options.get_option_at_index(index).id or "")
            return line.case_key if line else None

        while under_cursor() != second:
            await pilot.press("down")
        returned = take_in(store, "张桂兰").case_number  # a line above it, in 补正
        township(store, returned, (EventKind.returned, {"reason": RETURN_REASON}))
        await pilot.press("r")
        await settle(pilot)
        assert under_cursor() == second  # the same case, lower down now
        service.act(second, EventKind.submitted)
        await pilot.press("r")  # as a sync that sent it: it leaves the list
        await settle(pilot)
        assert under_cursor() is None and options.highlighted is None
        await pilot.press("enter")  # opens nothing (it opened the case above: 马占福's)
        await settle(pilot)
        assert not isinstance(pilot.app.screen, CaseScreen)
        assert first in flat_text(pilot)


async def test_two_quick_enters_close_a_dialog_once_and_keep_the_case_page(
    desk: Callable[..., DaibanApp], store: StationStore
) -> None:
    """The second Enter closed the case page under the dialog too, before the withdrawal was
    written: the agent landed on the list, which still showed the case as 已报送."""
    case = take_in(store, "王秀兰")
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        pilot.app.push_screen(CaseScreen(pilot.app.desk, case.case_number))  # type: ignore[attr-defined]
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ReasonDialog)
        box = pilot.app.screen.query_one(Input)
        box.value = "申请人决定暂不申请"
        # two Enters before the first is handled (a press, a keyboard's repeat)
        box.post_message(Input.Submitted(box, box.value))
        box.post_message(Input.Submitted(box, box.value))
        await settle(pilot)
        assert isinstance(pilot.app.screen, ConfirmDialog)  # asked once, whatever the Enters
        asked = flat_text(pilot).replace("█", "")  # the dialog's frame
        assert f"确定撤回{case.case_number}吗？撤件后不能恢复" in asked
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(pilot.app.screen, CaseScreen)
        assert "已撤件" in flat_text(pilot)
    withdrawn = store.get_case(case.case_number)
    assert withdrawn is not None and withdrawn.state == "withdrawn"
    assert [h.kind for h in withdrawn.history].count(EventKind.withdrawn) == 1


async def test_down_from_the_search_box_then_enter_opens_the_first_case(
    desk: Callable[..., DaibanApp], store: StationStore
) -> None:
    """Down from the search box moved into the list and one row down: Enter opened the
    second resident's case."""
    seed_day(store)
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        await pilot.press("l")
        await settle(pilot)
        table = pilot.app.screen.query_one(DataTable)
        first = str(table.get_row_at(0)[0])
        await pilot.press("down")
        await settle(pilot)
        assert table.has_focus and table.cursor_coordinate.row == 0
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, CaseScreen)
        assert first in flat_text(pilot)


async def test_a_withdrawn_case_owes_nothing_and_prints_no_receipt_again(
    desk: Callable[..., DaibanApp], store: StationStore
) -> None:
    """After 撤件 the page still said 尚待补交 and p printed a receipt and a 一次性告知书
    telling the resident to bring the rest by a date."""
    case = take_in(store, "王秀兰")
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        pilot.app.push_screen(CaseScreen(pilot.app.desk, case.case_number))  # type: ignore[attr-defined]
        await settle(pilot)
        assert "尚待补交" in flat_text(pilot) and "补打" in flat_text(pilot)
        await pilot.press("w")
        await settle(pilot)
        pilot.app.screen.query_one(Input).value = "群众要求撤回"
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("enter")  # the question's first answer is No: nothing done
        await settle(pilot)
        assert isinstance(pilot.app.screen, CaseScreen) and "已撤件" not in flat_text(pilot)
        await pilot.press("w")
        await settle(pilot)
        pilot.app.screen.query_one(Input).value = "群众要求撤回"
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        text = flat_text(pilot)
        assert "已撤件" in text and "尚待补交" not in text
        assert "补打" not in text and "大字版" not in text
        before = set(Path(pilot.app.desk.settings.data_dir).rglob("*.pdf"))  # type: ignore[attr-defined]
        await pilot.press("p", "l")
        await settle(pilot)
        assert set(Path(pilot.app.desk.settings.data_dir).rglob("*.pdf")) == before  # type: ignore[attr-defined]


async def case_table(pilot: Pilot[None]) -> DataTable:  # type: ignore[type-arg]
    """Signed in, the case list (l) open with the cursor in its table."""
    await log_in(pilot)
    await pilot.press("l")
    await settle(pilot)
    table = pilot.app.screen.query_one(DataTable)
    table.focus()
    await settle(pilot)
    return table


async def test_pgdn_on_the_tables_last_row_turns_the_page(
    desk: Callable[..., DaibanApp], store: StationStore
) -> None:
    """With the table focused, PgDn only scrolled within the page's 50 rows."""
    for serial in range(55):
        take_in(
            store,
            name=f"马{'一二三四五六七八九十'[serial % 10]}{'甲乙丙丁戊己庚辛壬癸'[serial // 10]}",
        )
    async with desk().run_test(size=(80, 24)) as pilot:
        table = await case_table(pilot)
        assert "第1–50条，共55条" in flat_text(pilot)
        await pilot.press("pagedown")  # a screenful down, still on page 1
        await settle(pilot)
        assert "第1–50条" in flat_text(pilot) and table.cursor_row > 0
        for _screenful in range(3):  # down to the end of the page, then over it
            await pilot.press("pagedown")
            await settle(pilot)
        await settle(pilot)
        assert "第51–55条，共55条" in flat_text(pilot)
        await pilot.press("home", "pageup")
        await settle(pilot)
        assert "第1–50条" in flat_text(pilot)
        # from the search box the same: a screenful (it turned the page at once, and rows
        # 16–50 were never shown)
        await pilot.press("slash")
        await settle(pilot)
        assert pilot.app.focused is pilot.app.screen.query_one("#cases-search")
        table.move_cursor(row=0)
        await pilot.press("pagedown")
        await settle(pilot)
        assert "第1–50条" in flat_text(pilot) and 0 < table.cursor_row < 50


async def test_typing_with_the_cursor_in_the_case_table_searches(
    desk: Callable[..., DaibanApp], store: StationStore
) -> None:
    """Keys typed with the cursor in the table were dropped without a word, and Enter then
    opened the case under the cursor, not the one typed for."""
    from textual import events
    from textual.widgets import Input

    take_in(store, "马占福")
    wanted = take_in(store, "张桂兰").case_number
    async with desk().run_test(size=(80, 24)) as pilot:
        table = await case_table(pilot)
        await pilot.press("张")
        late = events.Key("桂", "桂")  # sent to the table before the cursor left it
        late._set_forwarded()
        table.post_message(late)
        await settle(pilot)
        await pilot.press("兰")
        await settle(pilot)
        box = pilot.app.screen.query_one("#cases-search", Input)
        assert box.value == "张桂兰" and pilot.app.focused is box
        text = flat_text(pilot)
        assert wanted in text and "马占福" not in text


async def test_back_from_a_take_in_kept_as_a_draft_the_cursor_is_on_that_draft(
    desk: Callable[..., DaibanApp], store: StationStore
) -> None:
    """The line under the cursor stayed, and Down+Enter opened the case below it, not the
    draft just left."""
    from textual.widgets import OptionList

    from station.screens.home import HomeScreen
    from station.widgets.fields import FieldEditor
    from tests.station.test_fit import open_intake

    take_in(store, "马占福")
    second = take_in(store, "李秀英").case_number
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        home = pilot.app.screen
        options = home.query_one("#home-list", OptionList)

        def under_cursor() -> Any:
            index = options.highlighted
            return (
                None
                if index is None
                else home.lines.get(options.get_option_at_index(index).id or "")
            )

        while under_cursor() is None or under_cursor().case_key != second:
            await pilot.press("down")
        await open_intake(pilot)
        name = next(e for e in pilot.app.screen.query(FieldEditor) if e.path == "applicant.name")
        name.focus_input()
        await pilot.press(*"海玉梅")
        await settle(pilot)
        (draft,) = store.list_drafts()
        await pilot.press("escape")  # kept as a draft
        await settle(pilot)
        assert pilot.app.screen is home and isinstance(home, HomeScreen)
        assert under_cursor() is not None and under_cursor().draft_id == draft.draft_id


async def test_a_refused_case_waits_for_its_notice_to_be_handed_over_once(
    desk: Callable[..., DaibanApp], store: StationStore
) -> None:
    """不予受理: the township's notice goes to the resident through the agent, as a result
    does. It waits under 待送达 with its reason until handed over, then leaves the list,
    and the case stays refused (the 送达 is recorded once)."""
    from station.services.cases import ActionRefused, CaseService
    from tests.station.cases_seed import AGENT, shipped_catalog

    refused = take_in(store, "马占福")
    number = refused.case_number
    rejected = {"reason": "不属于本机关职权范围", "apply_instead": "县医保局"}
    township(store, number, (EventKind.rejected, rejected))
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        text = flat_text(pilot)
        assert "待送达1" in text and number in text
        assert "不予受理：不属于本机关职权范围（请向县医保局申请）" in text
        pilot.app.push_screen(CaseScreen(pilot.app.desk, number))  # type: ignore[attr-defined]
        await settle(pilot)
        assert "应向何处申请：县医保局" in flat_text(pilot)
        await pilot.press("h")
        await settle(pilot)
        assert isinstance(pilot.app.screen, HandOverDialog)
        text = flat_text(pilot)  # which paper goes
        assert "送达不予受理通知书" in text and "不予受理：不属于本机关职权范围" in text
        pilot.app.screen.query_one("#signed-by", Input).value = "马占福"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, CaseScreen)
        assert not pilot.app.screen.check_action("hand_over", ())  # once
    case = store.get_case(number)
    assert case is not None and case.state == "rejected" and case.signed_by == "马占福"
    home = read_home(pilot.app.desk)  # type: ignore[attr-defined]
    assert all(number not in line.text for _title, lines in home.sections for line in lines)
    service = CaseService(store, shipped_catalog(), AGENT)
    with pytest.raises(ActionRefused) as again:
        service.hand_over(number, how="上门送达", signed_by="马小花")
    assert "已送达" in again.value.message


def test_the_refusal_handed_over_names_the_townships_reason_not_a_later_supersession() -> None:
    from station.services.timeline import handover_text
    from sync.events import EventStatus, Role
    from sync.reducer import apply_event, fold
    from tests.unit.sync.factory import CaseWriter

    w = CaseWriter()
    view = fold([w.event(EventKind.created), w.event(EventKind.received)])
    view = apply_event(view, w.event(EventKind.submitted))
    view = apply_event(view, w.event(EventKind.rejected, Role.reviewer, {"reason": "材料不属实"}))
    late = w.event(EventKind.edited, payload={"fields": {"bank": "1"}})
    view = apply_event(view, late, status=EventStatus.superseded, reason="not allowed")
    assert view.last_reason == "not allowed"  # what the header's 原因 says now
    assert handover_text(view) == "不予受理：材料不属实"


async def test_a_case_filed_by_a_guardian_names_them_and_they_sign_for_the_result(
    desk: Callable[..., DaibanApp], store: StationStore
) -> None:
    """The village's case page never said who acted for the resident (found by the
    代办人's name, the page showed only the applicant), and 送达 offered the applicant
    as the one who signed when the guardian had come for the result."""
    from datetime import date

    from station.services.cases import CaseService
    from tests.station.cases_seed import AGENT, allowance, shipped_catalog

    application = allowance("马占福").model_copy(
        update={
            "relation": "guardian",
            "principal": {
                "name": "马建国",
                "id_number": "640522197005051234",
                "phone": "15309547788",
            },
            "materials": {**allowance().materials, "agent_id": "provided"},
        }
    )
    case = CaseService(store, shipped_catalog(), AGENT).take_in(
        application, today=date(2026, 11, 23)
    )
    township(
        store,
        case.case_number,
        (EventKind.accepted, {}),
        (EventKind.completed, {"result": "approved"}),
    )
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        pilot.app.push_screen(CaseScreen(pilot.app.desk, case.case_number))  # type: ignore[attr-defined]
        await settle(pilot)
        assert "代办人：马建国（监护人代办）15309547788" in flat_text(pilot)
        await pilot.press("h")
        await settle(pilot)
        assert isinstance(pilot.app.screen, HandOverDialog)
        assert pilot.app.screen.query_one("#signed-by", Input).value == "马建国"


async def test_a_return_answered_with_nothing_asks_before_it_goes_back(
    desk: Callable[..., DaibanApp], store: StationStore
) -> None:
    """r sent a returned case back unchanged with one key, and the township saw 补正重报
    with nothing corrected. It asks first (No is the default); after a correction or a
    material brought it goes without asking (as in the test above)."""
    from station.screens.dialogs import ConfirmDialog

    returned, _done = seed_day(store)
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        pilot.app.push_screen(CaseScreen(pilot.app.desk, returned))  # type: ignore[attr-defined]
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ConfirmDialog)
        assert "没有更正任何内容，也没有补交材料" in flat_text(pilot)
        await pilot.press("enter")  # No
        await settle(pilot)
        assert isinstance(pilot.app.screen, CaseScreen)
        assert store.get_case(returned).state == "returned"  # type: ignore[union-attr]
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
    assert store.get_case(returned).state == "submitted"  # type: ignore[union-attr]


async def test_resubmitting_without_a_material_the_township_asked_for_is_asked_first(
    desk: Callable[..., DaibanApp], store: StationStore
) -> None:
    """The 补正 asked for the 户口簿 and the 存折; the resident brought the 存折 only. R sent
    the case back without a word (something had changed), and the township found the
    户口簿 missing again. Now R asks, 否 first; once M records the 户口簿, R sends."""
    from station.screens.dialogs import ConfirmDialog
    from station.store import NewEvent
    from sync.events import Role
    from tests.station.cases_seed import AGENT

    case = take_in(store, "马占福")
    named = {"reason": RETURN_REASON, "missing": ["hukou", "bank_card"]}
    township(store, case.case_number, (EventKind.returned, named))
    brought = {"materials": {"bank_card": "provided"}}
    store.append(
        case.case_number, [NewEvent(EventKind.supplemented, AGENT.user_id, Role.agent, brought)]
    )
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        pilot.app.push_screen(CaseScreen(pilot.app.desk, case.case_number))  # type: ignore[attr-defined]
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ConfirmDialog)
        assert "乡镇补正要求的户口簿首页及本人页复印件还没有补交" in flat_text(pilot)
        await pilot.press("enter")  # 否: nothing sent
        await settle(pilot)
        assert store.get_case(case.case_number).state == "returned"  # type: ignore[union-attr]
        await pilot.press("m")
        await settle(pilot)
        assert isinstance(pilot.app.screen, SupplementDialog)
        offered = flat_text(pilot)  # the 存折 was brought: only the 户口簿 is still owed
        assert "户口簿首页及本人页复印件" in offered and "存折" not in offered
        await pilot.press("space", "enter")
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert "已报送" in flat_text(pilot)
    sent = store.get_case(case.case_number)
    assert sent is not None and sent.state == "submitted" and sent.unanswered == []


async def test_supplement_is_offered_while_a_material_is_owed_and_not_after(
    desk: Callable[..., DaibanApp], store: StationStore
) -> None:
    """容缺通过: a case decided with its bank card still owed offers m 补充材料; once the card
    is brought nothing is owed, and a 已送达 case no longer offers m (it opened a dialog
    that said only 没有待补交的材料。)."""
    from station.services.cases import CaseService
    from tests.station.cases_seed import AGENT, shipped_catalog

    case = take_in(store, "李秀英")
    number = case.case_number
    township(store, number, (EventKind.accepted, {}), (EventKind.completed, {"result": "approved"}))
    CaseService(store, shipped_catalog(), AGENT).hand_over(number, how="当面", signed_by="李秀英")
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        pilot.app.push_screen(CaseScreen(pilot.app.desk, number))  # type: ignore[attr-defined]
        await settle(pilot)
        screen = pilot.app.screen
        assert "已送达" in flat_text(pilot)
        assert screen.check_action("supplement", ())
        assert "m补充材料" in flat_text(pilot)  # the footer offers it
        await pilot.press("m")
        await settle(pilot)
        await pilot.press("space", "enter")  # the owed card, brought now
        await settle(pilot)
        await pilot.app.workers.wait_for_complete()
        await settle(pilot)
        assert pilot.app.screen is screen
        assert store.get_case(number).materials["bank_card"] == "provided"
        assert not screen.check_action("supplement", ())
        assert "m补充材料" not in flat_text(pilot)  # nor the footer


async def test_the_case_list_counts_an_act_made_on_a_case_opened_from_it(
    desk: Callable[..., DaibanApp], store: StationStore
) -> None:
    """A 撤件 on a case opened from the list, and back with Esc: the list's status line
    went on saying 待同步 as before the act (only the home's counted it again)."""
    from station.screens.cases import CasesScreen

    case = take_in(store, "王秀兰")
    before = store.outbox_depth()
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        await pilot.press("l")
        await settle(pilot)
        assert isinstance(pilot.app.screen, CasesScreen)
        assert f"待同步 {before}" in screen_text(pilot)
        pilot.app.push_screen(CaseScreen(pilot.app.desk, case.case_number))  # type: ignore[attr-defined]
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)
        pilot.app.screen.query_one(Input).value = "申请人决定暂不申请"
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("y")
        await pilot.app.workers.wait_for_complete()
        await settle(pilot)
        assert "已撤件" in flat_text(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(pilot.app.screen, CasesScreen)
        assert store.outbox_depth() == before + 1
        assert f"待同步 {before + 1}" in screen_text(pilot)
