"""Chinese punctuation never begins a printed line (避头: ，；：！？”》）)."""

from __future__ import annotations

from reportlab.platypus import Paragraph

from printing.fonts import find_cjk_font
from printing.layout import NO_LINE_START, Sheet

TEXT = (
    "根据《国务院关于整合城乡居民基本医疗保险制度的意见》；经审查，申请材料齐全，"
    "符合法定形式：决定予以受理！是否需要补交？请到派出所开具户籍证明，"
    "即办件（送达审批部门后当场办理，不另设办理时限）。"
)


def test_no_line_starts_with_a_closing_mark_at_any_width() -> None:
    """A 受理通知书 line began "；《国务院…", a 补正告知书 cell "，请到派出所…"."""
    sheet = Sheet(find_cjk_font())
    starts = []
    # one style (every paragraph and cell of our papers), and several: there reportlab
    # hangs one mark in the margin, not two in a row (》；), which it leaves as it was
    single = TEXT.replace("》；", "》")
    for markup, text in ((TEXT, TEXT), (f"<b>{single[:10]}</b>{single[10:]}", single)):
        for width in range(60, 420, 3):  # every width puts some mark at a line's end
            paragraph = Paragraph(markup, sheet.styles["body"])
            paragraph.wrap(width, 10_000)
            lines = [_text(line) for line in paragraph.blPara.lines]
            assert "".join(lines) == text
            starts += [line[0] for line in lines[1:] if line]
    assert starts and not set(starts) & set(NO_LINE_START), sorted(set(starts))


def _text(line: object) -> str:
    """A laid-out line's text: ``(space, [text])`` for one style, a FragLine for several."""
    if isinstance(line, tuple):
        return "".join(line[1])
    return "".join(word.text for word in line.words)  # type: ignore[attr-defined]
