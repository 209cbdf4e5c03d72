"""The small defects of issue 12, read back from the paper."""

from __future__ import annotations

import dataclasses
from datetime import date

from forms.catalog.loader import load_catalog
from printing import documents
from printing.sample import sample_case, sample_ledger_rows
from station.documents.case import enquiry
from tests.unit.printing.conftest import pdf_text, word_boxes

CASE = sample_case()
REASON = (
    "经核验，申请人户籍不在本乡镇，且家庭人均收入高于当地最低生活保障标准，"
    "请向户籍所在地乡镇便民服务中心申请"
)


def test_an_unknown_agent_phone_prints_no_empty_brackets() -> None:
    silent = dataclasses.replace(CASE, agent_phone="")
    for render in (
        lambda: documents.render_receipt(silent, "a4"),
        lambda: documents.render_receipt(silent, "80mm"),
        lambda: documents.render_notice(silent, "a4"),
    ):
        text = "".join(pdf_text(render().pdf).split())
        assert "李秀兰" in text
        assert "电话）" not in text and "（电话" not in text and "电话：进度" not in text


def test_the_hotline_is_the_governments_not_the_bureaus() -> None:
    item = load_catalog().get("640522-MZ-001")  # its catalog phone is 12345
    line = enquiry(item, "13909541234")
    doc = dataclasses.replace(CASE, enquiry=line)
    text = "".join(pdf_text(documents.render_receipt(doc, "a4").pdf).split())
    assert "海原县民政局12345" not in text
    assert "政务服务便民热线12345（承办单位：海原县民政局）" in text
    own = item.model_copy(update={"phone": "0954-4012288"})
    assert enquiry(own, "") == "海原县民政局 0954-4012288"


def test_dates_in_the_notice_table_are_never_broken() -> None:
    late = dataclasses.replace(CASE.materials[3], supply_by=date(2026, 12, 14))
    doc = dataclasses.replace(CASE, materials=(*CASE.materials, late))
    words = [
        text for page in word_boxes(documents.render_notice(doc, "a4").pdf) for *_b, text in page
    ]
    assert "2026年12月4日" in words and "2026年12月14日" in words  # each a whole word
    assert "份数及形" not in words  # nor is a header


def test_a_reason_in_the_ledger_reads_in_a_few_lines() -> None:
    (row,) = sample_ledger_rows(1, date(2026, 11, 2))
    refused = dataclasses.replace(row, state="不予受理", remarks=REASON)
    rendered = documents.render_ledger(
        [refused], date(2026, 11, 1), date(2026, 11, 30), "某站", "640522100201"
    )
    (page,) = word_boxes(rendered.pdf)
    start = next(box for box in page if box[4].startswith("不予受理"))
    column = [box for box in page if box[0] >= start[0] - 1 and box[1] >= start[1] - 1]
    lines = {round(box[1]) for box in column if box[1] < start[1] + 100}
    assert len(lines) <= 6  # was 14 in a 13 mm column
    assert "".join(box[4] for box in column).replace("不予受理", "", 1).startswith("经核验")


def test_a_rating_and_a_handover_date_stay_inside_their_columns() -> None:
    """On main 非常不满意 and the resident's words ran past the 9 mm 评价 column into the
    next ones, and 送达情况 broke its date as 11-1 / 7."""
    from reportlab.lib.units import mm

    from printing.docs.ledger import COLUMNS, MARGIN

    (row,) = sample_ledger_rows(1, date(2026, 11, 2))
    rated = dataclasses.replace(
        row, handover="本人领取 11-17", rating="非常不满意\n（等了二十多天没人通知，跑了三趟）"
    )
    rendered = documents.render_ledger(
        [rated], date(2026, 11, 1), date(2026, 11, 30), "某站", "640522100201"
    )
    (page,) = word_boxes(rendered.pdf)
    left = MARGIN + sum(width for _h, width in COLUMNS[:12]) * mm  # 评价 is the 13th column
    right = left + COLUMNS[12][1] * mm
    assert COLUMNS[12][0] == "评价"
    rating = [box for box in page if box[0] >= left - 1 and box[2] <= right + 1]
    said = "".join(box[4] for box in rating)
    assert said == "评价非常不满意（等了二十多天没人通知，跑了三趟）"  # all of it, in its column
    words = [box[4] for box in page]
    assert "11-17" in words  # the date whole


def test_the_roll_reads_as_three_parts_with_each_state_whole() -> None:
    """On the 80 mm roll the terms' 1. 2. … ran on from the materials' 1.–5. with no
    heading; a material's state broke in two (已收 / 取); the time wrapped alone (10:32)."""
    from printing import documents
    from printing.fmt import cn_datetime
    from printing.sample import sample_case
    from tests.unit.printing.conftest import pdf_text

    case = sample_case()
    text = pdf_text(documents.render_receipt(case, "80mm").pdf)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    assert "须知：" in lines and lines.index("须知：") > lines.index("收取材料：")
    assert any(line.endswith("已收取") for line in lines)
    assert any(line.endswith("数据共享免提交") for line in lines)
    assert lines[-2:] == [case.station_name, cn_datetime(case.received_at)]
