"""The township's decisions on paper: 受理通知书, 补正告知书, 不予受理通知书, 特别程序告知书
and the refusal at 办结 (不予行政许可决定书, or 不予批准决定书 for an item that is not a 行政许可).

These speak in the deciding office's name (``decided_by``), never the station's,
and carry its document number (文号), the officer and a phone. The wording
follows 行政许可法 §32: 受理 in writing with the date; 补正 telling everything to
supply at once, with the deadline; 不予受理 with the reason, where to apply
instead, and the rights of review (复议 60 days, 诉讼 6 months); §45: the time a special
procedure takes told in writing; §38: a refusal in writing, with its reasons and the
rights of review.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer, Table

from printing import roles
from printing.flowables import qr_code
from printing.fmt import cn_date, fee_text, mask_id, material_form, status_text, wall_time
from printing.fonts import CjkFont
from printing.layout import Sheet
from printing.model import CaseDocument, DecisionDocument, MaterialLine, MaterialStatus
from printing.names import (
    ACCEPTANCE,
    APPROVAL,
    APPROVAL_OTHER,
    CORRECTION,
    DENIAL,
    DENIAL_OTHER,
    PAUSE,
    REJECTION,
)
from printing.pages import RenderedDocument, build_a4

WIDTH = 174 * mm
HOTLINE = "12345"
"""The government service hotline, when neither the officer nor the office has a phone."""


def _head(sheet: Sheet, decision: DecisionDocument, title: str) -> list[Flowable]:
    case = decision.case
    who = case.represented
    proxy = f"（代办人：{case.applicant.name}）" if case.principal is not None else ""
    story: list[Flowable] = [
        sheet.para(decision.decided_by, "subtitle"),
        sheet.para(title, "title"),
    ]
    if decision.document_number:
        story.append(sheet.para(decision.document_number, "center"))
    story += [
        sheet.para(f"办件编号 {case.case_number}", "center"),
        Spacer(1, 6 * mm),
        sheet.para(f"{who.name}{proxy}：", "body"),
        sheet.para(f"身份证号：{mask_id(who.id_number)}　联系电话：{_phones(decision)}", "small"),
        sheet.para(f"住址：{who.address or '—'}", "small"),
        Spacer(1, 2 * mm),
    ]
    return story


def _phones(decision: DecisionDocument) -> str:
    """The resident's phone, and the acting person's when it is another (a line to write
    on when none is known)."""
    case = decision.case
    own = case.represented.phone.strip()
    acting = roles.acting(case)
    if acting is not None and acting.phone.strip() not in ("", own):
        return f"{roles.phone_or_blank(own)}（{roles.ACTING} {acting.phone.strip()}）"
    return roles.phone_or_blank(own)


def _received(decision: DecisionDocument) -> str:
    case = decision.case
    # an item named 临时救助申请 is not followed by 申请 again (“临时救助申请”申请)
    tail = "" if case.item_name.endswith(("申请", "申报", "申领")) else "申请"
    return (
        f"你于{cn_date(case.received_at)}经{case.station_name}帮代办提交的“{case.item_name}”{tail}"
        f"（办件编号 {case.case_number}），本机关已收悉。"
    )


def contact_line(decision: DecisionDocument) -> str:
    """经办人 and a phone: the officer's, else the office's, else the 12345 hotline."""
    phone = decision.officer_phone or decision.office_phone or HOTLINE
    officer = decision.officer or "—"
    return f"经办人：{officer}　联系电话：{phone}"


def progress_sentence(decision: DecisionDocument, paper: str = "通知书") -> str:
    """How the resident follows the case: the QR code when the case has a progress page
    (on ``paper``: 本通知书, 本告知书)."""
    case = decision.case
    if case.verify_url:
        return f"办理进度可用手机扫描本{paper}下方的二维码查看，或凭办件编号查询：{case.enquiry}。"
    return f"办理进度可凭办件编号查询：{case.enquiry}。"


def _contact(sheet: Sheet, decision: DecisionDocument) -> Flowable:
    """The officer and phone, with the case's progress-page QR code beside it when there is one."""
    line = sheet.para(contact_line(decision))
    url = decision.case.verify_url
    if not url:
        return line
    code = [qr_code(url, 20 * mm), sheet.para("扫码查询进度", "small")]
    table = Table([[line, code]], colWidths=[WIDTH - 28 * mm, 28 * mm])
    table.setStyle(
        sheet.style([("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("ALIGN", (1, 0), (1, 0), "CENTER")])
    )
    return table


def _tail(sheet: Sheet, decision: DecisionDocument) -> list[Flowable]:
    return [
        Spacer(1, 2 * mm),
        _contact(sheet, decision),
        Spacer(1, 10 * mm),
        sheet.para(f"{decision.decided_by}（盖章）", "right"),
        sheet.para(cn_date(decision.decided_at), "right"),
        Spacer(1, 10 * mm),
        sheet.signatures([f"{roles.signer(decision.case)}签收", "送达人（代办员）"], WIDTH),
    ]


def _according(decision: DecisionDocument, fallback: str) -> str:
    """``根据……的规定，`` from the decision's legal basis (or the general wording)."""
    basis = decision.legal_basis or fallback
    if basis.endswith("规定"):  # 《…》的有关规定 / …的规定: said once, not 的规定的规定
        return f"根据{basis}，"
    return f"根据{basis}的规定，"


def review_rights(decision: DecisionDocument) -> str:
    """The rights of review sentence: 行政复议 within 60 days, 行政诉讼 within 6 months."""
    authority = decision.review_authority or "有管辖权的行政复议机关"
    court = decision.court or "有管辖权的人民法院"
    return (
        f"如对本决定不服，可以自收到本通知书之日起六十日内向{authority}申请行政复议，"
        f"或者自收到本通知书之日起六个月内向{court}提起行政诉讼。"
    )


def _build(
    sheet: Sheet, story: list[Flowable], decision: DecisionDocument, title: str
) -> RenderedDocument:
    return build_a4(
        sheet,
        story,
        title=title,
        author=decision.decided_by,
        reprinted_on=decision.case.reprinted_on,
    )


def _materials_found(decision: DecisionDocument) -> str:
    """What the examination found of the materials: whole, or whole but for the 容缺 ones,
    named with the day each is owed by (the notice must not say 齐全 of an owed one). Owed
    on different days, each is named with its own (the earliest for all told the resident
    a later one was due sooner); a day already past on the decision's is said so, not
    given as a deadline."""
    owed = [m for m in decision.case.materials if m.status is MaterialStatus.deferred]
    if not owed:
        return "申请材料齐全、符合法定形式，"
    names = "、".join(m.name for m in owed)
    days: dict[date | None, list[str]] = {}
    for material in owed:
        days.setdefault(material.supply_by, []).append(material.name)
    if len(days) == 1:
        return f"申请材料基本齐全、符合法定形式，其中{names}实行容缺受理，{_owed_by(decision, owed[0].supply_by)}；"
    each = "，".join(f"{'、'.join(group)}{_owed_by(decision, by)}" for by, group in days.items())
    return f"申请材料基本齐全、符合法定形式，其中{names}实行容缺受理：{each}；"


def _owed_by(decision: DecisionDocument, by: date | None) -> str:
    if by is None:
        return "请在办结前补交"
    if by < decision.decided_at:
        return f"原定{cn_date(by)}前补交，已逾期，请尽快补交"
    return f"请于{cn_date(by)}前补交"


def _calendar_notes(decision: DecisionDocument, before: str = "", after: str = "。") -> str:
    """The paper's word on a calendar that may move its dates (a provisional holiday
    table), as the screen says it: nothing when the year is settled."""
    if not decision.date_notes:
        return ""
    return before + "；".join(decision.date_notes) + after


def render_acceptance(decision: DecisionDocument, font: CjkFont) -> RenderedDocument:
    """The 受理通知书 on A4: accepted (and when), who decides and by when, the legal and the
    promised limits, the fee, how to ask, and the materials received."""
    sheet = Sheet(font, size=11)
    case = decision.case
    story = _head(sheet, decision, ACCEPTANCE)
    according = _according(decision, "《中华人民共和国行政许可法》第三十二条")
    remit = "受理范围" if decision.decider else "职权范围"
    story.append(
        sheet.para(
            f"{_received(decision)}经审查，该申请事项属于本机关{remit}，{_materials_found(decision)}"
            f"{according}本机关于{cn_date(decision.decided_at)}决定予以受理。",
            "indent",
        )
    )
    later = "届时将另行书面告知" if decision.decider else "本机关将另行书面告知"
    story.append(
        sheet.para(
            f"{limits_sentence(decision)}"
            "依法需要公示、调查、鉴定、听证或者专家评审的，所需时间不计算在办理时限内，"
            f"{later}。{_calendar_notes(decision)}",
            "indent",
        )
    )
    story.append(
        sheet.para(
            f"收费：{fee_text(case.fee, case.fee_kind, case.fee_note)}。"  # the paper said none
            f"办理结果将通过{case.station_name}送达。{progress_sentence(decision)}",
            "indent",
        )
    )
    story += [
        Spacer(1, 2 * mm),
        sheet.para("收到的申请材料：", "body"),
        _received_grid(sheet, case),
    ]
    story += _tail(sheet, decision)
    return _build(sheet, story, decision, ACCEPTANCE)


def limits_sentence(decision: DecisionDocument) -> str:
    """Who completes (办结) the case and by when: the 法定 and the 承诺 limits in working days.

    The accepting office promises only what it decides itself; an item another body
    decides (the county's department) is forwarded there, and the date is expected."""
    case = decision.case
    days = decision.promised_days if decision.promised_days is not None else case.promised_days
    due = cn_date(decision.due_date or case.due_date)
    legal = _legal_limit(decision.legal_days, days)
    immediate = f"{legal}为即办件" if legal else "本事项为即办件"
    if decision.decider:
        forward = f"本事项由{decision.decider}办结，本机关受理后报送该单位办理。"
        if days == 0:  # 即办 there, once it has the case (即办件，预计… read as a contradiction)
            return f"{forward}{immediate}，该单位收到后即时办理，预计于{due}办结。"
        return f"{forward}{legal}承诺办结时限为{days}个工作日，预计于{due}前办结。"
    if days != 0:
        return f"{legal}本机关承诺自受理之日起{days}个工作日内（{due}前）办结。"
    if (decision.due_date or case.due_date) == decision.decided_at:
        return f"{immediate}，本机关于受理当日（{due}）办结。"
    # accepted on a rest day: done on the first working day after it
    return f"{immediate}，本机关于受理后的第一个工作日（{due}）办结。"


def _legal_limit(legal_days: int | None, promised_days: int) -> str:
    """``本事项法定办结时限为20个工作日，``; nothing when unknown, or for a 即办件 the law
    sets no limit for (it is done on the spot)."""
    if legal_days is None or legal_days == 0 and promised_days == 0:
        return ""
    if legal_days == 0:
        return "本事项法律、法规未规定办结时限，"
    return f"本事项法定办结时限为{legal_days}个工作日，"


def _received_grid(sheet: Sheet, case: CaseDocument) -> Table:
    """The materials received with the application: form, and what was done with each (a
    容缺 one with the day it is owed by)."""
    rows = [
        [str(i), m.name, _received_form(m), _received_status(m)]
        for i, m in enumerate(case.materials, start=1)
    ]
    return sheet.grid(
        ["序号", "材料名称", "份数及形式", "收取情况"],
        rows or [["—", "（无）", "—", "—"]],
        [12 * mm, 62 * mm, 54 * mm, 46 * mm],
        (0,),
    )


def _received_form(line: MaterialLine) -> str:
    """A material's form; one obtained by data sharing was never handed in (a dash)."""
    return "—" if line.status is MaterialStatus.shared else material_form(line)


def _received_status(line: MaterialLine) -> str:
    status = status_text(line)
    if line.status is MaterialStatus.deferred and line.supply_by is not None:
        return f"{status}（{cn_date(line.supply_by)}前）"
    return status


def _found(reason: str) -> str:
    """经审查，<the reason>: a reason that says itself how it was found (经入户核查…, 经审查…)
    is not given a second 经 (it read 经审查，经入户核查…)."""
    return reason if reason.lstrip().startswith("经") else f"经审查，{reason}"


def render_rejection(decision: DecisionDocument, font: CjkFont) -> RenderedDocument:
    """The 不予受理通知书 on A4: the reason, where to apply instead, the rights of review."""
    sheet = Sheet(font, size=11)
    story = _head(sheet, decision, REJECTION)
    story.append(sheet.para(f"{_received(decision)}{_found(decision.reason)}", "indent"))
    according = _according(decision, "有关法律、法规")
    story.append(sheet.para(f"{according}本机关决定不予受理。", "indent"))
    if decision.apply_instead:
        story.append(sheet.para(f"另行申请指引：{decision.apply_instead}。", "indent"))
    story.append(sheet.para(review_rights(decision), "indent"))
    story += _tail(sheet, decision)
    return _build(sheet, story, decision, REJECTION)


def correction_rows(decision: DecisionDocument) -> list[list[str]]:
    """The correction table: one row per material to supply or field to correct, then each
    容缺 material still owed (a 一次性告知 tells everything still needed), with its day."""
    rows = [[line.name, _form(line), line.standard] for line in decision.corrections]
    for line in owed_materials(decision):
        owed = f"容缺受理，尚未补交，{_owed_by(decision, line.supply_by)}"
        rows.append([line.name, _form(line), "；".join(x for x in (owed, line.standard) if x)])
    return [[str(index), *row] for index, row in enumerate(rows, start=1)]


def owed_materials(decision: DecisionDocument) -> tuple[MaterialLine, ...]:
    """The case's 容缺 materials still owed that the correction does not already ask for."""
    asked = {line.name for line in decision.corrections}
    return tuple(
        m
        for m in decision.case.materials
        if m.status is MaterialStatus.deferred and m.name not in asked
    )


def _form(line: MaterialLine) -> str:
    """A material's copies and form; a field to correct (no copies) shows a dash."""
    return material_form(line) if line.copies > 0 else "—"


def render_correction(decision: DecisionDocument, font: CjkFont) -> RenderedDocument:
    """The 补正告知书 on A4: everything to supply or correct, at once, with the deadline."""
    sheet = Sheet(font, size=11)
    deadline = cn_date(decision.correction_deadline) or "收到本告知书之日起五个工作日内"
    place = decision.case.station_name
    according = _according(decision, "《中华人民共和国行政许可法》第三十二条第一款第（四）项")
    story = _head(sheet, decision, CORRECTION)
    story.append(sheet.para(f"{_received(decision)}{_found(decision.reason)}", "indent"))
    story.append(
        sheet.para(
            f"{according}现一次性告知你需要补正的全部内容如下，请于{deadline}前补正"
            f"{'（容缺材料按表中所列期限补交）' if owed_materials(decision) else ''}，交至{place}"
            f"{_calendar_notes(decision, '（', '）')}：",
            "indent",
        )
    )
    story += [
        Spacer(1, 2 * mm),
        sheet.grid(
            ["序号", "补正内容", "份数及形式", "应符合的标准或要求"],
            correction_rows(decision),
            [12 * mm, 48 * mm, 26 * mm, 88 * mm],
            (0, 2),
        ),
        Spacer(1, 2 * mm),
        sheet.para(
            # 行政许可法 §32 says nothing of a correction never made: no 视为撤回 is threatened
            "以上为需补正的全部内容。补正期间不计入办理时限，办理时限自收到齐全的补正材料之次日起"
            "重新计算。请在规定期限内补正；逾期未补正的，可能影响办理结果。",
            "indent",
        ),
    ]
    story += _tail(sheet, decision)
    return _build(sheet, story, decision, CORRECTION)


def render_pause(decision: DecisionDocument, font: CjkFont) -> RenderedDocument:
    """The 特别程序告知书 on A4 (行政许可法 §45): which procedure, why, how long it is
    expected to take, and that its time is not counted in the time limit."""
    sheet = Sheet(font, size=11)
    story = _head(sheet, decision, PAUSE)
    kind = decision.pause_kind or "特别程序"
    why = f"（{decision.reason.rstrip('。')}）" if decision.reason else ""
    story.append(
        sheet.para(f"{_received(decision)}经审查，该申请依法需要进行{kind}{why}。", "indent")
    )
    according = _according(decision, "《中华人民共和国行政许可法》第四十五条")
    since = cn_date(decision.decided_at)
    if decision.pause_days:
        # calendar days, the first of them the day of this notice (the dialog says 自然日;
        # the paper said only "7天", and gave no day it would end)
        last = _first_day(decision.decided_at) + timedelta(days=decision.pause_days - 1)
        expected = f"自{since}起，预计需要{decision.pause_days}个自然日（至{cn_date(last)}）"
    else:
        expected = f"自{since}起，所需时间本机关将另行告知"
    story.append(
        sheet.para(
            f"{according}{kind}所需时间不计算在办理时限内：{expected}。{kind}结束后，"
            "办理时限自次日起继续计算。",
            "indent",
        )
    )
    story.append(sheet.para(progress_sentence(decision, "告知书"), "indent"))
    story += _tail(sheet, decision)
    return _build(sheet, story, decision, PAUSE)


def _first_day(decided_at: date) -> date:
    """The decision's day (in China, for a moment)."""
    return wall_time(decided_at).date() if isinstance(decided_at, datetime) else decided_at


def render_approval(decision: DecisionDocument, font: CjkFont) -> RenderedDocument:
    """The decision at 办结 通过 on A4: 准予行政许可决定书 for a 行政许可 (§38: a grant in
    writing too), 办结通知书 otherwise; a 容缺通过 names the materials still owed."""
    sheet = Sheet(font, size=11)
    title = APPROVAL if decision.permit else APPROVAL_OTHER
    story = _head(sheet, decision, title)
    found = decision.reason or (
        "你的申请符合法定条件、标准。" if decision.permit else "你的申请符合规定条件。"
    )
    story.append(sheet.para(f"{_received(decision)}{_found(found)}", "indent"))
    fallback = "《中华人民共和国行政许可法》第三十八条第一款" if decision.permit else "有关规定"
    verb = "准予行政许可" if decision.permit else "予以批准，现已办结"
    story.append(sheet.para(f"{_according(decision, fallback)}本机关决定{verb}。", "indent"))
    if decision.granted:  # what is permitted, not the bare word (a 宅基地's place, area, floors)
        story += [
            sheet.para("准予许可的内容如下：", "indent"),
            Spacer(1, 1 * mm),
            sheet.grid(["项目", "内容"], decision.granted, [52 * mm, 122 * mm], (), repeat=False),
            Spacer(1, 2 * mm),
        ]
    if decision.owed:
        story.append(
            sheet.para(
                f"你申请时容缺（后补）的材料：{'、'.join(decision.owed)}，尚未补交，"
                "请按承诺的期限交到代办员处；逾期未补交的，本机关将依法处理。",
                "indent",
            )
        )
    story.append(
        sheet.para(
            progress_sentence(decision, "通知书" if not decision.permit else "决定书"), "indent"
        )
    )
    story += _tail(sheet, decision)
    return _build(sheet, story, decision, title)


def render_denial(decision: DecisionDocument, font: CjkFont) -> RenderedDocument:
    """The refusal at 办结 on A4 (行政许可法 §38): the reasons, the decision, and the rights
    of review; titled 不予行政许可决定书 for a 行政许可, 不予批准决定书 otherwise."""
    sheet = Sheet(font, size=11)
    title = DENIAL if decision.permit else DENIAL_OTHER
    story = _head(sheet, decision, title)
    reason = decision.reason or "你的申请不符合法定条件、标准。"
    story.append(sheet.para(f"{_received(decision)}{_found(reason)}", "indent"))
    fallback = "《中华人民共和国行政许可法》第三十八条第二款" if decision.permit else "有关规定"
    according = _according(decision, fallback)
    verb = "不予行政许可" if decision.permit else "不予批准"
    story.append(sheet.para(f"{according}本机关决定{verb}。", "indent"))
    story.append(sheet.para(review_rights(decision).replace("本通知书", "本决定书"), "indent"))
    story += _tail(sheet, decision)
    return _build(sheet, story, decision, title)
