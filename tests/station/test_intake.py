"""收件: the guided take-in writes a case, prints the receipt, and keeps the draft on every change."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from stdnum.iso7064 import mod_11_2
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Select

from station.app import DaibanApp
from station.screens.dialogs import MessageDialog
from station.screens.home import HomeScreen
from station.screens.intake import IntakeScreen
from station.screens.intake_model import STEPS
from station.store import StationStore
from station.widgets.fields import FieldEditor
from station.widgets.materials import MaterialRow
from tests.station.conftest import NOW
from tests.station.helpers import flat_text, log_in, screen_text, settle
from tests.unit.printing.conftest import pdf_text

ALLOWANCE = "640522-MZ-001"
"""80周岁以上高龄津贴申领."""


def id_number(first17: str) -> str:
    """A resident ID number with its GB 11643 check character."""
    return first17 + mod_11_2.calc_check_digit(first17)


ELDER_ID = id_number("64052219430208001")  # born 1943-02-08, male
SON_ID = id_number("64052219700512003")


def editor(pilot: Pilot[None], path: str) -> FieldEditor:
    return next(e for e in pilot.app.screen.query(FieldEditor) if e.path == path)


async def fill(pilot: Pilot[None], path: str, value: Any) -> None:
    widget = editor(pilot, path).query_one("Input, Select")
    widget.value = value  # type: ignore[attr-defined]
    await pilot.pause()


async def choose_allowance(pilot: Pilot[None]) -> IntakeScreen:
    """收件 of 高龄津贴 opened at its applicant step; the take-in screen."""
    await pilot.press("n")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, IntakeScreen)
    await pilot.press("8", "0", "enter", "enter")
    await settle(pilot)
    return screen


async def fill_allowance(pilot: Pilot[None]) -> None:
    await fill(pilot, "applicant.name", "马占福")
    await fill(pilot, "applicant.id_number", ELDER_ID)
    await fill_allowance_rest(pilot)


async def fill_allowance_rest(pilot: Pilot[None]) -> None:
    """A complete 高龄津贴 application but for the applicant's name and ID number."""
    await fill(pilot, "applicant.phone", "13895401122")
    await fill(pilot, "applicant.address", "海城镇山门村三组18号")
    await pilot.press("f8")
    await fill(pilot, "fields.hukou_address", "海原县海城镇山门村三组")
    await fill(pilot, "fields.living_situation", "与子女同住")
    await fill(pilot, "fields.bank_name", "中国邮政储蓄银行")
    await fill(pilot, "fields.bank_account", "6217991234567895")
    await pilot.press("f8")
    for row in pilot.app.screen.query(MaterialRow):
        state = "deferred" if row.spec.key == "bank_card" else "provided"
        row.query_one("#state", Select).value = state
        if state == "deferred":
            row.query_one("#supply-by", Input).value = "2026-11-30"
    await settle(pilot)


async def test_id_number_shows_birth_date_and_sex_as_typed(
    desk: Callable[..., DaibanApp],
) -> None:
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        await choose_allowance(pilot)
        await fill(pilot, "applicant.id_number", ELDER_ID)
        assert "出生日期1943-02-08，男" in flat_text(pilot)
        await fill(
            pilot, "applicant.id_number", ELDER_ID[:-1] + ("0" if ELDER_ID[-1] != "0" else "1")
        )
        message = str(editor(pilot, "applicant.id_number").query_one(".field-message").render())
        assert "身份证" in message or "校验" in message


async def test_f8_stops_once_at_a_wrong_id_number_and_goes_on_when_pressed_again(
    desk: Callable[..., DaibanApp],
) -> None:
    """A check digit typed wrong was only refused at 核对, three steps on; an empty field
    never stops F8 (the agent fills in what the resident has at hand)."""
    wrong = ELDER_ID[:-1] + ("0" if ELDER_ID[-1] != "0" else "1")
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        screen = await choose_allowance(pilot)
        await fill(pilot, "applicant.name", "马占福")
        await fill(pilot, "applicant.id_number", wrong)  # the phone and address left empty
        await pilot.press("f8")
        await settle(pilot)

        assert STEPS[screen.draft.step] == "applicant"
        said = [n.message for n in pilot.app._notifications]
        assert any("校验码" in m and "再按一次 F8" in m for m in said), said
        ids = editor(pilot, "applicant.id_number")
        assert ids.query_one(Input).has_focus and "校验码" in ids.error

        await pilot.press("f8")  # again, the same wrong number: on to the form
        await settle(pilot)
        assert STEPS[screen.draft.step] == "form"
        assert screen.draft.applicant["id_number"] == wrong  # kept, to put right later

        await pilot.press("f7")
        await settle(pilot)
        await fill(pilot, "applicant.id_number", ELDER_ID)
        await pilot.press("f8")  # right now: no stop
        await settle(pilot)
        assert STEPS[screen.draft.step] == "form"


@pytest.mark.slow
async def test_take_in_writes_the_case_and_prints_the_receipt(
    desk: Callable[..., DaibanApp], store: StationStore
) -> None:
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        await choose_allowance(pilot)
        await fill_allowance(pilot)
        await pilot.press("f9")
        await settle(pilot)
        assert "已收件" in flat_text(pilot)
        dialog = pilot.app.screen  # (at 80 columns a name may wrap: read as it was told)
        assert isinstance(dialog, MessageDialog)
        said = str(dialog.text)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, HomeScreen)
    cases = store.list_cases()
    assert len(cases) == 1
    case = store.get_case(cases[0].case_number)
    assert case is not None and case.state == "received"
    assert case.applicant is not None and case.applicant.name == "马占福"
    assert case.materials["bank_card"] == "deferred"
    assert store.list_drafts() == []
    # each paper kept under its Chinese title and the case number, and said by that name
    # (the deferred passbook: a 一次性告知书 with the 收件回执)
    number = case.case_number
    papers = [f"帮代办收件回执-{number}.pdf", f"一次性告知书-{number}.pdf"]
    documents = sorted(p.name for p in (store.data_dir / "documents").iterdir())
    assert documents == sorted(papers)
    for paper in papers:
        assert f"已保存为 PDF：\n{paper}" in said, said


async def test_the_item_search_has_its_pinyin_before_the_first_key_is_typed(
    desk: Callable[..., DaibanApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The items' pinyin is computed by the catalog's worker: at the first key typed into
    the search, pypinyin loaded its tables on the screen's thread and the desk stood
    still for ~0.4 s (0.8 s more at the first take-in, for the case search's)."""
    from forms import search

    search._syllables.cache_clear()  # as in a desk just started
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        await pilot.press("n")
        await settle(pilot)

        def on_the_screens_thread(*_args: Any, **_kwargs: Any) -> list[str]:
            raise AssertionError("pinyin computed while the agent types")

        monkeypatch.setattr("pypinyin.lazy_pinyin", on_the_screens_thread)
        await pilot.press("g", "l", "j", "t")
        await settle(pilot)
        results = pilot.app.screen.query_one("#item-results", OptionList)
        assert results.option_count
        assert "高龄津贴" in str(results.get_option_at_index(0).prompt)


async def test_enter_before_anything_is_typed_goes_into_the_list_and_chooses_nothing(
    desk: Callable[..., DaibanApp],
) -> None:
    """With the search box empty the whole catalog is listed, and Enter chose its first
    item (城乡居民基本养老保险参保登记) for an agent who meant to go on (a new user's trial)."""
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, IntakeScreen) and screen.item is None  # nothing chosen
        results = screen.query_one("#item-results", OptionList)
        assert screen.focused is results and results.highlighted == 0
        first = str(results.get_option_at_index(0).prompt)
        await pilot.press("enter")  # now a choice: the item under the cursor
        await settle(pilot)
        assert screen.item is not None and screen.item.name in first


async def test_a_refusal_said_before_is_gone_once_the_case_is_taken_in(
    desk: Callable[..., DaibanApp], store: StationStore
) -> None:
    """The red 未收件：还有 … 处要改 of the F9 before stayed over the 已收件 dialog."""
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        await choose_allowance(pilot)
        await fill_allowance_rest(pilot)  # all but the applicant's name and ID number
        await pilot.press("f9")
        await settle(pilot)
        notices = [str(n.message) for n in pilot.app._notifications]
        assert any("未收件" in notice for notice in notices)
        await fill(pilot, "applicant.name", "马占福")
        await fill(pilot, "applicant.id_number", ELDER_ID)
        await pilot.press("f9")
        await settle(pilot)
        assert "已收件" in flat_text(pilot)
        assert not [n for n in pilot.app._notifications if "未收件" in str(n.message)]
    assert len(store.list_cases()) == 1


async def test_the_one_time_notice_tells_the_information_a_rule_asks_for_too(
    desk: Callable[..., DaibanApp], store: StationStore
) -> None:
    """An elder living alone, no carer's phone typed: the check said 独居老人须登记赡养人
    联系电话, the 一次性告知书 listed only the materials and promised nothing else would be
    asked for; the resident would come back without the phone."""
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        await choose_allowance(pilot)
        await fill_allowance(pilot)
        await pilot.press("f7")  # back to the form: 居住情况
        await settle(pilot)
        await fill(pilot, "fields.living_situation", "独居")
        await pilot.press("f8")
        await settle(pilot)
        for row in pilot.app.screen.query(MaterialRow):
            if row.spec.key == "id_card":
                row.query_one("#state", Select).value = "missing"
        await settle(pilot)
        await pilot.press("f8")  # the check page
        await settle(pilot)
        assert "独居老人须登记赡养人联系电话" in flat_text(pilot)
        await pilot.press("f4")
        await settle(pilot)
    (paper,) = (store.data_dir / "documents").glob("一次性告知书-未收件-*.pdf")
    text = "".join(pdf_text(paper.read_bytes()).split())
    assert "居民身份证" in text
    after = text.split("另须提供下列信息：")[1]
    assert after.startswith("1.独居老人须登记赡养人联系电话")
    assert "以上为尚缺的全部材料和信息" in text


@pytest.mark.slow
async def test_a_second_case_of_the_same_item_is_taken_in_only_when_the_agent_says_so(
    desk: Callable[..., DaibanApp], store: StationStore
) -> None:
    """On main the desk took the same resident's same item in again without a word (重复申请)."""
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        for answer in ("", "y"):
            await choose_allowance(pilot)
            await fill_allowance(pilot)
            await pilot.press("f9")
            await settle(pilot)
            if answer:  # the second time: asked, Enter says no, then Y says yes
                (first,) = store.list_cases()
                text = flat_text(pilot).replace("█", "")  # the dialog's border, where it wraps
                assert f"重复申请：该申请人此事项已有未办结的办件（{first.case_number}）" in text
                assert "仍要再收一件吗" in text
                await pilot.press("enter")
                await settle(pilot)
                assert len(store.list_cases()) == 1
                assert isinstance(pilot.app.screen, IntakeScreen)
                assert "⚠重复申请" in flat_text(pilot)  # on the check page, not taken in
                await pilot.press("f9")
                await settle(pilot)
                await pilot.press(answer)
                await settle(pilot)
            assert "已收件" in flat_text(pilot)
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(pilot.app.screen, HomeScreen)
    assert len(store.list_cases()) == 2


@pytest.mark.slow
async def test_a_required_material_missing_prints_the_one_time_notice_and_keeps_the_draft(
    desk: Callable[..., DaibanApp], store: StationStore
) -> None:
    """On main the 一次性告知书 came only with a case taken in: a resident missing a
    required material (not 容缺) went home with no paper saying what to bring."""
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        await choose_allowance(pilot)
        await fill_allowance(pilot)
        for row in pilot.app.screen.query(MaterialRow):
            if row.spec.key in ("id_card", "application_form"):
                row.query_one("#state", Select).value = "missing"
        await settle(pilot)
        await pilot.press("f9")
        await settle(pilot)
        notices = [str(n.message) for n in pilot.app._notifications]
        assert any("按 F4 打印一次性告知书" in n for n in notices), notices
        await pilot.press("f8")  # from the material in error on to the check page
        await settle(pilot)
        assert "按F4打印一次性告知书" in flat_text(pilot)  # said there too
        await pilot.press("f4")
        await settle(pilot)
        await pilot.app.workers.wait_for_complete()
        await settle(pilot)
        assert isinstance(pilot.app.screen, IntakeScreen)  # still taking it in
        notices_after = [str(n.message) for n in pilot.app._notifications]
    assert store.list_cases() == []
    (draft,) = store.list_drafts()
    assert draft.data["materials"]["id_card"] == "missing"
    # named 未收件 and when, in China (no case number yet): the name the agent was told
    (paper,) = (store.data_dir / "documents").glob("*.pdf")
    assert paper.name == f"一次性告知书-未收件-{NOW:%Y%m%d-%H%M}.pdf"
    assert any(f"已保存为 PDF：\n{paper.name}" in n for n in notices_after), notices_after
    text = "".join(pdf_text(paper.read_bytes()).split())
    assert "一次性告知书" in text and "马占福" in text and "80周岁以上高龄津贴申领" in text
    assert "尚缺下列材料，本站暂不能收件。现一次性告知，" in text
    assert "其中“容缺后补”的可先收件，在补交期限前补齐；请备齐后再到本站办理" in text
    assert text.index("居民身份证") < text.index("高龄津贴申请审批表")  # the item's order
    assert "备齐后来办理时请携带本告知书" in text and "容缺材料逾期" not in text
    # the 容缺 copy too, with its date: the notice says it lists all, and the one printed
    # at intake must not name a material this one left out (the walkthrough's two did)
    deferred = text.index("社会保障卡或存折复印")
    assert "容缺后补" in text[deferred : deferred + 80]
    assert "编号" not in text and "办件编号" not in text  # no case yet
    assert ELDER_ID not in text  # masked


async def test_validation_error_names_the_field_and_loses_nothing(
    desk: Callable[..., DaibanApp], store: StationStore
) -> None:
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        await choose_allowance(pilot)
        await fill(pilot, "applicant.name", "马占福")
        await pilot.press("f9")
        await settle(pilot)
        text = flat_text(pilot)
        assert "身份证" in text  # the missing ID number is named
        assert store.list_cases() == []
    drafts = store.list_drafts()
    assert len(drafts) == 1
    assert drafts[0].data["applicant"]["name"] == "马占福"
    assert drafts[0].data["item_code"] == ALLOWANCE


@pytest.mark.slow
async def test_a_scan_from_the_watched_folder_is_attached_to_the_material(
    desk: Callable[..., DaibanApp], store: StationStore, tmp_path: Path
) -> None:
    scans = tmp_path / "scans"
    scans.mkdir()
    (scans / "passbook.pdf").write_bytes(b"%PDF-1.4 scanned passbook")
    async with desk(scan_folder=scans).run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        await choose_allowance(pilot)
        await fill_allowance(pilot)
        row = next(r for r in pilot.app.screen.query(MaterialRow) if r.spec.key == "bank_card")
        row.query_one("#state", Select).focus()
        await pilot.pause()
        pilot.app.screen.query_one("#scan-files", OptionList).focus()
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("f9")
        await settle(pilot)
    case = store.get_case(store.list_cases()[0].case_number)
    assert case is not None
    assert [(a.name, a.material_key) for a in case.attachments] == [("passbook.pdf", "bank_card")]
    assert case.materials["bank_card"] == "provided"
    sha = case.attachments[0].sha256
    assert (store.blob_dir / sha[:2] / sha[2:]).read_bytes() == b"%PDF-1.4 scanned passbook"


async def choose_household_item(pilot: Pilot[None]) -> None:
    """Signed in, the take-in form of 低保 (its household members are a group of rows)."""
    await log_in(pilot)
    await pilot.press("n")
    await settle(pilot)
    pilot.app.screen.query_one("#item-search", Input).value = "低保"
    await pilot.pause()
    await pilot.press("enter", "enter")
    await settle(pilot)


async def test_f9_goes_to_the_materials_a_rule_asks_one_of(
    desk: Callable[..., DaibanApp], store: StationStore
) -> None:
    """医保参保 with neither 身份证 nor 户口簿 given: F9 said 已转到第一处：须提供身份证或
    户口簿 and stayed on ⑤ 核对, where nothing can be given."""
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        await pilot.press("n")
        await settle(pilot)
        pilot.app.screen.query_one("#item-search", Input).value = "城乡居民基本医疗保险参保登记"
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        await fill(pilot, "applicant.name", "马占福")
        await fill(pilot, "applicant.id_number", ELDER_ID)
        await fill(pilot, "applicant.phone", "13895401122")
        await pilot.press("f8")
        await fill(pilot, "fields.hukou_address", "海原县海城镇山门村三组")
        await fill(pilot, "fields.category", "普通居民")
        await fill(pilot, "fields.insured_year", "2027")
        await settle(pilot)
        await pilot.press("f9")
        await settle(pilot)
        notices = " ".join(str(n.message) for n in pilot.app._notifications)
        assert "身份证或户口簿" in notices and "已转到第一处" in notices
        screen = pilot.app.screen
        row = next(r for r in screen.query(MaterialRow) if r.spec.key == "id_card")
        assert row.display and row.query_one("#state", Select).has_focus  # ④, on 居民身份证
    assert store.list_cases() == []


async def test_household_members_are_rows_that_can_be_added(
    desk: Callable[..., DaibanApp], store: StationStore
) -> None:
    from station.widgets.group import GroupEditor

    async with desk().run_test(size=(80, 24)) as pilot:
        await choose_household_item(pilot)
        await pilot.press("f8")
        group = pilot.app.screen.query_one(GroupEditor)
        assert group.row_count == 1  # 低保 needs at least one household member
        await fill(pilot, "fields.members[0].name", "马占福")
        await group.add_row()
        await fill(pilot, "fields.members[1].name", "马秀英")
        await settle(pilot)
        assert group.row_count == 2
    [draft] = store.list_drafts()
    names = [row.get("name") for row in draft.data["fields"]["members"]]
    assert names == ["马占福", "马秀英"]


@pytest.mark.parametrize("elder", [False, True])
async def test_a_row_added_by_the_keyboard_is_on_the_screen_with_the_cursor_in_it(
    desk: Callable[..., DaibanApp], elder: bool
) -> None:
    """+ 添加一行 scrolled only as far as the new row's first field, as the focus does: in
    large print it stopped under the 上一步/下一步 bar, and the agent typed a family
    member's name into a field nothing showed. The new row now comes to the top."""
    from textual.widgets import Button

    from station.widgets.group import GroupEditor, GroupRow

    async with desk().run_test(size=(80, 24)) as pilot:
        await choose_household_item(pilot)
        if elder:
            await pilot.press("f2")
        await pilot.press("f8")  # the item's own fields
        await settle(pilot)
        form = pilot.app.screen.query_one("#step-form")
        group = form.query_one(GroupEditor)
        add = group.query_one("#add-row", Button)
        for rows in (2, 3):
            add.focus()
            await settle(pilot)
            await pilot.press("enter")
            await settle(pilot)
            assert group.row_count == rows
            new = group.query(GroupRow).last()
            focused = pilot.app.screen.focused
            assert focused is not None and focused in new.query("Input, Select")
            shown = focused.region  # where it is drawn, inside the form's scrolled part
            assert shown.width > 0 and form.region.contains_region(shown), (shown, form.region)
            caption = f"家庭成员 第 {rows} 行"
            assert caption in screen_text(pilot)


async def test_the_check_page_scrolls_by_the_keyboard_with_the_focus_on_take_in(
    desk: Callable[..., DaibanApp],
) -> None:
    """In elder mode the check page ran below the screen and PgDn, Down and End did nothing:
    nothing it holds takes the focus, which stays on 收件 (F9). (A short screen here: the
    page runs below it as a long item's does at 80×24.)"""
    async with desk().run_test(size=(80, 16)) as pilot:
        await log_in(pilot)
        await choose_allowance(pilot)
        await fill_allowance(pilot)
        await pilot.press("f8")  # the check page
        await settle(pilot)
        page = pilot.app.screen.query_one("#step-review")
        assert page.max_scroll_y > 0 and page.scroll_y == 0
        await pilot.press("end")
        await settle(pilot)
        assert page.scroll_y == page.max_scroll_y
        await pilot.press("home")
        await settle(pilot)
        assert page.scroll_y == 0
        await pilot.press("pagedown")
        await settle(pilot)
        assert page.scroll_y > 0
        assert pilot.app.screen.focused is pilot.app.screen.query_one("#take-in")
