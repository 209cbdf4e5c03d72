"""Numbers are read whole: an ID number, a case number or a date is never split across
lines (CJK line breaking breaks between any two characters: the 台账 printed every ID
number as ``640522********102`` with its last figure on the next line, the 80 mm receipt
the masked number over two lines)."""

from __future__ import annotations

import dataclasses

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph

from printing import documents
from printing.fmt import mask_id
from printing.fonts import find_cjk_font
from printing.layout import Sheet
from printing.model import Party
from printing.sample import sample_case, sample_ledger_rows
from tests.unit.printing.conftest import pdf_text

LONG_NAME = "阿依古丽·买买提"
ID_X = "64052219601001100X"


def _lines(pdf: bytes) -> list[str]:
    return [line.strip() for line in pdf_text(pdf).splitlines()]


def test_a_paragraph_moves_a_number_to_the_next_line_whole() -> None:
    font = find_cjk_font()
    Sheet(font)  # the fonts registered, the line breaking mended (printing.layout)
    style = ParagraphStyle("t", fontName=font.name, fontSize=10, leading=12, wordWrap="CJK")
    text = "联系人：李秀兰（代办员） 电话：13909541234 进度查询：县政务服务热线"
    paragraph = Paragraph(text, style)
    paragraph.wrap(150, 500)
    lines = ["".join(str(w) for w in line[1]) for line in paragraph.blPara.lines]
    assert any("13909541234" in line for line in lines), lines
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")


def test_the_80mm_receipt_and_notice_keep_the_id_and_case_numbers_whole() -> None:
    case = dataclasses.replace(
        sample_case(), applicant=Party(LONG_NAME, ID_X, "13895401122"), principal=None
    )
    masked = mask_id(ID_X)
    receipt = _lines(documents.render_receipt(case, "80mm").pdf)
    assert any(masked in line for line in receipt), receipt
    notice = _lines(documents.render_notice(case, "80mm").pdf)
    assert any(masked in line for line in notice), notice
    assert any(case.case_number in line for line in notice), notice


def test_the_ledger_prints_each_id_number_on_one_line() -> None:
    rows = sample_ledger_rows(6)
    day = rows[0].received_on
    pdf = documents.render_ledger(rows, day, day, "海城镇山门村便民服务站", "640522100201").pdf
    text = pdf_text(pdf)
    for row in rows:
        assert mask_id(row.resident.id_number) in text, mask_id(row.resident.id_number)
    assert any(mask_id(row.resident.id_number).endswith("X") for row in rows)
