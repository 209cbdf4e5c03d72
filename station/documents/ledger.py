"""The 帮代办登记台账 from the store: one row per case taken in during a date range.

The store has no query by intake day, so this module reads the ``cases``
projection with a read-only SQLAlchemy Core select (narrowed by the day in the
case number and the stored ``received_at``), then keeps the rows whose intake
day in China falls in the range.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from forms.catalog import Catalog, ServiceItem
from forms.clock import china_day
from forms.workdays import due_date
from printing.model import LedgerRow, Party
from station.documents.case import china_time, receipt_due_date
from station.documents.i18n import _
from station.services.names import state_name
from station.store import StationStore, stored
from station.store.db import reading
from station.store.tables import CASES
from sync.events import EventKind
from sync.lifecycle import CaseState
from sync.payloads import RATING_WORDS
from sync.reducer import CaseView, EntryStatus, deadline_inputs

NOT_TAKEN_IN = (CaseState.draft.value, CaseState.discarded.value)


def _candidates(store: StationStore, start: date, end: date) -> list[CaseView]:
    """Cases that may have been taken in between ``start`` and ``end`` (read-only select)."""
    number_day = func.substr(CASES.c.case_number, 14, 8)
    received = func.coalesce(
        func.json_extract(CASES.c.view, "$.received_at"),
        func.json_extract(CASES.c.view, "$.created_at"),
        "",
    )
    statement = (
        select(*stored.COLUMNS)
        .where(
            number_day <= f"{end:%Y%m%d}",
            received >= (start - timedelta(days=1)).isoformat(),
            CASES.c.state.not_in(NOT_TAKEN_IN),
        )
        .order_by(CASES.c.case_number)
    )
    with reading(store.engine) as conn:
        rows = conn.execute(statement).all()
        return stored.load_many(conn, rows)


def _item(catalog: Catalog, view: CaseView) -> ServiceItem | None:
    try:
        version = int(view.item_version) if view.item_version.isdigit() else None
        return catalog.get(view.item_code, version)
    except KeyError:
        try:
            return catalog.get(view.item_code)
        except KeyError:
            return None


def _materials(view: CaseView, item: ServiceItem | None) -> str:
    """已收 居民身份证、…；容缺 社会保障卡或存折复印件（12-04前）；免提交 …"""
    names = {spec.key: spec.name for spec in item.materials} if item else {}
    groups: dict[str, list[str]] = {"provided": [], "deferred": [], "shared": [], "missing": []}
    for key, state in view.materials.items():
        name = names.get(key, key)
        supply = view.supply_by.get(key)
        if state == "deferred" and supply is not None:
            name += f"（{supply:%m-%d}前）"
        groups.setdefault(state, []).append(name)
    labels = {"provided": "已收", "deferred": "容缺", "shared": "免提交", "missing": "缺"}
    parts = [f"{labels[k]} {'、'.join(v)}" for k, v in groups.items() if v and k in labels]
    return "；".join(parts)


def _event_day(view: CaseView, kind: EventKind) -> date | None:
    for entry in reversed(view.history):
        if entry.kind is kind and entry.status is not EntryStatus.superseded:
            return china_day(entry.device_time)
    return None


def _forwarded(view: CaseView, township: str) -> tuple[str, date | None]:
    if view.forwarded_to:
        return view.forwarded_to, _event_day(view, EventKind.forwarded)
    if view.submitted_at is not None:
        return township, china_day(view.submitted_at)
    return "", None


def _promised(view: CaseView, item: ServiceItem | None) -> date | None:
    """The promised completion: from acceptance (pauses skipped) once accepted, else from intake.

    None for a case that will not be completed (不予受理, 撤件).
    """
    if view.state in (CaseState.rejected, CaseState.withdrawn):
        return None
    start, days, pauses = deadline_inputs(view)
    if start is not None and days is not None:
        closed = [(a, b) for a, b in pauses if b is not None]
        return due_date(start, days, closed).date
    return receipt_due_date(view, item) if item is not None else None


def _handover(view: CaseView) -> str:
    if not view.handed_over_how:
        return ""
    text = view.handed_over_how
    if view.delivered_at is not None:
        text += f" {china_time(view.delivered_at):%m-%d}"
    if view.signed_by:
        text += f" 签收：{view.signed_by}"
    return text


def _rating(view: CaseView) -> str:
    if view.rating is None:
        return ""
    text = RATING_WORDS.get(view.rating, str(view.rating))
    return f"{text}\n（{view.rating_reason}）" if view.rating_reason else text


def _remarks(view: CaseView) -> str:
    if view.kind == "unresolved":
        return f"办不成事：{view.why}"
    if view.state in (CaseState.rejected, CaseState.returned, CaseState.withdrawn):
        return view.last_reason or ""
    return view.result_note or ""


def _state(view: CaseView) -> str:
    """The case's state in words; a case refused at 办结 (不予许可 / 不予批准) says so, as the
    state code lists write 办结（不通过）: a bare 办结 read as granted."""
    name = state_name(view.state)
    if view.result == "denied" and view.state in (CaseState.completed, CaseState.delivered):
        return _("{state} (refused)").format(state=name)
    return name


def ledger_row(view: CaseView, item: ServiceItem | None, township: str) -> LedgerRow:
    """One line of the 台账 for a case (the resident's ID is masked by the ledger itself)."""
    resident = view.applicant
    party = (
        Party(resident.name, resident.id_number, resident.phone, resident.address or "")
        if resident is not None
        else Party(view.contact or "")
    )
    forwarded_to, forwarded_on = _forwarded(view, township)
    moment = view.received_at or view.created_at
    return LedgerRow(
        case_number=view.case_number,
        received_on=china_day(moment) if moment else date.min,
        resident=party,
        item_name=view.item_name or view.what,
        handling="帮办" if view.relation == "self" else "代办",
        materials=_materials(view, item),
        forwarded_to=forwarded_to,
        forwarded_on=forwarded_on,
        promised_on=_promised(view, item) if view.kind == "application" else None,
        completed_on=china_day(view.completed_at) if view.completed_at else None,
        handover=_handover(view),
        rating=_rating(view),
        agent=view.agent_name,
        state=_state(view),
        remarks=_remarks(view),
    )


def ledger_rows(
    store: StationStore, catalog: Catalog, start: date, end: date, *, township: str = ""
) -> list[LedgerRow]:
    """The 帮代办登记台账 rows of cases taken in (收件) from ``start`` to ``end`` (China days).

    Args:
        store: the station's store (read only).
        catalog: the service-item catalog (material names).
        start: first intake day, inclusive.
        end: last intake day, inclusive.
        township: the township centre cases are submitted to (the "forwarded to" column).

    Returns:
        One row per case, by intake day then case number.
    """
    rows = []
    for view in _candidates(store, start, end):
        moment = view.received_at or view.created_at
        if moment is None or not start <= china_day(moment) <= end:
            continue
        rows.append(ledger_row(view, _item(catalog, view), township))
    rows.sort(key=lambda row: (row.received_on, row.case_number))
    return rows
