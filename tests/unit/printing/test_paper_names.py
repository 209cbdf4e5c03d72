"""The names papers are kept under: the Chinese title a reviewer looks for, whose paper it
is, safe on Windows, and never put over another paper kept before."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from printing.jobs import default_path, file_name, produce
from printing.model import EnrollmentDocument, LedgerDocument, UnresolvedDocument
from printing.names import free_path, paper_file_name, printed, safe_part
from printing.sample import sample_acceptance, sample_case, sample_correction, sample_rejection
from tests.unit.printing.conftest import pdf_info

NUMBER = "640522100201-20261122-0007"

WINDOWS_REFUSES = set('/\\:*?"<>|')


def test_each_decision_paper_is_named_by_its_title_and_the_case() -> None:
    assert file_name("acceptance", sample_acceptance()) == f"受理通知书-{NUMBER}.pdf"
    assert file_name("rejection", sample_rejection()) == f"不予受理通知书-{NUMBER}.pdf"
    assert file_name("correction", sample_correction()) == f"补正告知书-{NUMBER}.pdf"
    assert file_name("pause", sample_acceptance()) == f"特别程序告知书-{NUMBER}.pdf"


@pytest.mark.parametrize(
    ("kind", "permit", "title"),
    [
        ("denial", True, "不予行政许可决定书"),
        ("denial", False, "不予批准决定书"),
        ("approval", True, "准予行政许可决定书"),
        ("approval", False, "办结通知书"),
    ],
)
def test_a_completion_paper_is_named_as_its_title_reads(
    kind: str, permit: bool, title: str
) -> None:
    decision = dataclasses.replace(sample_acceptance(), permit=permit)
    assert file_name(kind, decision) == f"{title}-{NUMBER}.pdf"


def test_the_village_papers_say_their_paper_and_a_reprint_in_chinese() -> None:
    case = sample_case()
    assert file_name("receipt", case) == f"帮代办收件回执-{NUMBER}.pdf"
    assert file_name("receipt", case, "a4-large") == f"帮代办收件回执-{NUMBER}-大字版.pdf"
    assert file_name("receipt", case, "80mm") == f"帮代办收件回执-{NUMBER}-小票.pdf"
    again = dataclasses.replace(case, reprinted_on=date(2026, 11, 23))
    assert file_name("notice", again) == f"一次性告知书-{NUMBER}-补打20261123.pdf"
    assert file_name("authorization", case) == f"授权委托书-{NUMBER}.pdf"


def test_a_paper_before_intake_is_named_not_taken_in_and_when_in_china() -> None:
    draft = dataclasses.replace(
        sample_case(),
        case_number="0193c0de-0000-7000-8000-000000000000",
        received_at=datetime(2026, 11, 22, 16, 5, tzinfo=UTC),  # 00:05 on the 23rd in China
        taken_in=False,
    )
    assert file_name("notice", draft) == "一次性告知书-未收件-20261123-0005.pdf"
    assert file_name("authorization", draft) == "授权委托书-未收件-20261123-0005.pdf"


def test_the_registration_slip_is_named_by_the_station_and_the_code_s_reference() -> None:
    slip = EnrollmentDocument(
        station_name="海城镇杨山村便民服务站",
        division="640522100203",
        division_name="海城镇杨山村",
        code="5WAG-CHQN",
        uri="daiban://enroll?central=https%3A%2F%2Fzwfw.example.gov.cn&code=5WAG-CHQN",
        central_url="https://zwfw.example.gov.cn",
        expires_at=datetime(2026, 12, 8, 22, 56, tzinfo=UTC),
        issued_by="赵军",
        ref="9F3A0C21",
    )
    name = file_name("enrollment", slip)
    assert name == "便民服务站注册单-海城镇杨山村便民服务站-9F3A0C21.pdf"
    assert "5WAG" not in name and "2026" not in name  # neither the code nor its expiry


def test_the_ledger_and_the_unresolved_slip() -> None:
    ledger = LedgerDocument(
        "杨郎村便民服务站", "640522100201", date(2026, 11, 1), date(2026, 11, 30), ()
    )
    assert file_name("ledger", ledger) == "帮代办登记台账-杨郎村便民服务站-20261101-20261130.pdf"
    slip = UnresolvedDocument(
        number="BCS-640522100201-20261205-0001",
        station_name="杨郎村便民服务站",
        agent_name="马丽",
        agent_phone="",
        reported_at=datetime(2026, 12, 4, 17, 30, tzinfo=UTC),
        what="高龄津贴",
        why="户口在外县",
        contact="",
        reprinted_on=date(2026, 12, 6),
    )
    assert file_name("unresolved", slip, "80mm") == (
        "办不成事登记回执-BCS-640522100201-20261205-0001-小票-补打20261206.pdf"
    )


def test_a_name_is_safe_on_windows_whatever_it_is_given() -> None:
    name = paper_file_name("受理通知书", 'a/b\\c:d*e?f"g<h>i|j\tk\n. ', fmt="80mm")
    assert not WINDOWS_REFUSES & set(name) and name.isprintable()
    assert name == "受理通知书-a_b_c_d_e_f_g_h_i_j_k-小票.pdf"
    assert safe_part("..") == "" and safe_part(" 山门村 ") == "山门村"
    assert len(safe_part("很长的站名" * 20)) == 40


def test_a_second_paper_of_the_same_name_is_numbered_not_put_over_the_first(
    tmp_path: Path,
) -> None:
    """Two 补正 of one case (each a first print), or two 补打 on one day: kept side by side."""
    first = produce("correction", sample_correction(), data_dir=tmp_path).path
    second = produce("correction", sample_correction(), data_dir=tmp_path).path
    third = default_path("correction", sample_correction(), "a4", tmp_path)
    assert first.name == f"补正告知书-{NUMBER}.pdf"
    assert second.name == f"补正告知书-{NUMBER}（2）.pdf"
    assert third.name == f"补正告知书-{NUMBER}（3）.pdf" and not third.exists()
    assert pdf_info(first.read_bytes())["Title"] == "补正告知书"
    assert free_path(tmp_path, "x.pdf") == tmp_path / "x.pdf"


def test_printed_knows_a_paper_by_its_kind_its_paper_and_its_old_english_name(
    tmp_path: Path,
) -> None:
    (tmp_path / f"帮代办收件回执-{NUMBER}-小票.pdf").touch()
    (tmp_path / f"不予批准决定书-{NUMBER}-补打20261123（2）.pdf").touch()
    (tmp_path / "640522100201-20261122-0008-notice-a4-large-reprint-20261123.pdf").touch()
    assert printed(tmp_path, "receipt", NUMBER) and printed(tmp_path, "receipt", NUMBER, "80mm")
    assert not printed(tmp_path, "receipt", NUMBER, "a4")  # the first A4 is no 补打
    assert not printed(tmp_path, "receipt", NUMBER[:-1])  # …-000 is another case
    assert printed(tmp_path, "denial", NUMBER) and not printed(tmp_path, "approval", NUMBER)
    old = "640522100201-20261122-0008"  # kept before papers were named in Chinese
    assert printed(tmp_path, "notice", old, "a4-large") and not printed(
        tmp_path, "notice", old, "a4"
    )
    assert not printed(tmp_path / "none", "receipt", NUMBER)


def test_a_case_document_keeps_its_own_name_when_given_out(tmp_path: Path) -> None:
    """``--out`` writes where it is told, under the name it is given."""
    out = tmp_path / "mine.pdf"
    assert produce("receipt", sample_case(), data_dir=tmp_path, out=out).path == out
    assert not (tmp_path / "documents").exists() or not list((tmp_path / "documents").iterdir())
