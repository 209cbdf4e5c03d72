"""A case from the store as the printing model sees it: 回执, 告知书, 委托书, 不予受理/补正.

Paper is Chinese (official documents), so the few phrases built here for paper
are Chinese; messages for the clerk go through gettext.

Forms and the reducer call the person who *acts* for the resident ``principal``;
printing calls the resident represented the ``principal`` (委托人). The swap is
done here, once (as in ``station.screens.paper``).
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from forms.catalog import Catalog, ServiceItem
from forms.catalog.model import Fee
from forms.clock import china_day, to_china
from forms.workdays import default_calendar, due_date, supply_by
from printing.model import (
    CaseDocument,
    DecisionDocument,
    FeeKind,
    MaterialLine,
    MaterialStatus,
    Party,
)
from station.documents.i18n import _
from station.store.models import StationIdentity
from sync.events import EventKind, Role
from sync.payloads import Person
from sync.reducer import CaseView, EntryStatus, HistoryEntry

TOWNSHIP_FALLBACK = "乡镇便民服务中心"
"""The township's name when the store does not know it."""
HOTLINE = "12345"
"""The government service hotline (政务服务便民热线), for enquiries and complaints."""

DecisionKind = Literal["acceptance", "rejection", "correction", "pause", "denial", "approval"]
DECISION_EVENTS = {
    "acceptance": EventKind.accepted,
    "rejection": EventKind.rejected,
    "correction": EventKind.returned,
    "pause": EventKind.paused,
    "denial": EventKind.completed,
    "approval": EventKind.completed,
}
"""The event each of the township's papers is printed from."""


class NotApplicable(ValueError):
    """The document does not apply to this case (the message says why, translated)."""


def _party(person: Person | None) -> Party | None:
    if person is None:
        return None
    return Party(
        name=person.name,
        id_number=person.id_number,
        phone=person.phone,
        address=person.address or "",
    )


def _materials(view: CaseView, item: ServiceItem) -> tuple[MaterialLine, ...]:
    """The item's materials and what happened to each.

    Optional materials the resident did not bring are left out: validation at
    intake already refused a case missing anything this case needs (a
    ``material_when`` rule included), so an optional "missing" is one nobody
    asks for, and the 一次性告知书 must not demand it (行政许可法 §32).
    """
    lines = []
    supplied = _supplied_on(view)
    for spec in item.materials:
        state = view.materials.get(spec.key)
        if state in (None, "missing") and not spec.required:
            continue
        lines.append(
            MaterialLine(
                name=spec.name,
                copies=spec.copies,
                original=spec.original,
                status=MaterialStatus(state or "missing"),
                supply_by=view.supply_by.get(spec.key),
                supplied_on=supplied.get(spec.key) if state == "provided" else None,
                standard=spec.standard,
                handling=spec.handled,
            )
        )
    return tuple(lines)


def _supplied_on(view: CaseView) -> dict[str, date]:
    """The day (China) each material that was owed (容缺 or missing: at intake, or named by
    a 补正) was brought since, by the events that said so (补交, 补正, an edit; one the
    centre has not confirmed yet too, as the case's state counts it; not one it
    superseded). A view whose history keeps no summaries gives none: its paper then
    says 已收取, without a day."""
    owed: set[str] = set()
    days: dict[str, date] = {}
    for entry in view.history:
        states = entry.summary.get("materials")
        if entry.status is EntryStatus.superseded or not isinstance(states, dict):
            continue
        for key, state in states.items():
            if state in ("deferred", "missing"):
                owed.add(key)
                days.pop(key, None)
            elif state == "provided" and key in owed:
                owed.discard(key)
                days[key] = china_day(entry.device_time)
    return days


def _fee(fee: Fee) -> dict[str, Any]:
    """The item's fee as the paper takes it: its kind, the amount if fixed, and its note."""
    return {
        "fee": fee.amount if fee.amount is not None else Decimal("0"),
        "fee_kind": FeeKind(fee.kind),
        "fee_note": fee.note,
    }


def china_time(moment: datetime) -> datetime:
    """A moment as a clock in China shows it (naive, for paper; a naive ``moment`` is UTC)."""
    return to_china(moment).replace(tzinfo=None)


def received_moment(view: CaseView) -> datetime:
    """When the station took the case in (收件), or created it if never taken in."""
    moment = view.received_at or view.created_at
    if moment is None:
        raise NotApplicable(
            _("Case {number} has not been taken in.").format(number=view.case_number)
        )
    return moment


def promised_days(view: CaseView, item: ServiceItem) -> int:
    """The promised limit in working days the case was taken in under."""
    return view.promised_days if view.promised_days is not None else item.promised_days


def travel_days(item: ServiceItem) -> int:
    """Working days the case travels from the station to the office that accepts it.

    The catalog's handling path says who takes it in and who accepts it; a case
    taken in at the village and accepted above it is forwarded within
    ``forward_days`` before the promised limit starts to run.
    """
    return item.path.forward_days if item.path.accept != item.path.intake else 0


def receipt_due_date(view: CaseView, item: ServiceItem) -> date:
    """The expected completion date printed at intake.

    The days the case travels to the accepting office (catalog handling path),
    then the promised limit, counted in working days from the received day.
    """
    received = china_day(received_moment(view))
    return due_date(received, travel_days(item) + promised_days(view, item)).date


def date_notes(first: date, last: date) -> tuple[str, ...]:
    """What the paper must say about the calendar behind dates in ``first..last`` (Chinese).

    A provisional county holiday table (set before the State Council publishes),
    or a year with no table at all, can move a date: the resident is told so.
    """
    calendar = default_calendar()
    notes = []
    for year in range(first.year, last.year + 1):
        if not calendar.warnings_for(date(year, 6, 1), date(year, 6, 1)):
            continue
        if calendar.source(year) == "county":
            notes.append(f"{year}年节假日安排为县级暂定（待国务院公布），预计日期可能调整")
        else:
            notes.append(f"{year}年节假日安排尚未公布，暂按周一至周五计算，预计日期可能调整")
    return tuple(notes)


def next_step(item: ServiceItem, township_name: str) -> str:
    """Where the case goes next, as the receipt says it."""
    if item.path.accept == "village":
        return "由本站直接办理"
    text = f"{item.path.forward_days}个工作日内报送{township_name}审核"
    if item.path.decide == "county" and item.path.department:
        text += f"，再报{item.path.department}审批"
    return text


def is_hotline(phone: str) -> bool:
    """Whether ``phone`` is the 12345 government service hotline (with or without an area code)."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    return digits == HOTLINE or (digits.endswith(HOTLINE) and len(digits) <= 4 + len(HOTLINE))


def enquiry(item: ServiceItem, agent_phone: str) -> str:
    """How to ask about progress: the agent's phone, then the office's own line or the hotline.

    The hotline is the government's, not the office's: an item whose catalog
    phone is 12345 is printed as 政务服务便民热线 12345 with the office named as
    the one in charge, never as "海原县民政局 12345".
    """
    parts = [f"代办员电话 {agent_phone}"] if agent_phone else []
    phone = item.phone.strip()
    if phone and not is_hotline(phone):
        parts.append(f"{item.contact or '咨询电话'} {phone}")
    else:
        office = f"（承办单位：{item.contact}）" if item.contact else ""
        parts.append(f"政务服务便民热线 {phone or HOTLINE}{office}")
    return "；".join(parts)


def case_document(
    view: CaseView,
    item: ServiceItem,
    identity: StationIdentity,
    *,
    agent_name: str,
    agent_phone: str,
    agent_id_number: str = "",
    township_name: str | None = None,
    today: date,
    reprint: bool = False,
    places: Catalog | None = None,
) -> CaseDocument:
    """The printing model of a case taken in at this station.

    Args:
        view: the case (``sync.reducer.CaseView``).
        item: its service item, in the version the case was filed under.
        identity: this station.
        agent_name: the agent who took it in (or who prints it).
        agent_phone: the agent's phone.
        agent_id_number: the agent's ID number (only the 授权委托书 shows it).
        township_name: the township centre the case goes to (a generic name when None).
        today: the day of printing (the 补打 date of a reprint).
        places: the catalog whose division table completes the resident's address from
            the county down (``Catalog.full_address``); None: as typed.
        reprint: mark the paper 补打 with ``today``.

    Returns:
        The case document.

    Raises:
        NotApplicable: an unresolved (办不成事) record or a case never taken in.
    """
    if view.kind != "application" or view.applicant is None:
        raise NotApplicable(
            _("Case {number} is not an application: there is no paper for it.").format(
                number=view.case_number
            )
        )
    township = township_name or TOWNSHIP_FALLBACK
    # The applicant on paper is whoever files; when someone acts for the resident, the
    # resident is the principal (委托人) — forms calls the acting person ``principal``.
    resident = _party(view.applicant) or Party(name="")
    if not resident.address:  # the form's 户籍地址 when no other address was given
        resident = replace(resident, address=str(view.fields.get("hukou_address") or ""))
    if places is not None:
        division = view.division or identity.division
        resident = replace(resident, address=places.full_address(resident.address, division))
    acting = _party(view.principal)
    received = china_time(received_moment(view))
    due = receipt_due_date(view, item)
    materials = _materials(view, item)
    supply = [m.supply_by for m in materials if m.supply_by is not None]
    return CaseDocument(
        case_number=view.case_number,
        item_code=item.code,
        item_name=view.item_name or item.name,
        item_version=view.item_version or item.version,
        station_name=view.station_name or identity.name,
        station_division=view.division or identity.division,
        agent_name=agent_name,
        agent_phone=agent_phone,
        agent_id_number=agent_id_number,
        applicant=acting or resident,
        principal=resident if acting else None,
        relation=view.relation,
        received_at=received,
        promised_days=promised_days(view, item),
        due_date=due,
        forward_days=travel_days(item),
        next_step=next_step(item, township),
        enquiry=enquiry(item, agent_phone),
        township_name=township,
        materials=materials,
        date_notes=date_notes(received.date(), max([due, *supply])),
        verify_url=None,
        reprinted_on=today if reprint else None,
        **_fee(item.fee),
        complaint_phone=HOTLINE,
    )


def decision_entry(view: CaseView, kind: DecisionKind) -> HistoryEntry:
    """The case's latest township decision of this kind (受理, 退回补正 or 不予受理).

    Raises:
        NotApplicable: the case never had such a decision.
    """
    wanted = DECISION_EVENTS[kind]
    for entry in reversed(view.history):
        if entry.kind is wanted and entry.status is not EntryStatus.superseded:
            if kind == "denial" and entry.summary.get("result") != "denied":
                break  # its 办结 granted it: there is no refusal to print
            if kind == "approval" and entry.summary.get("result") not in GRANTED:
                break  # its 办结 refused it: there is no grant to print
            return entry
    if kind == "pause":
        message = _("Case {number} was never paused: there is no special-procedure notice.")
    elif kind == "denial":
        message = _("Case {number} was not refused at completion: there is no refusal to print.")
    elif kind == "approval":
        message = _("Case {number} was not approved at completion: there is no decision to print.")
    elif kind == "rejection":
        message = _("Case {number} was not rejected: there is no rejection notice to print.")
    elif kind == "acceptance":
        message = _("Case {number} was not accepted: there is no acceptance notice to print.")
    else:
        message = _("Case {number} was never returned for correction: there is no notice.")
    raise NotApplicable(message.format(number=view.case_number))


def county_short_name(county: str) -> str:
    """The county's own name from its full name (宁夏回族自治区中卫市海原县 → 海原县)."""
    found = re.search(r"[^省区市州盟]+[县区旗市]$", county.strip())
    return found.group() if found else county.strip()


PERSON_LABELS = {
    "name": "姓名",
    "id_number": "身份证号",
    "phone": "联系电话",
    "address": "住址",
}
"""The person fields a township may name for correction (``applicant.phone``)."""


def _reason_for(reasons: object, path: str) -> str:
    """An item's reason; ``reasons`` is keyed by ``materials.KEY`` / ``fields.KEY`` /
    ``applicant.KEY`` (the ``returned`` payload's schema)."""
    return str(reasons.get(path) or "") if isinstance(reasons, dict) else ""


def _material_rows(
    missing: list[str], item: ServiceItem, deadline: date, reasons: object
) -> list[MaterialLine]:
    by_key = {spec.key: spec for spec in item.materials}
    by_name = {spec.name: spec for spec in item.materials}
    lines = []
    for wanted in missing:
        spec = by_key.get(wanted) or by_name.get(wanted)
        why = _reason_for(reasons, f"materials.{wanted}")
        if spec is None:
            lines.append(MaterialLine(wanted, 1, False, MaterialStatus.missing, deadline, why))
            continue
        standard = "；".join(part for part in (why, spec.standard) if part)
        lines.append(
            MaterialLine(
                spec.name, spec.copies, spec.original, MaterialStatus.missing, deadline, standard
            )
        )
    return lines


def field_label(item: ServiceItem, path: str) -> str:
    """A field named for correction in words: 银行账号, 申请人联系电话."""
    section, _sep, key = path.partition(".")
    if section in ("applicant", "principal") and key:
        who = "申请人" if section == "applicant" else "代办人"
        return who + PERSON_LABELS.get(key, key)
    try:
        return item.field(key if section == "fields" else path).label
    except KeyError:
        return path


def _field_rows(
    fields: list[str], item: ServiceItem, deadline: date, reasons: object
) -> list[MaterialLine]:
    return [
        MaterialLine(
            f"更正“{field_label(item, path)}”",
            0,
            False,
            MaterialStatus.missing,
            deadline,
            _reason_for(reasons, path if "." in path else f"fields.{path}") or "按实际情况如实更正",
        )
        for path in fields
    ]


def _corrections(
    summary: dict[str, Any], view: CaseView, item: ServiceItem, deadline: date
) -> tuple[MaterialLine, ...]:
    """Every row of the 补正告知书: materials to supply, then fields to correct (all at once)."""
    missing = summary.get("missing")
    materials = [str(m) for m in missing] if isinstance(missing, list) else list(view.missing)
    named = summary.get("fields")
    fields = [str(f) for f in named] if isinstance(named, list) else list(view.correct_fields)
    reasons = summary.get("reasons")
    rows = _material_rows(materials, item, deadline, reasons)
    return tuple(rows + _field_rows(fields, item, deadline, reasons))


def sentence(text: str) -> str:
    """A reason as a sentence on paper: ends with 。 unless it already ends with punctuation."""
    text = text.strip()
    return text if not text or text[-1] in "。！？.!?；;" else text + "。"


def _decided_by(
    entry: HistoryEntry, county: str, township: str, explicit: str | None, department: str
) -> str:
    """The name the paper speaks in: the caller's, else the county's (the deciding department
    for its 办结, its centre for the rest), else the township's."""
    if explicit:
        return explicit
    county_name = county_short_name(county)
    if entry.actor_role is Role.admin and entry.kind is EventKind.completed and department:
        return department
    if entry.actor_role is Role.admin and county_name:
        return f"{county_name}政务服务中心"
    return township


COUNTY_LEVELS = frozenset({"county", "city", "province"})
"""Levels of a handling path above the township: another body decides what it accepts."""


def deciding_department(view: CaseView, item: ServiceItem, county: str) -> str:
    """The body that decides (办结) an item decided above the township, by its full name.

    The department the case was forwarded (转办) to when it was, else the catalog's
    handling path (``[path] department``). The catalog writes a county body as 县…
    (县社会保险事业管理中心): the county's own name is put before it (海原县社会保险事业管理中心).
    Of a path that names the township's part too (乡镇人民政府、县民政局) the county's bodies
    are kept. Empty when the township (or village) decides, or no department is named.

    Args:
        view: the case (its 转办 history).
        item: its service item.
        county: the county's name (the catalog's), full or short.

    Returns:
        The department's name, or "".
    """
    if item.path.decide not in COUNTY_LEVELS:
        return ""
    named = _forwarded_department(view) or item.path.department.strip()
    parts = [part.strip() for part in named.split("、") if part.strip()]
    ours = [part for part in parts if part.startswith("县")] or parts
    short = county_short_name(county)
    return "、".join(short + part[1:] if short and part.startswith("县") else part for part in ours)


def _forwarded_department(view: CaseView) -> str:
    """The department of the case's latest 转办 to a department (not a 区内通办 township)."""
    for entry in reversed(view.history):
        if entry.kind is EventKind.forwarded and entry.status is not EntryStatus.superseded:
            to = entry.summary.get("to")
            if entry.summary.get("target", "department") == "department" and isinstance(to, str):
                return to.strip()
    return ""


def decision_from_view(
    view: CaseView,
    item: ServiceItem,
    identity: StationIdentity,
    kind: DecisionKind,
    *,
    township_name: str | None = None,
    decided_by: str | None = None,
    county: str = "",
    officer: str = "",
    officer_phone: str = "",
    office_phone: str = "",
    document_number: str = "",
    legal_basis: str = "",
    today: date | None = None,
    reprint: bool = False,
    places: Catalog | None = None,
) -> DecisionDocument:
    """The township's 受理通知书, 不予受理通知书 or 补正告知书 for a case, from its decision event.

    Args:
        view: the case.
        item: its service item.
        identity: this station.
        kind: ``acceptance`` (受理), ``rejection`` (不予受理) or ``correction`` (退回补正).
        township_name: the township centre in charge (a generic name when None).
        decided_by: the deciding office's name (default: the township; for a county
            decision its centre, or at 办结 the department that decides the item).
        county: the county's name (for 行政复议 and 行政诉讼, and a department's full
            name), e.g. from the catalog.
        officer: the officer who issues the paper.
        officer_phone: the officer's phone.
        office_phone: the office's public phone.
        document_number: the 文号 (none when empty).
        legal_basis: the clause the decision rests on.
        today: the day of printing (default: the decision's day).
        reprint: mark the paper 补打 with ``today``.
        places: the catalog completing the resident's address (see ``case_document``).

    Returns:
        The decision document.

    Raises:
        NotApplicable: the case had no such decision.
    """
    entry = decision_entry(view, kind)
    decided_at = china_day(entry.device_time)
    county_name = county_short_name(county)
    township = township_name or TOWNSHIP_FALLBACK
    case = case_document(
        view,
        item,
        identity,
        agent_name=view.agent_name,
        agent_phone=view.agent_phone,
        township_name=township,
        today=today or decided_at,
        reprint=reprint,
        places=places,
    )
    summary = entry.summary
    completion = kind in ("denial", "approval")  # the reviewer's note says why
    said = summary.get("note") if completion else summary.get("reason")
    reason = sentence(str(said or ("" if completion else view.last_reason) or ""))
    deadline = supply_by(item, decided_at).date
    days = promised_days(view, item)
    due = due_date(decided_at, days).date if kind == "acceptance" else None
    dated = {"acceptance": due, "correction": deadline}.get(kind)
    department = deciding_department(view, item, county)
    issuer = _decided_by(entry, county, township, decided_by, department)
    return DecisionDocument(
        case=case,
        reason="" if kind == "acceptance" else reason,
        decided_by=issuer,
        decided_at=decided_at,
        document_number=document_number,
        apply_instead=str(summary.get("apply_instead") or "") if kind == "rejection" else "",
        corrections=_corrections(summary, view, item, deadline) if kind == "correction" else (),
        correction_deadline=deadline if kind == "correction" else None,
        review_authority=f"{county_name}人民政府" if county_name else "",
        court=f"{county_name}人民法院" if county_name else "",
        officer=officer,
        officer_phone=officer_phone,
        office_phone=office_phone,
        legal_basis=legal_basis,
        due_date=due,
        promised_days=days if kind == "acceptance" else None,
        legal_days=item.legal_days if kind == "acceptance" else None,
        decider=department if kind == "acceptance" and department != issuer else "",
        date_notes=date_notes(decided_at, dated) if dated else (),
        pause_kind=str(summary.get("kind") or "") if kind == "pause" else "",
        pause_days=_days(summary.get("expected_days")) if kind == "pause" else None,
        permit=item.item_type == "行政许可",
        owed=_owed(view, item) if summary.get("result") == "approved_deferred" else (),
    )


GRANTED = frozenset({"approved", "approved_deferred"})
"""The 办结 results that grant the application (通过, 容缺通过)."""


def _owed(view: CaseView, item: ServiceItem) -> tuple[str, ...]:
    """The case's 容缺 materials not yet supplied, by name, in the item's order."""
    names = {m.key: m.name for m in item.materials}
    owed = [key for key in names if view.materials.get(key) == "deferred"]
    return tuple(names[key] for key in owed)


def _days(value: object) -> int | None:
    return value if isinstance(value, int) and value > 0 else None
