"""收件's 材料清单 says what this application must bring as it stands: a material a rule asks
for (代办人身份证 when a relative files, 出生医学证明 for a newborn) reads 必交 while its
condition holds, 视情况 when it does not, and follows the field that decides it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.pilot import Pilot
from textual.widgets import Label, Select

from station.app import DaibanApp
from station.screens.intake import IntakeScreen
from station.store import StationStore
from station.widgets.materials import MaterialRow
from tests.station.helpers import flat_text, log_in, settle
from tests.station.test_intake import SON_ID, choose_allowance, fill, fill_allowance


def title(pilot: Pilot[None], key: str) -> str:
    row = next(r for r in pilot.app.screen.query(MaterialRow) if r.spec.key == key)
    return str(row.query_one(".material-title", Label).render())


async def choose(pilot: Pilot[None], relation: str) -> None:
    pilot.app.screen.query_one("#relation", Select).value = relation
    await settle(pilot)


async def test_the_agents_id_reads_required_while_a_relative_files(
    desk: Callable[..., DaibanApp],
) -> None:
    async with desk().run_test(size=(100, 30)) as pilot:
        await log_in(pilot)
        await choose_allowance(pilot)  # 高龄津贴: 亲属代办须提供代办人身份证
        assert title(pilot, "agent_id") == "代办人居民身份证  (原件 ×1, 视情况)"
        await choose(pilot, "relative")
        assert title(pilot, "agent_id") == "代办人居民身份证  (原件 ×1, 必交)"
        await choose(pilot, "self")
        assert title(pilot, "agent_id") == "代办人居民身份证  (原件 ×1, 视情况)"
        assert title(pilot, "application_form").endswith("必交)")  # required by the catalog


async def test_a_newborns_birth_certificate_reads_required_once_the_category_says_so(
    desk: Callable[..., DaibanApp],
) -> None:
    async with desk().run_test(size=(100, 30)) as pilot:
        await log_in(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(pilot.app.screen, IntakeScreen)
        await pilot.press(*"YB-001", "enter")
        await settle(pilot)
        assert title(pilot, "birth_certificate").endswith("视情况)")
        await pilot.press("f8")
        await fill(pilot, "fields.category", "新生儿")
        assert title(pilot, "birth_certificate").endswith("必交)")
        await fill(pilot, "fields.category", "普通居民")
        assert title(pilot, "birth_certificate").endswith("视情况)")


@pytest.mark.slow
async def test_a_guardian_files_without_a_letter_and_brings_an_id(
    desk: Callable[..., DaibanApp], store: StationStore
) -> None:
    """监护人代办 (a newborn's parent, the guardian of a person without capacity): the
    guardian's details are taken as a relative's, the 代办人身份证 is asked for, and no
    授权委托书 is offered (the applicant cannot sign one); the case records the guardian."""
    async with desk().run_test(size=(100, 30)) as pilot:
        await log_in(pilot)
        screen = await choose_allowance(pilot)
        await choose(pilot, "guardian")
        assert "监护人代为办理" in flat_text(pilot)  # the choice as the drop-down shows it
        assert screen.query_one("#principal-box").display
        assert not screen.query_one("#authorization").display
        assert screen.check_action("authorization", ()) is False
        assert title(pilot, "agent_id").endswith("必交)")
        await fill(pilot, "principal.name", "马小兰")
        await fill(pilot, "principal.id_number", SON_ID)
        await fill(pilot, "principal.phone", "13995500002")
        await fill_allowance(pilot)
        await pilot.press("f9")
        await settle(pilot)
        assert "已收件" in flat_text(pilot)
    (listed,) = store.list_cases()
    case = store.get_case(listed.case_number)
    assert case is not None and case.relation == "guardian"
    assert case.principal is not None and case.principal.name == "马小兰"
    assert case.materials["agent_id"] == "provided"


def test_the_papers_and_the_case_page_name_the_guardian() -> None:
    from printing.fmt import relation_text
    from station.services import _ as services_
    from station.services.review import RELATIONS

    assert relation_text("guardian") == "监护人代办"
    assert services_(RELATIONS["guardian"]) == "监护人代办"


async def test_the_applicant_as_their_own_representative_is_said_at_the_field(
    desk: Callable[..., DaibanApp], store: StationStore
) -> None:
    """王兰 was entered as her own 代办人 (亲属代为办理) and F9 said nothing of it; the notice
    pointed at ✗ marks that were only on the 核对 page."""
    from tests.station.test_intake import ELDER_ID, editor

    async with desk().run_test(size=(100, 30)) as pilot:
        await log_in(pilot)
        await choose_allowance(pilot)
        await choose(pilot, "relative")
        await fill(pilot, "principal.name", "马占福")
        await fill(pilot, "principal.id_number", ELDER_ID)
        await fill(pilot, "principal.phone", "13995500002")
        await fill_allowance(pilot)
        await pilot.press("f9")
        await settle(pilot)

        notices = [str(n.message) for n in pilot.app._notifications]
        said = "代办人身份证号码：与申请人的相同；申请人本人来办，请在“由谁来办理”选本人办理"
        assert f"未收件：还有 1 处要改，已转到第一处：{said}" in notices, notices
        field = editor(pilot, "principal.id_number")
        assert field.region.height and said.replace("“", "") in flat_text(pilot).replace("“", "")
        assert field.query_one("Input").value == ELDER_ID  # kept as typed
    assert store.list_cases() == []


async def test_f8_stops_once_at_a_representative_with_the_applicant_s_id_number(
    desk: Callable[..., DaibanApp],
) -> None:
    """The trial's agent typed the applicant's own ID number as the 代办人's and heard of it
    only at 核对, three steps on: F8 now says it on the step, with the cursor in the
    代办人's ID box, once; F8 again goes on (收件 still refuses it until put right)."""
    from station.screens.intake_model import STEPS
    from tests.station.test_intake import ELDER_ID, editor

    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        screen = await choose_allowance(pilot)
        await fill(pilot, "applicant.name", "马占福")
        await fill(pilot, "applicant.id_number", ELDER_ID)
        await choose(pilot, "relative")
        await fill(pilot, "principal.name", "马小福")
        await fill(pilot, "principal.id_number", ELDER_ID)
        await pilot.press("f8")
        await settle(pilot)

        assert STEPS[screen.draft.step] == "applicant"
        said = [str(n.message) for n in pilot.app._notifications]
        assert any("代办人身份证号码：与申请人的相同" in m and "再按一次 F8" in m for m in said)
        assert editor(pilot, "principal.id_number").query_one("Input").has_focus

        await pilot.press("f8")  # again: on to the form, the number kept to put right
        await settle(pilot)
        assert STEPS[screen.draft.step] == "form"
        assert screen.draft.principal["id_number"] == ELDER_ID
