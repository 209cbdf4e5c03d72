"""Which document, for which case, from the store: the command line's (and later the desk's) entry."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import get_args
from uuid import UUID

from sqlalchemy import func, select

from forms.catalog import Catalog, ServiceItem
from printing.model import CaseDocument, DecisionDocument, LedgerDocument
from printing.names import printed
from printing.printer import documents_dir
from station.documents.case import (
    TOWNSHIP_FALLBACK,
    DecisionKind,
    NotApplicable,
    case_document,
    county_short_name,
    decision_entry,
)
from station.documents.decisions import Officer, build_decision, deciding_office
from station.documents.i18n import _
from station.documents.ledger import ledger_rows
from station.store import StationStore
from station.store import meta as store_meta
from station.store.db import reading, writing
from station.store.models import StationIdentity
from station.store.tables import CASES
from sync.lifecycle import CaseState
from sync.progress import progress_url
from sync.protocol import StationRole
from sync.reducer import CaseView

CASE_KINDS = ("receipt", "notice", "authorization")
DECISION_KINDS: tuple[DecisionKind, ...] = get_args(DecisionKind)
"""The township's papers: 受理通知书, 不予受理通知书, 补正告知书, 特别程序告知书, 不予许可决定书."""


class CaseNotFound(LookupError):
    """No case has this number (or id) at this station."""

    def __init__(self, key: str) -> None:
        super().__init__(_("There is no case {number} at this station.").format(number=key))


def township_division(division: str) -> str:
    """The township (乡镇) a 12-digit village division belongs to: ``640522100201`` → ``640522100000``."""
    return division[:9] + "000" if len(division) == 12 else division


def township_name(store: StationStore, identity: StationIdentity) -> str | None:
    """The township centre's name, if this store knows it.

    A township station is the centre itself; otherwise a case the township's own
    station created (pulled here) carries its name. Read-only select on ``cases``.
    """
    if identity.role is StationRole.township:
        return identity.name
    station_name = func.json_extract(CASES.c.view, "$.station_name")
    statement = (
        select(station_name)
        .where(
            CASES.c.division == township_division(identity.division),
            func.coalesce(station_name, "") != "",
        )
        .limit(1)
    )
    with reading(store.engine) as conn:
        found = conn.execute(statement).scalar_one_or_none()
    return str(found) if found else None


def _earlier_numbers(store: StationStore, case_id: UUID) -> list[str]:
    """The numbers a case had before this station renumbered it, the latest first."""
    return [one.old for one in store.renumbered() if one.case_id == case_id]


def printed_before(data_dir: Path, case_number: str, kind: str, fmt: str | None = None) -> bool:
    """Whether this document of the case was already produced at this station.

    Args:
        data_dir: the station's data folder (its ``documents`` are looked at).
        case_number: the case.
        kind: receipt, notice, authorization...
        fmt: only this format (``a4``, ``a4-large``, ``80mm``) counts; any format when None. The
            first 80 mm slip after an A4 receipt is not a 补打: it is the first of its kind.
    """
    # by the names papers are kept under (``printing.names``), and the English ones of before
    return printed(documents_dir(data_dir), kind, case_number, fmt)


def _item(catalog: Catalog, view: CaseView) -> ServiceItem:
    version = int(view.item_version) if view.item_version.isdigit() else None
    for wanted in (version, None):
        try:
            return catalog.get(view.item_code, wanted)
        except KeyError:
            continue
    raise NotApplicable(
        _("Case {number}: service item {code} is not in the catalog.").format(
            number=view.case_number, code=view.item_code or "-"
        )
    )


def township_or_fallback(store: StationStore, identity: StationIdentity, catalog: Catalog) -> str:
    """This station's township centre: from the division table, else as the store knows it.

    Only a county whose catalog lacks the table prints the generic 海原县乡镇便民服务中心.
    """
    entry = catalog.township_of(identity.division)
    if entry is not None and entry.office:
        return entry.office
    known = township_name(store, identity)
    if known:
        return known
    return county_short_name(catalog.county) + TOWNSHIP_FALLBACK


def _case_township(
    store: StationStore, identity: StationIdentity, catalog: Catalog, view: CaseView
) -> str:
    """The township centre in charge of this case (the resident's one for 区内通办)."""
    office = deciding_office(catalog, view, None)
    return office.name if office else township_or_fallback(store, identity, catalog)


def _found(store: StationStore, case_key: str) -> CaseView:
    view = store.get_case(case_key)
    if view is None or not view.exists:
        raise CaseNotFound(case_key)
    if view.state in (CaseState.draft, CaseState.discarded):
        raise NotApplicable(
            _("Case {number} has not been taken in.").format(number=view.case_number)
        )
    return view


def decision_document(
    store: StationStore,
    catalog: Catalog,
    kind: str,
    case_key: str,
    *,
    officer: Officer | None,
    today: date,
    reprint: bool = False,
) -> DecisionDocument:
    """The township's 受理通知书, 补正告知书 or 不予受理通知书 for a case of this store.

    In the deciding office's name (division table), with its 文号 (assigned on the
    first print at the township's own station and kept: a reprint has the same
    number, marked 补打), the officer and a phone. Pass the result to
    ``printing.jobs.produce(kind, document, ...)``.

    Args:
        store: the station's store.
        catalog: the catalog (with the county's division table).
        kind: ``acceptance``, ``correction`` or ``rejection``.
        case_key: case number or case id.
        officer: the signed-in person issuing it (name and phone); None: who decided.
        today: the day of printing (China time).
        reprint: mark it 补打 even if it was never produced here.

    Raises:
        station.store.NotEnrolled: the station has no identity.
        CaseNotFound: no such case.
        NotApplicable: no such decision on the case, or an unknown kind.
    """
    identity = store.require_identity()
    if kind not in DECISION_KINDS:
        raise NotApplicable(_("Unknown document {kind}.").format(kind=kind))
    decision: DecisionKind = kind
    view = _found(store, case_key)
    item = _item(catalog, view)
    return build_decision(
        store,
        catalog,
        item,
        view,
        decision,
        officer=officer,
        today=today,
        reprint=reprint or _decision_printed(store, view, decision),
        fallback_office=township_or_fallback(store, identity, catalog),
    )


RECURRING: frozenset[str] = frozenset({"pause", "correction"})
"""Decisions a case can have more than once (公示 then 鉴定; 补正 twice): each one's paper is
a first print, not a 补打 of the one before."""


def _decision_printed(store: StationStore, view: CaseView, kind: DecisionKind) -> bool:
    """Whether this decision's paper was made before (a reprint, 补打). A recurring
    decision's paper is known by its event (noted here, as its paper is about to be
    made); the others by the case's papers of that kind. A decision another PC of the
    office made (a township with two desks, a replaced PC) had its paper made there, at
    the decision: a paper printed here is a 补打 (it looked like a second original). A
    village printing the township's paper to hand it over is not the office: its own
    papers say."""
    identity = store.require_identity()
    decided_at = decision_entry(view, kind).station_id
    if identity.role is not StationRole.village and decided_at != identity.station_id:
        return True
    if kind not in RECURRING:
        return printed_before(store.data_dir, view.case_number, kind)
    marker = f"paper:{kind}:{decision_entry(view, kind).event_id.hex}"
    with writing(store.engine) as conn:
        if store_meta.get(conn, marker) is not None:
            return True
        store_meta.put(conn, marker, "1")
    return False


def document_for(
    store: StationStore,
    catalog: Catalog,
    kind: str,
    case_key: str,
    *,
    today: date,
    reprint: bool = False,
    officer: Officer | None = None,
    fmt: str | None = None,
) -> CaseDocument | DecisionDocument:
    """The input of one document for one case of this station's store.

    A document already produced once for the case is marked 补打 (reprint) with ``today``.

    Args:
        store: the station's store.
        catalog: the service-item catalog.
        kind: receipt, notice, authorization, acceptance, rejection or correction.
        case_key: case number or case id.
        today: the day of printing.
        reprint: mark it 补打 even if it was never produced here.
        officer: for the township's papers, the signed-in person issuing them.
        fmt: the format about to be printed (``a4``, ``80mm``): only an earlier paper
            in that format makes this one a 补打; None: any format.

    Returns:
        The document's input.

    Raises:
        station.store.NotEnrolled: the station has no identity.
        CaseNotFound: no such case.
        NotApplicable: the document does not apply to the case.
    """
    if kind in DECISION_KINDS:
        return decision_document(
            store, catalog, kind, case_key, officer=officer, today=today, reprint=reprint
        )
    if kind not in CASE_KINDS:
        raise NotApplicable(_("Unknown document {kind}.").format(kind=kind))
    identity = store.require_identity()
    view = _found(store, case_key)
    item = _item(catalog, view)
    earlier = _earlier_numbers(store, view.case_id)  # renumbered: its old receipts are void
    reprint = reprint or any(
        printed_before(store.data_dir, number, kind, None if number in earlier else fmt)
        for number in (view.case_number, *earlier)
    )
    document = case_document(
        view,
        item,
        identity,
        agent_name=view.agent_name,
        agent_phone=view.agent_phone,
        township_name=_case_township(store, identity, catalog, view),
        today=today,
        reprint=reprint,
        places=catalog,
    )
    document = replace(
        document,
        verify_url=progress_url(store.public_base_url(), view.progress_key),
        replaces_number=earlier[0] if earlier and kind == "receipt" else "",
    )
    if kind == "notice" and not document.deferred:
        raise NotApplicable(
            _(
                "Case {number}: no material is missing or deferred, so there is no one-time notice."
            ).format(number=view.case_number)
        )
    return document


def ledger_document(
    store: StationStore, catalog: Catalog, start: date, end: date
) -> LedgerDocument:
    """The 帮代办登记台账 of this station from ``start`` to ``end`` (intake days, inclusive).

    Raises:
        station.store.NotEnrolled: the station has no identity.
        NotApplicable: the range ends before it starts.
    """
    identity = store.require_identity()
    if end < start:
        raise NotApplicable(
            _("The ledger's period ends ({end}) before it starts ({start}).").format(
                start=start.isoformat(), end=end.isoformat()
            )
        )
    township = township_or_fallback(store, identity, catalog)
    rows = ledger_rows(store, catalog, start, end, township=township)
    return LedgerDocument(identity.name, identity.division, start, end, tuple(rows))
