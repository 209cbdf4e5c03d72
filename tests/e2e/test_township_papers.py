"""The township's papers in its own name: 受理通知书, 补正告知书, 不予受理通知书.

A village station takes cases in and submits them; its events reach the township
station as a pull page brings them; the township's reviewer decides at its own
store (the desk's core) and prints through the real ``daiban print``. poppler
reads back the office name, the 文号 and the correction table's rows.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from daiban.cli import app
from forms.catalog import load_catalog
from forms.clock import china_day, utc_now
from station.documents import decision_document
from station.services.auth import hash_password
from station.services.cases import ActionRefused, Actor, Application, CaseService
from station.store import NewEvent, StationIdentity, StationStore
from sync.events import EventKind, RecordedEvent, Role
from sync.protocol import AccountRecord, PullResponse, StationRole
from tests.e2e.conftest import id_number

VILLAGE = "640522100201"
TOWNSHIP = "640522100000"
PASSWORD = "paper-secret-1"
OFFICE = "海原县海城镇便民服务中心"


def flat(text: str) -> str:
    """Text without whitespace (table cells wrap)."""
    return re.sub(r"\s+", "", text)


def layout_text(pdf: bytes) -> str:
    done = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True, timeout=30
    )
    return done.stdout.decode("utf-8")


def raw_text(pdf: bytes) -> str:
    """The text in content order (a wrapped table cell stays together)."""
    done = subprocess.run(
        ["pdftotext", "-raw", "-", "-"], input=pdf, capture_output=True, check=True, timeout=30
    )
    return done.stdout.decode("utf-8")


def _identity(division: str, name: str, role: StationRole) -> StationIdentity:
    return StationIdentity(
        station_id=f"st-{division}",
        division=division,
        name=name,
        role=role,
        central_url="http://127.0.0.1:9",
        token="token",
        signing_key="key",
    )


def _application(serial: int) -> Application:
    return Application.model_validate(
        {
            "item_code": "640522-MZ-001",
            "applicant": {
                "name": "马占福田桂英马建国马秀兰"[serial * 3 - 3 : serial * 3],
                "id_number": id_number(f"64052219400101{serial}01"),
                "phone": "13895401122",
            },
            "fields": {
                "hukou_address": "海原县海城镇山门村三组",
                "living_situation": "与子女同住",
                "bank_name": "中国农业银行",
                "bank_account": "6228480010000000009",
            },
            "materials": {
                "id_card": "provided",
                "hukou": "shared",
                "bank_card": "provided",
                "application_form": "provided",
            },
        }
    )


REVIEWER = AccountRecord(
    user_id="u-wangfang",
    username="wangfang",
    display_name="王芳",
    role=Role.reviewer,
    division=TOWNSHIP,
    phone="0955-4012301",
    password_hash=hash_password(PASSWORD),
    updated_at=datetime(2026, 11, 1, tzinfo=UTC),
)


@dataclass
class Desk:
    """A village store and a township store, and the township reviewer's service."""

    village: StationStore
    township: StationStore
    township_dir: Path
    numbers: list[str]

    def reviewer(self) -> CaseService:
        actor = Actor(REVIEWER.user_id, Role.reviewer, "王芳", "0955-4012301")
        return CaseService(self.township, load_catalog(), actor)

    def print(self, kind: str, number: str, out: Path, *extra: str) -> bytes:
        result = CliRunner().invoke(
            app,
            ["print", kind, number, "--out", str(out), "--data-dir", str(self.township_dir)]
            + list(extra),
            env={"DAIBAN_PASSWORD": PASSWORD},
        )
        assert result.exit_code == 0, result.output
        return out.read_bytes()


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    village = StationStore.open(tmp_path / "village")
    village.save_identity(_identity(VILLAGE, "海城镇山门村便民服务站", StationRole.village))
    township = StationStore.open(tmp_path / "township")
    township.save_identity(_identity(TOWNSHIP, "海城镇便民服务中心", StationRole.township))
    township.upsert_accounts([REVIEWER])
    agent = Actor("u-mali", Role.agent, "马丽", "13909541234")
    service = CaseService(village, load_catalog(), agent)
    numbers = []
    for serial in range(1, 5):
        case = service.take_in(_application(serial))
        service.act(case.case_number, EventKind.submitted)
        numbers.append(case.case_number)
    own = village.outbox_batch(10_000, 1 << 30)
    pulled = [RecordedEvent(**e.model_dump(), central_seq=n) for n, e in enumerate(own, 1)]
    township.apply_pull_page(PullResponse(events=pulled, next_cursor=len(pulled), has_more=False))
    try:
        yield Desk(village, township, tmp_path / "township", numbers)
    finally:
        village.close()
        township.close()


def test_acceptance_numbers_roll_over_on_new_year_in_china_and_a_reprint_keeps_its_number(
    desk: Desk, tmp_path: Path, hold_time: Callable[[datetime], None]
) -> None:
    first, second, third, _fourth = desk.numbers
    # 23:30 on 31 December in China: still 2026.
    hold_time(datetime(2026, 12, 31, 15, 30, tzinfo=UTC))
    desk.reviewer().act(first, EventKind.accepted)
    # 00:30 on 1 January in China (16:30 UTC on 31 December): the 2027 sequence starts at 1.
    hold_time(datetime(2026, 12, 31, 16, 30, tzinfo=UTC))
    desk.reviewer().act(second, EventKind.accepted)
    hold_time(datetime(2027, 1, 4, 2, 0, tzinfo=UTC))
    desk.reviewer().act(third, EventKind.accepted)

    texts = {
        number: flat(layout_text(desk.print("acceptance", number, tmp_path / f"{n}.pdf")))
        for n, number in enumerate((first, second, third))
    }
    assert "海城便民受〔2026〕1号" in texts[first]
    assert "海城便民受〔2027〕1号" in texts[second]
    assert "海城便民受〔2027〕2号" in texts[third]
    for text in texts.values():
        assert "受理通知书" in text and f"{OFFICE}（盖章）" in text
        assert "海原县乡镇便民服务中心" not in text
        assert "决定予以受理" in text
        assert "收费：免费。" in text  # 高龄津贴: the paper said nothing of the fee
        assert "经办人：王芳联系电话：0955-4012301" in text  # who decided, from the accounts
        # a promise counted on the county's provisional 2027 holiday table says it may move
        # (the screen said so; the paper gave the date as if it were sure)
        assert "2027年节假日安排为县级暂定（待国务院公布），预计日期可能调整。" in text

    again = flat(layout_text(desk.print("acceptance", first, tmp_path / "again.pdf")))
    assert "海城便民受〔2026〕1号" in again
    assert "补打2027年1月4日" in again


def test_the_correction_notice_lists_every_row_at_once_in_the_townships_name(
    desk: Desk, tmp_path: Path
) -> None:
    number = desk.numbers[0]
    desk.reviewer().act(
        number,
        EventKind.returned,
        reason="材料不齐全、信息有误",
        payload={
            "missing": ["bank_card", "application_form"],
            "fields": ["bank_account", "applicant.phone"],
            "reasons": {"materials.bank_card": "卡号不清晰", "applicant.phone": "号码已停机"},
        },
    )
    pdf = desk.print("correction", number, tmp_path / "c.pdf", "--as", "wangfang")
    text = layout_text(pdf)
    table = flat(raw_text(pdf)).split("应符合的标准或要求")[1].split("以上为需补正的全部内容")[0]
    assert table == (
        "1社会保障卡或存折复印件复印件1份卡号不清晰；本人名下账户，卡号清晰"
        "2《高龄津贴申请审批表》原件1份本人或赡养人签字捺印"
        "3更正“社保卡金融账户或存折账号”—按实际情况如实更正"
        "4更正“申请人联系电话”—号码已停机"
    )
    body = flat(text)
    assert OFFICE in body and re.search(r"海城便民补〔20\d\d〕1号", body)
    assert "现一次性告知你需要补正的全部内容如下" in body and "的规定的规定" not in body
    # 行政许可法 §32 gives no 视为撤回 for a correction not made: the paper threatened one
    assert "视为撤回" not in body
    assert "请在规定期限内补正；逾期未补正的，可能影响办理结果。" in body
    assert "经办人：王芳联系电话：0955-4012301" in body


def test_the_rejection_gives_reason_where_to_apply_and_rights_with_its_own_sequence(
    desk: Desk, tmp_path: Path
) -> None:
    first, second = desk.numbers[:2]
    reviewer = desk.reviewer()
    reviewer.act(first, EventKind.accepted)
    reviewer.act(
        second,
        EventKind.rejected,
        reason="申请人户籍不在本乡镇",
        payload={"apply_instead": "户籍所在地李旺镇便民服务中心"},
    )
    body = flat(layout_text(desk.print("rejection", second, tmp_path / "r.pdf")))
    assert re.search(r"海城便民不受〔20\d\d〕1号", body), body  # not number 2: its own word
    assert "申请人户籍不在本乡镇。" in body and "户籍所在地李旺镇便民服务中心" in body
    assert "六十日内向海原县人民政府申请行政复议" in body
    assert "六个月内向海原县人民法院提起行政诉讼" in body
    assert f"{OFFICE}（盖章）" in body


def test_the_paper_names_who_decided_whoever_prints_it(desk: Desk) -> None:
    """经办人 is the officer who made the decision, with that officer's phone: a colleague's
    reprint, and the village agent's copy for the resident, named whoever printed it (three
    copies of one numbered decision disagreed, and a village agent stood as the decider)."""
    number, own = desk.numbers[:2]
    desk.reviewer().act(number, EventKind.accepted)

    @dataclass(frozen=True)
    class SignedIn:
        user_id: str
        name: str
        phone: str

    colleague = SignedIn("u-li", "李娜", "0955-4012302")
    document = decision_document(
        desk.township,
        load_catalog(),
        "acceptance",
        number,
        officer=colleague,
        today=date(2026, 12, 2),
    )
    assert (document.officer, document.officer_phone) == ("王芳", "0955-4012301")
    assert document.decided_by == OFFICE and document.office_phone == "0955-4012345"
    assert document.document_number.startswith("海城便民受〔")
    # her own decision: her name, and the phone she signed in with
    CaseService(desk.township, load_catalog(), Actor("u-li", Role.reviewer, "李娜")).accept(own)
    mine = decision_document(
        desk.township, load_catalog(), "acceptance", own, officer=colleague, today=date(2026, 12, 2)
    )
    assert (mine.officer, mine.officer_phone) == ("李娜", "0955-4012302")
    again = decision_document(
        desk.township, load_catalog(), "acceptance", number, officer=None, today=date(2026, 12, 3)
    )
    assert again.document_number == document.document_number
    assert again.officer == "王芳"
    # the village's copy, printed by its agent: the township's reviewer, from the accounts
    # the village holds of the offices above it
    desk.village.upsert_accounts([REVIEWER])
    page: list[Any] = [
        RecordedEvent(**event.model_dump(), central_seq=seq)
        for seq, event in enumerate(
            [
                *desk.village.outbox_batch(10_000, 1 << 30),
                *desk.township.outbox_batch(10_000, 1 << 30),
            ],
            start=1,
        )
    ]
    desk.village.apply_pull_page(PullResponse(events=page, next_cursor=len(page), has_more=False))
    agent = SignedIn("u-mali", "马丽", "13909541234")
    village_copy = decision_document(
        desk.village, load_catalog(), "acceptance", number, officer=agent, today=date(2026, 12, 3)
    )
    assert (village_copy.officer, village_copy.officer_phone) == ("王芳", "0955-4012301")
    assert village_copy.document_number == document.document_number
    # a decider the village holds no account of: left blank for the pen, never the agent
    unknown = decision_document(
        desk.village, load_catalog(), "acceptance", own, officer=agent, today=date(2026, 12, 3)
    )
    assert (unknown.officer, unknown.officer_phone) == ("", "")


def test_a_decision_takes_its_number_when_made_and_the_village_prints_the_same_one(
    desk: Desk, tmp_path: Path
) -> None:
    """The resident's copy, printed at the village, had no 文号: the number was taken at
    the township's first printing and never left it. It is taken with the decision now,
    in decision order, and travels in the event."""
    first, second, third, fourth = desk.numbers
    reviewer = desk.reviewer()
    reviewer.accept(first)
    with pytest.raises(ActionRefused):
        reviewer.accept(first)  # refused: takes no number
    reviewer.accept(second)
    # an older township's decision, written without a number (its paper was numbered at print)
    desk.township.append(
        third, [NewEvent(EventKind.accepted, REVIEWER.user_id, Role.reviewer, {"officer": "王芳"})]
    )
    year = china_day(utc_now()).year
    # the second decision printed first keeps the second number (numbered by decision)
    assert f"海城便民受〔{year}〕2号" in flat(
        layout_text(desk.print("acceptance", second, tmp_path / "t2.pdf"))
    )
    assert f"海城便民受〔{year}〕1号" in flat(
        layout_text(desk.print("acceptance", first, tmp_path / "t1.pdf"))
    )
    reviewer.accept_many([fourth])  # 批量受理 numbers too
    own = desk.village.outbox_batch(10_000, 1 << 30)  # confirmed by the centre, then decided
    decided = desk.township.outbox_batch(10_000, 1 << 30)
    page: list[Any] = [
        RecordedEvent(**event.model_dump(), central_seq=seq)
        for seq, event in enumerate([*own, *decided], start=1)
    ]
    seq = len(page)
    desk.village.apply_pull_page(PullResponse(events=page, next_cursor=seq, has_more=False))
    catalog = load_catalog()

    def at_village(number: str) -> str:
        document = decision_document(
            desk.village, catalog, "acceptance", number, officer=None, today=date(2026, 12, 2)
        )
        assert document.decided_by == OFFICE
        return document.document_number

    assert at_village(first) == f"海城便民受〔{year}〕1号"
    assert at_village(second) == f"海城便民受〔{year}〕2号"
    assert at_village(fourth) == f"海城便民受〔{year}〕3号"
    # the older decision carries none: the sequence is the township's, not the village's
    assert at_village(third) == ""
    # ... and the township numbers it at its first printing, after those taken
    assert f"海城便民受〔{year}〕4号" in flat(
        layout_text(desk.print("acceptance", third, tmp_path / "t3.pdf"))
    )


def test_a_pause_and_a_refusal_at_completion_have_their_papers(desk: Desk, tmp_path: Path) -> None:
    """The 受理通知书 promised "本机关将另行书面告知" of a special procedure, and 暂停 wrote
    nothing; 办结 不通过 wrote no decision with its reasons and the rights of review."""
    paused = desk.numbers[0]
    reviewer = desk.reviewer()
    reviewer.accept(paused)
    reviewer.pause(paused, "公示", "在村务公开栏公示申请人家庭情况", expected_days=7)
    text = flat(layout_text(desk.print("pause", paused, tmp_path / "p.pdf", "--as", "wangfang")))
    assert "特别程序告知书" in text and re.search(r"海城便民特〔20\d\d〕1号", text), text
    assert "依法需要进行公示（在村务公开栏公示申请人家庭情况）" in text
    assert "公示所需时间不计算在办理时限内" in text
    # calendar days, and the day they end (the paper said only "预计需要7天")
    day = china_day(utc_now())
    last = day + timedelta(days=6)
    assert f"预计需要7个自然日（至{last.year}年{last.month}月{last.day}日）" in text, text
    # 高龄津贴 is no permit: neither §45 nor the item's own basis is cited for the rule
    assert "根据有关规定，公示所需时间" in text and "第四十五条" not in text
    assert "办理时限自次日起继续计算" in text and f"{OFFICE}（盖章）" in text
    assert "扫描本告知书下方" in text or "凭办件编号查询" in text  # a 告知书, not a 通知书
    assert "补打" not in text
    reviewer.act(paused, EventKind.resumed)
    reviewer.pause(paused, "鉴定", "委托鉴定房屋安全等级", expected_days=10)
    second = flat(layout_text(desk.print("pause", paused, tmp_path / "p2.pdf")))
    # the second procedure's own notice: no 补打 of the first
    assert "鉴定" in second and "补打" not in second
    assert re.search(r"海城便民特〔20\d\d〕2号", second), second
    again = flat(layout_text(desk.print("pause", paused, tmp_path / "p3.pdf")))
    assert "补打" in again and re.search(r"海城便民特〔20\d\d〕2号", again)

    from tests.station.review_helpers import assistance

    # 临时救助, which the township decides, taken in at its own centre
    agent = CaseService(desk.township, load_catalog(), Actor("u-tw", Role.agent, "李娜", ""))
    refused = agent.take_in(assistance()).case_number
    agent.act(refused, EventKind.submitted)
    reviewer.accept(refused)
    reviewer.complete(refused, "denied", "经入户核查，申请人家庭不属于急难型困难。")
    body = flat(layout_text(desk.print("denial", refused, tmp_path / "d.pdf", "--as", "wangfang")))
    assert "不予批准决定书" in body and "不予行政许可" not in body  # 临时救助 is no permit
    assert "经入户核查，申请人家庭不属于急难型困难。" in body and "经审查，经入户核查" not in body
    assert "本机关决定不予批准。" in body and f"{OFFICE}（盖章）" in body
    assert "六十日内向海原县人民政府申请行政复议" in body and "收到本决定书之日起" in body
    assert re.search(r"海城便民不批〔20\d\d〕1号", body), body  # 不予批准: no permit

    granted = agent.take_in(assistance("马秀兰")).case_number
    agent.act(granted, EventKind.submitted)
    reviewer.accept(granted)
    reviewer.complete(granted, "approved", "")
    result = CliRunner().invoke(
        app,
        ["print", "denial", granted, "--out", str(tmp_path / "x.pdf")]
        + ["--data-dir", str(desk.township_dir)],
        env={"DAIBAN_PASSWORD": PASSWORD},
    )
    assert result.exit_code != 0 and "办结时未作不予许可（批准）决定" in result.output
    # a grant is in writing too (§38): it had no paper at all
    body = flat(
        layout_text(desk.print("approval", granted, tmp_path / "a.pdf", "--as", "wangfang"))
    )
    year = china_day(utc_now()).year
    assert "办结通知书" in body and f"海城便民结〔{year}〕1号" in body, body  # its own word
    assert "经审查，你的申请符合规定条件。" in body and "本机关决定予以批准，现已办结。" in body
    assert "准予行政许可" not in body and "容缺" not in body  # 临时救助 is no permit; none owed
    assert "准予许可的内容" not in body
    assert f"{OFFICE}（盖章）" in body and "经办人：王芳" in body
    assert "马秀兰" in body


def test_a_permits_decision_is_in_the_townships_government_name(desk: Desk, tmp_path: Path) -> None:
    """The 准予（不予）行政许可决定书 of a 宅基地 permit was sealed by the 便民服务中心, which takes
    cases in and is no administrative organ: the decision is the township government's."""
    agent = CaseService(desk.township, load_catalog(), Actor("u-tw", Role.agent, "李娜", ""))
    application = _homestead()
    number = agent.take_in(application).case_number
    agent.act(number, EventKind.submitted)
    reviewer = desk.reviewer()
    reviewer.accept(number)
    reviewer.complete(number, "approved", "")
    body = flat(layout_text(desk.print("approval", number, tmp_path / "p.pdf", "--as", "wangfang")))
    assert "准予行政许可决定书" in body and "本机关决定准予行政许可。" in body
    assert "海原县海城镇人民政府（盖章）" in body and f"{OFFICE}（盖章）" not in body
    assert "第三十八条第一款" in body
    # what is permitted, as applied for: it said 准予 and never what (place, 四至, floors)
    assert "准予许可的内容如下：项目内容" in body
    assert "拟建房位置山门村三组" in body and "四至东至路，西至田，南至沟，北至马家" in body
    assert "建房层数1" in body and "地类建设用地" in body and "现有宅基地否" in body


def _township_agent(desk: Desk) -> CaseService:
    """李娜 takes cases in at the township's own centre."""
    return CaseService(desk.township, load_catalog(), Actor("u-tw", Role.agent, "李娜", ""))


def _pension(serial: int = 1) -> Application:
    """养老保险参保 (the county's 社会保险事业管理中心 decides), the household register 容缺."""
    return Application.model_validate(
        {
            "item_code": "640522-RS-001",
            "applicant": {
                "name": "马福祥", "id_number": id_number(f"6405221970010120{serial}"),
                "phone": "13895401133", "address": "海原县海城镇山门村二组9号",
            },
            "fields": {
                "ethnicity": "回族", "hukou_address": "海原县海城镇山门村二组",
                "contribution_grade": "300", "subsidy_category": "无", "in_other_scheme": False,
                "bank_name": "中国农业银行", "bank_account": "6228480010000000009",
            },
            "materials": {"id_card": "provided", "hukou": "deferred", "enroll_form": "provided"},
        }
    )  # fmt: skip


def _medical() -> Application:
    """城乡居民医保参保 (a 即办件 the county's 医疗保障局 decides)."""
    return Application.model_validate(
        {
            "item_code": "640522-YB-001",
            "applicant": {
                "name": "田秀兰", "id_number": id_number("64052219800101302"),
                "phone": "13895401144",
            },
            "fields": {"hukou_address": "海城镇山门村一组", "category": "普通居民", "insured_year": 2027},
            "materials": {"id_card": "provided"},
        }
    )  # fmt: skip


def _accepted(desk: Desk, application: Application) -> str:
    number = _township_agent(desk).take_in(application).case_number
    _township_agent(desk).act(number, EventKind.submitted)
    desk.reviewer().accept(number)
    return number


DAY = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
"""10:00 on Tuesday 1 December 2026 in China."""


def test_the_acceptance_gives_both_limits_the_materials_and_the_applicants_address_and_phone(
    desk: Desk, tmp_path: Path, hold_time: Callable[[datetime], None]
) -> None:
    """The 受理通知书 lacked what it must carry (DOMAIN): the 法定 limit beside the promised
    one, the list of materials received, the applicant's address and phone, the day accepted."""
    from tests.station.review_helpers import assistance

    hold_time(DAY)
    number = _accepted(desk, assistance("马秀兰"))  # 临时救助: the township decides, 15 / 10
    body = flat(layout_text(desk.print("acceptance", number, tmp_path / "a.pdf")))
    assert "本事项法定办结时限为15个工作日，本机关承诺自受理之日起10个工作日内" in body, body
    assert "本机关于2026年12月1日决定予以受理。" in body
    assert "联系电话：13895401122" in body and "住址：" in body
    received = flat(raw_text(desk.print("acceptance", number, tmp_path / "b.pdf")))
    assert "2居民身份证、户口簿复印件—数据共享免提交" in received.split("收到的申请材料：")[1]

    pension = _accepted(desk, _pension())
    pdf = desk.print("acceptance", pension, tmp_path / "p.pdf")
    text = flat(layout_text(pdf))
    assert "住址：海原县海城镇山门村二组9号" in text and "联系电话：13895401133" in text
    materials = flat(raw_text(pdf)).split("收到的申请材料：")[1]
    assert "居民身份证原件核验后退还，留存复印件1份原件已退还" in materials, materials
    assert re.search(r"户口簿首页及本人页复印件复印件1份容缺后补（2026年12月\d+日前）", materials)
    assert "《城乡居民基本养老保险参保登记表》原件1份已收取" in materials


def test_an_item_the_county_decides_is_forwarded_to_its_department_not_promised_by_the_township(
    desk: Desk, tmp_path: Path, hold_time: Callable[[datetime], None]
) -> None:
    """养老参保 and 医保参保 are completed by the county's departments (the handling path):
    the township's 受理通知书 said 本机关承诺……办结, which it never does."""
    hold_time(DAY)
    pension = _accepted(desk, _pension())
    text = flat(layout_text(desk.print("acceptance", pension, tmp_path / "p.pdf")))
    assert "本事项由海原县社会保险事业管理中心办结，本机关受理后报送该单位办理。" in text, text
    assert re.search(
        r"本事项法定办结时限为20个工作日，承诺办结时限为3个工作日，预计于2026年12月\d+日前办结。",
        text,
    ), text
    assert "本机关承诺" not in text and "属于本机关受理范围" in text
    assert f"{OFFICE}（盖章）" in text  # the township accepted it: its paper

    medical = _accepted(desk, _medical())
    text = flat(layout_text(desk.print("acceptance", medical, tmp_path / "m.pdf")))
    assert "本事项由海原县医疗保障局办结，本机关受理后报送该单位办理。" in text, text
    assert "本事项为即办件，该单位收到后即时办理，预计于2026年12月1日办结。" in text
    assert "本机关于受理当日" not in text and "本机关承诺" not in text


def _homestead() -> Application:
    return Application.model_validate(
        {
            "item_code": "640522-ZR-001",
            "applicant": {
                "name": "马建国", "id_number": id_number("64052219700101101"), "phone": "13895401122",
            },
            "fields": {
                "household_size": 5, "reason": "分户新建", "has_homestead": False,
                "location": "山门村三组", "boundaries": "东至路，西至田，南至沟，北至马家",
                "plot_area": "200", "land_type": "建设用地", "floors": 1, "height": "4.5",
                "floor_area": "150",
            },
            "materials": {
                "application_form": "provided", "id_hukou": "shared",
                "village_opinion": "provided", "neighbour_opinion": "provided",
                "drawing": "provided", "commitment": "provided",
            },
        }
    )  # fmt: skip


def test_a_permit_refused_in_the_governments_name_has_the_governments_number(
    desk: Desk, tmp_path: Path
) -> None:
    """The 不予行政许可决定书 is the township government's, but it was numbered in the
    便民服务中心's sequence (海城便民不许〔2027〕1号); a number already carried is kept."""
    reviewer = desk.reviewer()
    refused = _accepted(desk, _homestead())
    reviewer.complete(refused, "denied", "拟建房位置位于基本农田保护范围内。")
    body = flat(layout_text(desk.print("denial", refused, tmp_path / "d.pdf", "--as", "wangfang")))
    year = china_day(utc_now()).year
    assert "不予行政许可决定书" in body and "海原县海城镇人民政府（盖章）" in body
    assert f"海城政不许〔{year}〕1号" in body, body
    assert "海城便民" not in body

    granted = _accepted(desk, _homestead())
    reviewer.complete(granted, "approved", "")
    body = flat(layout_text(desk.print("approval", granted, tmp_path / "g.pdf")))
    assert f"海城政准许〔{year}〕1号" in body and "海城便民" not in body, body

    # a decision that travelled with the centre's number keeps it on every copy
    older = _accepted(desk, _homestead())
    desk.township.append(
        older,
        [
            NewEvent(
                EventKind.completed,
                REVIEWER.user_id,
                Role.reviewer,
                {
                    "result": "denied",
                    "note": "超出规划范围。",
                    "document_number": "海城便民不许〔2026〕7号",
                },
            )
        ],
    )
    body = flat(layout_text(desk.print("denial", older, tmp_path / "o.pdf")))
    assert "海城便民不许〔2026〕7号" in body and "海原县海城镇人民政府（盖章）" in body


def test_the_county_completes_in_the_name_of_the_department_that_decides(tmp_path: Path) -> None:
    """The county's 办结通知书 was issued as 海原县政务服务中心, which decides nothing: it is
    the department's the item was forwarded to (高龄津贴: 县民政局)."""
    from printing import documents
    from tests.station.cases_seed import take_in, township
    from tests.station.test_county_completes import ADMIN_ID, county_station

    store = county_station(tmp_path / "county")
    try:
        number = take_in(store).case_number
        forwarded: dict[str, object] = {"to": "县民政局", "target": "department", "level": "county"}
        township(store, number, (EventKind.accepted, {}), (EventKind.forwarded, forwarded))
        county = CaseService(store, load_catalog(), Actor(ADMIN_ID, Role.admin, "赵军"))
        county.complete(number, "approved_deferred")
        document = decision_document(
            store, load_catalog(), "approval", number, officer=None, today=date(2026, 12, 2)
        )
        body = flat(layout_text(documents.render_approval(document).pdf))
    finally:
        store.close()
    assert "办结通知书" in body and "海原县民政局（盖章）" in body, body
    assert "海原县政务服务中心（盖章）" not in body  # (it took the case in: 经海原县政务服务中心)
    assert body.startswith("海原县民政局办结通知书")


def test_the_correction_notice_lists_a_deferred_material_still_owed(
    desk: Desk, tmp_path: Path, hold_time: Callable[[datetime], None]
) -> None:
    """一次性告知: the 补正告知书 said 以上为需补正的全部内容 and left out the 容缺 bank card
    copy still owed, with its day."""
    hold_time(DAY)
    agent = _township_agent(desk)
    owing = _application(1).model_copy(
        update={"materials": {**_application(1).materials, "bank_card": "deferred"}}
    )
    number = agent.take_in(owing).case_number
    agent.act(number, EventKind.submitted)
    desk.reviewer().act(
        number,
        EventKind.returned,
        reason="申请表未签字",
        payload={"missing": ["application_form"]},
    )
    pdf = desk.print("correction", number, tmp_path / "c.pdf")
    table = flat(raw_text(pdf)).split("应符合的标准或要求")[1].split("以上为需补正的全部内容")[0]
    assert table.startswith("1《高龄津贴申请审批表》原件1份"), table
    assert re.search(
        r"2社会保障卡或存折复印件复印件1份容缺受理，尚未补交，请于2026年12月\d+日前补交", table
    ), table
    body = flat(layout_text(pdf))
    assert "（容缺材料按表中所列期限补交）" in body
    assert "视为撤回" not in body and "逾期未补正的，可能影响办理结果。" in body


def test_the_ledger_says_a_case_refused_at_completion_was_not_granted(
    desk: Desk, tmp_path: Path, hold_time: Callable[[datetime], None]
) -> None:
    """台账's 状态 read 办结 for a 不予批准: the state code lists write 办结（不通过）."""
    from tests.station.review_helpers import assistance

    hold_time(DAY)
    refused = _accepted(desk, assistance("马秀兰"))
    desk.reviewer().complete(refused, "denied", "经入户核查，申请人家庭不属于急难型困难。")
    granted = _accepted(desk, assistance("李秀英"))
    desk.reviewer().complete(granted, "approved", "")
    out = tmp_path / "ledger.pdf"
    result = CliRunner().invoke(
        app,
        ["print", "ledger", "--from", "2026-12-01", "--to", "2026-12-01", "--out", str(out)]
        + ["--data-dir", str(desk.township_dir)],
        env={"DAIBAN_PASSWORD": PASSWORD},
    )
    assert result.exit_code == 0, result.output
    text = flat(layout_text(out.read_bytes()))
    assert "共2件" in text and "办结（不通过）" in text, text
    assert text.count("办结（不通过）") == 1  # the granted one is 办结 alone
