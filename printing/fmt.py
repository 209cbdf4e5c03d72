"""Dates, money, identity numbers and labels the way a Chinese office writes them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from babel import Locale
from babel.dates import format_date, format_time
from babel.numbers import format_decimal

from forms.clock import to_china
from printing.model import MaterialLine, MaterialStatus

LOCALE = Locale.parse("zh_CN")
"""Parsed once: babel looks a locale name up in its whole list on every call otherwise."""

RELATIONS = {
    "self": "本人办理",
    "relative": "亲属代办",
    "guardian": "监护人代办",
    "agent": "代办员代办",
}
STATUS_LABELS = {
    MaterialStatus.provided: "已收取",
    MaterialStatus.deferred: "容缺后补",
    MaterialStatus.shared: "数据共享免提交",
    MaterialStatus.missing: "缺，须补交",  # short: one line in the 大字版 告知书's 类别 column
}


HANDLED_LABELS = {
    "returned": "原件已退还",
    "copy": "已收取",
    "kept": "已收取",
    "shared": "免提交",
}
"""A provided material's status by how it is handled (an ID card is never 已收取)."""


def mask_id(id_number: str) -> str:
    """Mask an identity number for paper: ``640522********1234``.

    Keeps the 6-digit area code and the last 4 characters; everything between
    becomes ``*``. Short or empty values are masked entirely but for the last 4.
    """
    value = id_number.strip().upper()  # the check character x is printed X
    if not value:
        return ""
    if len(value) <= 10:
        return "*" * max(len(value) - 4, 0) + value[-4:]
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def sex_from_id(id_number: str) -> str:
    """男 or 女 from the 17th character of an 18-digit ID (odd = male); else empty."""
    value = id_number.strip()
    if len(value) == 18 and value[16].isdigit():
        return "男" if int(value[16]) % 2 else "女"
    return ""


def wall_time(moment: datetime) -> datetime:
    """The China clock reading to print: an aware time converted to China.

    A naive time in a document is already a China wall-clock time (as the
    document model says) and is printed as it is.
    """
    return to_china(moment).replace(tzinfo=None) if moment.tzinfo else moment


def cn_date(day: date | None) -> str:
    """``2026年11月22日`` (babel, zh_CN long format); empty for None."""
    if day is None:
        return ""
    if isinstance(day, datetime):
        day = wall_time(day).date()
    return format_date(day, format="long", locale=LOCALE)


def cn_datetime(moment: datetime) -> str:
    """``2026年11月22日 10:32`` in China."""
    shown = wall_time(moment)
    return f"{cn_date(shown)} {format_time(shown, 'HH:mm', locale=LOCALE)}"


def cn_short_date(day: date | None) -> str:
    """``2026-11-22`` for narrow ledger columns; empty for None."""
    return format_date(day, "yyyy-MM-dd", locale=LOCALE) if day else ""


def money(amount: Decimal | float | int) -> str:
    """Money with two decimals and grouping: ``1,234.50``."""
    return format_decimal(Decimal(str(amount)), "#,##0.00", locale=LOCALE)


def fee_text(amount: Decimal, kind: str | None = None, note: str = "") -> str:
    """The fee line: 免费, the amount in 元, or (for a fee that varies) the note.

    Args:
        amount: the fixed amount (ignored unless the fee is fixed).
        kind: free, fixed or varies; None: free when ``amount`` is zero, else fixed.
        note: the catalog's note, printed after the fee (alone for a fee that varies).
    """
    kind = kind or ("free" if Decimal(amount) == 0 else "fixed")
    if kind == "varies":
        return note or "按规定标准另行缴纳"
    main = "免费" if kind == "free" else f"{money(amount)}元"
    return f"{main}（{note}）" if note else main


def relation_text(relation: str) -> str:
    """A relation code in words (self → 本人); free text is kept."""
    return RELATIONS.get(relation, relation)


def handling(line: MaterialLine) -> str:
    """How the station handles the material: returned, copy, kept or shared."""
    if line.handling:
        return line.handling
    return "kept" if line.original else "copy"


def material_form(line: MaterialLine) -> str:
    """What the station takes, with the number of copies: an original checked and handed back
    is never printed as an original taken."""
    if "照片" in line.name and handling(line) != "shared":  # a photo is no photocopy
        return f"{line.copies}张"
    form = {
        "returned": f"原件核验后退还，留存复印件{line.copies}份",
        "copy": f"复印件{line.copies}份",
        "kept": f"原件{line.copies}份",
        "shared": "免证办（数据共享）",
    }
    return form.get(handling(line), f"复印件{line.copies}份")


def status_text(line: MaterialLine) -> str:
    """A material's status in words: for a material in hand, what the station did with it
    (one owed at intake and brought since: 已补交)."""
    status = MaterialStatus(line.status)
    if status is MaterialStatus.provided:
        if line.supplied_on is not None:
            return "已补交"
        return HANDLED_LABELS.get(handling(line), STATUS_LABELS[status])
    return STATUS_LABELS[status]


def status_day(line: MaterialLine) -> date | None:
    """The day beside a material's status: the day it is owed by, or the day it was
    brought (已补交); None for one in hand from the start."""
    return owed_by(line) or (line.supplied_on if line.status is MaterialStatus.provided else None)


def status_with_day(line: MaterialLine) -> str:
    """A material's status and its day in running text: ``容缺后补，2026年12月14日前补交``,
    ``已补交（2026年12月7日）``."""
    owed = owed_by(line)
    if owed is not None:
        return f"{status_text(line)}，{cn_date(owed)}前补交"
    day = status_day(line)
    return f"{status_text(line)}（{cn_date(day)}）" if day else status_text(line)


def owed_by(line: MaterialLine) -> date | None:
    """The day a material is still to be handed in by: its ``supply_by`` while it is owed
    (容缺 or missing), None once brought (a reprinted receipt said 已收取，…前补交)."""
    owed = line.status in (MaterialStatus.deferred, MaterialStatus.missing)
    return line.supply_by if owed else None
