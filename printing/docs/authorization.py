"""授权委托书: the resident authorises the agent for one specific item, nothing more.

This is the one document that carries full ID numbers, because the
authorisation is only valid with them.
"""

from __future__ import annotations

import re

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer, Table

from printing import names, roles
from printing.fmt import cn_date, sex_from_id
from printing.fonts import CjkFont
from printing.layout import DATE_LINE, RULE, Sheet
from printing.model import CaseDocument, Party
from printing.pages import RenderedDocument, build_a4

TITLE = names.AUTHORIZATION
CASE_NUMBER = re.compile(r"^\d{12}-\d{8}-\d{4,}$")
"""A station's case number (``sync.ids``); a draft's UUID is not one."""
BLANK_ID = "＿" * 18
"""Room to write an 18-character ID number by hand."""
WIDTH = 174 * mm
POWERS = (
    "代为填写申请表格及相关材料；",
    "代为提交申请材料，并按告知补交、补正材料；",
    "代为领取办理结果及相关证件、文书；",
    "代为签收与本事项有关的通知、文书。",
)


def _sex(party: Party) -> str:
    return party.sex or sex_from_id(party.id_number)


def full_id(id_number: str) -> str:
    """An ID number in full as the law writes it: the check character x in capitals (X)."""
    return id_number.strip().upper()


def _party_table(sheet: Sheet, role: str, party: Party, unit: str) -> Table:
    rows: list[list[object]] = [
        [role, party.name, "性别", _sex(party), "联系电话", roles.phone_or_blank(party.phone)],
        ["身份证号", full_id(party.id_number) or BLANK_ID, None, None, None, None],
        [unit and "工作单位及职务" or "住址", unit or party.address, None, None, None, None],
    ]
    return sheet.field_table(rows, [30 * mm, 40 * mm, 14 * mm, 14 * mm, 22 * mm, 54 * mm])


def _trustee(doc: CaseDocument, trustee: Party | None) -> tuple[Party, str]:
    """Who is authorised: the given party; the person acting for the resident; else the agent.

    Whoever acts for the resident (a relative, or the village agent entered as
    the acting person with their ID number and phone) needs the resident's
    authority and is printed as entered. Only when nobody was entered as acting
    (the resident came in person and the station's agent carries the file on)
    is it the station's agent, from the case's agent fields.
    """
    if trustee is not None:
        return trustee, ""
    proxy = roles.acting(doc)
    unit = f"{doc.station_name}　代办员" if roles.by_the_agent(doc) else ""
    if proxy is not None:
        return proxy, unit
    agent = Party(doc.agent_name, doc.agent_id_number, doc.agent_phone)
    return agent, f"{doc.station_name}　代办员"


def case_reference(doc: CaseDocument) -> str:
    """The case number, or a line to write it on when the case has none yet (a draft)."""
    number = doc.case_number.strip()
    return number if CASE_NUMBER.match(number) else "____________________，收件后填写"


def _period(doc: CaseDocument) -> str:
    end = (
        cn_date(doc.authorization_until) if doc.authorization_until else "本事项办结并领取结果之日"
    )
    return f"自{cn_date(doc.received_at)}起至{end}止。"


def _thumb_box(sheet: Sheet) -> Table:
    box = Table([[sheet.para("委托人捺印", "cellc")]], colWidths=[26 * mm], rowHeights=[26 * mm])
    box.setStyle(
        sheet.style([("BOX", (0, 0), (-1, -1), 0.8, RULE), ("VALIGN", (0, 0), (-1, -1), "BOTTOM")])
    )
    return box


def _signature_block(sheet: Sheet) -> Table:
    gap = "<br/><br/>"
    lines = [
        "委托人（签字）：________________",
        DATE_LINE,
        "受托人（签字）：________________",
        DATE_LINE,
    ]
    left = sheet.markup(gap.join(sheet.text(line) for line in lines))
    table = Table([[left, _thumb_box(sheet)]], colWidths=[WIDTH - 40 * mm, 40 * mm])
    table.setStyle(
        sheet.style([("VALIGN", (0, 0), (-1, -1), "TOP"), ("ALIGN", (1, 0), (1, 0), "CENTER")])
    )
    return table


def render(doc: CaseDocument, font: CjkFont, trustee: Party | None = None) -> RenderedDocument:
    """The authorisation letter for ``doc``'s item, pre-filled, on A4."""
    sheet = Sheet(font, size=11)
    principal = doc.represented
    agent, unit = _trustee(doc, trustee)
    item = f"“{doc.item_name}”（事项编码 {doc.item_code}，办件编号 {case_reference(doc)}）"
    story: list[Flowable] = [
        sheet.para(TITLE, "title"),
        Spacer(1, 4 * mm),
        _party_table(sheet, "委托人", principal, ""),
        Spacer(1, 3 * mm),
        _party_table(sheet, "受托人", agent, unit),
        Spacer(1, 5 * mm),
        sheet.para(f"委托人因本人不便亲自办理，特委托受托人代为办理{item}，仅限本事项。", "indent"),
        sheet.para("委托权限如下：", "indent"),
    ]
    story += [sheet.para(f"{i}. {power}", "indent") for i, power in enumerate(POWERS, start=1)]
    story += [
        sheet.para("受托人无转委托权，不得将上述权限转委托他人。", "indent"),
        sheet.para(f"委托期限：{_period(doc)}", "indent"),
        sheet.para(
            "受托人在上述权限内办理的事项，委托人均予承认。帮代办服务不收取任何费用。", "indent"
        ),
        sheet.para("附：委托人、受托人居民身份证复印件各一份。", "indent"),
        Spacer(1, 8 * mm),
        _signature_block(sheet),
    ]
    return build_a4(
        sheet, story, title=TITLE, author=doc.station_name, reprinted_on=doc.reprinted_on
    )
