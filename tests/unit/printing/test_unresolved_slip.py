"""办不成事登记回执: the resident's slip, read off the page as the resident reads it."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from printing.jobs import render
from printing.model import UnresolvedDocument
from tests.unit.printing.conftest import overlapping_words, page_size, pdf_text, word_boxes

SLIP = UnresolvedDocument(
    number="BCS-640522100201-20261205-0001",
    station_name="杨郎村便民服务站",
    agent_name="马丽",
    agent_phone="13900001111",
    reported_at=datetime(2026, 12, 4, 17, 30, tzinfo=UTC),  # 5 December, 01:30 in China
    what="给卧床的母亲办理高龄津贴，母亲身份证号 64052219300101123X",
    why="户口在外县，本县不能受理；需到户籍地申请",
    contact="儿子 王强 13800002222",
)


@pytest.mark.parametrize("fmt", ["a4", "a4-large", "80mm"])
def test_the_slip_says_what_was_recorded_and_how_to_ask_after_it(fmt: str) -> None:
    rendered = render("unresolved", SLIP, fmt)
    words = re.sub(r"\s+", "", pdf_text(rendered.pdf))

    assert "办不成事登记回执" in words and "杨郎村便民服务站" in words
    assert "您于2026年12月5日01:30在杨郎村便民服务站反映" in words  # China time
    assert "BCS-640522100201-20261205-0001" in words
    assert "想办的事：给卧床的母亲办理高龄津贴" in words
    assert "未能办成的原因：户口在外县，本县不能受理；需到户籍地申请" in words
    assert "反映人及联系方式：儿子王强13800002222" in words
    assert "已登记，将报送县政务服务部门" in words and "并将处理结果告知您" in words
    assert "640522********123X" in words and "64052219300101123X" not in words  # masked
    assert "马丽（电话13900001111）" in words and "政务服务便民热线12345" in words
    assert "反映人签收" in words and rendered.warnings == []
    assert overlapping_words(rendered.pdf) == []
    if fmt != "80mm":  # the longest label stands apart from its value (none runs into it)
        boxes = [box[4] for page in word_boxes(rendered.pdf) for box in page]
        assert "未能办成的原因：" in boxes and "反映人及联系方式：" in boxes
    width_mm = page_size(rendered.pdf)[0] / 72 * 25.4
    assert round(width_mm) == (80 if fmt == "80mm" else 210)


def test_a_reprint_is_marked_and_a_slip_with_no_contact_says_so() -> None:
    from dataclasses import replace

    from printing.jobs import mark_reprint

    bare = mark_reprint(replace(SLIP, contact="", agent_phone=""), datetime(2026, 12, 6).date())
    words = re.sub(r"\s+", "", pdf_text(render("unresolved", bare, "a4").pdf))

    assert "补打" in words and "反映人及联系方式：未留" in words
    assert "处理结果可凭登记编号查询" in words and "告知您" not in words
    assert "联系本站代办员马丽，或拨打" in words
