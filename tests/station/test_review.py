"""The township review page (审核页) at 80×24: every decision one key away, as the signed-in
reviewer; 办结 only where the catalog's handling path lets the township decide; the full ID
number only on an audited key."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, RadioButton, Select, Static

from forms.clock import set_source
from station.screens.decisions import (
    AcceptDialog,
    CompleteDialog,
    ForwardDialog,
    PauseDialog,
    RejectDialog,
    ReturnDialog,
)
from station.screens.dialogs import ChoiceDialog, ConfirmDialog, MessageDialog
from station.store import StationStore
from station.widgets.paragraph import ParagraphBox
from sync.events import EventKind
from sync.reducer import CaseView
from tests.station.cases_seed import take_in, township
from tests.station.conftest import NOW
from tests.station.helpers import flat_text, screen_text, settle
from tests.station.review_helpers import (
    REVIEWER_ID,
    open_review,
    take_in_assistance,
    township_app,
)
from tests.station.test_intake import ELDER_ID
from tests.station.test_roles import township_station
from tests.unit.printing.conftest import pdf_text


@pytest.fixture(autouse=True)
def fixed_clock() -> Iterator[None]:
    """Events are stamped at the tests' "now" (timelines and due dates do not drift)."""
    set_source(lambda: NOW)
    yield
    set_source(None)


@pytest.fixture
def station(tmp_path: Path) -> Iterator[StationStore]:
    store = township_station(tmp_path / "township")
    yield store
    store.close()


def last(store: StationStore, number: str) -> tuple[CaseView, EventKind, str]:
    """The case, and the kind and actor of its last event."""
    view = store.get_case(number)
    assert view is not None
    entry = view.history[-1]
    return view, entry.kind, entry.actor_id


async def test_accept_is_one_key_and_carries_the_reviewer(
    station: StationStore, tmp_path: Path
) -> None:
    number = township(station, take_in(station).case_number).case_number
    async with township_app(station, tmp_path / "township").run_test(size=(80, 24)) as pilot:
        screen = await open_review(pilot, number)
        assert "马占福" in flat_text(pilot) and "640522********" in flat_text(pilot)
        assert ELDER_ID not in flat_text(pilot)  # masked until 查看完整号码
        await pilot.press("a")
        assert isinstance(pilot.app.screen, AcceptDialog)
        assert "▐✓▌打印受理通知书（P）" in flat_text(pilot)  # the written notice, ticked
        await pilot.press("enter")  # OK has the focus
        await settle(pilot)
        assert pilot.app.screen is screen
        view, kind, actor = last(station, number)
        assert (view.state, kind, actor) == ("accepted", EventKind.accepted, REVIEWER_ID)
        assert view.officer == "王芳"
        assert "已受理" in flat_text(pilot)
        told = list(pilot.app._notifications)[-1]
        # the paper's name stays long enough to be read (it went in 5 s): the name it is kept
        # under, its Chinese title (a reviewer looks for it by that in a folder)
        assert f"已保存为 PDF：\n受理通知书-{number}.pdf" in str(told.message), told.message
        assert told.timeout >= 12
    documents = tmp_path / "township" / "documents"
    assert [p.name for p in documents.glob("*.pdf")] == [f"受理通知书-{number}.pdf"]


async def test_p_unticks_the_acceptance_notice_and_none_is_made(
    station: StationStore, tmp_path: Path
) -> None:
    number = township(station, take_in(station).case_number).case_number
    async with township_app(station, tmp_path / "township").run_test(size=(80, 24)) as pilot:
        await open_review(pilot, number)
        await pilot.press("a")
        dialog = pilot.app.screen
        assert isinstance(dialog, AcceptDialog)
        await pilot.press("p")
        await pilot.pause()
        assert "▐▌打印受理通知书（P）" in flat_text(pilot)  # (flat_text drops the blank)
        await pilot.press("enter")
        await settle(pilot)
        view, kind, _actor = last(station, number)
        assert (view.state, kind) == ("accepted", EventKind.accepted)
    assert not list((tmp_path / "township" / "documents").glob("*.pdf"))


async def test_return_names_materials_and_fields_each_with_its_reason(
    station: StationStore, tmp_path: Path
) -> None:
    number = township(station, take_in(station).case_number).case_number
    async with township_app(station, tmp_path / "township").run_test(size=(80, 24)) as pilot:
        await open_review(pilot, number)
        await pilot.press("b")
        dialog = pilot.app.screen
        assert isinstance(dialog, ReturnDialog)
        await pilot.press("f9")  # nothing ticked yet: says so, stays open
        await pilot.pause()
        assert "请勾选需要补正的材料或信息" in flat_text(pilot)
        paths = [path for path, _label in dialog.choices]
        hukou, account = paths.index("materials.hukou"), paths.index("fields.bank_account")
        dialog.query_one(f"#why-{hukou}", Input).value = "复印件不清晰"
        dialog.query_one(f"#why-{account}", Input).value = "账号与存折不符"
        await pilot.pause()
        assert "请勾选需要补正的材料或信息" not in flat_text(pilot)  # ticked: the hint went
        await pilot.press("f9")
        await settle(pilot)
        view, kind, actor = last(station, number)
        # the page says what was asked, each with its reason (it was only on the paper)
        page = pilot.app.screen.page  # type: ignore[attr-defined]
        header = "\n".join(page.header)
        assert "户口簿" in header and "：复印件不清晰" in header and "：账号与存折不符" in header
        assert {m.key: m.status for m in page.materials}["hukou"] == "须补正"
    assert (view.state, kind, actor) == ("returned", EventKind.returned, REVIEWER_ID)
    assert view.missing == ["hukou"] and view.correct_fields == ["bank_account"]
    assert view.correct_reasons == {
        "materials.hukou": "复印件不清晰",
        "fields.bank_account": "账号与存折不符",
    }
    assert view.last_reason == "复印件不清晰；账号与存折不符"
    assert view.pauses == [(NOW.date(), None)]  # the clock stays stopped until resubmission


async def test_reject_with_reason_basis_and_where_to_apply(
    station: StationStore, tmp_path: Path
) -> None:
    number = township(station, take_in(station).case_number).case_number
    async with township_app(station, tmp_path / "township").run_test(size=(80, 24)) as pilot:
        await open_review(pilot, number)
        await pilot.press("j")
        dialog = pilot.app.screen
        assert isinstance(dialog, RejectDialog)
        # 高龄津贴 is a 公共服务, no 行政许可: the basis offered is the item's own, not §32
        basis = "《中华人民共和国老年人权益保障法》第三十三条；《宁夏回族自治区老年人权益保障条例》"
        assert dialog.query_one("#basis", ParagraphBox).value == basis
        shown = flat_text(pilot).replace("█", "")  # the dialog's sides, between its lines
        assert basis in shown  # all of it in sight (a one-line box showed its first 36)
        dialog.query_one("#reason", Input).value = "申请人不具备申请资格"
        dialog.query_one("#instead", Input).value = "县民政局"
        await pilot.press("f9")
        await settle(pilot)
        await pilot.press("y")  # the confirm an irreversible decision asks
        await settle(pilot)
        view, kind, actor = last(station, number)
    assert (view.state, kind, actor) == ("rejected", EventKind.rejected, REVIEWER_ID)
    assert view.last_reason == "申请人不具备申请资格" and view.apply_instead == "县民政局"
    assert view.reject_basis == basis


async def test_a_key_typed_in_the_prefilled_basis_adds_to_it_never_replaces_it(
    station: StationStore, tmp_path: Path
) -> None:
    """Tab into the basis, then typing: the whole legal basis was selected and the first key
    replaced it, and the 不予受理通知书 printed 根据申请人已在山门村重复参保的规定."""
    number = township(station, take_in(station).case_number).case_number
    async with township_app(station, tmp_path / "township").run_test(size=(80, 24)) as pilot:
        await open_review(pilot, number)
        await pilot.press("j")
        await settle(pilot)
        box = pilot.app.screen.query_one("#basis", ParagraphBox)
        basis = box.value
        box.focus()
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot)
        assert box.value == basis + "x"


async def test_enter_after_a_reason_goes_on_and_esc_asks_before_dropping_it(
    station: StationStore, tmp_path: Path
) -> None:
    """Enter after typing the reason refused the case outright, 应向何处申请 never seen;
    Esc dropped what was typed without a word."""
    number = township(station, take_in(station).case_number).case_number
    async with township_app(station, tmp_path / "township").run_test(size=(80, 24)) as pilot:
        await open_review(pilot, number)
        await pilot.press("j")
        dialog = pilot.app.screen
        assert isinstance(dialog, RejectDialog)
        await pilot.press(*"不符合条件", "enter")
        await settle(pilot)
        assert pilot.app.screen is dialog and pilot.app.focused is not None
        assert pilot.app.focused.id == "basis"  # on to the next box; nothing decided
        await pilot.press("enter", "enter")  # basis, where to apply: still no decision
        await settle(pilot)
        assert pilot.app.screen is dialog
        assert last(station, number)[0].state == "submitted"
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ConfirmDialog)
        assert "不作决定就离开吗" in flat_text(pilot)
        await pilot.press("escape")  # no: back to the form, the reason still there
        await settle(pilot)
        assert pilot.app.screen is dialog
        assert dialog.query_one("#reason", Input).value == "不符合条件"
        await pilot.press("f9")
        await settle(pilot)
        await pilot.press("y")  # the confirm an irreversible decision asks
        await settle(pilot)
        view, kind, _actor = last(station, number)
    assert (view.state, kind, view.last_reason) == ("rejected", EventKind.rejected, "不符合条件")


TARGETS = ("department", "township")


async def forward_to_a_township(pilot: Pilot[None], number: str) -> ForwardDialog:
    """The review page of ``number``, its 转办 dialog open at 转至其他乡镇."""
    await open_review(pilot, number)
    await pilot.press("f")
    dialog = pilot.app.screen
    assert isinstance(dialog, ForwardDialog)
    dialog.query_one("#to-township", RadioButton).value = True
    await settle(pilot)
    return dialog


async def test_forward_to_another_township_records_that_township(
    station: StationStore, tmp_path: Path
) -> None:
    """Choosing 转至其他乡镇 left the department's name in the box, and it was recorded."""
    number = take_in(station).case_number
    township(station, number, (EventKind.accepted, {}))
    async with township_app(station, tmp_path / "township").run_test(size=(80, 24)) as pilot:
        dialog = await forward_to_a_township(pilot, number)
        # the choice shows without colour too (Textual drew ● for both buttons)
        marks = [dialog.query_one(f"#to-{to}", RadioButton).render().plain for to in TARGETS]
        assert ["○" in marks[0], "●" in marks[1]] == [True, True], marks
        assert dialog.query_one("#to", Input).value == ""
        dialog.query_one("#division", Input).value = "640522101000"
        await pilot.press("f9")
        await settle(pilot)
        assert pilot.app.screen is dialog and "请填写转往的乡镇名称" in flat_text(pilot)
        dialog.query_one("#to", Input).value = "李旺镇"
        await pilot.press("f9")
        await settle(pilot)
        await pilot.press("y")  # the confirm an irreversible decision asks
        await settle(pilot)
        view, kind, _actor = last(station, number)
    assert (kind, view.forwarded_to) == (EventKind.forwarded, "李旺镇")


async def test_p_prints_a_notice_left_unprinted_then_again_as_a_reprint(
    station: StationStore, tmp_path: Path
) -> None:
    # the reviewer desk had no way to print a notice again (unticked, or the printer jammed)
    number = township(station, take_in(station).case_number).case_number
    documents = tmp_path / "township" / "documents"
    async with township_app(station, tmp_path / "township").run_test(size=(80, 24)) as pilot:
        await open_review(pilot, number)
        assert "补打" not in flat_text(pilot)  # nothing decided: not offered
        await pilot.press("p")
        await settle(pilot)
        assert not list(documents.glob("*.pdf"))  # nothing decided: nothing to print
        notes = [str(n.message) for n in pilot.app._notifications]
        assert "本件还没有可补打的文书。" in notes  # said, not silent
        await pilot.press("a", "p", "enter")  # 受理, the 受理通知书 unticked
        await settle(pilot)
        assert not list(documents.glob("*.pdf"))
        assert "p补打" in flat_text(pilot).replace(" ", "")  # in the footer, not only in F1
        await pilot.press("p")
        await settle(pilot)
        assert [p.name for p in documents.glob("*.pdf")] == [f"受理通知书-{number}.pdf"]
        await pilot.press("P")  # its key before: still 补打
        await settle(pilot)
        reprints = list(documents.glob(f"受理通知书-{number}-补打{NOW:%Y%m%d}.pdf"))
        assert len(reprints) == 1
        await pilot.press("P")  # a third the same day: beside the second, not over it
        await settle(pilot)
        third = documents / f"受理通知书-{number}-补打{NOW:%Y%m%d}（2）.pdf"
        assert third.exists() and len(list(documents.glob("*.pdf"))) == 3
    first = pdf_text((documents / f"受理通知书-{number}.pdf").read_bytes())
    again = pdf_text(reprints[0].read_bytes())
    numbered = re.compile(r"海城便民受〔\d{4}〕\d+号")
    assert numbered.search(first) and numbered.search(first).group() in again  # type: ignore[union-attr]
    assert "补打" in again and "补打" not in first


async def test_p_is_reprint_and_z_is_pause_on_the_review_page(
    station: StationStore, tmp_path: Path
) -> None:
    """p was 暂停 here and 补打 on the village's case page: a reviewer who pressed p to
    print got the pause dialog. Now p is 补打 on every page, and 暂停 is z."""
    number = take_in(station).case_number
    township(station, number, (EventKind.accepted, {}))
    documents = tmp_path / "township" / "documents"
    async with township_app(station, tmp_path / "township").run_test(size=(80, 24)) as pilot:
        screen = await open_review(pilot, number)
        footer = screen_text(pilot).splitlines()[-1].replace(" ", "")
        assert "z暂停" in footer and "p补打" in footer
        await pilot.press("f1")
        await settle(pilot)
        assert isinstance(pilot.app.screen, MessageDialog)
        keys = str(pilot.app.screen.text)
        assert re.search(r"(^|\s)z  暂停", keys) and re.search(r"(^|\s)p  补打", keys), keys
        assert "Shift+P" not in keys and "p  暂停" not in keys
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("p")  # one paper due (受理通知书): printed, no pause dialog
        await settle(pilot)
        assert pilot.app.screen is screen
        assert [p.name for p in documents.glob("*.pdf")] == [f"受理通知书-{number}.pdf"]
        assert last(station, number)[1] is EventKind.accepted  # nothing paused
        await pilot.press("z")
        pause = pilot.app.screen
        assert isinstance(pause, PauseDialog)
        pause.query_one("#reason", Input).value = "村内公示七天"
        await pilot.press("f9")
        await settle(pilot)
        assert last(station, number)[1] is EventKind.paused
        for key in ("p", "P"):  # two papers now: which one, asked
            await pilot.press(key)
            await settle(pilot)
            choice = pilot.app.screen
            assert isinstance(choice, ChoiceDialog), key
            assert [label for label, _kind in choice.choices] == ["受理通知书", "特别程序告知书"]
            box = choice.query_one(".dialog").region  # over the page's middle, not its corner
            assert box.x > 0 and abs(box.x - (80 - box.right)) <= 1 and box.y > 0, box
            await pilot.press("escape")
            await settle(pilot)
            assert pilot.app.screen is screen


async def test_forward_goes_to_the_department_of_the_handling_path(
    station: StationStore, tmp_path: Path
) -> None:
    number = take_in(station).case_number
    township(station, number, (EventKind.accepted, {}))
    async with township_app(station, tmp_path / "township").run_test(size=(80, 24)) as pilot:
        await open_review(pilot, number)
        await pilot.press("f")
        dialog = pilot.app.screen
        assert isinstance(dialog, ForwardDialog)
        assert dialog.query_one("#to", Input).value == "县民政局"  # from the catalog
        await pilot.press("f9")
        await settle(pilot)
        await pilot.press("y")  # the confirm an irreversible decision asks
        await settle(pilot)
        view, kind, actor = last(station, number)
    assert (view.state, kind, actor) == ("processing", EventKind.forwarded, REVIEWER_ID)
    assert view.forwarded_to == "县民政局"


async def test_forward_to_another_township_takes_only_a_township_of_the_county(
    station: StationStore, tmp_path: Path
) -> None:
    # 李旺镇 as 640522109999 was taken, and the case sat at the township that forwarded it
    number = take_in(station).case_number
    township(station, number, (EventKind.accepted, {}))
    async with township_app(station, tmp_path / "township").run_test(size=(80, 24)) as pilot:
        dialog = await forward_to_a_township(pilot, number)
        for name, code, said in (
            ("李旺镇", "640522109999", "区划代码 640522109999 不是本县区划表里的乡镇"),
            ("李旺镇", "640522102000", "区划代码 640522102000 是西安镇，不是“李旺镇”"),
            ("海城镇", "640522100000", "该办件已在本乡镇"),
        ):
            dialog.query_one("#to", Input).value = name
            dialog.query_one("#division", Input).value = code
            await pilot.press("f9")
            await settle(pilot)
            assert pilot.app.screen is dialog, "refused in the dialog, what was typed kept"
            assert said in str(dialog.query_one("#form-message", Static).render())
            assert dialog.query_one("#division", Input).value == code
        dialog.query_one("#to", Input).value = "李旺"
        dialog.query_one("#division", Input).value = "640522101000"
        await pilot.press("f9")
        await settle(pilot)
        await pilot.press("y")  # the confirm an irreversible decision asks
        await settle(pilot)
        view, kind, _actor = last(station, number)
    assert kind is EventKind.forwarded and view.forwarded_to == "李旺"


async def test_pause_for_publicity_then_resume(station: StationStore, tmp_path: Path) -> None:
    number = take_in(station).case_number
    township(station, number, (EventKind.accepted, {}))
    async with township_app(station, tmp_path / "township").run_test(size=(80, 24)) as pilot:
        await open_review(pilot, number)
        await pilot.press("z")  # 暂停
        dialog = pilot.app.screen
        assert isinstance(dialog, PauseDialog)
        dialog.query_one("#reason", Input).value = "村内公示七天"
        dialog.query_one("#days", Input).value = "7"
        await pilot.press("f9")
        await settle(pilot)
        view, kind, actor = last(station, number)
        assert (view.state, kind, actor) == ("paused", EventKind.paused, REVIEWER_ID)
        assert (view.pause_kind, view.pause_expected_days) == ("公示", 7)
        assert view.pauses[-1] == (NOW.date(), None)  # the clock stops
        text = flat_text(pilot)  # and the page says so, not a count of days left
        assert "特别程序（公示）中，办理时限暂停计算" in text and "个工作日）" not in text
        # the days the reviewer gave are said (they were recorded and shown nowhere)
        until = NOW.date() + timedelta(days=6)
        assert f"自{NOW.date()}起，预计需要7个自然日（至{until}）" in text
        # the 特别程序告知书 was made: the time it takes, told in writing (§45)
        documents = tmp_path / "township" / "documents"
        assert [p.name for p in documents.glob("*.pdf")] == [f"特别程序告知书-{number}.pdf"]
        await pilot.press("d")  # 办结 while paused did nothing, without a word
        await settle(pilot)
        said = [str(n.message) for n in pilot.app._notifications]
        assert any(n.endswith("的办件现在不能办结。") for n in said), said
        assert last(station, number)[1] is EventKind.paused
        await pilot.press("u")
        assert isinstance(pilot.app.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(pilot)
        view, kind, actor = last(station, number)
    assert (view.state, kind, actor) == ("accepted", EventKind.resumed, REVIEWER_ID)
    assert view.pauses[-1] == (NOW.date(), NOW.date())  # restarts the day after


async def test_pause_for_an_expert_review_from_the_dialog(
    station: StationStore, tmp_path: Path
) -> None:
    """On main the dialog offered only 公示 / 调查 / 鉴定: 听证, 检验 and 专家评审, which the law
    also puts outside the time limit (行政许可法 第四十五条), could not be recorded."""
    number = take_in(station).case_number
    township(station, number, (EventKind.accepted, {}))
    async with township_app(station, tmp_path / "township").run_test(size=(80, 24)) as pilot:
        await open_review(pilot, number)
        await pilot.press("z")  # 暂停
        dialog = pilot.app.screen
        assert isinstance(dialog, PauseDialog)
        kinds = dialog.query_one("#kind", Select)
        offered = [str(label) for label, _value in kinds._options]
        assert {"听证", "检验", "检测", "检疫", "专家评审"} <= set(offered)
        kinds.value = "专家评审"
        dialog.query_one("#reason", Input).value = "宅基地四至争议，请县自然资源局专家评审"
        await pilot.press("f9")
        await settle(pilot)
    view, kind, _actor = last(station, number)
    assert (view.state, kind, view.pause_kind) == ("paused", EventKind.paused, "专家评审")


async def test_complete_a_township_item(station: StationStore, tmp_path: Path) -> None:
    number = take_in_assistance(station).case_number
    township(station, number, (EventKind.accepted, {}))
    async with township_app(station, tmp_path / "township").run_test(size=(80, 24)) as pilot:
        await open_review(pilot, number)
        assert "3,000.00元" in flat_text(pilot)  # amounts formatted
        await pilot.press("d")
        dialog = pilot.app.screen
        assert isinstance(dialog, CompleteDialog)
        assert pilot.app.focused is dialog.query_one("#result", Select)  # the decision first
        note = dialog.query_one("#note", Input)
        note.focus()
        note.value = "救助金3000元"
        await pilot.press("enter")  # on main this closed the case: Enter meant for the field
        await settle(pilot)
        assert pilot.app.screen is dialog and last(station, number)[1] is EventKind.accepted
        await pilot.press("f9")
        await settle(pilot)
        view, kind, actor = last(station, number)
    assert (view.state, kind, actor) == ("completed", EventKind.completed, REVIEWER_ID)
    assert (view.result, view.result_note) == ("approved", "救助金3000元")
    assert not list((tmp_path / "township" / "documents").glob("不予*.pdf"))  # granted


async def test_a_refusal_at_completion_makes_its_decision_paper(
    station: StationStore, tmp_path: Path
) -> None:
    """办结 不通过 wrote nothing: the refusal is in writing, with reasons and rights (§38)."""
    number = take_in_assistance(station).case_number
    township(station, number, (EventKind.accepted, {}))
    async with township_app(station, tmp_path / "township").run_test(size=(80, 24)) as pilot:
        await open_review(pilot, number)
        await pilot.press("d")
        dialog = pilot.app.screen
        assert isinstance(dialog, CompleteDialog)
        dialog.query_one("#result", Select).value = "denied"
        dialog.query_one("#note", Input).value = "不属于急难型困难"
        await pilot.press("f9")
        await settle(pilot)
        await pilot.press("y")  # the confirm an irreversible decision asks
        await settle(pilot)
        view, kind, _actor = last(station, number)
        # 临时救助 is no 行政许可: the paper named as its title reads (不予许可（批准）… was said)
        said = flat_text(pilot) + "".join(str(n.message) for n in pilot.app._notifications)
        assert "不予批准决定书" in said and "不予许可（批准）" not in said
    assert (view.state, view.result) == ("completed", "denied")
    documents = tmp_path / "township" / "documents"
    assert [p.name for p in documents.glob("*.pdf")] == [f"不予批准决定书-{number}.pdf"]


async def test_a_county_item_cannot_be_completed_by_the_township(
    station: StationStore, tmp_path: Path
) -> None:
    number = take_in(station).case_number  # 高龄津贴: the county (县民政局) decides
    township(station, number, (EventKind.accepted, {}))
    async with township_app(station, tmp_path / "township").run_test(size=(80, 24)) as pilot:
        await open_review(pilot, number)
        await pilot.press("d")
        await settle(pilot)
        dialog = pilot.app.screen
        assert isinstance(dialog, MessageDialog) and dialog.title_text == "不能办结"
        assert "“高龄津贴”由县级部门审批办结" in dialog.text and "乡镇不能办结" in dialog.text
        assert "请转办至县民政局" in dialog.text
    view, kind, _actor = last(station, number)
    assert (view.state, kind) == ("accepted", EventKind.accepted)  # nothing written


def test_the_service_refuses_a_township_completion_of_a_county_item(
    station: StationStore,
) -> None:
    from station.services.cases import ActionRefused, Actor, CaseService
    from sync.events import Role
    from tests.station.conftest import shipped_catalog

    number = take_in(station).case_number
    township(station, number, (EventKind.accepted, {}))
    reviewer = CaseService(station, shipped_catalog(), Actor(REVIEWER_ID, Role.reviewer, "王芳"))
    with pytest.raises(ActionRefused) as refused:
        reviewer.complete(number, "approved")
    assert "乡镇不能办结" in refused.value.message and "县民政局" in refused.value.message
    assert last(station, number)[1] is EventKind.accepted


def test_a_return_naming_what_the_item_has_not_is_refused(station: StationStore) -> None:
    """``daiban case return --field nonexistent`` was taken, and the 补正告知书 then asked
    the resident to correct “nonexistent”."""
    from station.services.cases import ActionRefused, Actor, CaseService
    from sync.events import Role
    from tests.station.conftest import shipped_catalog

    number = take_in(station).case_number
    township(station, number)
    reviewer = CaseService(station, shipped_catalog(), Actor(REVIEWER_ID, Role.reviewer, "王芳"))
    with pytest.raises(ActionRefused) as refused:
        reviewer.return_for_correction(number, "照片不合格", fields=["nonexistent"])
    assert "没有以下字段或材料" in refused.value.message and "nonexistent" in refused.value.message
    with pytest.raises(ActionRefused):
        reviewer.return_for_correction(number, "照片不合格", missing=["no_such_material"])
    assert last(station, number)[1] is EventKind.submitted  # nothing written
    view = reviewer.return_for_correction(
        number, "电话有误", fields=["applicant.phone"], missing=["hukou"]
    )
    assert view.state == "returned"


async def test_claim_is_a_note_shown_in_the_timeline(station: StationStore, tmp_path: Path) -> None:
    number = township(station, take_in(station).case_number).case_number
    async with township_app(station, tmp_path / "township").run_test(size=(80, 24)) as pilot:
        await open_review(pilot, number)
        await pilot.press("c")
        await settle(pilot)
        view, kind, actor = last(station, number)
        assert (view.state, kind, actor) == ("submitted", EventKind.claimed, REVIEWER_ID)
        assert view.claimed_by == REVIEWER_ID
        assert "已由王芳认领" in flat_text(pilot)
        page = pilot.app.screen.page
        assert (page.timeline[-1].what, page.timeline[-1].who) == ("认领", "王芳")
        assert "认领" not in screen_text(pilot).splitlines()[-1]  # the footer: not offered again
        await pilot.press("c")  # again: said, not written twice
        await settle(pilot)
        assert "您已认领此办件。" in [str(n.message) for n in pilot.app._notifications]
        assert [h.kind for h in station.get_case(number).history].count(EventKind.claimed) == 1  # type: ignore[union-attr]


def test_a_closed_case_is_not_claimed(station: StationStore) -> None:
    """On main 认领 was written on a case already 办结, as often as c was pressed."""
    from station.services.cases import ActionRefused, Actor, CaseService
    from sync.events import Role
    from tests.station.conftest import shipped_catalog

    number = take_in_assistance(station).case_number
    township(station, number, (EventKind.accepted, {}))
    reviewer = CaseService(station, shipped_catalog(), Actor(REVIEWER_ID, Role.reviewer, "王芳"))
    reviewer.complete(number, "approved", "救助金3000元")
    with pytest.raises(ActionRefused, match="办件已办结或已终止，无需认领"):
        reviewer.claim(number)
    assert last(station, number)[1] is EventKind.completed


async def test_the_full_id_is_shown_only_on_its_key_and_the_look_is_recorded(
    station: StationStore, tmp_path: Path
) -> None:
    number = township(station, take_in(station).case_number).case_number
    async with township_app(station, tmp_path / "township").run_test(size=(80, 24)) as pilot:
        await open_review(pilot, number)
        assert ELDER_ID not in flat_text(pilot)
        await pilot.press("i")
        await settle(pilot)
        assert isinstance(pilot.app.screen, MessageDialog)
        assert ELDER_ID in flat_text(pilot)
        view, kind, actor = last(station, number)
    assert (kind, actor) == (EventKind.id_revealed, REVIEWER_ID)
    assert ELDER_ID not in view.history[-1].model_dump_json()  # the record never holds it
    pending = station.outbox_batch(100, 1 << 20)
    assert pending[-1].kind is EventKind.id_revealed  # it syncs to the centre
    assert ELDER_ID not in pending[-1].model_dump_json()


def test_accept_many_accepts_all_in_one_transaction_or_none(station: StationStore) -> None:
    from station.services.cases import ActionRefused, Actor, CaseService
    from sync.events import Role
    from tests.station.conftest import shipped_catalog

    numbers = [township(station, take_in(station, n).case_number).case_number for n in "甲乙"]
    done = take_in(station, "丙").case_number  # taken in, not submitted: may not be accepted
    reviewer = CaseService(station, shipped_catalog(), Actor(REVIEWER_ID, Role.reviewer, "王芳"))
    with pytest.raises(ActionRefused) as refused:
        reviewer.accept_many([*numbers, done])
    assert done in refused.value.message
    assert [last(station, n)[1] for n in numbers] == [EventKind.submitted] * 2  # none written
    views = reviewer.accept_many(numbers)
    assert [v.state for v in views] == ["accepted", "accepted"]
    assert {last(station, n)[2] for n in numbers} == {REVIEWER_ID}


PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
    b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff"
    b"\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)


async def test_a_scan_is_shown_in_the_terminal_from_its_material(
    station: StationStore, tmp_path: Path
) -> None:
    from station.screens.review import ScanViewer, TerminalImage
    from station.services.cases import CaseService
    from tests.station.cases_seed import AGENT, allowance
    from tests.station.conftest import shipped_catalog

    scan = tmp_path / "户口簿.png"
    scan.write_bytes(PNG)
    agent = CaseService(station, shipped_catalog(), AGENT)
    application = allowance()
    application.attachments.append(agent.attach(scan, "hukou"))
    number = township(station, agent.take_in(application, today=NOW.date()).case_number)
    async with township_app(station, tmp_path / "township").run_test(size=(80, 24)) as pilot:
        screen = await open_review(pilot, number.case_number)
        table = screen.query_one("#review-materials")
        table.focus()
        await pilot.press("down")  # 居民身份证 -> 户口簿
        await pilot.press("enter")
        await settle(pilot)
        viewer = pilot.app.screen
        assert isinstance(viewer, ScanViewer) and viewer.shown.title == "户口簿.png"
        assert TerminalImage is not None and viewer.query(TerminalImage)
        await pilot.press("escape")
        await settle(pilot)
        assert pilot.app.screen is screen


@pytest.mark.parametrize("elder", [False, True])
@pytest.mark.parametrize("key", ["a", "b", "j"])
async def test_every_decision_dialog_shows_its_buttons_at_80x24(
    station: StationStore, tmp_path: Path, key: str, elder: bool
) -> None:
    from textual.widgets import Button

    from tests.station.test_fit import clipped_keys

    number = township(station, take_in(station).case_number).case_number
    async with township_app(station, tmp_path / "township").run_test(size=(80, 24)) as pilot:
        await open_review(pilot, number)
        if elder:
            await pilot.press("f2")
        assert clipped_keys(pilot) == []  # the review page's footer fits too
        await pilot.press(key)
        await settle(pilot)
        for button_id in ("#ok", "#cancel"):
            button = pilot.app.screen.query_one(button_id, Button)
            region = button.region
            assert region.height > 0 and region.bottom <= 24 and region.right <= 80, (
                button_id,
                region,
            )


def test_a_reviewer_cannot_accept_an_item_the_county_accepts(station: StationStore) -> None:
    """残疾人证 is accepted (受理) by the county: the township may not accept, return or reject it."""
    from datetime import date

    from station.services.application import ActionRefused, Actor
    from station.services.cases import CaseService
    from station.store import NewEvent
    from sync.events import Role
    from tests.station.conftest import shipped_catalog

    payload = {"kind": "application", "item_code": "640522-CL-003", "applicant": {"name": "张三"}}
    events = [
        NewEvent(EventKind.created, "u-ag", Role.agent, payload),
        NewEvent(EventKind.received, "u-ag", Role.agent, {}),
        NewEvent(EventKind.submitted, "u-ag", Role.agent, {}),
    ]
    (case,) = station.create_cases([events], date(2026, 11, 23))
    reviewer = CaseService(station, shipped_catalog(), Actor("u-wf", Role.reviewer, "王芳"))
    with pytest.raises(ActionRefused, match="由县级部门受理"):
        reviewer.accept(case.case_number)
    with pytest.raises(ActionRefused, match="乡镇不能受理、退回补正或不予受理"):
        reviewer.reject(case.case_number, "不属于本乡镇")
    view = station.get_case(case.case_number)
    assert view is not None and view.state == "submitted"


async def test_tab_in_the_return_dialog_goes_from_the_reason_to_each_items_reason(
    station: StationStore, tmp_path: Path
) -> None:
    number = township(station, take_in(station).case_number).case_number
    async with township_app(station, tmp_path / "township").run_test(size=(80, 24)) as pilot:
        await open_review(pilot, number)
        await pilot.press("b")
        await settle(pilot)
        await pilot.press(*"ok", "tab", "tab", *"xy")  # reason, the first item's tick, its reason
        await settle(pilot)
        assert pilot.app.screen.query_one("#why-0", Input).value == "xy"


async def test_typing_on_an_items_tick_ticks_it_and_writes_its_reason(
    station: StationStore, tmp_path: Path
) -> None:
    """Keys typed while an item's tick had the cursor were lost without a word."""
    from textual.widgets import Checkbox

    number = township(station, take_in(station).case_number).case_number
    async with township_app(station, tmp_path / "township").run_test(size=(80, 24)) as pilot:
        await open_review(pilot, number)
        await pilot.press("b")
        await settle(pilot)
        dialog = pilot.app.screen
        await pilot.press(*"ok", "tab", "tab", "tab")  # the second item's tick
        await settle(pilot)
        assert dialog.focused is dialog.query_one("#tick-1", Checkbox)
        await pilot.press(*"unclear")
        await settle(pilot)
        assert dialog.query_one("#tick-1", Checkbox).value
        assert dialog.query_one("#why-1", Input).value == "unclear"
        assert dialog.focused is dialog.query_one("#why-1", Input)


async def test_a_word_typed_on_a_tick_in_a_burst_is_written_whole(
    station: StationStore, tmp_path: Path
) -> None:
    """Typed fast on a tick, a word's first character moved the cursor to the reason box,
    and the characters sent to the tick before the cursor got there were lost (of
    ``abcdefgh`` only ``a`` was written). Here one of them arrives from the tick once
    the reason box has the cursor, as in a terminal."""
    from textual import events
    from textual.widgets import Checkbox

    number = township(station, take_in(station).case_number).case_number
    async with township_app(station, tmp_path / "township").run_test(size=(80, 24)) as pilot:
        await open_review(pilot, number)
        await pilot.press("b")
        await settle(pilot)
        dialog = pilot.app.screen
        await pilot.press("f9")  # nothing ticked: the cursor goes to the first tick
        await settle(pilot)
        tick = dialog.query_one("#tick-0", Checkbox)
        assert dialog.focused is tick
        await pilot.press("a")
        await settle(pilot)
        assert dialog.focused is dialog.query_one("#why-0", Input)
        late = events.Key("b", "b")  # routed to the tick before the cursor left it
        late._set_forwarded()  # as the app forwards a key: not routed again if none takes it
        tick.post_message(late)
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        assert dialog.query_one("#why-0", Input).value == "abc"
        assert tick.value


async def test_a_reason_too_long_for_its_paper_is_refused_naming_the_box(
    station: StationStore, tmp_path: Path
) -> None:
    """A 950-character reason put the 特别程序告知书's signature lines alone on a second
    page, cut off from the seal and the date. The longest reason allowed prints whole on
    one page, the signature under it."""
    from station.screens.decisions import LONGEST
    from tests.unit.printing.conftest import pdf_info, pdf_text

    number = take_in(station).case_number
    township(station, number, (EventKind.accepted, {}))
    async with township_app(station, tmp_path / "township").run_test(size=(80, 24)) as pilot:
        await open_review(pilot, number)
        await pilot.press("z")  # 暂停
        dialog = pilot.app.screen
        assert isinstance(dialog, PauseDialog)
        reason = dialog.query_one("#reason", Input)
        reason.value = "村内公示，" * 190  # 950 characters
        dialog.query_one("#days", Input).value = "7"
        await pilot.press("f9")
        await settle(pilot)
        assert pilot.app.screen is dialog and dialog.focused is reason
        said = str(dialog.query_one("#form-message", Static).render())
        assert said.startswith(f"原因：最多 {LONGEST} 个字（现在 950 个）"), said
        assert last(station, number)[1] is EventKind.accepted  # nothing decided
        reason.value = ("村内公示七天，" * 40)[:LONGEST]
        await pilot.press("f9")
        await settle(pilot)
        assert last(station, number)[1] is EventKind.paused
    (paper,) = (tmp_path / "township" / "documents").glob(f"特别程序告知书-{number}*.pdf")
    assert pdf_info(paper.read_bytes())["Pages"] == "1"
    text = "".join(pdf_text(paper.read_bytes()).split())
    assert "村内公示七天，村内公示七天" in text and "申请人签收" in text


async def test_a_closed_case_does_not_offer_claim(station: StationStore, tmp_path: Path) -> None:
    """The footer of a case 办结 offered c 认领, which then answered 无需认领."""
    number = take_in_assistance(station).case_number
    township(
        station, number, (EventKind.accepted, {}), (EventKind.completed, {"result": "approved"})
    )
    async with township_app(station, tmp_path / "township").run_test(size=(80, 24)) as pilot:
        await open_review(pilot, number)
        footer = screen_text(pilot).splitlines()[-1]
        assert "认领" not in footer
        await pilot.press("c")
        await settle(pilot)
        assert last(station, number)[1] is EventKind.completed
