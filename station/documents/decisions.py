"""The township's papers for a case: 受理通知书, 补正告知书, 不予受理通知书.

They speak in the deciding office's own name, from the county's division table
(``catalog.divisions``): the township in charge of the case (the resident's
township for 区内通办), or the county's centre for a county decision. Each
carries a document number (文号) from the office's yearly sequence, kept in the
station's own store (``station_meta``): taken when the decision is made and carried in
its event (:func:`numbering`), so every end and every reprint print the same number (a
decision made before numbers travelled is numbered at its first printing, keyed by its
event). The year is the decision's year in China time.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Protocol

from sqlalchemy import Connection

from forms.catalog import DOCUMENT_WORDS, Catalog, Division, ServiceItem, township_code
from forms.clock import china_day, utc_now
from printing.model import DecisionDocument
from station.documents.case import (
    GRANTED,
    DecisionKind,
    county_short_name,
    deciding_department,
    decision_entry,
    decision_from_view,
)
from station.store import EventStamp, StationStore
from station.store import meta as store_meta
from station.store.db import writing
from station.store.models import NewEvent, StationIdentity
from sync.events import EventKind, Role
from sync.progress import progress_url
from sync.protocol import StationRole
from sync.reducer import CaseView, HistoryEntry

PERMIT = "行政许可"
"""The item type 行政许可法 governs (other types follow their own basis)."""
PERMIT_LAW = "《中华人民共和国行政许可法》第三十二条第一款"
ACCEPT_CLAUSE = PERMIT_LAW + "第（五）项"
CORRECT_CLAUSE = PERMIT_LAW + "第（四）项"
ONE_TIME_NOTICE = "政务服务一次性告知的有关规定"
PAUSE_CLAUSE = "《中华人民共和国行政许可法》第四十五条"
SECTION_45_PROCEDURES = frozenset(
    {"听证", "招标", "拍卖", "检验", "检测", "检疫", "鉴定", "专家评审"}
)
"""What 行政许可法 §45 puts outside a permit's time limit (公示 and 调查 are not among them)."""
DENY_CLAUSE = "《中华人民共和国行政许可法》第三十八条第二款"
GRANT_CLAUSE = "《中华人民共和国行政许可法》第三十八条第一款"


class Officer(Protocol):
    """The signed-in person who issues the paper (the desk's ``Actor`` fits)."""

    @property
    def user_id(self) -> str:
        """The account's id (to find a phone the desk does not carry)."""
        ...

    @property
    def name(self) -> str:
        """The name printed as 经办人."""
        ...

    @property
    def phone(self) -> str:
        """The phone printed beside it."""
        ...


@dataclass(frozen=True)
class Office:
    """The deciding office as paper names it."""

    name: str
    phone: str = ""
    prefix: str = ""
    """The 文号 prefix; empty when the division table does not know the office."""
    division: str = ""


def deciding_division(view: CaseView) -> str:
    """The township (or county) in charge: the 区内通办 one, else the case's own township."""
    return view.handling_division or township_code(view.division)


def deciding_office(catalog: Catalog, view: CaseView, entry: HistoryEntry | None) -> Office | None:
    """The office that decided (or decides) the case, from the division table; None if unknown."""
    return _office(catalog, view, entry.actor_role if entry is not None else None)


def _office(catalog: Catalog, view: CaseView, role: Role | None) -> Office | None:
    """The office deciding ``view`` when a person of ``role`` decides (None: the township's)."""
    found: Division | None
    if role is Role.admin:
        found = catalog.county_office()
    else:
        found = catalog.division_entry(deciding_division(view))
    if found is None or not found.office:
        return None
    return Office(found.office, found.phone, found.prefix, found.code)


def keeps_sequence(identity: StationIdentity, office: Office) -> bool:
    """Whether this station keeps the office's 文号 sequence (the township's or county's own)."""
    if identity.role is StationRole.county:
        return True
    return identity.role is StationRole.township and (
        township_code(identity.division) == office.division
    )


def document_number(
    store: StationStore,
    kind: str,
    entry: HistoryEntry,
    office: Office,
    decided_on: date,
    word: str | None = None,
) -> str:
    """The decision's 文号, e.g. 海城便民受〔2026〕15号: assigned once, the same on every reprint.

    Args:
        store: the station that keeps the office's sequence.
        kind: acceptance, correction or rejection.
        entry: the decision's history entry (its event id keys the number).
        office: the deciding office (its prefix and division name the sequence).
        decided_on: the decision's day in China (its year numbers the sequence).

    Returns:
        The number, taken from the office's sequence for the year in one write transaction.
    """
    assigned = f"docno:{kind}:{entry.event_id.hex}"
    with writing(store.engine) as conn:
        known = store_meta.get(conn, assigned)
        if known is not None:
            return known
        number = _take_number(conn, office, word or DOCUMENT_WORDS[kind], decided_on.year)
        store_meta.put(conn, assigned, number)
    return number


def _take_number(conn: Connection, office: Office, word: str, year: int) -> str:
    """The next number of the office's sequence for ``word`` and ``year`` (in ``conn``'s
    write transaction)."""
    counter = f"docno_seq:{office.division}:{word}:{year}"
    return f"{office.prefix}{word}〔{year}〕{store_meta.take(conn, counter)}号"


NUMBER_KEY = "document_number"
"""The payload key a decision's 文号 travels in, so every end prints the same number."""

_PAPERS: dict[EventKind, DecisionKind] = {
    EventKind.accepted: "acceptance",
    EventKind.returned: "correction",
    EventKind.rejected: "rejection",
    EventKind.paused: "pause",
}


def paper_of(kind: EventKind, payload: Mapping[str, Any]) -> DecisionKind | None:
    """The numbered paper a decision event is printed as (None: it has none)."""
    if kind is EventKind.completed:
        result = payload.get("result")
        return "denial" if result == "denied" else "approval" if result in GRANTED else None
    return _PAPERS.get(kind)


def numbering(identity: StationIdentity, catalog: Catalog, role: Role) -> EventStamp:
    """A store stamp that numbers the decisions written at this station (see
    :class:`station.store.EventStamp`).

    A decision whose paper has a 文号 takes it when it is made, in the transaction that
    writes it, from the office's sequence kept here (the deciding township's, or the
    county's), and carries it in its payload (``document_number``): the village prints
    the resident's copy with the same number as the township's file copy, and numbers
    follow the order of the decisions, not of their first printing. A decision refused
    or rolled back takes no number. Where this station keeps no sequence for the office
    nothing is added (the paper then has no number, as before).
    """

    def stamp(conn: Connection, view: CaseView, events: Sequence[NewEvent]) -> None:
        for event in events:
            paper = paper_of(event.kind, event.payload)
            if paper is None or event.payload.get(NUMBER_KEY):
                continue
            item = _item_of(catalog, view)
            office = _issuer(catalog, view, item, paper, role)
            if office is None or not office.prefix or not keeps_sequence(identity, office):
                continue
            word = (_word(paper, item) if item else None) or DOCUMENT_WORDS[paper]
            year = china_day(event.device_time or utc_now()).year
            event.payload[NUMBER_KEY] = _take_number(conn, office, word, year)

    return stamp


def _item_of(catalog: Catalog, view: CaseView) -> ServiceItem | None:
    """The case's item (None: an item the catalog does not hold)."""
    try:
        return catalog.get(view.item_code or "")
    except KeyError:
        return None


def _number(
    store: StationStore,
    kind: str,
    entry: HistoryEntry,
    office: Office | None,
    on: date,
    word: str | None = None,
) -> str:
    carried = entry.summary.get(NUMBER_KEY)
    if isinstance(carried, str) and carried:
        return carried  # numbered where it was decided, and carried in the event
    identity = store.require_identity()
    if office is None or not office.prefix or not keeps_sequence(identity, office):
        return ""
    return document_number(store, kind, entry, office, on, word)


def legal_basis(kind: str, item: ServiceItem, entry: HistoryEntry) -> str:
    """The clause a decision rests on: the reviewer's, else 行政许可法 §32, else the item's."""
    given = entry.summary.get("basis")
    if isinstance(given, str) and given.strip():
        return given.strip()
    if kind == "acceptance":
        return ACCEPT_CLAUSE if item.item_type == PERMIT else item.basis
    if kind == "correction":
        return CORRECT_CLAUSE if item.item_type == PERMIT else ONE_TIME_NOTICE
    if kind == "pause":  # §45: the time a special procedure takes, told in writing
        # (an item's own basis says nothing of uncounted time: it is not cited for it, nor
        # §45 for 公示 or 调查, which it does not name)
        named = entry.summary.get("kind") in SECTION_45_PROCEDURES
        return PAUSE_CLAUSE if item.item_type == PERMIT and named else "有关规定"
    if kind == "denial":  # §38: a refusal in writing, with reasons and the rights of review
        return DENY_CLAUSE if item.item_type == PERMIT else item.basis
    if kind == "approval":  # §38: a grant in writing too
        return GRANT_CLAUSE if item.item_type == PERMIT else item.basis
    return PERMIT_LAW if item.item_type == PERMIT else item.basis


def _officer(store: StationStore, officer: Officer | None, entry: HistoryEntry) -> tuple[str, str]:
    """Who made the decision, with their phone: the 经办人 of the paper wherever it is
    printed (a village's reprint of the township's 受理通知书 names the township's
    reviewer, not the agent printing it). The signed-in officer when that is who decided;
    else the decider's account as cached here; else blank (written in by hand), never the
    person who happens to print it."""
    accounts = {account.user_id: account for account in store.list_accounts()}
    decider = accounts.get(entry.actor_id)
    if officer is not None and officer.name and officer.user_id == entry.actor_id:
        return officer.name, officer.phone or (decider.phone if decider else "")
    if decider is not None:
        return decider.display_name, decider.phone
    return "", ""


def build_decision(
    store: StationStore,
    catalog: Catalog,
    item: ServiceItem,
    view: CaseView,
    kind: DecisionKind,
    *,
    officer: Officer | None,
    today: date,
    reprint: bool,
    fallback_office: str,
) -> DecisionDocument:
    """The decision document of a case already found (see :func:`station.documents.decision_document`)."""
    entry = decision_entry(view, kind)
    decided_on = china_day(entry.device_time)
    office = _issuer(catalog, view, item, kind, entry.actor_role)
    township = deciding_office(catalog, view, None)
    name, phone = _officer(store, officer, entry)
    document = decision_from_view(
        view,
        item,
        store.require_identity(),
        kind,
        township_name=township.name if township else fallback_office,
        decided_by=office.name if office else None,
        county=catalog.county,
        officer=name,
        officer_phone=phone,
        office_phone=office.phone if office else "",
        document_number=_number(store, kind, entry, office, decided_on, _word(kind, item)),
        legal_basis=legal_basis(kind, item, entry),
        today=today,
        reprint=reprint,
        places=catalog,
    )
    if kind == "approval" and item.item_type == PERMIT:
        document = replace(document, granted=granted_content(item, view))
    url = progress_url(store.public_base_url(), view.progress_key)
    return replace(document, case=replace(document.case, verify_url=url))


def granted_content(item: ServiceItem, view: CaseView) -> tuple[tuple[str, str], ...]:
    """What a permit grants, as the application gave it: each form field with a value, by
    its label, as the review page shows it (a 准予行政许可决定书 for a 宅基地 said 准予 and
    never what: no place, area or floors)."""
    from station.services.review import format_value

    return tuple(
        (spec.label, format_value(spec, view.fields.get(spec.key)))
        for spec in item.fields
        if view.fields.get(spec.key) not in (None, "", [])
    )


def _issuer(
    catalog: Catalog, view: CaseView, item: ServiceItem | None, kind: str, role: Role | None
) -> Office | None:
    """The office a paper of ``kind`` is issued by, with its 文号 prefix: the deciding office
    (:func:`deciding_office`), except at 办结, where the decision is the deciding organ's: a
    permit's the township government's (:func:`_organ`), and a county decision the
    department's that decides the item (the county's centre only takes cases in)."""
    office = _office(catalog, view, role)
    if kind not in ("approval", "denial") or item is None:
        return office
    if role is Role.admin:
        department = deciding_department(view, item, catalog.county)
        if office is None or not department:
            return office
        # the department has no 文号 prefix in the division table: the county's sequence
        return replace(office, name=department)
    if item.item_type != PERMIT:
        return office
    return _organ(catalog, view, office) or office


def _organ(catalog: Catalog, view: CaseView, office: Office | None) -> Office | None:
    """The administrative organ a permit's decision (准予 / 不予行政许可) is made in the name
    of: the township's 人民政府, not its 便民服务中心, which takes cases in and is no organ
    (行政许可法 §22, §38); None when the division table does not know the township.

    Its 文号 is the organ's own, not the centre's. The division table gives no 机关代字 for
    the 人民政府, so it is derived: the township's name without 镇 / 乡 / 街道, then 政, the
    way a 乡镇人民政府 numbers its papers (海城镇 → 海城政: 海城政不许〔2027〕1号). The
    sequence is kept by the township's division as before, so numbers do not restart.
    """
    township = catalog.division_entry(deciding_division(view))
    if township is None or township.level != "township" or not township.name:
        return None
    name = f"{county_short_name(catalog.county)}{township.name}人民政府"
    phone = office.phone if office else township.phone
    return Office(name, phone, organ_prefix(township.name), township.code)


def organ_prefix(township: str) -> str:
    """The 机关代字 of a township's 人民政府: 海城镇 → 海城政, 关桥乡 → 关桥政."""
    short = re.sub(r"(街道办事处|街道|镇|乡)$", "", township.strip()) or township.strip()
    return f"{short}政"


def _word(kind: str, item: ServiceItem) -> str | None:
    """The 文号's word where the kind alone does not say it: a refusal of what is no permit
    is a 不予批准 (不批), not a 不予许可 (不许); a grant of what is no permit is a 办结通知 (结)."""
    if item.item_type == PERMIT:
        return None
    return {"denial": "不批", "approval": "结"}.get(kind)
