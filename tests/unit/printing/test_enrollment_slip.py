"""The 注册单: a station's one-time code on paper, read back as a person reads it."""

from __future__ import annotations

from datetime import UTC, datetime

from printing.docs.enrollment import qr_drawing
from printing.jobs import render
from printing.model import EnrollmentDocument
from tests.unit.printing.conftest import pdf_text

URI = "daiban://enroll?central=https%3A%2F%2Fzwfw.example.gov.cn&code=5WAG-CHQN&fp=ab12"


def _slip(fingerprint: str = "") -> EnrollmentDocument:
    return EnrollmentDocument(
        station_name="海城镇杨山村便民服务站",
        division="640522100203",
        division_name="海城镇杨山村",
        code="5WAG-CHQN",
        uri=URI,
        central_url="https://zwfw.example.gov.cn",
        expires_at=datetime(2026, 12, 8, 22, 56, tzinfo=UTC),  # 06:56 on the 9th in China
        issued_by="赵军",
        fingerprint=fingerprint,
    )


def test_the_slip_names_the_station_the_code_and_its_expiry_in_china_time() -> None:
    text = "".join(pdf_text(render("enrollment", _slip("AB:12:CD")).pdf).split())
    assert "便民服务站注册单" in text and "海城镇杨山村（640522100203）" in text
    assert "注册码：5WAG-CHQN" in text and "有效期至：2026年12月9日06:56" in text
    assert "https://zwfw.example.gov.cn" in text and "中心证书指纹：AB:12:CD" in text
    assert "发码人：赵军" in text and "daibanstationenroll" in text


def test_without_a_fingerprint_the_slip_does_not_ask_for_one() -> None:
    text = "".join(pdf_text(render("enrollment", _slip()).pdf).split())
    assert "指纹" not in text


def test_the_qr_holds_the_enroll_link() -> None:
    (widget,) = qr_drawing(URI).contents
    assert widget.value == URI
