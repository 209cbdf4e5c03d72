"""办不成事登记回执: the resident's slip for a request the station could not do.

The resident leaves with the record's number, what was written down and who follows it
up (the county: 回访核实, then 帮办 or 整改, then the answer), so that they can ask
after it by its number at the station or on the 12345 hotline.
"""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, HRFlowable, Spacer

from forms.privacy import mask_ids_shown
from printing import names
from printing.fmt import cn_date, cn_datetime
from printing.fonts import CjkFont
from printing.layout import Sheet
from printing.model import UnresolvedDocument
from printing.pages import RenderedDocument, build_a4, build_roll

TITLE = names.UNRESOLVED
WIDTH = 174 * mm


def _intro(doc: UnresolvedDocument) -> str:
    """What happens next. "将报送": a station offline sends it with its next sync, so the
    slip never says it was sent; the answer is promised only to a resident who left a way
    to be reached."""
    answer = "并将处理结果告知您" if doc.contact.strip() else "处理结果可凭登记编号查询"
    return (
        f"您于{cn_datetime(doc.reported_at)}在{doc.station_name}反映的下列事项，本站未能当场办成，"
        "已登记，将报送县政务服务部门。县里将安排专人核实，能帮办的帮您办成，"
        f"属于制度或流程问题的推动整改，{answer}。"
    )


def _enquiry(doc: UnresolvedDocument) -> str:
    phone = f"（电话 {doc.agent_phone}）" if doc.agent_phone.strip() else ""
    return (
        f"查询处理情况请报登记编号 {doc.number}，联系本站代办员{doc.agent_name}{phone}，"
        f"或拨打政务服务便民热线 {doc.hotline}。请妥善保管本回执。"
    )


def _rows(doc: UnresolvedDocument) -> list[tuple[str, str]]:
    """The record as written (an ID number typed into a box is masked: this is paper)."""
    return [
        ("登记编号", doc.number),
        ("想办的事", mask_ids_shown(doc.what)),
        ("未能办成的原因", mask_ids_shown(doc.why)),
        ("反映人及联系方式", mask_ids_shown(doc.contact) or "未留"),
        ("登记人", f"{doc.agent_name}（代办员）"),
    ]


def _a4(sheet: Sheet, doc: UnresolvedDocument, label: float) -> list[Flowable]:
    story: list[Flowable] = [
        sheet.para(f"编号：{doc.number}", "right"),
        sheet.para(TITLE, "title"),
        sheet.para(doc.station_name, "subtitle"),
        Spacer(1, 5 * mm),
        sheet.para(_intro(doc), "indent"),
        Spacer(1, 3 * mm),
        sheet.pairs(_rows(doc), [label, WIDTH - label]),
        Spacer(1, 3 * mm),
        sheet.para(_enquiry(doc), "indent"),
        Spacer(1, 8 * mm),
        sheet.signatures(["代办员（签字）", "反映人签收"], WIDTH),
        Spacer(1, 4 * mm),
        sheet.para(f"{doc.station_name}（盖章）", "right"),
        sheet.para(cn_date(doc.reported_at), "right"),
    ]
    return story


def _roll(sheet: Sheet, doc: UnresolvedDocument) -> list[Flowable]:
    rule = HRFlowable(width="100%", thickness=0.6, dash=[2, 2], spaceBefore=2, spaceAfter=2)
    story: list[Flowable] = [
        sheet.para(TITLE, "title"),
        sheet.para(doc.station_name, "center"),
        rule,
        sheet.para(_intro(doc), "small"),
        rule,
    ]
    number, *rest = _rows(doc)
    story += [sheet.para(f"{number[0]}："), sheet.para(number[1], "center")]
    story += [sheet.para(f"{label}：{value}") for label, value in rest]
    story += [rule, sheet.para(_enquiry(doc), "small"), Spacer(1, 5 * mm)]
    story += [sheet.para("反映人签收：________________"), Spacer(1, 2 * mm)]
    story.append(sheet.para(doc.station_name, "small"))
    story.append(sheet.para(cn_datetime(doc.reported_at), "small"))
    return story


def render(doc: UnresolvedDocument, font: CjkFont, fmt: str = "a4") -> RenderedDocument:
    """The slip on A4 (``a4-large``: 14 pt for an elderly resident) or on an 80 mm roll."""
    if fmt in ("a4", "a4-large"):
        large = fmt == "a4-large"
        sheet = Sheet(font, size=14, floor=12) if large else Sheet(font, size=11, floor=10)
        story = _a4(sheet, doc, (49 if large else 39) * mm)  # room for 反映人及联系方式：
        return build_a4(
            sheet, story, title=TITLE, author=doc.station_name, reprinted_on=doc.reprinted_on
        )
    if fmt == "80mm":
        sheet = Sheet(font, size=11, floor=10)
        story = _roll(sheet, doc)
        return build_roll(
            sheet, story, title=TITLE, author=doc.station_name, reprinted_on=doc.reprinted_on
        )
    raise ValueError(f"unknown format {fmt!r}: use a4, a4-large or 80mm")
