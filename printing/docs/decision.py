"""The township's decisions printed at the station: 不予受理通知书 and 补正告知书.

These speak in the township's name (``decided_by``), never the station's.
"""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from printing.fmt import cn_date, mask_id, material_form
from printing.fonts import CjkFont
from printing.layout import Sheet
from printing.model import DecisionDocument
from printing.pages import RenderedDocument, build_a4

REJECTION = "不予受理通知书"
CORRECTION = "补正告知书"
WIDTH = 174 * mm


def _head(sheet: Sheet, decision: DecisionDocument, title: str) -> list[Flowable]:
    case = decision.case
    who = case.represented
    proxy = f"（代办人：{case.applicant.name}）" if case.principal is not None else ""
    return [
        sheet.para(decision.decided_by, "subtitle"),
        sheet.para(title, "title"),
        sheet.para(decision.document_number or f"办件编号 {case.case_number}", "center"),
        Spacer(1, 6 * mm),
        sheet.para(f"{who.name}{proxy}：", "body"),
        sheet.para(f"身份证号：{mask_id(who.id_number)}", "small"),
        Spacer(1, 2 * mm),
    ]


def _received(decision: DecisionDocument) -> str:
    case = decision.case
    return (
        f"你于{cn_date(case.received_at)}经{case.station_name}帮代办提交的“{case.item_name}”申请"
        f"（办件编号 {case.case_number}），本机关已收悉。"
    )


def _tail(sheet: Sheet, decision: DecisionDocument) -> list[Flowable]:
    contact = (
        f"经办人：{decision.officer}　联系电话：{decision.officer_phone}"
        if decision.officer
        else ""
    )
    story: list[Flowable] = [Spacer(1, 2 * mm)]
    if contact:
        story.append(sheet.para(contact))
    story += [
        Spacer(1, 10 * mm),
        sheet.para(f"{decision.decided_by}（盖章）", "right"),
        sheet.para(cn_date(decision.decided_at), "right"),
        Spacer(1, 10 * mm),
        sheet.signatures(["申请人（代办人）签收", "送达人（代办员）"], WIDTH),
    ]
    return story


def review_rights(decision: DecisionDocument) -> str:
    """The rights of review sentence: 行政复议 within 60 days, 行政诉讼 within 6 months."""
    authority = decision.review_authority or "有管辖权的行政复议机关"
    court = decision.court or "有管辖权的人民法院"
    return (
        f"如对本决定不服，可以自收到本通知书之日起六十日内向{authority}申请行政复议，"
        f"或者自收到本通知书之日起六个月内向{court}提起行政诉讼。"
    )


def render_rejection(decision: DecisionDocument, font: CjkFont) -> RenderedDocument:
    """The 不予受理通知书 on A4."""
    sheet = Sheet(font, size=11)
    story = _head(sheet, decision, REJECTION)
    story.append(sheet.para(f"{_received(decision)}经审查，{decision.reason}", "indent"))
    story.append(sheet.para("根据有关规定，本机关决定不予受理。", "indent"))
    if decision.apply_instead:
        story.append(sheet.para(f"另行申请指引：{decision.apply_instead}。", "indent"))
    story.append(sheet.para(review_rights(decision), "indent"))
    story += _tail(sheet, decision)
    return build_a4(
        sheet,
        story,
        title=REJECTION,
        author=decision.decided_by,
        reprinted_on=decision.case.reprinted_on,
    )


def render_correction(decision: DecisionDocument, font: CjkFont) -> RenderedDocument:
    """The 补正告知书 on A4: every item to supply, with its standard, and the deadline."""
    sheet = Sheet(font, size=11)
    deadline = cn_date(decision.correction_deadline) or "收到本告知书之日起五个工作日内"
    place = decision.case.station_name
    story = _head(sheet, decision, CORRECTION)
    story.append(sheet.para(f"{_received(decision)}经审查，{decision.reason}", "indent"))
    story.append(
        sheet.para(f"现一次性告知如下，请于{deadline}前补正下列材料，交至{place}：", "indent")
    )
    rows = [
        [str(i), m.name, material_form(m), m.standard]
        for i, m in enumerate(decision.corrections, start=1)
    ]
    story += [
        Spacer(1, 2 * mm),
        sheet.grid(
            ["序号", "补正材料", "份数及形式", "应符合的标准"],
            rows,
            [12 * mm, 48 * mm, 26 * mm, 88 * mm],
            (0, 2),
        ),
    ]
    story.append(Spacer(1, 2 * mm))
    story.append(
        sheet.para(
            "以上为需补正的全部内容。补正期间不计入办理时限，办理时限自收到齐全的补正材料之次日起重新计算；"
            "逾期未补正的，视为撤回申请。",
            "indent",
        )
    )
    story += _tail(sheet, decision)
    return build_a4(
        sheet,
        story,
        title=CORRECTION,
        author=decision.decided_by,
        reprinted_on=decision.case.reprinted_on,
    )
