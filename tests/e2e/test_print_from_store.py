"""``daiban print ... CASE_NO``: every document printed from a station's own store.

A village station (enrolled identity saved directly: printing needs no central)
takes in a 高龄津贴 case with one 容缺 material through ``CaseService.take_in``;
a second case is submitted, then returned for correction and rejected by the
township, whose events arrive as a pull page would bring them. The real CLI
prints each document; poppler reads back what a resident or an auditor sees.
"""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from daiban.cli import app
from forms.catalog import ServiceItem, load_catalog
from forms.workdays import due_date, supply_by
from station.services.cases import Actor, Application, CaseService, today_in_china
from station.store import StationIdentity, StationStore
from sync.events import EventKind, RecordedEvent, Role
from sync.ids import new_id
from sync.protocol import AccountRecord, PullResponse, StationRole
from sync.reducer import CaseView
from tests.unit.printing.conftest import pdf_fonts, pdf_text, render_png

VILLAGE = "640522100201"
TOWNSHIP = "640522100000"
RESIDENT_ID = "640522194302080011"
"""The 83-year-old the case is for (委托人)."""
SON_ID = "640522197005120033"
"""His son, who comes to the station for him (亲属代办)."""
SECOND_ID = "64052219450308027X"
REVIEWER = "rev-tian"


def cn(day: date) -> str:
    """A date as the paper writes it: 2026年11月30日."""
    return f"{day.year}年{day.month}月{day.day}日"


def raw_text(pdf: bytes) -> str:
    """The text in content order (pdftotext -raw): a wrapped table cell stays together."""
    done = subprocess.run(
        ["pdftotext", "-raw", "-", "-"], input=pdf, capture_output=True, check=True, timeout=30
    )
    return done.stdout.decode("utf-8")


def flat(text: str) -> str:
    """Text without any whitespace (table cells wrap inside narrow columns)."""
    return re.sub(r"\s+", "", text)


@dataclass
class Printed:
    """One ``daiban print`` run."""

    code: int
    stdout: str
    stderr: str


@dataclass
class Station:
    """A village station's data directory and store, with its two cases."""

    data_dir: Path
    store: StationStore
    item: ServiceItem
    today: date
    deferred: CaseView
    decided: CaseView

    def print(self, *args: str) -> Printed:
        """``daiban print ARGS --data-dir <this station>``."""
        result = CliRunner().invoke(app, ["print", *args, "--data-dir", str(self.data_dir)])
        return Printed(result.exit_code, result.stdout, result.stderr)

    def pdf(self, *args: str, out: Path) -> bytes:
        """Print a document to ``out``; fail the test if the command fails."""
        printed = self.print(*args, "--out", str(out))
        assert printed.code == 0, printed.stderr
        return out.read_bytes()


def _elderly_item() -> ServiceItem:
    items = [i for i in load_catalog().items if i.name == "80周岁以上高龄津贴申领"]
    assert len(items) == 1
    return items[0]


def _application(item: ServiceItem, name: str, id_number: str, **extra: Any) -> Application:
    fields = {
        "hukou_address": "海原县海城镇某某村三组18号",
        "living_situation": "与子女同住",
        "bank_name": "中国农业银行",
        "bank_account": "6228480010000000009",
    }
    data: dict[str, Any] = {
        "item_code": item.code,
        "applicant": {
            "name": name,
            "id_number": id_number,
            "phone": "13895401122",
            "address": "海原县海城镇某某村三组18号",
        },
        "fields": fields,
        "materials": {
            "id_card": "provided",
            "hukou": "shared",
            "bank_card": "provided",
            "application_form": "provided",
        },
    }
    return Application.model_validate(data | extra)


def _township_decides(store: StationStore, case: CaseView) -> None:
    """Confirm the station's events and bring the township's return and rejection, as a pull does."""
    own = store.outbox_batch()
    confirmed = [
        RecordedEvent(**event.model_dump(), central_seq=seq)
        for seq, event in enumerate(own, start=1)
    ]
    decisions = [
        (EventKind.returned, {"reason": "社会保障卡复印件卡号不清晰", "missing": ["bank_card"]}),
        (
            EventKind.rejected,
            {"reason": "申请人户籍不在本县", "apply_instead": "户籍所在地乡镇便民服务中心"},
        ),
    ]
    version = case.version + 1  # the submission
    township_events = [
        RecordedEvent(
            id=new_id(),
            case_id=case.case_id,
            case_number=case.case_number,
            division=case.division,
            kind=kind,
            station_id="township-station",
            station_seq=n,
            base_version=version + n - 1,
            actor_id=REVIEWER,
            actor_role=Role.reviewer,
            device_time=datetime.now(UTC),
            payload=payload,
            central_seq=len(confirmed) + n,
        )
        for n, (kind, payload) in enumerate(decisions, start=1)
    ]
    reviewer = AccountRecord(
        user_id=REVIEWER,
        username="tianzq",
        display_name="田志强",
        role=Role.reviewer,
        division=TOWNSHIP,
        phone="0954-4011234",
        password_hash="not-used",
        updated_at=datetime.now(UTC),
    )
    page = PullResponse(
        events=[*confirmed, *township_events],
        next_cursor=len(confirmed) + len(township_events),
        has_more=False,
        accounts=[reviewer],
    )
    store.apply_pull_page(page)


@pytest.fixture
def station(tmp_path: Path) -> Iterator[Station]:
    data_dir = tmp_path / "village"
    store = StationStore.open(data_dir)
    store.save_identity(
        StationIdentity(
            station_id="village-1",
            division=VILLAGE,
            name="某某村便民服务站",
            role=StationRole.village,
            central_url="http://127.0.0.1:9",
            token="token",
            signing_key="key",
        )
    )
    item = _elderly_item()
    service = CaseService(
        store, load_catalog(), Actor("agent-li", Role.agent, "李秀兰", "13909541234")
    )
    today = today_in_china()
    deferred = service.take_in(
        _application(
            item,
            "马占福",
            RESIDENT_ID,
            relation="relative",
            principal={"name": "马建国", "id_number": SON_ID, "phone": "13895401123"},
            materials={
                "id_card": "provided",
                "hukou": "shared",
                "bank_card": "deferred",
                "application_form": "provided",
                "agent_id": "provided",
            },
            supply_by={"bank_card": supply_by(item, today).date},
        )
    )
    second = service.take_in(_application(item, "田桂英", SECOND_ID))
    second = service.act(second.case_number, EventKind.submitted)
    _township_decides(store, second)
    decided = store.get_case(second.case_number)
    assert decided is not None and decided.state == "rejected"
    try:
        yield Station(data_dir, store, item, today, deferred, decided)
    finally:
        store.close()


def _embedded(pdf: bytes, tmp_path: Path) -> None:
    fonts = pdf_fonts(pdf, tmp_path)
    assert fonts, "no font in the PDF"
    assert all(font["emb"] == "yes" for font in fonts), fonts


def _no_full_id(text: str) -> None:
    for number in (RESIDENT_ID, SON_ID, SECOND_ID):
        assert number not in flat(text)


def test_receipts_a4_and_80mm(station: Station, tmp_path: Path) -> None:
    number = station.deferred.case_number
    # The days the case travels to the township, then the promised limit.
    due = due_date(station.today, station.item.path.forward_days + station.item.promised_days).date
    supply = supply_by(station.item, station.today).date
    a4 = station.pdf("receipt", number, out=tmp_path / "receipt-a4.pdf")
    text = pdf_text(a4)
    assert "帮代办收件回执" in text and number in text
    assert "640522********0011" in text and "640522********0033" in text
    _no_full_id(text)
    assert "社会保障卡或存折复印件" in text and cn(supply) in text
    assert f"预计办结日期        {cn(due)}" in text or cn(due) in text
    assert "补打" not in text
    # The township is named from the county's division table, never a generic centre.
    assert "报送海原县海城镇便民服务中心审核" in flat(raw_text(a4))
    assert "海原县乡镇便民服务中心" not in flat(raw_text(a4))
    _embedded(a4, tmp_path)
    assert (station.data_dir / "documents" / f"帮代办收件回执-{number}.pdf").exists()

    roll = station.pdf("receipt", number, "--format", "80mm", out=tmp_path / "receipt-80.pdf")
    roll_text = pdf_text(roll)
    assert "帮代办收件回执" in roll_text and number in flat(roll_text)
    assert "640522********0011" in flat(roll_text)
    _no_full_id(roll_text)
    assert cn(supply) in flat(roll_text) and cn(due) in flat(roll_text)
    # The first 80 mm slip after an A4 receipt is the first of its kind, not a 补打 ...
    assert "补打" not in roll_text
    # ... and a second 80 mm slip is one, dated.
    again = station.pdf("receipt", number, "--format", "80mm", out=tmp_path / "again.pdf")
    assert "补打" in pdf_text(again) and cn(station.today) in flat(pdf_text(again))
    _embedded(roll, tmp_path)
    (tmp_path / "png").mkdir()
    assert render_png(a4, tmp_path / "png")


def test_large_print_receipt_from_the_store(station: Station, tmp_path: Path) -> None:
    number = station.decided.case_number
    large = station.pdf("receipt", number, "--format", "a4-large", out=tmp_path / "large.pdf")
    text = flat(pdf_text(large))
    assert "帮代办收件回执" in text and "补打" not in text
    assert "办件编号二维码" in text and "扫码查进度" not in text  # no public address set
    assert "事项编码" not in text.split("（存根）")[0]  # fewer words for the resident
    _no_full_id(pdf_text(large))
    assert (station.data_dir / "documents" / f"帮代办收件回执-{number}-大字版.pdf").exists()
    # The first ordinary A4 receipt after a large-print one is not a 补打 either.
    a4 = station.pdf("receipt", number, out=tmp_path / "a4.pdf")
    assert "补打" not in pdf_text(a4)
    again = station.pdf("receipt", number, "--format", "a4-large", out=tmp_path / "again.pdf")
    assert "补打" in pdf_text(again)


def test_notice_authorization_and_ledger(station: Station, tmp_path: Path) -> None:
    number = station.deferred.case_number
    supply = supply_by(station.item, station.today).date
    notice_pdf = station.pdf("notice", number, out=tmp_path / "notice.pdf")
    notice = pdf_text(notice_pdf)
    assert "一次性告知书" in notice and number in notice
    assert "640522********0011" in notice
    _no_full_id(notice)
    # (a long name wraps in its cell: read the cells in content order)
    assert "社会保障卡或存折复印件" in flat(raw_text(notice_pdf))
    assert "本人名下账户，卡号清晰" in flat(notice)
    assert cn(supply) in notice

    letter = station.pdf("authorization", number, out=tmp_path / "authorization.pdf")
    letter_text = flat(pdf_text(letter))
    assert "授权委托书" in letter_text and "80周岁以上高龄津贴申领" in letter_text
    # The law needs full ID numbers on the 授权委托书 (and only there): 委托人 and 受托人.
    assert "马占福" in letter_text and RESIDENT_ID in letter_text
    assert "马建国" in letter_text and SON_ID in letter_text
    _embedded(letter, tmp_path)

    day = station.today.isoformat()
    ledger = station.pdf("ledger", "--from", day, "--to", day, out=tmp_path / "ledger.pdf")
    ledger_text = flat(raw_text(ledger))
    assert "帮代办登记台账" in ledger_text
    assert number in ledger_text and station.decided.case_number in ledger_text
    assert "640522********0011" in ledger_text and "640522********027X" in ledger_text
    _no_full_id(ledger_text)
    assert "代办" in ledger_text and "帮办" in ledger_text
    assert "容缺社会保障卡或存折复印件" in ledger_text
    assert "不予受理" in ledger_text
    assert "海原县海城镇便民服务中心" in ledger_text  # where the submitted case went
    _embedded(ledger, tmp_path)


def test_rejection_and_correction_of_the_township(station: Station, tmp_path: Path) -> None:
    number = station.decided.case_number
    rejection = pdf_text(station.pdf("rejection", number, out=tmp_path / "rejection.pdf"))
    assert "不予受理通知书" in flat(rejection) and number in rejection
    assert "申请人户籍不在本县。" in flat(rejection)
    assert "户籍所在地乡镇便民服务中心" in flat(rejection)
    assert "海原县海城镇便民服务中心（盖章）" in flat(rejection)
    assert "海原县人民政府" in flat(rejection) and "海原县人民法院" in flat(rejection)
    assert "640522********027X" in rejection
    _no_full_id(rejection)

    correction = station.pdf("correction", number, out=tmp_path / "correction.pdf")
    text = flat(pdf_text(correction))
    assert "补正" in text and number in text
    assert "社会保障卡复印件卡号不清晰" in text
    assert "社会保障卡或存折复印件" in text and "本人名下账户，卡号清晰" in text
    assert "田志强" in text
    _embedded(correction, tmp_path)


def test_a_township_paper_is_kept_under_its_chinese_title_and_said_so(
    station: Station, tmp_path: Path
) -> None:
    """A reviewer looks for 不予受理通知书-<案号>.pdf: the name written is the name said, and
    with ``--out`` the copy kept under it is said too."""
    number = station.decided.case_number
    documents = station.data_dir / "documents"
    printed = station.print("rejection", number)
    assert printed.code == 0, printed.stderr
    kept = documents / f"不予受理通知书-{number}.pdf"
    assert printed.stdout.strip() == f"已生成 PDF：{kept}"
    assert "不予受理通知书" in pdf_text(kept.read_bytes())

    again = station.print("rejection", number, "--out", str(tmp_path / "给申请人.pdf"))
    assert again.code == 0, again.stderr
    reprint = documents / f"不予受理通知书-{number}-补打{station.today:%Y%m%d}.pdf"
    assert again.stdout.splitlines() == [
        f"已生成 PDF：{tmp_path / '给申请人.pdf'}",
        f"文书目录另留一份：{reprint}",
    ]
    assert reprint.exists() and (tmp_path / "给申请人.pdf").exists()
    assert not [path for path in documents.iterdir() if path.name.isascii()]


def test_a_document_that_does_not_apply_is_refused_in_one_line(station: Station) -> None:
    plain = station.decided.case_number
    cases = {
        ("rejection", station.deferred.case_number): "未被不予受理",
        ("correction", station.deferred.case_number): "未被退回补正",
        ("receipt", "640522100201-20200101-0999"): "没有办件",
    }
    for (kind, number), words in cases.items():
        printed = station.print(kind, number)
        assert printed.code == 1
        assert words in printed.stderr and len(printed.stderr.strip().splitlines()) == 1
    # The second case had every material: there is nothing to tell at once.
    printed = station.print("notice", plain)
    assert printed.code == 1 and "一次性告知书" in printed.stderr


def test_the_ledger_holds_only_the_period(station: Station) -> None:
    day = station.today
    before = (day - timedelta(days=7)).isoformat()
    yesterday = (day - timedelta(days=1)).isoformat()
    empty = station.print("ledger", "--from", before, "--to", yesterday, "--json")
    assert empty.code == 0, empty.stderr
    assert json.loads(empty.stdout)["rows"] == 0
    both = station.print("ledger", "--from", day.isoformat(), "--to", day.isoformat(), "--json")
    assert json.loads(both.stdout)["rows"] == 2
    backwards = station.print("ledger", "--from", day.isoformat(), "--to", yesterday)
    assert backwards.code == 1 and "早于" in backwards.stderr


def test_an_unenrolled_station_cannot_print(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["print", "receipt", "640522100201-20261122-0001", "--data-dir", str(tmp_path)]
    )
    assert result.exit_code == 1 and "尚未注册" in result.stderr


def test_a_failing_printer_keeps_the_pdf_and_a_second_print_is_a_reprint(
    station: Station, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    lp = bin_dir / "lp"
    lp.write_text('#!/bin/sh\necho "lp: scheduler not responding" >&2\nexit 1\n', "utf-8")
    lp.chmod(lp.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}/usr/bin:/bin")
    number = station.deferred.case_number
    documents = station.data_dir / "documents"

    first = station.print("notice", number, "--printer", "Office")
    kept = documents / f"一次性告知书-{number}.pdf"
    assert first.code == 1 and kept.exists() and str(kept) in first.stderr
    assert "补打" not in pdf_text(kept.read_bytes())

    again = station.print("notice", number, "--print")
    reprint = documents / f"一次性告知书-{number}-补打{station.today:%Y%m%d}.pdf"
    assert again.code == 1 and reprint.exists() and str(reprint) in again.stderr
    assert "补打" in pdf_text(reprint.read_bytes())


def test_from_json_still_works_beside_case_numbers(station: Station) -> None:
    example = Path(__file__).parents[1] / "unit" / "printing" / "case.json"
    printed = station.print("receipt", "--from-json", str(example))
    assert printed.code == 0, printed.stderr
    both = station.print("receipt", station.deferred.case_number, "--from-json", str(example))
    assert both.code == 1 and "二者选一" in both.stderr


def test_pdftoppm_renders_the_receipt(station: Station, tmp_path: Path) -> None:
    pdf = tmp_path / "look.pdf"
    station.pdf("receipt", station.deferred.case_number, out=pdf)
    done = subprocess.run(
        ["pdftoppm", "-png", "-r", "60", str(pdf), str(tmp_path / "look")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert sorted(tmp_path.glob("look*.png"))


def test_optional_materials_not_brought_are_not_demanded(station: Station, tmp_path: Path) -> None:
    """A resident filing in person without the optional photo: the desk records the photo and
    the 代办人身份证 as "missing"; neither is on the receipt, and no 一次性告知书 is due."""
    service = CaseService(
        station.store, load_catalog(), Actor("agent-li", Role.agent, "李秀兰", "13909541234")
    )
    materials = {
        "id_card": "provided",
        "hukou": "provided",
        "bank_card": "provided",
        "application_form": "provided",
        "photo": "missing",
        "agent_id": "missing",
    }
    case = service.take_in(
        _application(station.item, "田桂芳", "64052219400101001X", materials=materials)
    )
    notice = station.print("notice", case.case_number)
    assert notice.code == 1 and "一次性告知书" in notice.stderr
    receipt = flat(raw_text(station.pdf("receipt", case.case_number, out=tmp_path / "r.pdf")))
    assert "居民身份证" in receipt and "社会保障卡或存折复印件" in receipt
    assert "近期一寸免冠照片" not in receipt and "代办人居民身份证" not in receipt
