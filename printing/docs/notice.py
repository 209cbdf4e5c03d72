"""一次性告知书: everything still missing, told once, with its standard and deadline."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, HRFlowable, Spacer, Table

from printing import names, roles
from printing.fmt import cn_date, mask_id, material_form, status_text
from printing.fonts import CjkFont
from printing.layout import Sheet
from printing.model import CaseDocument, MaterialStatus
from printing.pages import RenderedDocument, build_a4, build_roll

TITLE = names.NOTICE
LARGE_FROM = 12
"""Point sizes above this are the large print (大字版, 14 pt)."""


def _intro(doc: CaseDocument) -> str:
    who = doc.represented
    if not doc.taken_in:  # before intake: no case yet
        later = any(m.status is MaterialStatus.deferred for m in doc.deferred)
        blocking = any(m.status is MaterialStatus.missing for m in doc.deferred)
        what = "尚缺下列材料，本站暂不能收件" if blocking else "尚需下列材料"
        deferred = "其中“容缺后补”的可先收件，在补交期限前补齐；" if later and blocking else ""
        return (
            f"{who.name}（身份证号 {mask_id(who.id_number)}）于{cn_date(doc.received_at)}到"
            f"{doc.station_name}申请办理“{doc.item_name}”。经核对，{what}。"
            f"现一次性告知，{deferred}请备齐后再到本站办理："
        )
    dates = {m.supply_by for m in doc.deferred if m.supply_by is not None}
    if len(dates) > 1:  # one date above and another in a row read as a contradiction
        when = f"请按下表各项的补交期限补齐后交至本站（最早一项{cn_date(min(dates))}到期）："
    else:
        by = cn_date(doc.supply_deadline)  # no date: before completion (not "办结前前")
        when = f"请于{by}前补齐后交至本站：" if by else "请在办结前补齐后交至本站："
    return (
        f"{who.name}（身份证号 {mask_id(who.id_number)}）于{cn_date(doc.received_at)}在{doc.station_name}"
        f"申请办理“{doc.item_name}”（办件编号 {doc.case_number}）。经核对，尚需补交下列材料，"
        f"现一次性告知，{when}"
    )


CLOSING = (
    "以上为需补交的全部材料，本站不会再要求提供表中以外的材料。容缺材料逾期未补交的，"
    "可能影响办理结果；补交时请携带本告知书。"
)
CLOSING_BEFORE_INTAKE = (
    "以上为尚缺的全部材料，本站不会再要求提供表中以外的材料。备齐后来办理时请携带本告知书。"
)


CLOSING_WITH_INFORMATION = (
    "以上为尚缺的全部材料和信息，本站不会再要求提供以上以外的材料和信息。"
    "备齐后来办理时请携带本告知书。"
)
INFORMATION_HEADING = "另须提供下列信息："


def _closing(doc: CaseDocument) -> str:
    if doc.taken_in:
        return CLOSING
    return CLOSING_WITH_INFORMATION if doc.information else CLOSING_BEFORE_INTAKE


def _information(doc: CaseDocument) -> list[str]:
    """What the resident must give besides the materials, numbered after them."""
    if not doc.information:
        return []
    lines = [f"{i}. {need}" for i, need in enumerate(doc.information, start=1)]
    return [INFORMATION_HEADING, *lines]


def _contact(doc: CaseDocument) -> str:
    phone = f"　电话：{doc.agent_phone}" if doc.agent_phone.strip() else ""
    return f"联系人：{doc.agent_name}（代办员）{phone}　　进度查询：{doc.enquiry}"


def _table(sheet: Sheet, doc: CaseDocument) -> Table:
    """The materials to supply; a date is one unbroken string (it never wraps mid-word)."""
    rows = [
        [str(i), m.name, material_form(m), m.standard, status_text(m), cn_date(m.supply_by)]
        for i, m in enumerate(doc.deferred, start=1)
    ]
    header = ["序号", "材料名称", "形式份数", "应符合的标准", "类别", "补交期限"]
    widths = [10 * mm, 40 * mm, 19 * mm, 51 * mm, 21 * mm, 33 * mm]
    if sheet.size > LARGE_FROM:  # 大字版: the short columns widened (形式份数 ran to 7 lines)
        widths = [12 * mm, 30 * mm, 27 * mm, 41 * mm, 27 * mm, 37 * mm]
    table = sheet.grid(header, rows, widths, (0, 2, 4))
    for r, row in enumerate(rows, start=1):
        table._cellvalues[r][5] = sheet.plain(row[5])  # drawn as one line
    return table


def _a4(sheet: Sheet, doc: CaseDocument) -> list[Flowable]:
    width = 174 * mm
    story: list[Flowable] = [
        sheet.para(f"编号：{doc.case_number}" if doc.taken_in else "", "right"),
        sheet.para(TITLE, "title"),
        sheet.para(doc.station_name, "subtitle"),
        Spacer(1, 5 * mm),
        sheet.para(_intro(doc), "indent"),
        Spacer(1, 3 * mm),
    ]
    if doc.deferred:
        story.append(_table(sheet, doc))
    else:
        story.append(sheet.para("经核对，材料齐全，无需补交。", "indent"))
    if doc.information:
        story.append(Spacer(1, 2 * mm))
        story += [sheet.para(line, "indent") for line in _information(doc)]
    story += [Spacer(1, 3 * mm), sheet.para(_closing(doc), "indent"), Spacer(1, 2 * mm)]
    story += [sheet.para(_contact(doc)), Spacer(1, 8 * mm)]
    signer = f"{roles.signer(doc)}签收（签字并捺印）"
    story.append(sheet.signatures(["代办员（签字）", signer], width))
    story += [Spacer(1, 4 * mm), sheet.para(f"{doc.station_name}（盖章）", "right")]
    story.append(sheet.para(cn_date(doc.received_at), "right"))
    return story


def _roll(sheet: Sheet, doc: CaseDocument) -> list[Flowable]:
    rule = HRFlowable(width="100%", thickness=0.6, dash=[2, 2], spaceBefore=2, spaceAfter=2)
    story: list[Flowable] = [
        sheet.para(TITLE, "title"),
        sheet.para(doc.station_name, "center"),
        rule,
    ]
    story += [sheet.para(_intro(doc)), rule]
    for i, m in enumerate(doc.deferred, start=1):
        story.append(sheet.para(f"{i}. {m.name}（{material_form(m)}，{status_text(m)}）"))
        story.append(sheet.para(f"　标准：{m.standard or '—'}", "small"))
        if doc.taken_in or m.status is MaterialStatus.deferred:
            story.append(sheet.para(f"　期限：{cn_date(m.supply_by) or '办结前'}", "small"))
    if not doc.deferred:
        story.append(sheet.para("经核对，材料齐全，无需补交。"))
    story += [sheet.para(line) for line in _information(doc)]
    story += [rule, sheet.para(_closing(doc), "small"), sheet.para(_contact(doc), "small")]
    signer = f"{roles.signer(doc)}签收：________________"
    story += [Spacer(1, 5 * mm), sheet.para(signer), Spacer(1, 2 * mm)]
    story.append(sheet.para(f"{doc.station_name}　{cn_date(doc.received_at)}", "small"))
    return story


def render(doc: CaseDocument, font: CjkFont, fmt: str = "a4") -> RenderedDocument:
    """The notice on A4 (``a4-large``: 14 pt for an elderly resident) or on an 80 mm roll."""
    if fmt in ("a4", "a4-large"):
        sheet = (
            Sheet(font, size=14, floor=12) if fmt == "a4-large" else Sheet(font, size=11, floor=10)
        )
        return build_a4(
            sheet,
            _a4(sheet, doc),
            title=TITLE,
            author=doc.station_name,
            reprinted_on=doc.reprinted_on,
        )
    if fmt == "80mm":
        sheet = Sheet(font, size=11, floor=10)
        return build_roll(
            sheet,
            _roll(sheet, doc),
            title=TITLE,
            author=doc.station_name,
            reprinted_on=doc.reprinted_on,
        )
    raise ValueError(f"unknown format {fmt!r}: use a4, a4-large or 80mm")
