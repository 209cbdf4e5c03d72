"""Chinese punctuation never begins a printed line (避头: ，；：！？”》）)."""

from __future__ import annotations

from reportlab.platypus import Paragraph

from printing.fonts import find_cjk_font
from printing.layout import NO_LINE_START, Sheet

TEXT = (
    "根据《国务院关于整合城乡居民基本医疗保险制度的意见》；经审查，申请材料齐全，"
    "符合法定形式：决定予以受理！是否需要补交？请到派出所开具户籍证明，"
    "即办件（送达审批部门后当场办理，不另设办理时限）。申请（办件编号 HY-2026-000123）。"
    "材料（身份证、户口簿）、照片齐全。请携带 Hukou Book 原件及 ID card 复印件到 "
    "Civil Affairs Office 核对。"
)
MARKS = NO_LINE_START + "。、"
"""Every mark that may not begin a line: ours and the two reportlab knew."""


def test_no_line_starts_with_a_closing_mark_at_any_width() -> None:
    """A 受理通知书 line began "；《国务院…", a 补正告知书 cell "，请到派出所…"."""
    sheet = Sheet(find_cjk_font())
    starts = []
    # one style (every paragraph and cell of our papers), and several: there reportlab
    # hangs one mark in the margin, not two in a row (》；), which it leaves as it was
    single = TEXT.replace("》；", "》").replace("）。", "）").replace("）、", "）")
    for markup, text in ((TEXT, TEXT), (f"<b>{single[:10]}</b>{single[10:]}", single)):
        for width in range(60, 420, 3):  # every width puts some mark at a line's end
            paragraph = Paragraph(markup, sheet.styles["body"])
            paragraph.wrap(width, 10_000)
            lines = [_text(line) for line in paragraph.blPara.lines]
            # nothing lost, nothing run together (a space inside a line kept: Civil Affairs)
            assert "".join(lines).replace(" ", "") == text.replace(" ", "")
            assert all(line in text for line in lines), (width, lines)
            starts += [line[0] for line in lines[1:] if line]
    assert starts and not set(starts) & set(MARKS), sorted(set(starts))


def test_a_long_paragraph_in_a_narrow_cell_is_laid_out() -> None:
    """Pushing out once per line was a recursion: 1,200 such lines raised RecursionError."""
    sheet = Sheet(find_cjk_font())
    paragraph = Paragraph("中文》；" * 1200, sheet.styles["body"])
    paragraph.wrap(30, 10_000_000)
    lines = [_text(line) for line in paragraph.blPara.lines]
    assert "".join(lines) == "中文》；" * 1200


def _text(line: object) -> str:
    """A laid-out line's text: ``(space, [text])`` for one style, a FragLine for several."""
    if isinstance(line, tuple):
        return "".join(line[1])
    return "".join(word.text for word in line.words)  # type: ignore[attr-defined]
