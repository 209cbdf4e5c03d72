"""The reports a county sends upward, from the centre's database (see ``central.services.excel``).

Four of them: the 月报 (cases by township, village and item: received, accepted,
completed, overdue, and how residents rated them), the reconciliation ledger
(对账表, one line per station), the 好差评 ledger (every rating in the period) and
the 办不成事 ledger. Periods are days in China; stations, townships and villages
are named, never given as ids; resident ID numbers are masked.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlmodel import Session

from central.i18n import _
from central.models import (
    CASE_BODY,
    CASE_TABLE,
    CASES_WITH_BODY,
    EVENT_TABLE,
    UNRESOLVED_TABLE,
    VIEW_COLUMNS,
    as_utc,
    whole_view,
)
from central.services.excel import Column, Report
from central.services.loop_intake import ITEMS as LOOP_ITEMS
from central.services.loops import overturned_ratings
from central.services.reconcile import (
    GRANTED_STATES,
    DuplicateApplication,
    StationReconciliation,
    duplicate_applications,
    reconcile,
)
from central.services.report_period import Period, ReportKind
from central.services.stations import list_stations
from forms.catalog.lint import CatalogError
from forms.catalog.loader import load_catalog
from forms.catalog.model import Catalog, township_code
from forms.clock import china_day
from forms.identity import mask_id_number
from forms.privacy import mask_ids
from forms.workdays import due_date, working_days_between
from sync.events import EventKind
from sync.lifecycle import TERMINAL_STATES, CaseState
from sync.reducer import CaseView, deadline_inputs
from sync.unresolved import UnresolvedView
from sync.views import EntryStatus

BAD_RATING = 2
"""Ratings at or below it are 差评 (不满意, 非常不满意)."""
SATISFIED = 4
"""Ratings at or above it are 满意 (满意, 非常满意)."""


@dataclass(frozen=True)
class Names:
    """Names for codes and ids: the catalog's division table, the enrolled stations."""

    catalog: Catalog
    stations: dict[str, str]

    @classmethod
    def load(cls, session: Session, catalog: Catalog) -> Names:
        """The names as the centre knows them now."""
        return cls(catalog, {s.id: s.name for s in list_stations(session=session)})

    def county(self) -> str:
        """The county's name (海原县)."""
        entry = self.catalog.county_office()
        return entry.name if entry else self.catalog.county

    def division(self, code: str) -> str:
        """A division's name, or its code when the table does not have it."""
        entry = self.catalog.division_entry(code)
        return entry.name if entry else code

    def township(self, code: str) -> str:
        """The name of the township a division belongs to."""
        return self.division(township_code(code))

    def station(self, station_id: str, fallback: str = "") -> str:
        """A station's name (the one it was enrolled with)."""
        return self.stations.get(station_id) or fallback or station_id


@dataclass(frozen=True)
class ReportRequest:
    """What a report is asked for: the period, who makes it, on which day (China)."""

    period: Period
    prepared_by: str
    today: date


def _report(
    names: Names,
    request: ReportRequest,
    title: str,
    sheet: str,
    columns: list[Column],
    kind: type[Report] = Report,
) -> Report:
    return kind(
        title=title.format(county=names.county()),
        sheet=sheet,
        county=names.county(),
        period=request.period.label(),
        prepared_on=request.today,
        prepared_by=request.prepared_by,
        columns=columns,
    )


def _numbered(report: Report) -> Report:
    """A 序号 column in front: the ledger's line numbers, and the place of the 合计 label."""
    report.columns.insert(0, Column(_("No.")))
    for number, row in enumerate(report.rows, start=1):
        row.insert(0, number)
    return report


def _case_views(session: Session) -> Iterator[tuple[str, CaseView]]:
    columns = [CASE_TABLE.c[name] for name in VIEW_COLUMNS]
    statement = select(*columns, CASE_TABLE.c.view, CASE_BODY).select_from(CASES_WITH_BODY)
    for row in session.connection().execute(statement):
        view = whole_view(row._mapping, row.view, row.body)
        yield row.owner_station, CaseView.model_validate(view)


@dataclass(frozen=True)
class Ratings:
    """When each case was rated and whether its rating was corrected, from the event table
    (the stored case view carries no history)."""

    rated_at: dict[UUID, datetime]
    """The device time of each case's applied ``rated`` event (a correction keeps the day)."""
    corrected: set[UUID]
    """The cases with an applied ``rating_corrected`` event."""
    overturned: set[UUID]
    """The cases whose 差评 the county overturned on appeal (申诉复核 → 撤销差评): left out
    of every count, as the dashboard leaves them out (``dashboard.rated_rows``)."""

    @classmethod
    def load(cls, session: Session) -> Ratings:
        """Every case's rating facts, in one pass over the rating events."""
        event = EVENT_TABLE.c
        statement = (
            select(event.case_id, event.kind, event.device_time)
            .where(
                event.kind.in_((EventKind.rated.value, EventKind.rating_corrected.value)),
                event.status == EntryStatus.applied.value,
            )
            .order_by(event.central_seq)
        )
        rated_at: dict[UUID, datetime] = {}
        corrected: set[UUID] = set()
        for case_id, kind, moment in session.connection().execute(statement):
            if kind == EventKind.rated.value:
                rated_at.setdefault(case_id, as_utc(moment) or moment)
            else:
                corrected.add(case_id)
        return cls(rated_at, corrected, overturned_ratings(session))

    def time(self, view: CaseView) -> datetime | None:
        """When the case was rated (None: not rated)."""
        return self.rated_at.get(view.case_id)

    def counts(self, view: CaseView, period: Period) -> bool:
        """Whether the case's rating counts in the period: given then, not overturned."""
        overturned = view.case_id in self.overturned
        return view.rating is not None and period.holds(self.time(view)) and not overturned


def overdue_in(view: CaseView, period: Period, today: date) -> bool:
    """Whether the case was overdue in the period (逾期).

    Completed in the period a working day or more after its promised day, or still open
    then at the period's end, or today for a period not yet over: the dashboard's red
    card (a case due today, or on the Friday before a weekend, is not overdue yet).
    Counted from acceptance 受理 on working days, pauses stopped.
    """
    start, days, pauses = deadline_inputs(view)
    as_of = min(period.end, today)
    if start is None or days is None or start > as_of:
        return False
    done = china_day(view.completed_at) if view.completed_at else None
    if done is not None and done < period.start:
        return False
    closed = [(a, b if b is not None else as_of) for a, b in pauses]
    due = due_date(start, days, closed).date
    if done is not None and done <= period.end:
        return working_days_between(done, due) < 0
    if view.state in TERMINAL_STATES:
        return False
    return working_days_between(as_of, due) < 0


MONTHLY_FIGURES = ("received", "accepted", "completed", "overdue", "rated", "good", "fair", "bad")


def _monthly_counts(
    view: CaseView, period: Period, ratings: Ratings, today: date
) -> dict[str, int]:
    rated = ratings.counts(view, period)
    rating = view.rating or 0
    return {
        "received": int(period.holds(view.received_at)),
        "accepted": int(period.holds(view.accepted_at)),
        "completed": int(period.holds(view.completed_at)),
        "overdue": int(overdue_in(view, period, today)),
        "rated": int(rated),
        "good": int(rated and rating >= SATISFIED),
        "fair": int(rated and BAD_RATING < rating < SATISFIED),
        "bad": int(rated and rating <= BAD_RATING),
    }


def monthly_report(*, session: Session, names: Names, request: ReportRequest) -> Report:
    """月报: per township, village and item, what happened to cases in the period."""
    groups: dict[tuple[str, str, str], dict[str, int]] = defaultdict(
        lambda: dict.fromkeys(MONTHLY_FIGURES, 0)
    )
    ratings = Ratings.load(session)
    for _owner, view in _case_views(session):
        counts = _monthly_counts(view, request.period, ratings, request.today)
        if not any(counts.values()):
            continue
        key = (view.division, view.item_name or view.item_code, view.item_code)
        for figure, count in counts.items():
            groups[key][figure] += count
    columns = [Column(_("Township")), Column(_("Village")), Column(_("Service item"))]
    columns += [Column(header, "sum") for header in _monthly_headers()]
    report = _report(names, request, _("{county} monthly report of assisted services"),
                     _("Monthly report"), columns)  # fmt: skip
    for (division, item, _code), counts in sorted(groups.items(), key=_monthly_order):
        place = [names.township(division), names.division(division), item]
        report.rows.append([*place, *(counts[f] for f in MONTHLY_FIGURES)])
    return report


def _monthly_order(entry: tuple[tuple[str, str, str], Any]) -> tuple[str, str, str]:
    division, _item, code = entry[0]
    return township_code(division), division, code


def _monthly_headers() -> list[str]:
    return [
        _("Received"),
        _("Accepted"),
        _("Completed"),
        _("Overdue"),
        _("Rated"),
        _("Satisfied"),
        _("Fairly satisfied"),
        _("Dissatisfied (bad ratings)"),
    ]


DISPOSITIONS: tuple[tuple[str, frozenset[CaseState]], ...] = (
    ("Awaiting acceptance", frozenset({CaseState.received, CaseState.submitted})),
    ("Returned for correction", frozenset({CaseState.returned})),
    ("Being handled", frozenset({CaseState.accepted, CaseState.processing})),
    ("Paused (special procedure)", frozenset({CaseState.paused})),
    ("Completed or delivered", frozenset({CaseState.completed, CaseState.delivered})),
    ("Not accepted", frozenset({CaseState.rejected})),
    ("Withdrawn", frozenset({CaseState.withdrawn})),
)
"""Where a case taken in stands (the column's header, translated on use, and its states):
every state a received case can be in, each in one column, so the columns add up to 收件."""


def disposition_report(*, session: Session, names: Names, request: ReportRequest) -> Report:
    """收件去向表: per township, village and item, the cases received in the period and
    where each of them stands on the day the table is made. 月报 counts what happened in
    the month (a case accepted in November may have been received in October), so its
    columns do not add up to its 收件; these do, row by row."""
    column_of = {
        state: index for index, (_h, states) in enumerate(DISPOSITIONS) for state in states
    }
    groups: dict[tuple[str, str, str], list[int]] = defaultdict(
        lambda: [0] * (1 + len(DISPOSITIONS))
    )
    for _owner, view in _case_views(session):
        if not request.period.holds(view.received_at):
            continue
        counts = groups[(view.division, view.item_name or view.item_code, view.item_code)]
        counts[0] += 1
        counts[1 + column_of.get(view.state, 0)] += 1  # a state not listed: not yet accepted
    columns = [Column(_("Township")), Column(_("Village")), Column(_("Service item"))]
    columns.append(Column(_("Received"), "sum"))
    columns += [Column(_("Now: {where}").format(where=_(h)), "sum") for h, _s in DISPOSITIONS]
    title = _("{county} where the applications received stand (as of {day})")
    title = title.replace("{day}", f"{request.today:%Y-%m-%d}")
    report = _report(names, request, title, _("Disposition"), columns)
    for (division, item, _code), counts in sorted(groups.items(), key=_monthly_order):
        report.rows.append([names.township(division), names.division(division), item, *counts])
    return report


def reconcile_report(*, session: Session, names: Names, request: ReportRequest) -> Report:
    """对账表: per station, what the centre holds of it and what the station last reported
    it holds (unsent events, the oldest of them, its cases): both sides, as the desk's 对账
    shows them (the file had the centre's alone, so they could not be compared from it).
    The period is the day it was made."""
    entries = reconcile(session=session)
    return reconciliation_ledger(entries, duplicate_applications(session=session), names, request)


@dataclass
class ReconciliationLedger(Report):
    """The 对账表, whose 站点办件 has no sum: a township's or the county's station holds
    its villages' cases too, so adding the levels counts one case two or three times."""

    def totals(self) -> list[Any]:
        """The 合计 row, with why 站点办件 is not added up where its total would be."""
        out = super().totals()
        out[[c.header for c in self.columns].index(_("Cases at the station"))] = _(
            "not added up (levels overlap)"
        )
        return out


def reconciliation_ledger(
    entries: list[StationReconciliation],
    duplicates: list[DuplicateApplication],
    names: Names,
    request: ReportRequest,
) -> Report:
    """The 对账表 of ``reconcile``'s entries, the duplicate applications beside their stations.

    Args:
        entries: what ``central.services.reconcile.reconcile`` returned.
        duplicates: what ``duplicate_applications`` returned.
        names: names of places and stations.
        request: who makes it and the day (the period is that day).

    Returns:
        The report (``daiban central report reconcile --xlsx`` writes the same one).
    """
    columns = [
        Column(_("Station"), "count"),
        Column(_("Place")),
        Column(_("Level")),
        Column(_("Cases held"), "sum"),
        Column(_("Events held"), "sum"),
        Column(_("Missing numbers"), "sum"),
        Column(_("Events with a reused number"), "sum"),
        Column(_("Unresolved records"), "sum"),
        Column(_("Unsent at the station"), "sum"),
        Column(_("Oldest unsent")),
        Column(_("Cases at the station")),
        Column(_("Last seen")),
        Column(_("Revoked"), "count"),
        Column(_("Duplicate applications (same resident, same item)")),
    ]
    report = _report(names, request, _("{county} reconciliation of stations"),
                     _("Reconciliation"), columns, ReconciliationLedger)  # fmt: skip
    report.period = _("as of {day}").format(day=f"{request.today:%Y-%m-%d}")
    for entry in entries:
        report.rows.append(
            [
                entry.name or names.station(entry.station),
                names.division(entry.division),
                _level(entry.role),
                entry.cases,
                entry.events,
                len(entry.gaps),
                entry.duplicates,
                entry.unresolved,
                _reported(entry, entry.outbox_depth),
                entry.oldest_unsent or "",
                _reported(entry, entry.cases_held),
                entry.last_seen or _("never"),
                _("yes") if entry.revoked else "",
                _duplicates_at(entry.station, duplicates, names),
            ]
        )
    return _numbered(report)


def _duplicates_at(station: str, duplicates: list[DuplicateApplication], names: Names) -> str:
    """The duplicate applications one of the station's cases is in, each with all its cases
    and whether each is still open (在办) or was granted (已办结): either may be the case."""
    lines = []
    for duplicate in duplicates:
        if any(case["station"] == station for case in duplicate.cases):
            cases = "、".join(
                _("{number} ({station}, {state})").format(
                    number=case["case_number"],
                    station=names.station(case["station"], case["station_name"]),
                    state=_("granted") if case["state"] in GRANTED_STATES else _("still open"),
                )
                for case in duplicate.cases
            )
            lines.append(f"{duplicate.item_name} {duplicate.id_masked}：{cases}")
    return "；".join(lines)


def _reported(entry: Any, value: int | None) -> int | str:
    """A figure the station reports of itself; ``not reported`` before its first report."""
    return value if value is not None else _("not reported")


def _level(role: str) -> str:
    levels = {"village": _("Village"), "township": _("Township"), "county": _("County")}
    return levels.get(role, role)


def rating_label(rating: int) -> str:
    """The words of a rating, 1 (非常不满意) to 5 (非常满意)."""
    labels = {
        1: _("Very dissatisfied"),
        2: _("Dissatisfied"),
        3: _("Fairly satisfied"),
        4: _("Satisfied"),
        5: _("Very satisfied"),
    }
    return labels.get(rating, str(rating))


def loop_state_label(state: str) -> str:
    """A 闭环 item's state in words (``central.services.loops``' table)."""
    labels = {
        "open": _("to assign"),
        "assigned": _("assigned"),
        "visited": _("visited"),
        "rectified": _("rectified"),
        "fed_back": _("fed back"),
        "closed": _("closed"),
        "withdrawn": _("withdrawn"),
    }
    return labels.get(state, state)


def _loops(session: Session, kind: str) -> dict[UUID, Any]:
    """The 闭环 items (``loop_item`` rows) of one source kind, by the case or record they follow."""
    statement = select(LOOP_ITEMS).where(LOOP_ITEMS.c.source_kind == kind)
    return {row.source_id: row for row in session.connection().execute(statement)}


def _loop_columns() -> list[Column]:
    """Where each 差评 / 办不成事 stands in its 闭环: state, unit, closed (counted) and when."""
    return [
        Column(_("Loop state")),
        Column(_("Responsible unit")),
        Column(_("Loop closed"), "count"),
        Column(_("Loop closed at")),
    ]


def _loop_cells(item: Any) -> list[Any]:
    if item is None:
        return ["", "", "", None]
    closed = item.state == "closed"
    when = as_utc(item.closed_at) if closed and item.closed_at is not None else None
    return [loop_state_label(item.state), item.unit_name, _("yes") if closed else "", when]


def ratings_report(*, session: Session, names: Names, request: ReportRequest) -> Report:
    """好差评台账: every rating given in the period, 差评 marked; a 差评 the county overturned
    on appeal keeps its line, marked so, and is not a 差评 in the 合计 (as on the dashboard)."""
    columns = [
        Column(_("Case number"), "count"),
        Column(_("Service item")),
        Column(_("Station")),
        Column(_("Applicant")),
        Column(_("ID number")),
        Column(_("Rating")),
        Column(_("Resident's comment")),
        Column(_("Rated at")),
        Column(_("Bad rating"), "count"),
        Column(_("Corrected"), "count"),
        *_loop_columns(),
    ]
    report = _report(names, request, _("{county} ledger of ratings (好差评)"),
                     _("Ratings ledger"), columns)  # fmt: skip
    rated = []
    ratings = Ratings.load(session)
    loops = _loops(session, "rating")
    for owner, view in _case_views(session):
        when = ratings.time(view)
        if view.rating is not None and request.period.holds(when):
            rated.append((when, owner, view))
    for when, owner, view in sorted(rated, key=lambda r: (r[0], r[2].case_number)):
        row = _rating_row(names, owner, view, when, ratings)
        report.rows.append(row + _loop_cells(loops.get(view.case_id)))
    return _numbered(report)


def _rating_row(names: Names, owner: str, view: CaseView, when: Any, ratings: Ratings) -> list[Any]:
    rating = view.rating or 0
    applicant = view.applicant
    words = f"{rating} {rating_label(rating)}"
    bad = rating <= BAD_RATING and view.case_id not in ratings.overturned
    if view.case_id in ratings.overturned:
        words += _(" (bad rating overturned on appeal)")
    return [
        view.case_number,
        view.item_name or view.item_code,
        names.station(owner, view.station_name),
        applicant.name if applicant else "",
        mask_id_number(applicant.id_number) if applicant and applicant.id_number else "",
        words,
        mask_ids(view.rating_reason or ""),
        when,
        _("bad rating") if bad else "",
        _("yes") if view.case_id in ratings.corrected else "",
    ]


def unresolved_state_label(state: str) -> str:
    """A 办不成事 record's state in words (a state this software does not know: as is)."""
    labels = {"reported": _("Recorded")}
    return labels.get(state, state)


def unresolved_report(*, session: Session, names: Names, request: ReportRequest) -> Report:
    """办不成事台账: every record made in the period, with where it stands."""
    columns = [
        Column(_("Record number"), "count"),
        Column(_("Station")),
        Column(_("Village")),
        Column(_("What the resident asked for")),
        Column(_("Why it could not be done")),
        Column(_("Recorded at")),
        Column(_("Recorded by")),
        *_loop_columns(),  # one state column: 状态 said 已登记 beside 闭环状态 已办结
    ]
    report = _report(names, request, _("{county} ledger of requests that could not be met"),
                     _("Unresolved ledger"), columns)  # fmt: skip
    statement = select(UNRESOLVED_TABLE.c.owner_station, UNRESOLVED_TABLE.c.view)
    records = [
        (owner, UnresolvedView.model_validate(view))
        for owner, view in session.connection().execute(statement)
    ]
    chosen = [(o, v) for o, v in records if request.period.holds(v.reported_at)]
    loops = _loops(session, "unresolved")
    for owner, view in sorted(chosen, key=lambda r: (r[1].reported_at, r[1].number)):
        report.rows.append(
            [
                view.number,
                names.station(owner, view.station_name),
                names.division(view.division),
                mask_ids(view.what),
                mask_ids(view.why),
                view.reported_at,
                view.agent_name,
                *_unresolved_loop_cells(view, loops.get(view.record_id)),
            ]
        )
    return _numbered(report)


def _unresolved_loop_cells(view: UnresolvedView, item: Any) -> list[Any]:
    """Where a record stands: its 闭环 (assigned … closed), or 已登记 before it has one."""
    cells = _loop_cells(item)
    if item is None:
        cells[0] = unresolved_state_label(str(view.state))
    return cells


BUILDERS: dict[ReportKind, Callable[..., Report]] = {
    ReportKind.monthly: monthly_report,
    ReportKind.reconcile: reconcile_report,
    ReportKind.ratings: ratings_report,
    ReportKind.unresolved: unresolved_report,
    ReportKind.disposition: disposition_report,
}


def build_report(
    kind: ReportKind, *, session: Session, catalog: Catalog, request: ReportRequest
) -> Report:
    """One report from the centre's database.

    Args:
        kind: which report.
        session: a session (read only).
        catalog: the county's catalog (its division table names townships and villages).
        request: the period, who makes it and the day.

    Returns:
        The report, ready for ``central.services.excel.write_report``.
    """
    names = Names.load(session, catalog)
    return BUILDERS[kind](session=session, names=names, request=request)


def report_file_name(kind: ReportKind, period: Period, file_format: str) -> str:
    """An ASCII file name for the download, e.g. ``monthly-2026-11-01-2026-11-30.xlsx``."""
    return f"{kind.value}-{period.start:%Y-%m-%d}-{period.end:%Y-%m-%d}.{file_format}"


def names_catalog(path: Path | None) -> Catalog:
    """The catalog whose division table names places: the county's, else the shipped one.

    A county catalog with errors must not stop the reports: the names then come
    from the catalog shipped with daiban.
    """
    try:
        return load_catalog(path)
    except CatalogError:
        return load_catalog(None)
