"""Papers at the take-in print only what is true: no 一次性告知书 for an applicant the item is
not for, no 授权委托书 with a wrong or missing name or ID number, nothing recorded as brought
that the agent did not tick, and a receipt whose date says how it was counted."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from textual.widgets import Select

from forms.workdays import due_date
from printing import documents
from printing.fmt import cn_date
from station.app import DaibanApp
from station.documents import document_for
from station.screens.case import CaseScreen
from station.screens.dialogs import SupplementDialog
from station.screens.intake import IntakeScreen
from station.store import StationStore
from tests.station.cases_seed import take_in
from tests.station.conftest import shipped_catalog
from tests.station.helpers import flat_text, log_in, screen_text, settle
from tests.station.test_intake import ELDER_ID, SON_ID, choose_allowance, editor, fill
from tests.unit.printing.conftest import pdf_text

BORN_1955 = "640522195501011021"
"""The tester's applicant: 71 on the desk's day, too young for the 80周岁 allowance."""
AGENT_ID = "64052219880707124X"


def _notices(pilot: object) -> list[str]:
    return [str(n.message) for n in pilot.app._notifications]  # type: ignore[attr-defined]


def _papers(store: StationStore, kind: str) -> list[Path]:
    title = {"notice": "一次性告知书", "authorization": "授权委托书"}[kind]
    return list((store.data_dir / "documents").glob(f"{title}-*.pdf"))


async def test_f4_refuses_the_notice_for_an_applicant_who_does_not_meet_the_age(
    desk: Callable[..., DaibanApp], store: StationStore
) -> None:
    """The notice says its list is all that is lacking: it was printed for a 71-year-old."""
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        await choose_allowance(pilot)
        await fill(pilot, "applicant.name", "马占福")
        await fill(pilot, "applicant.id_number", BORN_1955)
        await pilot.press("f4")
        await settle(pilot)
        said = "\n".join(_notices(pilot))
        assert "申请人不符合办理条件（年满80周岁：申请人现年71周岁" in said
        assert "不能出具一次性告知书" in said
        await pilot.press("f9")  # refused: and not told that F4 prints a notice
        await settle(pilot)
        assert "F4" not in flat_text(pilot) and "F4" not in _notices(pilot)[-1]
        assert isinstance(pilot.app.screen, IntakeScreen)
    assert _papers(store, "notice") == []


async def _filed_by_agent(pilot: object) -> None:
    await log_in(pilot)  # type: ignore[arg-type]
    await choose_allowance(pilot)  # type: ignore[arg-type]
    pilot.app.screen.query_one("#relation", Select).value = "agent"  # type: ignore[attr-defined]
    await settle(pilot)  # type: ignore[arg-type]
    await fill(pilot, "applicant.name", "马占福")  # type: ignore[arg-type]
    await fill(pilot, "applicant.id_number", ELDER_ID)  # type: ignore[arg-type]


async def test_f6_refuses_a_letter_with_a_17_digit_id_number_and_keeps_it(
    desk: Callable[..., DaibanApp], store: StationStore
) -> None:
    async with desk().run_test(size=(80, 24)) as pilot:
        await _filed_by_agent(pilot)
        await fill(pilot, "principal.name", "马建国")
        await fill(pilot, "principal.id_number", SON_ID[:17])
        await pilot.press("f6")
        await settle(pilot)
        said = _notices(pilot)[-1]
        assert "授权委托书未打印" in said and "代办人身份证号码：身份证号码应为18位" in said
        assert editor(pilot, "principal.id_number").has_error  # the cursor is sent there
        assert pilot.app.focused is editor(pilot, "principal.id_number").query_one("Input")
    assert _papers(store, "authorization") == []
    (draft,) = store.list_drafts()
    assert draft.data["principal"]["id_number"] == SON_ID[:17]  # nothing typed is lost


async def test_f6_refuses_a_letter_naming_nobody_as_the_one_entrusted(
    desk: Callable[..., DaibanApp], store: StationStore
) -> None:
    """Every 代办人 field empty: it printed the signed-in agent as 受托人 with a blank ID line."""
    async with desk().run_test(size=(80, 24)) as pilot:
        await _filed_by_agent(pilot)
        await pilot.press("f6")
        await settle(pilot)
        said = _notices(pilot)[-1]
        assert "代办人姓名：必填" in said and "代办人身份证号码：必填" in said
        assert "请在代办人一栏填写代办员本人的姓名和身份证号码" in said
    assert _papers(store, "authorization") == []


async def test_f6_names_the_station_agent_entered_as_the_one_entrusted(
    desk: Callable[..., DaibanApp], store: StationStore
) -> None:
    """帮代办 by the station: the agent typed as the 代办人 is printed with her post."""
    async with desk().run_test(size=(80, 24)) as pilot:
        await _filed_by_agent(pilot)
        await fill(pilot, "principal.name", "马丽")
        await fill(pilot, "principal.id_number", AGENT_ID)
        await pilot.press("f6")
        await settle(pilot)
    (letter,) = _papers(store, "authorization")
    text = "".join(pdf_text(letter.read_bytes()).split())
    assert "受托人马丽" in text and AGENT_ID in text and "山门村便民服务站代办员" in text
    assert "委托人马占福" in text and ELDER_ID in text


async def test_supplement_opens_with_nothing_ticked_and_records_nothing_on_enter(
    desk: Callable[..., DaibanApp], store: StationStore
) -> None:
    """The owed 容缺 material was ticked at first: one Enter recorded it as brought."""
    case = take_in(store)  # the bank card copy is 容缺
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        pilot.app.push_screen(CaseScreen(pilot.app.desk, case.case_number))  # type: ignore[attr-defined]
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        assert isinstance(pilot.app.screen, SupplementDialog)
        shown = screen_text(pilot)
        assert "▐✓▌" not in shown and "社会保障卡或存折复印件（待补）" in flat_text(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, SupplementDialog)
        assert "请至少勾选一项材料" in flat_text(pilot)
        assert "▐✓▌" not in screen_text(pilot)  # Enter confirms; it ticks nothing
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, SupplementDialog)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(pilot.app.screen, CaseScreen)
    after = store.get_case(case.case_number)
    assert after is not None and after.materials["bank_card"] == "deferred"
    assert [e.kind.value for e in after.history] == [e.kind.value for e in case.history]


async def test_supplement_records_what_was_ticked(
    desk: Callable[..., DaibanApp], store: StationStore
) -> None:
    case = take_in(store)
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        pilot.app.push_screen(CaseScreen(pilot.app.desk, case.case_number))  # type: ignore[attr-defined]
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        await pilot.press("space", "enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, CaseScreen)
    after = store.get_case(case.case_number)
    assert after is not None and after.materials["bank_card"] == "provided"


def test_the_receipt_of_a_case_says_how_its_date_was_counted(store: StationStore) -> None:
    """3 days to report it, then the 20-day limit: the paper says so, beside the date."""
    case = take_in(store)
    item = shipped_catalog().get(case.item_code)
    doc = document_for(store, shipped_catalog(), "receipt", case.case_number, today=date.today())
    text = "".join(pdf_text(documents.render_receipt(doc).pdf).split())  # type: ignore[arg-type]
    days = item.path.forward_days
    expected = due_date(doc.received_at.date(), days + item.promised_days).date
    assert f"预计办结日期{cn_date(expected)}（含报送{days}个工作日）" in text
    assert f"预计办结日期按报送{days}个工作日加承诺时限{item.promised_days}个工作日计算" in text
