"""审核台: a township reviewer's home lists its villages' cases by section, marks deadlines
(红黄牌, 行政许可法 §32 included), flags duplicates and shows who claimed a case."""

from __future__ import annotations

import re
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Select

from station.app import make_app
from station.config import load_settings
from station.screens.review import ReviewScreen
from station.screens.review_queue import ReviewQueueScreen
from station.screens.review_queue_rows import detail_text
from station.services.auth import LoginGate
from station.services.desk import Desk
from station.store import NewEvent, StationStore
from sync.events import EventKind, Role
from tests.station.conftest import shipped_catalog
from tests.station.helpers import elder_on, flat_text, log_in, screen_text, settle
from tests.station.queue_seed import Village, at, decide, deliver, township_store
from tests.station.test_fit import clipped_keys
from tests.station.test_intake import ELDER_ID, id_number
from tests.station.test_snapshots import still
from tests.unit.printing.conftest import pdf_text

LI_ID = id_number("64052219380812002")
ZHANG_ID = id_number("64052219390101003")


@dataclass
class Township:
    """A township station and two of its villages."""

    store: StationStore
    shanmen: Village
    lizhuang: Village
    data_dir: Path

    def deliver(self) -> None:
        """The villages' new events reach the township (a pull)."""
        deliver(self.store, self.shanmen, self.lizhuang)


@pytest.fixture
def town(tmp_path: Path) -> Iterator[Township]:
    """海城镇 with 山门村 and 武塬村 (whose station is named 李庄村便民服务站)."""
    town = Township(
        store=township_store(tmp_path / "township"),
        shanmen=Village(tmp_path / "shanmen", "640522100201", "山门村便民服务站"),
        lizhuang=Village(tmp_path / "lizhuang", "640522100202", "李庄村便民服务站"),
        data_dir=tmp_path / "township",
    )
    yield town
    town.shanmen.close()
    town.lizhuang.close()
    town.store.close()


def desk_on(town: Township, today: date) -> Desk:
    """The township's desk core on ``today`` (10:00 China time), without a screen."""
    return Desk(
        settings=load_settings(town.data_dir),
        store=town.store,
        gate=LoginGate(town.store),
        clock=lambda: at(today),
        _catalog=shipped_catalog(),
    )


@asynccontextmanager
async def queue_on(
    town: Township, today: date, who: str = "wangfang"
) -> AsyncIterator[Pilot[None]]:
    """The desk at the township on ``today`` (10:00 China time), the reviewer signed in."""
    app = make_app(
        load_settings(town.data_dir),
        store=town.store,
        clock=lambda: at(today),
        catalog=shipped_catalog(),
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await log_in(pilot, who)
        assert isinstance(pilot.app.screen, ReviewQueueScreen)
        yield pilot


def rows(pilot: Pilot[None]) -> list[str]:
    """The case numbers in the queue's table, top to bottom."""
    table = pilot.app.screen.query_one("#queue-table", DataTable)
    return [str(row.value) for row in table.rows]


def cells(pilot: Pilot[None], number: str) -> list[str]:
    """One row's cells as plain text."""
    table = pilot.app.screen.query_one("#queue-table", DataTable)
    return [str(cell) for cell in table.get_row(number)]


def section_bar(pilot: Pilot[None]) -> str:
    """The header line with every section's count."""
    return str(pilot.app.screen.query_one("#queue-sections").render())


async def test_the_reviewer_home_lists_waiting_cases_oldest_first_with_counts(
    town: Township,
) -> None:
    newer = town.shanmen.submit("马占福", at(date(2026, 11, 20)))
    oldest = town.lizhuang.submit("李秀英", at(date(2026, 11, 17)), LI_ID)
    middle = town.shanmen.submit("张桂兰", at(date(2026, 11, 18)), ZHANG_ID)
    accepted = town.lizhuang.submit(
        "王福海", at(date(2026, 11, 16)), id_number("64052219400303004")
    )
    town.deliver()
    decide(town.store, accepted.case_number, EventKind.accepted, at(date(2026, 11, 16)))
    async with queue_on(town, date(2026, 11, 23)) as pilot:
        assert rows(pilot) == [oldest.case_number, middle.case_number, newer.case_number]
        assert "1待受理 3" in section_bar(pilot) and "3办理中 1" in section_bar(pilot)
        # village, item, applicant with a masked ID, submitted on, working days waiting
        first = cells(pilot, oldest.case_number)
        assert first[1:] == [
            "武塬村",  # the village of 640522100202, not its station's name: one village,
            # one name, whatever its PC is called (a re-enrolled PC read as another village)
            "高龄津贴",
            "李秀英 ****0020",
            "11-17",
            "4天",
            "",
        ]  # short name
        assert cells(pilot, newer.case_number)[5] == "1天"
        text = flat_text(pilot)
        assert "审核台" in text and "王芳" in text
        footer = screen_text(pilot).splitlines()[-1]  # the sync key shown, the help still in
        assert "F5 同步" in footer and "F1 帮助" in footer
        assert LI_ID not in text and ELDER_ID not in text  # never the whole number
        assert "李庄村便民服务站" in text and "640522********0020" in text  # the detail lines
        await pilot.press("3")
        await settle(pilot)
        assert rows(pilot) == [accepted.case_number]


async def test_enter_opens_the_oldest_case_and_esc_comes_back(town: Township) -> None:
    oldest = town.shanmen.submit("马占福", at(date(2026, 11, 19)))
    town.lizhuang.submit("李秀英", at(date(2026, 11, 20)), LI_ID)
    town.deliver()
    async with queue_on(town, date(2026, 11, 23)) as pilot:
        queue = pilot.app.screen
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ReviewScreen)
        assert oldest.case_number in flat_text(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert pilot.app.screen is queue and rows(pilot)[0] == oldest.case_number


async def test_the_whole_case_list_opens_the_review_page_for_a_reviewer(town: Township) -> None:
    """l listed every case, and a closed one opened the village's page, whose p printed
    the village's 收件回执 instead of the township's papers."""
    from station.screens.cases import CasesScreen

    done = town.shanmen.submit("马占福", at(date(2026, 11, 19)))
    town.deliver()
    decide(town.store, done.case_number, EventKind.accepted, at(date(2026, 11, 19)))
    decide(
        town.store,
        done.case_number,
        EventKind.completed,
        at(date(2026, 11, 20)),
        {"result": "approved"},
    )
    async with queue_on(town, date(2026, 11, 23)) as pilot:
        await pilot.press("l")
        await settle(pilot)
        assert isinstance(pilot.app.screen, CasesScreen)
        pilot.app.screen.query_one("#cases-search", Input).value = done.case_number
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ReviewScreen)
        assert done.case_number in flat_text(pilot) and "办结" in flat_text(pilot)


async def test_filters_and_search_narrow_the_queue(town: Township) -> None:
    ma = town.shanmen.submit("马占福", at(date(2026, 11, 19)))
    zhang = town.shanmen.submit("张桂兰", at(date(2026, 11, 20)), ZHANG_ID)
    li = town.lizhuang.submit("李秀英", at(date(2026, 11, 18)), LI_ID)
    town.deliver()
    returned = {"reason": "户口簿复印件不清晰", "missing": ["hukou"]}
    decide(town.store, zhang.case_number, EventKind.returned, at(date(2026, 11, 20)), returned)
    async with queue_on(town, date(2026, 11, 23)) as pilot:
        screen = pilot.app.screen
        assert rows(pilot) == [li.case_number, ma.case_number]
        await pilot.press("v")  # the village filter opens; pick 山门村
        await settle(pilot)
        screen.query_one("#queue-village", Select).value = "山门村"
        await settle(pilot)
        assert rows(pilot) == [ma.case_number]
        assert "1待受理 1" in section_bar(pilot) and "2补正中 1" in section_bar(pilot)
        screen.query_one("#queue-state", Select).value = "returned"
        await settle(pilot)
        assert "1待受理 0" in section_bar(pilot) and rows(pilot) == []
        await pilot.press("2")
        await settle(pilot)
        assert rows(pilot) == [zhang.case_number]
        # 补正中: returned on, and the village's correction deadline (5 working days)
        assert cells(pilot, zhang.case_number)[4:6] == ["11-20", "11-27"]
        await pilot.press("x")  # every filter cleared
        await settle(pilot)
        await pilot.press("1", "slash")
        await settle(pilot)
        assert isinstance(pilot.app.focused, Input)
        for query, expected in (("lxy", [li.case_number]), ("马占", [ma.case_number])):
            screen.query_one("#queue-search", Input).value = query
            await settle(pilot)
            assert rows(pilot) == expected, query
        screen.query_one("#queue-search", Input).value = LI_ID  # a whole ID number
        await settle(pilot)
        assert rows(pilot) == [li.case_number]
        screen.query_one("#queue-search", Input).value = "高龄"  # an item's name finds nothing
        await settle(pilot)
        assert rows(pilot) == []  # and it says so, not that the section is empty
        text = flat_text(pilot)  # the queue holds open cases: where the finished ones are
        assert "待办队列中没有符合查找或筛选条件的办件（按x清空条件）" in text
        assert "已办结、不予受理的办件请按Esc回到列表后按l，在全部办件中查找" in text
        # found, but in another section: said where (the trial's reviewer saw an empty list)
        screen.query_one("#queue-search", Input).value = "张桂兰"
        await settle(pilot)
        assert rows(pilot) == [] and "2补正中 1" in section_bar(pilot)
        assert "本栏没有；找到的在：2补正中1件（先按Esc离开查找框，再按数字键）。" in flat_text(
            pilot
        )


RECEIVED_BEFORE_NATIONAL_DAY = date(2026, 9, 30)
"""A Wednesday; 10-01..10-07 are holidays and Saturday 10-10 is a make-up working day."""
RECEIVED_FRIDAY_BEFORE_MID_AUTUMN = date(2026, 9, 18)
"""A Friday; Sunday 09-20 is a make-up working day, Friday 09-25 a holiday."""


@pytest.mark.parametrize(
    ("received", "today", "card", "waited"),
    [
        (RECEIVED_BEFORE_NATIONAL_DAY, date(2026, 10, 7), "", "0天"),  # the holiday
        (RECEIVED_BEFORE_NATIONAL_DAY, date(2026, 10, 10), "", "3天"),  # make-up Saturday
        (RECEIVED_BEFORE_NATIONAL_DAY, date(2026, 10, 12), "黄牌", "4天"),
        (RECEIVED_BEFORE_NATIONAL_DAY, date(2026, 10, 13), "红牌", "5天"),
        (RECEIVED_FRIDAY_BEFORE_MID_AUTUMN, date(2026, 9, 22), "", "3天"),
        (RECEIVED_FRIDAY_BEFORE_MID_AUTUMN, date(2026, 9, 23), "黄牌", "4天"),
        (RECEIVED_FRIDAY_BEFORE_MID_AUTUMN, date(2026, 9, 24), "红牌", "5天"),
        (RECEIVED_FRIDAY_BEFORE_MID_AUTUMN, date(2026, 9, 28), "红牌", "6天"),
    ],
)
async def test_section_32_marks_come_on_working_days_4_and_5(
    town: Township, received: date, today: date, card: str, waited: str
) -> None:
    case = town.shanmen.submit("马占福", at(received, hour=16))
    town.deliver()
    async with queue_on(town, today) as pilot:
        row = cells(pilot, case.case_number)
        assert (row[0], row[5]) == (card, waited)
        bar = section_bar(pilot)
        assert ("5即将超期 1" in bar) == (card == "黄牌")
        assert ("6已超期 1" in bar) == (card == "红牌")
        if card:  # 高龄津贴 is no 行政许可: the 5 days are kept, the law is not cited
            text = flat_text(pilot)
            assert "前须受理或退回补正" in text and "行政许可法" not in text
            queue = pilot.app.screen
            assert isinstance(queue, ReviewQueueScreen)
            permit = replace(queue.entries[case.case_number], licensing=True)
            assert "前须受理或退回补正（行政许可法第32条）" in detail_text(permit)


async def test_the_decision_deadline_turns_yellow_then_red(town: Township) -> None:
    case = town.shanmen.submit("马占福", at(date(2026, 11, 2)))  # 高龄津贴: 20 working days
    town.deliver()
    decide(town.store, case.case_number, EventKind.accepted, at(date(2026, 11, 2)))
    due = town.store.get_case(case.case_number)
    assert due is not None
    for today, card, left in (
        (date(2026, 11, 26), "", "剩2个工作日"),
        (date(2026, 11, 27), "黄牌", "剩1个工作日"),
        (date(2026, 11, 30), "黄牌", "今天到期"),
        (date(2026, 12, 2), "红牌", "超2个工作日"),
    ):
        async with queue_on(town, today) as pilot:
            await pilot.press("3")
            await settle(pilot)
            row = cells(pilot, case.case_number)
            assert (row[0], row[4], row[5]) == (card, "11-30", left), today


async def test_a_duplicate_application_is_flagged_until_the_other_is_closed(
    town: Township,
) -> None:
    first = town.shanmen.submit("马占福", at(date(2026, 11, 19)))
    again = town.lizhuang.submit("马占福", at(date(2026, 11, 20)))  # same ID, same item
    other = town.lizhuang.submit("李秀英", at(date(2026, 11, 20)), LI_ID)
    town.deliver()
    async with queue_on(town, date(2026, 11, 23)) as pilot:
        assert cells(pilot, first.case_number)[6] == "重复"
        assert cells(pilot, again.case_number)[6] == "重复"
        assert cells(pilot, other.case_number)[6] == ""
        text = flat_text(pilot)  # the oldest is highlighted: its detail names the other case
        assert f"重复申请：同一申请人同一事项另有未办结的{again.case_number}" in text
        # and where the reviewer decides: the 批量受理 question, the review page, 受理's dialog
        await pilot.press("A")
        await settle(pilot)
        assert f"与{again.case_number}重复申请" in flat_text(pilot).replace("█", "")
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        warning = f"重复申请：该申请人此事项已有未办结的办件（{again.case_number}）"
        assert isinstance(pilot.app.screen, ReviewScreen)
        assert warning in flat_text(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert "⚠" + warning in flat_text(pilot).replace("█", "")
        await pilot.press("escape")
        await settle(pilot)
    reason = {"reason": "重复申请", "apply_instead": ""}
    decide(town.store, again.case_number, EventKind.rejected, at(date(2026, 11, 23)), reason)
    async with queue_on(town, date(2026, 11, 23)) as pilot:
        assert cells(pilot, first.case_number)[6] == ""


def claim(store: StationStore, case_number: str, actor_id: str) -> None:
    """A colleague's claim (认领): a ``claimed`` event written at this station."""
    event = NewEvent(EventKind.claimed, actor_id, Role.reviewer, device_time=at(date(2026, 11, 23)))
    store.append(case_number, [event])


async def test_a_case_a_colleague_claimed_shows_who_has_it(town: Township) -> None:
    taken = town.shanmen.submit("马占福", at(date(2026, 11, 19)))
    free = town.lizhuang.submit("李秀英", at(date(2026, 11, 20)), LI_ID)
    town.deliver()
    claim(town.store, taken.case_number, "u-lq")  # 李强
    async with queue_on(town, date(2026, 11, 23)) as pilot:
        assert cells(pilot, taken.case_number)[6] == "李强已认领"
        assert cells(pilot, free.case_number)[6] == ""
        assert "已被李强认领" in flat_text(pilot)
    async with queue_on(town, date(2026, 11, 23), who="liqiang") as pilot:
        assert cells(pilot, taken.case_number)[6] == "我已认领"


async def test_paused_cases_show_their_kind(town: Township) -> None:
    case = town.shanmen.submit("马占福", at(date(2026, 11, 16)))
    town.deliver()
    decide(town.store, case.case_number, EventKind.accepted, at(date(2026, 11, 16)))
    pause = {"reason": "公示七日", "kind": "公示"}
    decide(town.store, case.case_number, EventKind.paused, at(date(2026, 11, 18)), pause)
    async with queue_on(town, date(2026, 11, 23)) as pilot:
        assert "4公示/暂停 1" in section_bar(pilot)
        await pilot.press("4")
        await settle(pilot)
        assert cells(pilot, case.case_number)[4:6] == ["11-18", "公示"]


@pytest.mark.parametrize("elder", [False, True])
async def test_the_queue_footer_fits_at_80x24(town: Township, elder: bool) -> None:
    town.shanmen.submit("马占福", at(date(2026, 11, 19)))
    town.deliver()
    async with queue_on(town, date(2026, 11, 23)) as pilot:
        if elder:
            await elder_on(pilot)
            await settle(pilot)
        assert clipped_keys(pilot) == []
        assert "1-6 分类" in screen_text(pilot)


@pytest.mark.parametrize("mode", ["normal", "elder"])
def test_queue_snapshot(snap_compare: Callable[..., bool], town: Township, mode: str) -> None:
    town.shanmen.submit("马占福", at(date(2026, 11, 16)))  # 红牌 (§32, day 5)
    town.lizhuang.submit("马占福", at(date(2026, 11, 17)))  # 黄牌 (day 4), a duplicate
    claimed = town.shanmen.submit("李秀英", at(date(2026, 11, 19)), LI_ID)
    town.lizhuang.submit("张桂兰", at(date(2026, 11, 20)), ZHANG_ID)
    town.deliver()
    claim(town.store, claimed.case_number, "u-lq")
    app = make_app(
        load_settings(town.data_dir),
        store=town.store,
        clock=lambda: at(date(2026, 11, 23)),
        catalog=shipped_catalog(),
    )

    async def run_before(pilot: Pilot[None]) -> None:
        if mode == "elder":
            await elder_on(pilot)
        await log_in(pilot, "wangfang")
        await settle(pilot)
        await still(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_a_completed_case_is_still_open_for_duplicates_a_delivered_one_is_not(
    town: Township,
) -> None:
    """Open means not rejected, withdrawn, delivered or discarded: a 办结 result not yet
    handed over still makes a new application for the same item a duplicate."""
    from station.services.review_queue import Section, read_queue

    done = town.shanmen.submit("马占福", at(date(2026, 11, 2)))
    town.deliver()
    for kind, payload in (
        (EventKind.accepted, {}),
        (EventKind.completed, {"result": "approved"}),
    ):
        decide(town.store, done.case_number, kind, at(date(2026, 11, 6)), payload)
    new = town.lizhuang.submit("马占福", at(date(2026, 11, 20)))
    town.deliver()
    desk = desk_on(town, date(2026, 11, 23))

    def waiting() -> list[tuple[str, tuple[str, ...]]]:
        return [(e.case_number, e.duplicate) for e in read_queue(desk).sections[Section.waiting]]

    assert waiting() == [(new.case_number, (done.case_number,))]
    handed = NewEvent(EventKind.handed_over, "u-agent-201", Role.agent, {"how": "本人领取"})
    town.store.append(done.case_number, [handed])  # 已送达: closed
    assert waiting() == [(new.case_number, ())]
    # the page and the 受理 question still say it was granted before, as the county counts
    from station.services.review import _duplicate

    view = town.store.get_case(new.case_number)
    assert view is not None
    said, numbers = _duplicate(town.store, view)
    assert said == f"重复申请：该群众的此事项已办结通过（{done.case_number}）。"
    assert numbers == [done.case_number]  # a 不予受理's reason names it


async def test_space_ticks_cases_and_a_accepts_them_all_as_the_reviewer(town: Township) -> None:
    ma = town.shanmen.submit("马占福", at(date(2026, 11, 19)))
    zhang = town.shanmen.submit("张桂兰", at(date(2026, 11, 20)), ZHANG_ID)
    li = town.lizhuang.submit("李秀英", at(date(2026, 11, 18)), LI_ID)
    town.deliver()
    async with queue_on(town, date(2026, 11, 23)) as pilot:
        assert rows(pilot) == [li.case_number, ma.case_number, zhang.case_number]
        await pilot.press("down", "space", "down", "space")  # 马占福 and 张桂兰
        await settle(pilot)
        queue = pilot.app.screen
        assert isinstance(queue, ReviewQueueScreen)
        assert queue.marked == {ma.case_number, zhang.case_number}
        assert "✔" in screen_text(pilot)
        await pilot.press("A")
        await settle(pilot)
        assert "受理这2件办件吗" in flat_text(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert rows(pilot) == [li.case_number]  # the two left 待受理
        told = [str(n.message) for n in pilot.app._notifications]
        assert any(m.startswith("已受理 2 件") and m.count("受理通知书") == 2 for m in told), told
    for case, state in ((ma, "accepted"), (zhang, "accepted"), (li, "submitted")):
        view = town.store.get_case(case.case_number)
        assert view is not None and view.state == state
    accepted = town.store.get_case(ma.case_number)
    assert accepted is not None and accepted.history[-1].actor_id == "u-wf"
    # 批量受理 gives each case its own 受理通知书, numbered from the office's sequence: on
    # main it printed none (the law asks a written, dated notice of every acceptance)
    numbers = []
    for case in (ma, zhang):
        (paper,) = (town.data_dir / "documents").glob(f"受理通知书-{case.case_number}*.pdf")
        text = "".join(pdf_text(paper.read_bytes()).split())
        assert case.applicant is not None and case.applicant.name in text
        assert "受理通知书" in text
        found = re.search(r"受〔2026〕(\d+)号", text)
        assert found is not None, text
        numbers.append(int(found.group(1)))
    assert sorted(numbers) == [1, 2]


async def test_a_read_begun_before_a_decision_never_shows_the_queue_after_it(
    town: Township,
) -> None:
    """Two reads of the queue in flight (one begun on showing the screen, one after a
    decision): the older one finishing last must not put the decided case back."""
    ma = town.shanmen.submit("马占福", at(date(2026, 11, 19)))
    li = town.lizhuang.submit("李秀英", at(date(2026, 11, 18)), LI_ID)
    town.deliver()
    async with queue_on(town, date(2026, 11, 23)) as pilot:
        queue = pilot.app.screen
        assert isinstance(queue, ReviewQueueScreen)
        assert rows(pilot) == [li.case_number, ma.case_number]
        real_read, real_post = queue.reader.read, queue.post_message
        fresh: list[object] = []
        fresh_shown = threading.Event()

        def read(filters: Any, fresh_read: bool = False) -> Any:
            data = real_read(filters, fresh=fresh_read)
            if not fresh:  # the older read: it finishes only after the newer one posted
                fresh.append(None)
                assert fresh_shown.wait(timeout=30)
            else:
                fresh[0] = data
            return data

        def post(message: Any) -> bool:
            posted = real_post(message)
            if getattr(message, "data", None) is not None and message.data is fresh[0]:
                fresh_shown.set()
            return posted

        queue.reader.read = lambda filters, fresh=False: read(filters, fresh)  # type: ignore[method-assign]
        queue.post_message = post  # type: ignore[method-assign]
        queue.action_refresh()  # the older read: 马占福 still 待受理
        await pilot.pause()
        while not fresh:  # it has read the queue and waits
            await pilot.pause()
        queue.desk.service().accept_many([ma.case_number])
        queue.action_refresh()  # the newer read, after the decision
        await settle(pilot)

        assert fresh_shown.is_set()
        assert rows(pilot) == [li.case_number]


async def test_a_case_resubmitted_after_correction_says_so_in_the_queue(town: Township) -> None:
    # it looked new: the 注 column empty, only its first submission's day shown
    zhang = town.shanmen.submit("张桂兰", at(date(2026, 11, 16)), ZHANG_ID)
    fresh = town.lizhuang.submit("李秀英", at(date(2026, 11, 20)), LI_ID)
    town.deliver()
    returned = {"reason": "户口簿复印件不清晰", "missing": ["hukou"]}
    decide(town.store, zhang.case_number, EventKind.returned, at(date(2026, 11, 17)), returned)
    back = NewEvent(
        EventKind.resubmitted, "u-agent-201", Role.agent, device_time=at(date(2026, 11, 20))
    )
    town.store.append(zhang.case_number, [back])  # the village's resubmission, as pulled
    async with queue_on(town, date(2026, 11, 23)) as pilot:
        assert set(rows(pilot)) == {zhang.case_number, fresh.case_number}
        assert cells(pilot, zhang.case_number)[-1] == "补正重报"
        assert cells(pilot, fresh.case_number)[-1] == ""
        table = pilot.app.screen.query_one("#queue-table", DataTable)
        table.move_cursor(row=rows(pilot).index(zhang.case_number))
        await settle(pilot)
        assert "2026-11-16报送·2026-11-20补正后重新报送" in flat_text(pilot)


async def test_the_township_s_case_list_says_which_village_each_case_came_from(
    town: Township,
) -> None:
    from station.screens.cases import CasesScreen

    ma = town.shanmen.submit("马占福", at(date(2026, 11, 19)))
    li = town.lizhuang.submit("李秀英", at(date(2026, 11, 18)), LI_ID)
    town.deliver()
    async with queue_on(town, date(2026, 11, 23)) as pilot:
        await pilot.press("l")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, CasesScreen)
        table = screen.query_one(DataTable)
        places = {
            str(table.get_row(number)[0]): str(table.get_row(number)[-1])
            for number in (ma.case_number, li.case_number)
        }
    catalog = shipped_catalog()
    for number, place in places.items():
        village = catalog.division_entry(number[:12])
        assert village is not None and place == village.name  # 山门村, not a code


def cursor_on(pilot: Pilot[None], selector: str = "#queue-table") -> str:
    """The case number of the row under the list's cursor."""
    table = pilot.app.screen.query_one(selector, DataTable)
    return str(table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value)


async def test_back_from_a_case_the_cursor_is_where_the_reviewer_left_it(town: Township) -> None:
    """Esc from a case put the cursor on the queue's first row: a reviewer working down a
    long queue started again from the top after every case. A case decided and gone from
    the section leaves the cursor on its row, which now holds the next case; another
    section starts at its top."""
    li = town.lizhuang.submit("李秀英", at(date(2026, 11, 17)), LI_ID)
    ma = town.shanmen.submit("马占福", at(date(2026, 11, 18)))
    zhang = town.shanmen.submit("张桂兰", at(date(2026, 11, 19)), ZHANG_ID)
    wang = town.lizhuang.submit("王福海", at(date(2026, 11, 20)), id_number("64052219400303004"))
    town.deliver()
    async with queue_on(town, date(2026, 11, 23)) as pilot:
        queue = pilot.app.screen
        numbers = [li.case_number, ma.case_number, zhang.case_number, wang.case_number]
        assert rows(pilot) == numbers
        await pilot.press("down", "down", "enter")  # 张桂兰
        await settle(pilot)
        assert isinstance(pilot.app.screen, ReviewScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert pilot.app.screen is queue and cursor_on(pilot) == zhang.case_number
        await pilot.press("up", "enter")  # 马占福, accepted while it is open
        await settle(pilot)
        decide(town.store, ma.case_number, EventKind.accepted, at(date(2026, 11, 23)))
        await pilot.press("escape")
        await settle(pilot)
        assert rows(pilot) == [li.case_number, zhang.case_number, wang.case_number]
        assert cursor_on(pilot) == zhang.case_number  # the next one, on the same row
        await pilot.press("3")
        await settle(pilot)
        assert cursor_on(pilot) == ma.case_number  # 办理中: its own list, from its top
        await pilot.press("1", "down", "down")
        await settle(pilot)
        assert cursor_on(pilot) == wang.case_number


async def test_back_from_a_case_the_whole_list_keeps_its_place(town: Township) -> None:
    """The same in 全部办件 (l); a new search starts from the top of what it found."""
    from station.screens.cases import CasesScreen

    cases = [
        town.shanmen.submit(name, at(date(2026, 11, 16 + n)), id_number(f"64052219400101{n}00"))
        for n, name in enumerate(("马占福", "张桂兰", "马秀兰", "李秀英"))
    ]
    town.deliver()
    async with queue_on(town, date(2026, 11, 23)) as pilot:
        await pilot.press("l")
        await settle(pilot)
        listing = pilot.app.screen
        assert isinstance(listing, CasesScreen)
        await pilot.press("down", "down", "down")  # from the search box into the list
        await settle(pilot)
        table = listing.query_one("#cases-table", DataTable)
        chosen = cursor_on(pilot, "#cases-table")
        assert table.cursor_row == 2
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ReviewScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert pilot.app.screen is listing and cursor_on(pilot, "#cases-table") == chosen
        search = listing.query_one("#cases-search", Input)
        search.value = "马"
        await settle(pilot)
        found = [str(key.value) for key in table.rows]
        search.value = ""
        await settle(pilot)
        table.move_cursor(row=[str(k.value) for k in table.rows].index(found[1]))
        await settle(pilot)  # on the case the search lists second
        search.value = "马"
        await settle(pilot)
        assert table.row_count == 2 and table.cursor_row == 0  # a new search: from its top
        assert {cases[0].case_number, cases[2].case_number} == {
            str(key.value) for key in table.rows
        }


async def test_a_material_the_return_asked_for_and_nobody_brought_is_said_before_acceptance(
    town: Township,
) -> None:
    """补正未补: the 补正 asked for the 户口簿 copy, the village corrected nothing of it and
    sent the case back. The page said 已提供, and 受理 printed 申请材料齐全 without a word."""
    from station.screens.decisions import AcceptDialog

    zhang = town.shanmen.submit("张桂兰", at(date(2026, 11, 16)), ZHANG_ID)
    town.deliver()
    returned = {"reason": "户口簿复印件不清晰", "missing": ["hukou", "bank_card"]}
    decide(town.store, zhang.case_number, EventKind.returned, at(date(2026, 11, 17)), returned)
    brought = NewEvent(  # the 存折 brought again; the 户口簿 not
        EventKind.supplemented,
        "u-agent-201",
        Role.agent,
        {"materials": {"bank_card": "provided"}},
        device_time=at(date(2026, 11, 19)),
    )
    back = NewEvent(
        EventKind.resubmitted, "u-agent-201", Role.agent, device_time=at(date(2026, 11, 20))
    )
    town.store.append(zhang.case_number, [brought, back])  # as pulled from the village
    async with queue_on(town, date(2026, 11, 23)) as pilot:
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ReviewScreen)
        text = flat_text(pilot)
        assert "户口簿首页及本人页复印件补正未补" in text.replace(" ", "")
        assert "社会保障卡或存折复印件已提供" in text.replace(" ", "")
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(pilot.app.screen, AcceptDialog)
        assert "补正要求的材料未补交：户口簿首页及本人页复印件" in flat_text(pilot)


async def test_only_a_case_waiting_for_acceptance_is_ticked_or_accepted_by_a(
    town: Township,
) -> None:
    """Space on an accepted case said 已勾选 1 件，按 A 一并受理, and A then failed with a
    message about 办结 and 暂停."""
    ma = town.shanmen.submit("马占福", at(date(2026, 11, 19)))
    town.deliver()
    decide(town.store, ma.case_number, EventKind.accepted, at(date(2026, 11, 19)))
    async with queue_on(town, date(2026, 11, 23)) as pilot:
        await pilot.press("3")  # 办理中
        await settle(pilot)
        assert rows(pilot) == [ma.case_number]
        queue = pilot.app.screen
        assert isinstance(queue, ReviewQueueScreen)
        await pilot.press("space")
        await settle(pilot)
        assert queue.marked == set() and "✔" not in screen_text(pilot)
        await pilot.press("A")
        await settle(pilot)
        assert pilot.app.screen is queue  # no question asked
        told = [str(n.message) for n in pilot.app._notifications]
        assert told[-2:] == ["只有待受理的办件可以勾选批量受理。", "只有待受理的办件可以受理。"]


async def test_refusing_a_duplicate_offers_the_reason_and_a_non_permit_not_the_permit_one(
    town: Township,
) -> None:
    """The page said 重复申请 and 不予受理's common reasons had no such reason, while they
    offered 申请事项依法不需要取得行政许可 for 高龄津贴, which is no 行政许可."""
    from station.screens.decisions import DUPLICATE_REJECTION, NOT_A_PERMIT, RejectDialog
    from station.widgets.dropdown import Dropdown

    first = town.shanmen.submit("马占福", at(date(2026, 11, 19)))
    second = town.shanmen.submit("马占福", at(date(2026, 11, 20)))  # the same resident and item
    town.deliver()
    async with queue_on(town, date(2026, 11, 23)) as pilot:
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ReviewScreen) and first.case_number in flat_text(pilot)
        await pilot.press("j")
        await settle(pilot)
        dialog = pilot.app.screen
        assert isinstance(dialog, RejectDialog)
        offered = [str(value) for _label, value in dialog.query_one("#common", Dropdown)._options]
        # first after the prompt, naming the other case (the paper said only 已在办理)
        assert offered[1] == f"{DUPLICATE_REJECTION}（{second.case_number}）"
        assert NOT_A_PERMIT not in offered


def test_a_decision_another_pc_made_prints_here_as_a_reprint(town: Township) -> None:
    """A township with two desks: the 受理通知书 of a case the other PC accepted (and
    printed there) came out of this one as a second original, without 补打."""
    from printing.model import DecisionDocument
    from station.documents.prepare import document_for
    from tests.station.conftest import shipped_catalog as catalog

    ma = town.shanmen.submit("马占福", at(date(2026, 11, 19)))
    zhang = town.shanmen.submit("张桂兰", at(date(2026, 11, 19)), ZHANG_ID)
    town.deliver()
    for case in (ma, zhang):
        decide(town.store, case.case_number, EventKind.accepted, at(date(2026, 11, 20)))
    # 张桂兰's acceptance as another PC of the township wrote it (its own station id)
    with town.store.engine.begin() as conn:
        conn.exec_driver_sql(
            "UPDATE events SET station_id = 'st-town-pc2' WHERE kind = 'accepted' AND case_id = ?",
            (zhang.case_id.hex,),
        )
    day = date(2026, 11, 23)
    mine = document_for(town.store, catalog(), "acceptance", ma.case_number, today=day)
    theirs = document_for(town.store, catalog(), "acceptance", zhang.case_number, today=day)
    assert isinstance(mine, DecisionDocument) and isinstance(theirs, DecisionDocument)
    assert mine.case.reprinted_on is None and theirs.case.reprinted_on == day  # 补打, today


async def test_a_case_forwarded_to_a_department_is_followed_without_a_card(
    town: Township,
) -> None:
    """转办 to the county's department: the department decides, on its own clock. The
    township's queue gave the case a 黄牌 (then a 红牌) as if the township were late."""
    case = town.shanmen.submit("马占福", at(date(2026, 11, 2)))
    town.deliver()
    decide(town.store, case.case_number, EventKind.accepted, at(date(2026, 11, 2)))
    forward = {"to": "县民政局", "target": "department", "level": "county"}
    decide(town.store, case.case_number, EventKind.forwarded, at(date(2026, 11, 3)), forward)
    async with queue_on(town, date(2026, 11, 30)) as pilot:  # its due day
        assert "5即将超期 0" in section_bar(pilot) and "6已超期 0" in section_bar(pilot)
        await pilot.press("3")
        await settle(pilot)
        row = cells(pilot, case.case_number)
        assert row[0] == "" and row[-1] == "已转办"
        assert "已转办至县民政局，由其办理决定" in flat_text(pilot)


async def test_home_and_end_go_to_the_first_and_the_last_case(town: Township) -> None:
    """Home and End did nothing in the queue (Textual's scroll the table sideways)."""
    first = town.shanmen.submit("马占福", at(date(2026, 11, 17)))
    town.shanmen.submit("张桂兰", at(date(2026, 11, 18)), ZHANG_ID)
    last = town.lizhuang.submit("李秀英", at(date(2026, 11, 19)), LI_ID)
    town.deliver()
    async with queue_on(town, date(2026, 11, 23)) as pilot:
        await pilot.press("end")
        await settle(pilot)
        assert cursor_on(pilot) == last.case_number
        await pilot.press("home")
        await settle(pilot)
        assert cursor_on(pilot) == first.case_number
        await pilot.press("l", "down", "end")  # 全部办件: into the list, then its last row
        await settle(pilot)
        table = pilot.app.screen.query_one("#cases-table", DataTable)
        assert table.cursor_row == table.row_count - 1 == 2


async def test_esc_on_an_open_filter_goes_back_to_the_list(town: Township) -> None:
    """v (村) then Esc left the cursor on the filter: ↓ opened its list again, and a second
    Esc was needed."""
    town.shanmen.submit("马占福", at(date(2026, 11, 17)))
    second = town.shanmen.submit("张桂兰", at(date(2026, 11, 18)), ZHANG_ID)
    town.deliver()
    async with queue_on(town, date(2026, 11, 23)) as pilot:
        await pilot.press("v")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen.focused, DataTable)
        await pilot.press("down")
        await settle(pilot)
        assert cursor_on(pilot) == second.case_number


def test_the_case_list_shows_the_deadlines_the_queue_shows_and_counts_section_32_as_overdue(
    town: Township,
) -> None:
    """The whole case list (the township's, the county's 办件) left 期限 empty for 已报送 and
    补正中 cases, the ones a deadline presses most: it now shows the 审核台's day to accept
    or return (§32: 5 working days after receipt) and the village's day to correct, and
    its 已超期 filter takes the applications past §32 too (the 审核台's 红牌)."""
    from station.services.queries import read_page
    from station.services.review_queue import Section, read_queue

    late = town.shanmen.submit("马占福", at(date(2026, 11, 16)))
    zhang = town.shanmen.submit("张桂兰", at(date(2026, 11, 16)), ZHANG_ID)
    fresh = town.lizhuang.submit("李秀英", at(date(2026, 11, 20)), LI_ID)
    town.deliver()
    returned = {"reason": "户口簿复印件不清晰", "missing": ["hukou"]}
    decide(town.store, zhang.case_number, EventKind.returned, at(date(2026, 11, 17)), returned)
    desk = desk_on(town, date(2026, 11, 24))

    due = {row.case_number: row.due_date for row in read_page(desk, "", None, 0).rows}
    assert due[late.case_number] == date(2026, 11, 23)  # receipt + 5 working days
    assert due[fresh.case_number] == date(2026, 11, 27)
    queue = read_queue(desk).sections
    (correcting,) = queue[Section.returned]
    assert correcting.case_number == zhang.case_number
    assert due[zhang.case_number] == correcting.deadline is not None  # the village's day

    overdue = read_page(desk, "", "overdue", 0)
    assert [row.case_number for row in overdue.rows] == [late.case_number]
    assert overdue.total == 1 == len(queue[Section.overdue])
    assert read_page(desk, "马", "overdue", 0).total == 1  # with a search too
    assert read_page(desk, "李", "overdue", 0).total == 0


def test_the_case_list_finds_cases_by_the_village_or_item_a_word_names(town: Township) -> None:
    """A township's (and the county's) case list found cases by resident and number only:
    山门村, 武塬 or 高龄津贴 typed into its search found nothing."""
    from station.services.queries import read_page

    ma = town.shanmen.submit("马占福", at(date(2026, 11, 16)))
    zhang = town.shanmen.submit("张桂兰", at(date(2026, 11, 17)), ZHANG_ID)
    li = town.lizhuang.submit("李秀英", at(date(2026, 11, 18)), LI_ID)  # 640522100202: 武塬村
    town.deliver()
    desk = desk_on(town, date(2026, 11, 24))

    def found(query: str) -> set[str]:
        page = read_page(desk, query, None, 0)
        assert page.total == len(page.rows)
        return {row.case_number for row in page.rows}

    assert found("山门村") == {ma.case_number, zhang.case_number}
    assert found("武塬") == {li.case_number}
    assert (
        found("海城镇") == found("高龄津贴") == {ma.case_number, zhang.case_number, li.case_number}
    )
    assert found("山门村 张桂兰") == {zhang.case_number}  # every word must match
    assert found("武塬 张桂兰") == set()
    assert found("马占福") == {ma.case_number}  # a name names no place: as before
    assert found("李旺镇") == set()  # another township's: none of these
    assert found("低保") == set()  # an item none of them is
    # an item's pinyin, as the 收件 picker takes it (the list found nothing by gljt)
    every = {ma.case_number, zhang.case_number, li.case_number}
    assert found("gljt") == found("gaoling") == found("GLJT") == every
    assert found("mzf") == {ma.case_number}  # a name's initials name no item: as before
    assert found("gljt 张桂兰") == {zhang.case_number}
    assert found("dibao") == set()
