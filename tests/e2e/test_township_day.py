"""The township reviewer's day at the desk, against a real central with two villages.

山门村 takes in a 临时救助 application with a scan, 武塬村 a 高龄津贴 one; both sync.
The township's reviewer signs in at the 审核台 (80×24, driven with keys): the queue
lists both, oldest first; the first opens, its scan comes from the centre through the
case-scoped download; it goes back for correction with two materials and a field named,
each with its reason, and the 补正告知书 is kept as a PDF. 山门村 corrects the field,
supplements the materials and resubmits at its own desk. The township accepts it
(受理通知书), pauses it for 公示, resumes and completes it (the catalog lets the
township decide 临时救助), and accepts and forwards the 高龄津贴 case (the county
decides it). Each village sees the result on its case page; poppler reads the papers.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Checkbox, DataTable, Input

from forms.catalog import load_catalog
from forms.clock import china_day, china_today
from station.app import make_app
from station.config import load_settings
from station.screens.case import CaseScreen
from station.screens.decisions import (
    AcceptDialog,
    CompleteDialog,
    ForwardDialog,
    PauseDialog,
    ReturnDialog,
)
from station.screens.dialogs import ConfirmDialog, CorrectionDialog, SupplementDialog
from station.screens.home import HomeScreen
from station.screens.review import ReviewScreen, ScanViewer
from station.screens.review_queue import ReviewQueueScreen
from station.services.cases import Actor, Application, CaseService
from station.services.scans import cached_path
from station.store import StationStore
from sync.events import Role
from sync.reducer import CaseView
from tests.e2e.conftest import (
    PASSWORD,
    VILLAGE,
    Central,
    Station,
    enrolled_station,
    id_number,
)
from tests.station.helpers import flat_text, log_in, settle
from tests.station.test_whole_day import back_home, open_case, sync_at_desk

pytestmark = pytest.mark.slow  # a real central, three stations, four desk sessions

OTHER_VILLAGE = "640522100202"
"""武塬村, the second village of 海城镇 (山门村 is ``VILLAGE``)."""
OFFICE = "海原县海城镇便民服务中心"
"""The township's office as the county's division table names it."""
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f"
    b"\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)
"""A 1×1 PNG: the scan of the 灾情证明."""
NEW_ACCOUNT = "6228480010000000009"
RESULT_NOTE = "发放临时救助金3000元"
REASONS = {
    "materials.accident_proof": "灾情证明未盖村委会公章",
    "materials.bank_card": "复印件卡号不清晰",
    "fields.bank_account": "账号与银行卡不一致",
}
"""What the reviewer names for correction, each with the reason the resident reads."""


@pytest.fixture
def villages(central: Central, tmp_path: Path) -> Iterator[tuple[Station, Station]]:
    """山门村 and 武塬村, each with its agent; retired after the test (the central is shared)."""
    shanmen = enrolled_station(
        central, tmp_path / "shanmen", VILLAGE, "海城镇山门村便民服务站", "village"
    )
    wuyuan = enrolled_station(
        central, tmp_path / "wuyuan", OTHER_VILLAGE, "海城镇武塬村便民服务站", "village"
    )
    yield shanmen, wuyuan
    for station in (shanmen, wuyuan):
        central.cli("revoke", station.station_id, "--force")  # the test is over: retire the PC


def assistance() -> Application:
    """临时救助 (the township decides it), every material provided or shared."""
    return Application(
        item_code="640522-MZ-004",
        applicant={
            "name": "李秀英",
            "id_number": id_number("64052219560312004"),
            "phone": "13895401122",
        },
        fields={
            "hardship_kind": "急难型",
            "cause": "火灾、自然灾害",
            "description": "房屋失火，生活用品全部烧毁",
            "household_size": 4,
            "amount_requested": "3000",
            "is_urgent": True,
            "bank_account": "6217991234567895",
        },
        materials={
            "application": "provided",
            "id_hukou": "shared",
            "accident_proof": "provided",
            "bank_card": "provided",
        },
    )


def allowance() -> Application:
    """高龄津贴 (the county's 县民政局 decides it: the township forwards it)."""
    return Application(
        item_code="640522-MZ-001",
        applicant={
            "name": "马占福",
            "id_number": id_number("64052219400101101"),
            "phone": "13895400000",
        },
        fields={
            "hukou_address": "海原县海城镇武塬村二组",
            "living_situation": "与子女同住",
            "bank_name": "中国邮政储蓄银行",
            "bank_account": "6217991234567895",
        },
        materials={
            "id_card": "provided",
            "hukou": "provided",
            "bank_card": "provided",
            "application_form": "provided",
        },
    )


def take_in(station: Station, application: Application, scan: Path | None = None) -> CaseView:
    """Take a case in with the services the village desk's take-in screens call."""
    store = StationStore.open(station.data_dir)
    try:
        agent = CaseService(store, load_catalog(), Actor(station.user_id, Role.agent, "马丽"))
        if scan is not None:
            application.attachments.append(agent.attach(scan, "accident_proof"))
        return agent.take_in(application)
    finally:
        store.close()


@asynccontextmanager
async def desk(station: Station) -> AsyncIterator[tuple[Pilot[None], StationStore]]:
    """The station's desk at 80×24 (the one factory), its person signed in and synced."""
    store = StationStore.open(station.data_dir)
    try:
        app = make_app(load_settings(station.data_dir), store=store)
        async with app.run_test(size=(80, 24)) as pilot:
            await log_in(pilot, station.user, PASSWORD)  # signing in syncs (and settles)
            yield pilot, store
    finally:
        store.close()


def case(store: StationStore, number: str) -> CaseView:
    view = store.get_case(number)
    assert view is not None
    return view


async def press_on(pilot: Pilot[None], *keys: str) -> None:
    await pilot.press(*keys)
    await settle(pilot)


async def open_from_queue(pilot: Pilot[None], number: str) -> ReviewScreen:
    """Down the 待受理 list to ``number`` and Enter: its review page."""
    queue = pilot.app.screen
    assert isinstance(queue, ReviewQueueScreen)
    table = queue.query_one("#queue-table", DataTable)
    table.focus()
    await press_on(pilot, *["up"] * table.row_count)
    await press_on(pilot, *["down"] * list(queue.entries).index(number), "enter")
    review = pilot.app.screen
    assert isinstance(review, ReviewScreen) and review.case_number == number
    return review


async def sync_now(pilot: Pilot[None], store: StationStore) -> None:
    """F5 (同步) and wait: nothing is left to send."""
    await press_on(pilot, "f5")
    assert store.outbox_depth() == 0


def pdf_text(path: Path, mode: str) -> str:
    """What poppler reads, whitespace removed (table cells wrap)."""
    done = subprocess.run(
        ["pdftotext", mode, str(path), "-"], capture_output=True, check=True, timeout=30
    )
    return re.sub(r"\s+", "", done.stdout.decode("utf-8"))


def paper(station: Station, number: str, kind: str) -> Path:
    """The PDF the desk kept for ``kind`` of case ``number`` (one, not a reprint), under its
    Chinese title and the case number."""
    title = {"correction": "补正告知书", "acceptance": "受理通知书"}[kind]
    path = station.data_dir / "documents" / f"{title}-{number}.pdf"
    assert path.exists(), sorted(p.name for p in path.parent.iterdir())
    return path


async def test_a_township_day_two_villages_queue_to_result_and_papers(
    central: Central, villages: tuple[Station, Station], township: Station, tmp_path: Path
) -> None:
    shanmen, wuyuan = villages
    scan = tmp_path / "灾情证明.png"
    scan.write_bytes(PNG)
    first = take_in(shanmen, assistance(), scan).case_number
    assert shanmen.cli("sync")["pending"] == 0  # 报送: the scan goes up with the case
    second = take_in(wuyuan, allowance()).case_number
    assert wuyuan.cli("sync")["pending"] == 0

    await the_morning(township, first, second)
    await the_village_corrects(shanmen, first)
    await the_afternoon(township, first, second)
    await the_villages_see_the_results(shanmen, wuyuan, township.user, first, second)
    the_papers_read_right(township, first)


async def the_morning(township: Station, first: str, second: str) -> None:
    """Queue, open the oldest, view its scan, return it with two materials and a field."""
    async with desk(township) as (pilot, store):
        queue = pilot.app.screen
        assert isinstance(queue, ReviewQueueScreen)
        text = flat_text(pilot)
        assert "1待受理2" in text and "2补正中0" in text
        assert list(queue.entries) == [first, second]  # oldest first
        assert text.index("李秀英") < text.index("马占福")
        villages = [entry.village for entry in queue.entries.values()]
        assert villages == ["山门村", "武塬村"]  # the places, whatever the PCs are called
        stations = [entry.station for entry in queue.entries.values()]
        assert stations == ["海城镇山门村便民服务站", "海城镇武塬村便民服务站"]
        assert f"{first}海城镇山门村便民服务站李秀英" in text  # the highlighted case in full
        review = await open_from_queue(pilot, first)
        text = flat_text(pilot)
        assert "临时救助申请" in text and "李秀英" in text and "3,000.00元" in text

        # The 灾情证明's scan, fetched from the centre through the case-scoped download.
        (attachment,) = case(store, first).attachments
        cached = cached_path(township.data_dir, attachment.sha256)
        assert not cached.exists()
        names = [line.name for line in review.page.materials]
        review.query_one("#review-materials", DataTable).focus()
        await press_on(pilot, *["down"] * names.index("事故或灾害证明"), "enter")
        viewer = pilot.app.screen
        assert isinstance(viewer, ScanViewer) and viewer.shown.title == "灾情证明.png"
        assert "灾情证明.png" in flat_text(pilot)
        assert cached.read_bytes() == PNG
        await press_on(pilot, "escape")
        assert pilot.app.screen is review

        # 退回补正: two materials and a field, each with its reason; the 补正告知书 is kept.
        await press_on(pilot, "b")
        dialog = pilot.app.screen
        assert isinstance(dialog, ReturnDialog)
        paths = [path for path, _label in dialog.choices]
        for path, why in REASONS.items():
            dialog.query_one(f"#why-{paths.index(path)}", Input).value = why  # ticks it
        await pilot.pause()
        await press_on(pilot, "f9")
        assert pilot.app.screen is review
        view = case(store, first)
        assert (view.state, view.missing, view.correct_fields) == (
            "returned",
            ["accident_proof", "bank_card"],
            ["bank_account"],
        )
        assert view.correct_reasons == REASONS
        assert view.submitted_at is not None
        text = flat_text(pilot)
        assert "状态：补正中" in text and REASONS["materials.bank_card"] in text
        assert f"报送于{china_day(view.submitted_at)}" in text  # the day in China
        assert paper(township, first, "correction").exists()
        await sync_now(pilot, store)


async def the_village_corrects(shanmen: Station, first: str) -> None:
    """山门村 corrects the account, supplements both materials and resubmits at its desk."""
    async with desk(shanmen) as (pilot, store):
        assert isinstance(pilot.app.screen, HomeScreen)
        assert case(store, first).state == "returned"
        await open_case(pilot, "lxy", first)
        text = flat_text(pilot)
        assert "状态：补正中" in text and REASONS["fields.bank_account"] in text

        await press_on(pilot, "c")
        dialog = pilot.app.screen
        assert isinstance(dialog, CorrectionDialog)
        paths = [item.path for item in dialog.items]
        assert paths == ["fields.bank_account", "materials.accident_proof", "materials.bank_card"]
        dialog.query_one(f"#c-{paths.index('fields.bank_account')}", Input).value = NEW_ACCOUNT
        await press_on(pilot, "f9")
        assert isinstance(pilot.app.screen, CaseScreen)
        assert case(store, first).fields["bank_account"] == NEW_ACCOUNT

        await press_on(pilot, "m")
        supplied = pilot.app.screen
        assert isinstance(supplied, SupplementDialog)
        owed = [(key, on) for _name, key, on in supplied.choices]
        assert owed == [("accident_proof", True), ("bank_card", True)]  # what was named
        await pilot.press("space", "down", "space")  # both brought (nothing is ticked at first)
        await press_on(pilot, "enter")
        await press_on(pilot, "r")
        view = case(store, first)
        assert view.state == "submitted"
        kinds = [entry.kind.value for entry in view.history]
        assert kinds[-3:] == ["corrected", "supplemented", "resubmitted"]
        assert "状态：已报送" in flat_text(pilot)
        await back_home(pilot)
        await sync_at_desk(pilot)
        assert store.outbox_depth() == 0


async def the_afternoon(township: Station, first: str, second: str) -> None:
    """Accept (受理通知书), pause for 公示, resume, complete; accept and forward the other."""
    async with desk(township) as (pilot, store):
        queue = pilot.app.screen
        assert isinstance(queue, ReviewQueueScreen)
        assert set(queue.entries) == {first, second} and "2补正中0" in flat_text(pilot)
        await open_from_queue(pilot, first)
        assert NEW_ACCOUNT in flat_text(pilot)  # the village's correction

        await press_on(pilot, "a")
        dialog = pilot.app.screen
        assert isinstance(dialog, AcceptDialog)
        dialog.query_one("#print", Checkbox).value = True
        await press_on(pilot, "enter")  # OK has the focus
        assert case(store, first).state == "accepted"
        assert "状态：已受理" in flat_text(pilot)
        assert paper(township, first, "acceptance").exists()

        await press_on(pilot, "z")  # 暂停
        dialog = pilot.app.screen
        assert isinstance(dialog, PauseDialog)
        dialog.query_one("#reason", Input).value = "村内公示七天"
        dialog.query_one("#days", Input).value = "7"
        await press_on(pilot, "f9")
        view = case(store, first)
        assert (view.state, view.pause_kind, view.pause_expected_days) == ("paused", "公示", 7)
        assert "村内公示七天" in flat_text(pilot)

        await press_on(pilot, "u")
        assert isinstance(pilot.app.screen, ConfirmDialog)
        await press_on(pilot, "y")
        assert case(store, first).state == "accepted"

        await press_on(pilot, "d")  # 临时救助: the catalog lets the township decide it
        dialog = pilot.app.screen
        assert isinstance(dialog, CompleteDialog)
        dialog.query_one("#note", Input).value = RESULT_NOTE
        await press_on(pilot, "f9")
        view = case(store, first)
        assert (view.state, view.result, view.result_note) == ("completed", "approved", RESULT_NOTE)
        assert "状态：办结" in flat_text(pilot)

        await press_on(pilot, "escape")
        await open_from_queue(pilot, second)
        await press_on(pilot, "a")
        await press_on(pilot, "enter")  # no paper this time
        await press_on(pilot, "f")  # 高龄津贴: the county decides it
        dialog = pilot.app.screen
        assert isinstance(dialog, ForwardDialog)
        assert dialog.query_one("#to", Input).value == "县民政局"  # the handling path's
        await press_on(pilot, "f9")
        await press_on(pilot, "y")  # 转办 cannot be taken back: asked first
        view = case(store, second)
        assert (view.state, view.forwarded_to) == ("processing", "县民政局")
        assert "状态：办理中" in flat_text(pilot) and "已转办至县民政局" in flat_text(pilot)
        await press_on(pilot, "escape")
        assert isinstance(pilot.app.screen, ReviewQueueScreen)
        await sync_now(pilot, store)


async def the_villages_see_the_results(
    shanmen: Station, wuyuan: Station, reviewer: str, first: str, second: str
) -> None:
    """Each village signs in (and syncs): the result is on its case page, and who
    accepted and forwarded it by name (the township's account came with the pull)."""
    async with desk(shanmen) as (pilot, store):
        await open_case(pilot, "lxy", first)
        assert (case(store, first).state, case(store, first).result) == ("completed", "approved")
        text = flat_text(pilot)
        assert "状态：办结" in text and f"办结结果：通过—{RESULT_NOTE}" in text
    async with desk(wuyuan) as (pilot, store):
        await open_case(pilot, "mzf", second)
        assert case(store, second).state == "processing"
        text = flat_text(pilot)
        assert "状态：办理中" in text and f"转办{reviewer}县民政局" in text
        assert f"受理{reviewer}" in text and "乡镇审核员" not in text


def the_papers_read_right(township: Station, first: str) -> None:
    """The township's papers name its office, carry a 文号, and list every correction."""
    year = china_today().year
    correction = paper(township, first, "correction")
    body = pdf_text(correction, "-layout")
    assert "补正告知书" in body and f"{OFFICE}（盖章）" in body
    assert f"海城便民补〔{year}〕1号" in body
    assert "海原县乡镇便民服务中心" not in body
    table = pdf_text(correction, "-raw").split("应符合的标准或要求")[1]
    assert table.split("以上为需补正的全部内容")[0] == (
        "1事故或灾害证明复印件1份灾情证明未盖村委会公章；交警事故认定书、消防或村委会出具的灾情证明"
        "2银行卡或存折复印件复印件1份复印件卡号不清晰；申请人名下账户"
        "3更正“收款账号”—账号与银行卡不一致"
    )
    acceptance = pdf_text(paper(township, first, "acceptance"), "-layout")
    assert "受理通知书" in acceptance and f"{OFFICE}（盖章）" in acceptance
    assert f"海城便民受〔{year}〕1号" in acceptance
    assert "决定予以受理" in acceptance
