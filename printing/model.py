"""What each document is printed from: plain frozen dataclasses, no store, no reducer.

The caller (the desk, the command line, the demo) fills these from a case's
state; the documents only lay them out. Identity numbers are passed in full and
masked by the document itself, except on the 授权委托书 where the law needs them.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, TypeVar, Union

T = TypeVar("T")


class MaterialStatus(StrEnum):
    """Where a material stands at intake."""

    provided = "provided"  # 已收取
    deferred = "deferred"  # 容缺后补
    shared = "shared"  # 数据共享免提交 (免证办)
    missing = "missing"  # 缺少，须补正


class FeeKind(StrEnum):
    """What the resident pays for the item (收费标准)."""

    free = "free"  # 免费
    fixed = "fixed"  # a fixed amount (``fee``)
    varies = "varies"  # depends on a choice or a yearly standard: ``fee_note`` says how


@dataclass(frozen=True)
class Party:
    """A person on a document: a resident, a principal or an agent."""

    name: str
    id_number: str = ""
    phone: str = ""
    address: str = ""
    sex: str = ""
    """男 / 女; derived from the ID number when empty."""


@dataclass(frozen=True)
class MaterialLine:
    """One material of the item's list and what happened to it at intake."""

    name: str
    copies: int = 1
    original: bool = False
    """True when the original is collected (原件), False for a copy (复印件)."""
    status: MaterialStatus = MaterialStatus.provided
    supply_by: date | None = None
    """For 容缺 (deferred) or missing materials: the date to supply it by (a material
    handed in since keeps it: ``printing.fmt.owed_by`` says what is still owed)."""
    standard: str = ""
    """The standard the material must meet (shown on the 一次性告知书)."""
    handling: str = ""
    """How the station handles it: returned (原件核验后退还，留存复印件), copy (留存复印件),
    kept (收取原件) or shared (免证办); empty: kept for an original, else copy."""
    supplied_on: date | None = None
    """A material that was owed (容缺, or missing) and handed in since: the day (China)."""


@dataclass(frozen=True)
class CaseDocument:
    """A case as the station's documents show it (收件回执, 告知书, 委托书)."""

    case_number: str
    item_code: str
    item_name: str
    item_version: int | str
    station_name: str
    station_division: str
    agent_name: str
    agent_phone: str
    applicant: Party
    received_at: datetime
    """When it was taken in: aware (printed in China time), or naive China wall-clock time."""
    promised_days: int
    due_date: date
    """The expected completion date: ``forward_days`` then ``promised_days`` working days on."""
    next_step: str
    """Where the case goes next, e.g. 3个工作日内报送海城镇便民服务中心审核."""
    enquiry: str
    """How to ask about progress: a phone number, a URL, or both."""
    township_name: str
    principal: Party | None = None
    """The person represented (委托人) when someone applies on their behalf."""
    relation: str = "self"
    """self | relative | agent, or a relation in words (e.g. 父子)."""
    materials: tuple[MaterialLine, ...] = ()
    verify_url: str | None = None
    """ASCII URL for the QR code; the case number is used when absent."""
    reprinted_on: date | None = None
    """Set when this is a reprint (补打): the date of the reprint."""
    replaces_number: str = ""
    """The case's earlier number, void since the case was renumbered (a receipt with it was
    handed out): the receipt says it replaces that one."""
    agent_id_number: str = ""
    """The agent's ID number, needed only on the 授权委托书."""
    fee: Decimal = Decimal("0")
    """The fixed amount in 元 when ``fee_kind`` is fixed."""
    fee_kind: FeeKind | None = None
    """free, fixed or varies; when absent, a zero ``fee`` is free and any other is fixed."""
    fee_note: str = ""
    """Printed with the fee; for a fee that varies, the whole of what is printed."""
    complaint_phone: str = ""
    authorization_until: date | None = None
    """End of the 授权委托书 period; until completion when absent."""
    date_notes: tuple[str, ...] = ()
    """What the reader must know about how the dates were counted (a provisional
    holiday table), in Chinese; printed with the terms."""
    forward_days: int = 0
    """Working days to report (报送) the case to the office that accepts it, counted into
    ``due_date`` before the promised limit runs (0: accepted where it was taken in)."""
    taken_in: bool = True
    """False: an application the station could not take in yet (a required material is
    missing); ``case_number`` is then the draft's, and the 一次性告知书 says to come back."""
    information: tuple[str, ...] = ()
    """Before intake: what else the resident must give besides the materials (a rule of the
    item's, 独居老人须登记赡养人联系电话): the 一次性告知书 tells it with them."""

    @property
    def immediate(self) -> bool:
        """A 即办件: decided on the spot once it reaches the deciding office (no time limit)."""
        return self.promised_days == 0

    @property
    def represented(self) -> Party:
        """The resident the case is for: the principal, or the applicant themself."""
        return self.principal or self.applicant

    @property
    def deferred(self) -> tuple[MaterialLine, ...]:
        """Materials to be supplied later (容缺 or missing)."""
        wanted = (MaterialStatus.deferred, MaterialStatus.missing)
        return tuple(m for m in self.materials if m.status in wanted)

    @property
    def supply_deadline(self) -> date | None:
        """The last date by which every outstanding material must be supplied."""
        dates = [m.supply_by for m in self.deferred if m.supply_by is not None]
        return min(dates) if dates else None


@dataclass(frozen=True)
class DecisionDocument:
    """A township decision printed at the station: 受理, 不予受理, 补正告知, 特别程序告知
    (暂停) or the refusal at 办结 (不予许可 / 不予批准)."""

    case: CaseDocument
    reason: str
    decided_by: str
    """The deciding body, e.g. 海原县海城镇便民服务中心."""
    decided_at: date
    document_number: str = ""
    apply_instead: str = ""
    """For a remit problem: the body to apply to instead."""
    corrections: tuple[MaterialLine, ...] = ()
    """For 补正: what to supply, each with its standard."""
    correction_deadline: date | None = None
    review_authority: str = ""
    """Where 行政复议 is applied for, e.g. 海原县人民政府."""
    court: str = ""
    """Where 行政诉讼 is brought, e.g. 海原县人民法院."""
    officer: str = ""
    officer_phone: str = ""
    office_phone: str = ""
    """The deciding office's public phone (printed when the officer has none)."""
    legal_basis: str = ""
    """The clause the decision rests on, e.g. 《中华人民共和国行政许可法》第三十二条第一款第（五）项."""
    due_date: date | None = None
    """受理: the promised completion date (working days from the day after acceptance)."""
    promised_days: int | None = None
    """受理: the promised limit in working days."""
    legal_days: int | None = None
    """受理: the item's legal limit (法定办结时限) in working days; 0: the law sets none (or,
    for a 即办件, done on the spot); None: not known, and not printed."""
    decider: str = ""
    """受理: the body that decides (办结) the item when it is not the accepting office, e.g.
    海原县社会保险事业管理中心 for an item the township accepts and the county decides; empty:
    the accepting office decides it itself."""
    date_notes: tuple[str, ...] = ()
    """What the paper must say about the calendar behind its dates (a provisional holiday
    table can move the promised date or the correction deadline)."""
    pause_kind: str = ""
    """暂停: the special procedure (公示, 听证, 鉴定 …)."""
    granted: tuple[tuple[str, str], ...] = ()
    """准予行政许可: what is permitted, as the application gave it (each field's label and
    value: for a 宅基地, its place, 四至, area, floors and height)."""
    pause_days: int | None = None
    """暂停: the days the office expects it to take, when it said."""
    permit: bool = False
    """The item is a 行政许可 (its refusal is a 不予行政许可决定书, §38)."""
    owed: tuple[str, ...] = ()
    """办结 容缺通过: the 容缺 materials still owed, by name."""


@dataclass(frozen=True)
class LedgerRow:
    """One line of the 帮代办登记台账."""

    case_number: str
    received_on: date
    resident: Party
    item_name: str
    handling: str = "代办"
    """帮办 / 代办 / 上门."""
    materials: str = ""
    forwarded_to: str = ""
    forwarded_on: date | None = None
    promised_on: date | None = None
    completed_on: date | None = None
    handover: str = ""
    """How, when and to whom the result was handed over."""
    rating: str = ""
    agent: str = ""
    state: str = ""
    remarks: str = ""
    vulnerability: str = ""
    """老年 / 残疾 / 独居 …"""


@dataclass(frozen=True)
class LedgerDocument:
    """The ledger of one station for a date range."""

    station_name: str
    station_division: str
    start: date
    end: date
    rows: tuple[LedgerRow, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class UnresolvedDocument:
    """A 办不成事 record as its 登记回执 shows it: what the resident wanted, why it could
    not be done here, and how the county follows it up (a record is never a case)."""

    number: str
    """The record's number, ``BCS-...``: what the resident quotes when asking."""
    station_name: str
    agent_name: str
    agent_phone: str
    reported_at: datetime
    """When it was recorded: aware (printed in China time), or naive China wall-clock time."""
    what: str
    why: str
    contact: str = ""
    """How the county reaches the resident, as the agent typed it."""
    hotline: str = "12345"
    """The government's service hotline (政务服务便民热线)."""
    reprinted_on: date | None = None
    """Set when this is a reprint (补打): the date of the reprint."""


def _convert(tp: Any, value: Any) -> Any:
    """Turn a JSON value into the annotated type (dates, nested dataclasses, tuples)."""
    origin = typing.get_origin(tp)
    if origin in (Union, types.UnionType):
        if value is None:
            return None
        options = [a for a in typing.get_args(tp) if a is not type(None)]
        for option in options:
            try:
                return _convert(option, value)
            except (TypeError, ValueError):
                continue
        raise ValueError(f"cannot read {value!r} as {tp}")
    if origin is tuple:
        (inner, *_rest) = typing.get_args(tp)
        return tuple(_convert(inner, v) for v in value)
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        return from_dict(tp, value)
    if tp is datetime:
        return value if isinstance(value, datetime) else datetime.fromisoformat(value)
    if tp is date:
        return value if isinstance(value, date) else date.fromisoformat(value)
    if tp is Decimal:
        return Decimal(str(value))
    if tp is int and (not isinstance(value, int) or isinstance(value, bool)):
        raise TypeError(f"not an integer: {value!r}")
    if tp is bool and not isinstance(value, bool):
        raise TypeError(f"not true or false: {value!r}")
    if tp in (str, bool, int) or isinstance(tp, type) and issubclass(tp, StrEnum):
        return tp(value)
    return value


def from_dict(cls: type[T], data: dict[str, Any]) -> T:
    """Build a document dataclass from JSON-like data (ISO dates, nested objects).

    Args:
        cls: one of the dataclasses of this module.
        data: its fields by name; unknown keys are refused.

    Returns:
        The dataclass instance.

    Raises:
        ValueError: for an unknown or malformed field.
    """
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    unknown = set(data) - names
    if unknown:
        raise ValueError(f"{cls.__name__}: unknown field(s) {', '.join(sorted(unknown))}")
    required = {
        f.name
        for f in dataclasses.fields(cls)  # type: ignore[arg-type]
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    }
    absent = required - set(data)
    if absent:
        raise ValueError(f"{cls.__name__}: missing field(s) {', '.join(sorted(absent))}")
    values = {}
    for key, value in data.items():
        try:
            values[key] = _convert(hints[key], value)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{cls.__name__}.{key}: {exc}") from exc
    return cls(**values)


def to_dict(obj: Any) -> dict[str, Any]:
    """The JSON-ready form of a document dataclass (inverse of :func:`from_dict`)."""

    def plain(value: Any) -> Any:
        if isinstance(value, (date, datetime)):
            return value.isoformat()
        if isinstance(value, Decimal):
            return str(value)
        if isinstance(value, (list, tuple)):
            return [plain(v) for v in value]
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        return value

    return {k: plain(v) for k, v in dataclasses.asdict(obj).items()}


@dataclass
class EnrollmentDocument:
    """A station's 注册单: the one-time code the county issued for it, to take to the
    station's PC (scanned, or typed with the centre's address where the QR cannot be)."""

    station_name: str
    division: str
    division_name: str
    code: str
    uri: str
    """The ``daiban://enroll`` link the QR holds (the centre, the code, the fingerprint)."""
    central_url: str
    expires_at: datetime
    """Aware (printed in China time), or naive China wall-clock time."""
    issued_by: str
    """The county administrator who issued it (their name)."""
    fingerprint: str = ""
    """The centre's certificate fingerprint, over https (typed with the address)."""
    ref: str = ""
    """The code's reference, as the county's 待用码 list shows it (never the code): the
    slip's file is named by it with the station, so a later code's slip is told apart."""
