"""The written grant at 办结 (行政许可法 §38): 准予行政许可决定书 for a permit, read off the page."""

from __future__ import annotations

import re
import subprocess
from dataclasses import replace

from printing.documents import render_approval
from printing.sample import sample_acceptance


def _text(pdf: bytes) -> str:
    done = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True, timeout=30
    )
    return re.sub(r"\s+", "", done.stdout.decode("utf-8"))


def test_a_permit_granted_with_materials_owed_says_so_under_its_own_title() -> None:
    decision = replace(
        sample_acceptance(),
        document_number="海城便民准许〔2026〕1号",
        legal_basis="",
        permit=True,
        owed=("相邻权利人意见", "建房设计图或通用图"),
    )
    text = _text(render_approval(decision).pdf)
    assert "准予行政许可决定书" in text and "海城便民准许〔2026〕1号" in text
    assert "经审查，你的申请符合法定条件、标准。" in text
    assert (
        "根据《中华人民共和国行政许可法》第三十八条第一款的规定，本机关决定准予行政许可。" in text
    )
    assert "容缺（后补）的材料：相邻权利人意见、建房设计图或通用图，尚未补交" in text
    assert "办结通知书" not in text and "不予" not in text


def test_a_grant_of_what_is_no_permit_is_a_completion_notice() -> None:
    decision = replace(sample_acceptance(), permit=False, legal_basis="《宁夏高龄津贴发放办法》")
    text = _text(render_approval(decision).pdf)
    assert "办结通知书" in text and "准予行政许可" not in text
    assert "根据《宁夏高龄津贴发放办法》的规定，本机关决定予以批准，现已办结。" in text
