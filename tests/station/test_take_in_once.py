"""One draft becomes at most one case, and every failure on a screen is seen (wave 1's defects)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from station.app import DaibanApp
from station.screens.case import CaseScreen
from station.screens.dialogs import MessageDialog
from station.screens.intake import IntakeScreen
from station.store import StationStore
from tests.station.helpers import flat_text, log_in, settle
from tests.station.test_fast_typing import burst
from tests.station.test_intake import ELDER_ID, SON_ID, choose_allowance, fill, fill_allowance


@pytest.mark.slow
async def test_f9_pressed_twice_files_one_case(
    desk: Callable[..., DaibanApp], store: StationStore
) -> None:
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        await choose_allowance(pilot)
        await fill_allowance(pilot)
        burst(pilot, ["f9", "f9", "f9"])  # impatient: three presses before the first is done
        await settle(pilot)
        assert "已收件" in flat_text(pilot)
    assert len(store.list_cases()) == 1
    assert store.list_drafts() == []
    assert store.outbox_depth() == 2  # created + received, once


def _jammed(*args: object, **kwargs: object) -> None:
    """A printer that fails every job."""
    raise OSError(5, "printer on fire")


@pytest.mark.slow
async def test_a_print_failure_keeps_the_one_case_and_says_to_reprint(
    desk: Callable[..., DaibanApp], store: StationStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    import station.services.paper as paper

    monkeypatch.setattr(paper, "produce", _jammed)
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        await choose_allowance(pilot)
        await fill_allowance(pilot)
        await pilot.press("f9")
        await settle(pilot)
        text = flat_text(pilot)
        assert "已收件" in text and "请在办件页补打" in text and "fire" in text
        assert not isinstance(pilot.app.screen, IntakeScreen)  # nothing left to press F9 on
    assert len(store.list_cases()) == 1 and store.list_drafts() == []


async def test_a_relative_with_empty_principal_fields_is_stopped_at_review(
    desk: Callable[..., DaibanApp], store: StationStore
) -> None:
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        screen = await choose_allowance(pilot)
        await fill(pilot, "applicant.name", "马占福")
        await fill(pilot, "applicant.id_number", ELDER_ID)
        await fill(pilot, "applicant.phone", "13895401122")
        screen.query_one("#relation").value = "relative"  # type: ignore[attr-defined]
        await settle(pilot)
        await pilot.press("f9")
        await settle(pilot)
        assert "代办人" in flat_text(pilot)  # the review names the principal's empty fields
        assert store.list_cases() == []
        # F9 took the agent to the first error: the principal's name, on the applicant step
        assert screen.draft.step == 1
        focused = screen.focused
        assert focused is not None and any(
            getattr(a, "path", "") == "principal.name" for a in focused.ancestors
        )
        await fill(pilot, "principal.name", "马小军")
        await fill(pilot, "principal.id_number", SON_ID)
        await settle(pilot)  # the draft's writes are workers: read the store once they ran
    drafts = store.list_drafts()
    assert drafts and drafts[0].data["principal"]["name"] == "马小军"  # nothing typed is lost


async def test_a_failed_worker_on_a_screen_shows_a_chinese_dialog_and_logs_the_detail(
    desk: Callable[..., DaibanApp], store: StationStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(key: str) -> None:
        raise RuntimeError(f"disk gone while reading resident {ELDER_ID}")

    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        monkeypatch.setattr(store, "get_case", broken)
        pilot.app.push_screen(CaseScreen(pilot.app.desk, "640522100201-20261123-0001"))
        await settle(pilot)
        assert isinstance(pilot.app.screen, MessageDialog)
        text = flat_text(pilot)
        assert "打开办件没有完成" in text and "出现了意外错误" in text and "desk.log" in text
        assert ELDER_ID not in text
    log = (store.data_dir / "logs" / "desk.log").read_text(encoding="utf-8")
    assert "RuntimeError" in log and "Traceback" in log
    assert ELDER_ID not in log and ELDER_ID[:6] + "********" in log


async def test_a_wrong_supply_by_date_is_named_and_kept_not_dropped(
    desk: Callable[..., DaibanApp], store: StationStore
) -> None:
    from textual.widgets import Input, Select

    from station.widgets.materials import MaterialRow

    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        await choose_allowance(pilot)
        await fill_allowance(pilot)
        row = next(r for r in pilot.app.screen.query(MaterialRow) if r.spec.key == "bank_card")
        row.query_one("#state", Select).value = "deferred"
        row.query_one("#supply-by", Input).value = "2026-13-45"
        await settle(pilot)
        await pilot.press("f9")
        await settle(pilot)
        text = flat_text(pilot)
        assert "2026-13-45" in text  # still there, as typed
        assert row.has_error and store.list_cases() == []
        assert pilot.app.screen.focused is row.query_one("#supply-by", Input)
    drafts = store.list_drafts()
    assert drafts[0].data["supply_by"]["bank_card"] == "2026-13-45"


async def test_a_resident_registered_in_another_township_is_routed_there(
    desk: Callable[..., DaibanApp], store: StationStore
) -> None:
    """区内通办 at the desk: the case goes to the township of the resident's 户籍."""
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        screen = await choose_allowance(pilot)
        residence = screen.query_one("#residence")
        assert "李旺镇" in [label for label, _code in residence._options]  # type: ignore[attr-defined]
        residence.value = "640522101000"  # type: ignore[attr-defined]
        await settle(pilot)
        await fill_allowance(pilot)
        await pilot.press("f9")
        await settle(pilot)
        assert "已收件" in flat_text(pilot)
    (case,) = store.list_cases()
    view = store.get_case(case.case_number)
    assert view is not None and view.handling_division == "640522101000"


async def test_a_print_failure_keeps_the_one_unresolved_record_and_says_to_reprint(
    desk: Callable[..., DaibanApp], store: StationStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """办不成事 as a take-in: the record is kept once, and the slip's failure is said."""
    from textual.widgets import Input

    import station.services.paper as paper

    monkeypatch.setattr(paper, "produce", _jammed)
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        await pilot.press("u", "n")
        await settle(pilot)
        form = pilot.app.screen
        form.query_one("#what", Input).value = "办理林权证"
        form.query_one("#why", Input).value = "本站无此事项"
        await pilot.press("f9")
        await settle(pilot)
        text = flat_text(pilot)
        assert "已登记" in text and "回执没有打印" in text and "按p补打" in text
        assert "fire" in text
    assert len(store.list_records()) == 1
