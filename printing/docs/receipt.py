"""帮代办收件回执: the station's receipt (A4 with a stub, or an 80 mm roll).

The station takes the application in (收件); acceptance (受理) is the
township's, so the receipt says so and never speaks in the township's name.
"""

from __future__ import annotations

from datetime import date, datetime

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, HRFlowable, Spacer, Table

from printing import names, roles
from printing.flowables import CutLine, qr_code
from printing.fmt import (
    cn_date,
    cn_datetime,
    fee_text,
    mask_id,
    material_form,
    status_day,
    status_text,
    status_with_day,
    wall_time,
)
from printing.fonts import CjkFont
from printing.layout import Sheet
from printing.model import CaseDocument, MaterialStatus
from printing.pages import RenderedDocument, build_a4_with_stub, build_roll

TITLE = names.RECEIPT
ROLL_SIZE = 11.0
"""Body type on the 80 mm roll, in points."""
ROLL_FLOOR = 10.0
"""Nothing on the roll is smaller: an 80-year-old reads it."""
LARGE_SIZE = 14.0
"""Body type of the large-print (大字版) A4 receipt, in points."""
LARGE_FLOOR = 12.0
"""Nothing on the large-print receipt is smaller."""
A4_INNER = 182 * mm


def qr_content(doc: CaseDocument) -> str:
    """What the QR code carries: the verification URL, else the case number (ASCII)."""
    return doc.verify_url or doc.case_number


def qr_label(doc: CaseDocument, progress: str) -> str:
    """The words under the QR code: ``progress`` (扫码查询进度) when it opens the case's
    progress page; else it holds only the case number, and says so (a resident who
    scanned it for progress got a bare number)."""
    return progress if doc.verify_url else "办件编号二维码"


def item_text(doc: CaseDocument) -> str:
    """The item with its code and version."""
    return f"{doc.item_name}（事项编码 {doc.item_code}，第{doc.item_version}版）"


def promised_text(doc: CaseDocument) -> str:
    """The promised limit in words: N个工作日, or for a 即办件 that it is done on the spot."""
    if doc.immediate:
        return "即办件（送达审批部门后当场办理，不另设办理时限）"
    return f"{doc.promised_days}个工作日"


def due_text(doc: CaseDocument) -> str:
    """The expected completion date; a 即办件 decided at the station says 当场办结."""
    if doc.immediate and wall_day(doc.received_at) == doc.due_date:
        return "当场办结"
    return cn_date(doc.due_date)


def due_basis(doc: CaseDocument) -> str:
    """How the expected date was counted, when days to report the case were added to the
    promised limit ("" when not): a resident counting the limit alone reached a date three
    working days earlier than the one printed."""
    if not doc.forward_days:
        return ""
    if doc.immediate:
        return f"预计办结日期按报送{doc.forward_days}个工作日计算"
    return f"预计办结日期按报送{doc.forward_days}个工作日加承诺时限{doc.promised_days}个工作日计算"


def due_cell(doc: CaseDocument) -> str:
    """The expected date beside the promised limit, saying it includes the days to report it."""
    if not doc.forward_days or due_text(doc) == "当场办结":
        return due_text(doc)
    return f"{due_text(doc)}（含报送{doc.forward_days}个工作日）"


def deferred_text(doc: CaseDocument) -> str:
    """One sentence listing what is to be supplied later, and by when."""
    parts = []
    for line in doc.deferred:
        by = f"，{cn_date(line.supply_by)}前" if line.supply_by else ""
        parts.append(f"{line.name}（{material_form(line)}{by}）")
    return "；".join(parts)


def notices(doc: CaseDocument) -> list[str]:
    """The numbered terms printed under every receipt."""
    basis = f"{due_basis(doc)}，" if due_basis(doc) else ""
    lines = [
        f"本回执仅证明本站已代为收件，不是受理通知书；是否受理由{doc.township_name}审核决定。",
        "承诺时限按工作日计算，补正、公示等特别程序所用时间不计算在内；"
        f"{basis or '预计办结日期'}仅供参考。",
        "本站帮代办服务不收取任何费用。请妥善保管本回执，查询进度或领取结果时出示。",
    ]
    if doc.deferred:
        lines.insert(
            1, f"容缺后补材料请按期补交至本站：{deferred_text(doc)}。逾期未补交的，可能无法办结。"
        )
    lines += [sentence(note) for note in doc.date_notes]
    return [*replaced(doc), *lines]


def replaced(doc: CaseDocument) -> list[str]:
    """First of the terms when the case was renumbered: the old receipt's number is void."""
    if not doc.replaces_number:
        return []
    return [
        f"本回执取代编号为{doc.replaces_number}的回执：原编号已作废，"
        f"请以本回执编号{doc.case_number}查询进度、领取结果。"
    ]


def sentence(text: str) -> str:
    """A note as a sentence: ends with 。 unless it already ends with punctuation."""
    return text if text.endswith(("。", "；", "！")) else f"{text}。"


def wall_day(moment: datetime) -> date:
    """The China calendar day of a moment (naive times are China wall-clock time)."""
    return wall_time(moment).date()


def agent_text(doc: CaseDocument) -> str:
    """The station's 代办员 with their phone, or the name alone when the phone is unknown."""
    phone = doc.agent_phone.strip()
    return f"{doc.agent_name}（电话 {phone}）" if phone else doc.agent_name


def _party_rows(doc: CaseDocument) -> list[list[object]]:
    who = roles.resident(doc)
    rows: list[list[object]] = [
        [roles.RESIDENT, who.name, "身份证号", mask_id(who.id_number)],
        ["联系电话", who.phone, "住址", who.address],
    ]
    proxy = roles.acting(doc)
    if proxy is not None:
        rows += [
            # a guardian acts by law (法定代理), not under an entrustment: no 受托人
            [
                "监护人" if doc.relation == "guardian" else f"{roles.ACTING}（受托人）",
                proxy.name,
                "身份证号",
                mask_id(proxy.id_number),
            ],
            ["代办关系", roles.relation_words(doc), f"{roles.ACTING}电话", proxy.phone],
        ]
    else:
        rows.append(["代办关系", roles.relation_words(doc), None, None])
    return rows


def _a4_fields(sheet: Sheet, doc: CaseDocument) -> Table:
    rows = _party_rows(doc) + [
        ["办理事项", item_text(doc), None, None],
        [
            "收件时间",
            cn_datetime(doc.received_at),
            "收件代办员",
            agent_text(doc),
        ],
        ["承诺时限", promised_text(doc), "预计办结日期", due_cell(doc)],
        ["收费", fee_text(doc.fee, doc.fee_kind, doc.fee_note), "办件去向", doc.next_step],
        [
            "进度查询",
            f"{doc.enquiry}；凭办件编号查询" + ("，或扫描右上角二维码" if doc.verify_url else ""),
            None,
            None,
        ],
    ]
    return sheet.field_table(rows, [34 * mm, 54 * mm, 28 * mm, 66 * mm])


def _materials(sheet: Sheet, doc: CaseDocument, widths: list[float]) -> Table:
    rows = [
        [str(i), m.name, material_form(m), status_text(m), cn_date(status_day(m))]
        for i, m in enumerate(doc.materials, start=1)
    ]
    return sheet.grid(
        ["序号", "材料名称", "材料形式", "收取情况", "补交期限"], rows, widths, (0, 2, 3)
    )


def _header(sheet: Sheet, doc: CaseDocument, copy_label: str) -> Table:
    left = [
        sheet.para(f"{copy_label}　　编号：{doc.case_number}", "small"),
        sheet.para(TITLE, "title"),
        sheet.para(f"{doc.station_name}（{doc.station_division}）", "subtitle"),
    ]
    code = [qr_code(qr_content(doc), 22 * mm), sheet.para(qr_label(doc, "扫码查询进度"), "small")]
    table = Table([[left, code]], colWidths=[A4_INNER - 28 * mm, 28 * mm])
    table.setStyle(
        sheet.style([("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("ALIGN", (1, 0), (1, 0), "CENTER")])
    )
    return table


def _a4_main(sheet: Sheet, doc: CaseDocument) -> list[Flowable]:
    story: list[Flowable] = [_header(sheet, doc, "第一联　申请人留存"), Spacer(1, 2 * mm)]
    story += [_a4_fields(sheet, doc), sheet.glyph_note(), Spacer(1, 2 * mm)]
    story.append(sheet.para("收取材料", "heading"))
    story.append(_materials(sheet, doc, [10 * mm, 66 * mm, 50 * mm, 26 * mm, 30 * mm]))
    story += [Spacer(1, 2 * mm), sheet.para("须知", "heading")]
    story += [sheet.para(f"{i}. {line}", "cell") for i, line in enumerate(notices(doc), start=1)]
    signer = f"{roles.signer(doc)}（签字并捺印）"
    signatures = sheet.signatures(["代办员（签字）", signer], A4_INNER)
    seal = sheet.para(f"{doc.station_name}（盖章）", "right")
    story += [Spacer(1, 2 * mm), sheet.unsplit([signatures, seal])]
    return story


def _a4_stub(sheet: Sheet, doc: CaseDocument) -> list[Flowable]:
    deferred = [m for m in doc.materials if m.status == MaterialStatus.deferred]
    received = [m for m in doc.materials if m.status == MaterialStatus.provided]
    summary = f"已收{len(received)}件" + (
        f"，容缺后补{len(deferred)}件：{deferred_text(doc)}" if deferred else ""
    )
    who = roles.resident(doc)
    proxy = roles.acting(doc)
    rows: list[list[object]] = [
        ["办件编号", doc.case_number, "收件时间", cn_datetime(doc.received_at)],
        [
            roles.RESIDENT,
            f"{who.name}　{mask_id(who.id_number)}",
            roles.ACTING,
            f"{proxy.name}　{mask_id(proxy.id_number)}" if proxy else "本人办理",
        ],
        ["办理事项", item_text(doc), None, None],
        ["材料", summary, None, None],
        ["预计办结", due_text(doc), "代办员", doc.agent_name],
    ]
    return [
        CutLine("沿虚线剪开　上联交申请人　下联（存根）由便民服务站留存", sheet.font.name),
        sheet.para(f"{TITLE}（存根）", "subtitle"),
        sheet.para(f"第二联　便民服务站留存　　{doc.station_name}", "small"),
        Spacer(1, 1.5 * mm),
        sheet.field_table(rows, [22 * mm, 70 * mm, 22 * mm, 68 * mm]),
        Spacer(1, 2 * mm),
        sheet.signatures([f"{roles.signer(doc)}签收（签字并捺印）", "代办员（签字）"], A4_INNER),
    ]


def render_a4(doc: CaseDocument, font: CjkFont) -> RenderedDocument:
    """The A4 receipt: the resident's copy on top, the station's stub below."""
    sheet = Sheet(font, size=10)
    main = _a4_main(sheet, doc)
    stub = _a4_stub(sheet, doc)
    return build_a4_with_stub(
        sheet,
        main,
        stub,
        title=TITLE,
        author=doc.station_name,
        reprinted_on=doc.reprinted_on,
        running_head=f"{TITLE}　编号：{doc.case_number}",
    )


def _large_lines(doc: CaseDocument) -> list[tuple[str, str]]:
    """The few facts of the large-print receipt: who, what, when, the promised time, who to
    call, the fee."""
    who = roles.resident(doc)
    lines = [(roles.RESIDENT, who.name)]
    proxy = roles.acting(doc)
    if proxy is not None:
        lines.append((roles.ACTING, f"{proxy.name}（{roles.relation_words(doc)}）"))
    return lines + [
        ("办理事项", doc.item_name),
        ("收件时间", cn_datetime(doc.received_at)),
        ("承诺时限", promised_text(doc)),
        ("代办员", agent_text(doc)),
        ("收费", fee_text(doc.fee, doc.fee_kind, doc.fee_note)),
        ("办件编号", doc.case_number),
        # a resident without a smartphone asks by phone (the code alone was offered)
        ("电话查进度", doc.enquiry),
    ]


def large_notices(doc: CaseDocument) -> list[str]:
    """The terms of the large-print receipt, in fewer words."""
    lines = [*replaced(doc), f"这张回执只证明本站已收件，是否受理由{doc.township_name}决定。"]
    if due_basis(doc):
        lines.append(sentence(due_basis(doc)))
    lines += [sentence(note) for note in doc.date_notes]
    lines.append("帮代办不收费。请保管好本回执，查进度、取结果时带上。")
    return lines


def _large_main(sheet: Sheet, doc: CaseDocument) -> list[Flowable]:
    code = [
        qr_code(qr_content(doc), 32 * mm),
        sheet.para(qr_label(doc, "手机扫码查进度"), "center"),
    ]
    head = [sheet.para(TITLE, "title"), sheet.para(doc.station_name, "subtitle")]
    top = Table([[head, code]], colWidths=[A4_INNER - 44 * mm, 44 * mm])
    top.setStyle(sheet.style([("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    story: list[Flowable] = [top, Spacer(1, 3 * mm)]
    story += [sheet.para(line, "lead") for line in roll_lead(doc)]
    story.append(Spacer(1, 3 * mm))
    story += [sheet.para(f"{label}：{value}") for label, value in _large_lines(doc)]
    story += [sheet.glyph_note(), Spacer(1, 3 * mm), sheet.para("收取材料", "heading")]
    for i, m in enumerate(doc.materials, start=1):
        story.append(sheet.para(f"{i}. {m.name}：{status_with_day(m)}"))
    story += [Spacer(1, 3 * mm), sheet.para("请注意", "heading")]
    story += [sheet.para(f"{i}. {line}") for i, line in enumerate(large_notices(doc), start=1)]
    labels = ["代办员（签字）", f"{roles.signer(doc)}（签字捺印）"]
    story += [Spacer(1, 4 * mm), sheet.unsplit([sheet.signatures(labels, A4_INNER)])]
    return story


def render_a4_large(doc: CaseDocument, font: CjkFont) -> RenderedDocument:
    """The large-print A4 receipt (大字版): 14 pt, the date and next step first, fewer words.

    The station's stub below it is the ordinary one (the station reads it, not the
    resident); when the resident's part fills the page it goes whole to page 2.
    """
    sheet = Sheet(font, size=LARGE_SIZE, floor=LARGE_FLOOR)
    main = _large_main(sheet, doc)  # names are glyph-checked here, so the stub's sheet may go
    return build_a4_with_stub(
        sheet,
        main,
        _a4_stub(Sheet(font, size=10), doc),
        title=f"{TITLE}（大字版）",
        author=doc.station_name,
        reprinted_on=doc.reprinted_on,
        running_head=f"{TITLE}　编号：{doc.case_number}",
    )


def _roll_lines(doc: CaseDocument) -> list[tuple[str, str]]:
    who = roles.resident(doc)
    lines = [
        ("编号", doc.case_number),
        (roles.RESIDENT, f"{who.name}　{mask_id(who.id_number)}"),
        ("电话", who.phone),
    ]
    proxy = roles.acting(doc)
    if proxy is not None:
        lines += [
            (roles.ACTING, f"{proxy.name}　{mask_id(proxy.id_number)}"),
            ("代办电话", proxy.phone),
            ("代办关系", roles.relation_words(doc)),
        ]
    return lines + [
        ("事项", item_text(doc)),
        ("收件时间", cn_datetime(doc.received_at)),
        ("承诺时限", promised_text(doc)),
        ("代办员", agent_text(doc)),
        ("进度查询", doc.enquiry),
        ("收费", fee_text(doc.fee, doc.fee_kind, doc.fee_note)),
    ]


def roll_lead(doc: CaseDocument) -> list[str]:
    """What the resident must know first, printed largest after the title: when, and what next."""
    lines = [f"预计办结：{due_text(doc)}"]
    if doc.deferred:
        days = {m.supply_by for m in doc.deferred}
        if len(days) > 1:  # each with its own date (one date above said the earliest for all)
            owed = "、".join(
                f"{m.name}（{cn_date(m.supply_by)}前）" if m.supply_by else m.name
                for m in doc.deferred
            )
            lines.append(f"请补交：{owed}")
        else:
            names = "、".join(m.name for m in doc.deferred)
            by = cn_date(doc.supply_deadline)
            lines.append(f"请于{by}前补交：{names}" if by else f"请补交：{names}")
    lines.append(f"下一步：{doc.next_step}")
    return lines


def _roll_materials(sheet: Sheet, doc: CaseDocument) -> Table:
    """The materials on the roll: what and in what form, then its state in a column of its
    own, never cut in two (已收 / 取) by the line's end."""
    rows = []
    for i, m in enumerate(doc.materials, start=1):
        rows.append(
            [
                sheet.para(f"{i}. {m.name} {material_form(m)}", "small"),
                sheet.para(status_with_day(m), "small"),
            ]
        )
    table = Table(rows or [["", ""]], colWidths=[46 * mm, 26 * mm])  # 数据共享免提交 whole
    commands: list[tuple[object, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
        *((f"{side}PADDING", (0, 0), (-1, -1), 0) for side in ("LEFT", "RIGHT", "TOP")),
    ]
    table.setStyle(sheet.style(commands))
    return table


def render_roll(doc: CaseDocument, font: CjkFont) -> RenderedDocument:
    """The 80 mm thermal receipt: one column, the QR code centred, nothing under 10 pt."""
    sheet = Sheet(font, size=ROLL_SIZE, floor=ROLL_FLOOR)
    rule = HRFlowable(width="100%", thickness=0.6, dash=[2, 2], spaceBefore=2, spaceAfter=2)
    story: list[Flowable] = [
        sheet.para(TITLE, "title"),
        sheet.para(doc.station_name, "center"),
        rule,
    ]
    story += [sheet.para(line, "lead") for line in roll_lead(doc)]
    story += [rule, sheet.pairs(_roll_lines(doc), [19 * mm, 53 * mm])]
    story += [rule, sheet.para("收取材料："), _roll_materials(sheet, doc), rule]
    # its own heading: the terms' 1. 2. … read as more materials straight after them
    story.append(sheet.para("须知："))
    story += [sheet.para(f"{i}. {line}", "small") for i, line in enumerate(notices(doc), start=1)]
    code = Table([[qr_code(qr_content(doc), 26 * mm)]], colWidths=[72 * mm])
    code.setStyle(sheet.style([("ALIGN", (0, 0), (-1, -1), "CENTER")]))
    label = sheet.para(qr_label(doc, "扫码查询办理进度"), "center")
    story += [Spacer(1, 2 * mm), code, label, Spacer(1, 4 * mm)]
    story += [sheet.para(f"{roles.signer(doc)}签字（捺印）：______________"), Spacer(1, 4 * mm)]
    story += [sheet.para("代办员签字：______________"), Spacer(1, 3 * mm)]
    # the station and the moment on lines of their own (the time wrapped alone: 10:38)
    story += [
        sheet.para(doc.station_name, "small"),
        sheet.para(cn_datetime(doc.received_at), "small"),
    ]
    return build_roll(
        sheet, story, title=TITLE, author=doc.station_name, reprinted_on=doc.reprinted_on
    )
