"""The ``cases`` table: each case's folded view, plus its row in the search index.

The view is always rebuilt from events (``sync.reducer``); this table is a
cache the desk can list and search quickly, never a source of truth.
"""

from __future__ import annotations

import json
from collections import ChainMap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise
from operator import attrgetter
from typing import Any

from sqlalchemy import Connection, func, insert, select, text
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from forms.identity import mask_id_number
from forms.workdays import due_date
from station.store import eventlog, meta, records, stored
from station.store.db import among, execute_many
from station.store.search import id_hash, id_key, initials, terms
from station.store.tables import CASES, EVENTS, UNRESOLVED
from sync.events import EventKind, RecordedEvent, is_record_event
from sync.lifecycle import CaseState
from sync.reducer import (
    SUPERSEDED_FLAG,
    CaseView,
    EntryStatus,
    HistoryEntry,
    apply_event,
    deadline_inputs,
    rebase,
)
from sync.views import copied

CLOCK_RUNNING = frozenset({CaseState.accepted, CaseState.processing})
"""States in which the promised time limit is counting (and a case can be overdue)."""


def fold_rows(rows: list[Any]) -> CaseView:
    """A station's view of a case from its rows (see ``eventlog.case_rows`` for the order).

    Confirmed events go in the centre's order; our own events the centre
    refused outright are shown as superseded with its reason; the rest are
    pending, in the order they were written.
    """
    confirmed = [eventlog.to_recorded(r) for r in rows if r.central_seq is not None]
    refused = [r for r in rows if r.central_seq is None and r.status == "rejected"]
    pending = [
        eventlog.to_event(r)
        for r in rows
        if r.central_seq is None and r.status in ("pending", "applied", "duplicate")
    ]
    seen_superseded = [r for r in rows if r.central_seq is None and r.status == "superseded"]
    view = rebase(confirmed, []) if confirmed else None
    for row in [*seen_superseded, *refused]:
        view = apply_event(
            view, eventlog.to_event(row), status=EntryStatus.superseded, reason=row.reason
        )
    for event in pending:
        view = apply_event(view, event, status=EntryStatus.pending)
    if view is None:
        raise ValueError("no events to fold")
    return view


def compute_due(view: CaseView) -> date | None:
    """The promised deadline while the clock runs (None when stopped or not started)."""
    if view.state not in CLOCK_RUNNING:
        return None
    start, days, pauses = deadline_inputs(view)
    if start is None or days is None or any(end is None for _, end in pauses):
        return None
    closed = [(a, b) for a, b in pauses if b is not None]
    return due_date(start, days, closed).date


def _updated_at(view: CaseView) -> str:
    """The latest device time of the history, as the greatest of its ISO texts."""
    times = [entry.device_time for entry in view.history]
    if len({moment.utcoffset() for moment in times}) == 1:
        # one offset (the usual: UTC): the texts sort as the times do, so one text will do
        return max(times).isoformat()
    return max((moment.isoformat() for moment in times), default="")


def case_row(
    view: CaseView,
    known_initials: dict[str, str] | None = None,
    *,
    key: bytes,
    sources: dict[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The ``cases`` row of a view (pinyin initials reused from ``known_initials`` by name;
    ``key``: the station's ID key, :func:`station.store.search.id_key`; ``sources``: the
    created events' payloads, :func:`station.store.stored.created_payloads`)."""
    applicant = view.applicant
    name = applicant.name if applicant else ""
    number = applicant.id_number if applicant else ""
    due = compute_due(view)
    cached = (known_initials or {}).get(name)
    return {
        "case_id": view.case_id.hex,
        "case_number": view.case_number,
        "state": view.state.value,
        "item_code": view.item_code,
        "item_name": view.item_name,
        "applicant_name": name,
        "id_masked": mask_id_number(number) if number else "",
        "id_hash": id_hash(key, number),
        "name_initials": cached if cached is not None else (initials(name) if name else ""),
        "division": view.division,
        "updated_at": _updated_at(view),
        "due_date": due.isoformat() if due else None,
        "flagged": 1 if SUPERSEDED_FLAG in view.flags else 0,
        "view": stored.dump(view, sources=sources),
        "owed_by": owed_by(view),
    }


OWING_STATES = frozenset({"received", "submitted", "returned", "accepted", "processing", "paused"})
"""The states in which a case waits for the materials promised at take-in (容缺)."""
NO_DAY = "9999-12-31"
"""``owed_by`` of a 容缺 material promised without a day (listed after the dated ones)."""


def owed_by(view: CaseView) -> str | None:
    """The earliest day a 容缺 material of the case is due while it waits for it (ISO), or
    None when nothing is owed."""
    if view.state.value not in OWING_STATES:
        return None
    days = [
        (view.supply_by[key].isoformat() if key in view.supply_by else NO_DAY)
        for key, state in view.materials.items()
        if state == "deferred"
    ]
    return min(days, default=None)


def rebuild_owed(conn: Connection) -> int:
    """Fill ``owed_by`` of the cases that may owe something (after migration 0013)."""
    rows = conn.execute(
        select(*stored.COLUMNS).where(CASES.c.state.in_(sorted(OWING_STATES)))
    ).all()
    changed = [
        {"c": view.case_id.hex, "o": owed}
        for view in stored.load_many(conn, rows)
        if (owed := owed_by(view)) is not None
    ]
    if changed:
        conn.execute(_OWED_UPDATE, changed)
    return len(changed)


_OWED_UPDATE = text("UPDATE cases SET owed_by = :o WHERE case_id = :c")


def _search_terms(view: CaseView) -> str:
    applicant, principal = view.applicant, view.principal
    return terms(
        view.case_number,
        applicant.name if applicant else "",
        applicant.id_number if applicant else "",
        principal.name if principal else "",
        applicant.phone if applicant else "",
        principal.phone if principal else "",
    )


def _reached_by(view: CaseView) -> tuple[str, str, str]:
    """What the search terms hold besides the number, the applicant's name and ID number
    (those are the row's columns): the applicant's phone, the 代办人's name and phone."""
    applicant, principal = view.applicant, view.principal
    return (
        applicant.phone if applicant else "",
        principal.name if principal else "",
        principal.phone if principal else "",
    )


def _stored_reach(extracted: str | None, payload: dict[str, Any] | None) -> tuple[str, str, str]:
    """:func:`_reached_by` of the view as stored (``stored.people``'s JSON)."""
    applicant, principal = stored.people(extracted, payload)
    applicant = applicant if isinstance(applicant, dict) else {}
    principal = principal if isinstance(principal, dict) else {}
    return (
        applicant.get("phone") or "",
        principal.get("name") or "",
        principal.get("phone") or "",
    )


def _created_id(view: CaseView) -> str:
    return next((e.event_id.hex for e in view.history if e.kind is EventKind.created), "")


def _upsert() -> Any:
    statement = sqlite_insert(CASES)
    columns = {c.name: statement.excluded[c.name] for c in CASES.columns if c.name != "case_id"}
    return statement.on_conflict_do_update(index_elements=["case_id"], set_=columns)


_UPSERT = _upsert()
"""Built once: executed with a list of rows (executemany, compiled once)."""
_FTS_INSERT = text(
    "INSERT INTO cases_fts (rowid, terms) SELECT rowid, :t FROM cases WHERE case_id = :c"
)
"""A case's search terms, keyed by its row in ``cases`` (migration 0015): after the row."""
_FTS_DELETE = text(
    "DELETE FROM cases_fts WHERE rowid = (SELECT rowid FROM cases WHERE case_id = :c)"
)
"""A case's search terms, found through its row: before the row, were it ever deleted
(terms left without a row would be counted by a search, and clash with a later row)."""


_PARSED: dict[str, tuple[tuple[Any, ...], CaseView]] = {}
"""Views a pull stored, by case id, with the stored row they were parsed from (or
written as; :func:`_held_key`): the next page's events of the same case start from
them instead of parsing the text again. Only ever used when the row is still that row.
Their pulled entries carry no summaries (``apply_event(summarised=False)``): they are for
advancing and storing, never for a reader, who loads the view through ``stored``."""
PARSED_MAX = 20_000
"""At most this many remembered (a catch-up's worth); emptied at a pull's last page."""


def _parse_views(conn: Connection, raws: dict[str, Any]) -> dict[str, CaseView]:
    """The views stored as ``raws`` (rows of ``stored.COLUMNS``) by case id (those
    remembered from this pull when the row is the same; the others read through ``stored``)."""
    views: dict[str, CaseView] = {}
    unread: dict[str, Any] = {}
    for case_id, raw in raws.items():
        held = _PARSED.get(case_id)
        if held is not None and held[0] == _held_key(raw):
            views[case_id] = held[1]
        else:
            unread[case_id] = raw
    if unread:
        loaded = stored.load_many(conn, list(unread.values()))
        views.update(zip(unread, loaded, strict=True))
    return views


_SOURCES: dict[str, dict[str, Any]] = {}
"""Created events' payloads a pull's pages brought or read (by event id: immutable), for
``stored.dump`` of the same cases on the next pages; as many as ``_PARSED`` holds views."""


def forget_views() -> None:
    """Drop the views remembered during a pull (its last page is applied)."""
    _PARSED.clear()
    _SOURCES.clear()
    stored.forget()


def project_many(
    conn: Connection,
    views: list[CaseView],
    *,
    remember: bool = False,
    payloads: dict[str, dict[str, Any]] | None = None,
) -> None:
    """Store cases' views and keep their search terms current (a few statements in all).

    Args:
        conn: a write transaction.
        views: folded cases (new or already stored).
        remember: keep the views for the next page of a pull (see ``_PARSED``).
        payloads: created events' payloads at hand by event id (the page's), not read again.
    """
    if not views:
        return
    ids = [view.case_id.hex for view in views]
    old = {
        row.case_id: row
        for row in conn.execute(
            select(
                CASES.c.case_id,
                CASES.c.case_number,
                CASES.c.applicant_name,
                CASES.c.id_hash,
                CASES.c.name_initials,
                func.json_extract(CASES.c.view, *stored.PEOPLE_PATHS).label("people"),
            ).where(among(CASES.c.case_id, ids))
        )
    }
    known = {row.applicant_name: row.name_initials for row in old.values()}
    key = id_key(conn)
    at_hand = ChainMap(payloads or {}, _SOURCES) if remember else payloads
    sources = stored.created_payloads(conn, views, at_hand)
    rows = [case_row(view, known, key=key, sources=sources) for view in views]
    if remember and len(_SOURCES) < PARSED_MAX:
        _SOURCES.update(sources)
    execute_many(conn, _UPSERT, rows)
    if remember and len(_PARSED) < PARSED_MAX:
        _PARSED.update(
            (row["case_id"], (_held_key(row), v)) for row, v in zip(rows, views, strict=True)
        )
    stale = [  # new, renumbered, or a corrected name, ID number, phone or 代办人 (补正)
        (view, row)
        for view, row in zip(views, rows, strict=True)
        if (held := old.get(row["case_id"])) is None
        or (held.case_number, held.applicant_name, held.id_hash)
        != (row["case_number"], row["applicant_name"], row["id_hash"])
        or _reached_by(view) != _stored_reach(held.people, sources.get(_created_id(view)))
    ]
    stale = list({row["case_id"]: (view, row) for view, row in stale}.values())  # once a case
    gone = [{"c": row["case_id"]} for _, row in stale if row["case_id"] in old]
    if gone:
        conn.execute(_FTS_DELETE, gone)
    if stale:
        execute_many(
            conn, _FTS_INSERT, [{"c": r["case_id"], "t": _search_terms(v)} for v, r in stale]
        )


def project(conn: Connection, view: CaseView) -> None:
    """Store one case's view (see :func:`project_many`)."""
    project_many(conn, [view])


def insert_new(conn: Connection, views: list[CaseView]) -> None:
    """Store cases just created here (one executemany each for rows and search terms)."""
    if not views:
        return
    key = id_key(conn)
    sources = stored.created_payloads(conn, views)
    conn.execute(insert(CASES), [case_row(view, key=key, sources=sources) for view in views])
    conn.execute(_FTS_INSERT, [{"c": v.case_id.hex, "t": _search_terms(v)} for v in views])


def _record_rows(rows: list[Any]) -> bool:
    """Whether these are a 办不成事 record's rows (folded apart, never as a case)."""
    return any(is_record_event(row.kind, json.loads(row.payload)) for row in rows)


def refold_many(conn: Connection, case_ids: Iterable[str]) -> list[CaseView]:
    """Rebuild cases (and 办不成事 records, into their own table) from all their events.

    Returns:
        The cases' views (records are stored, not returned).
    """
    grouped = eventlog.rows_by_case(conn, case_ids)
    held = _held_records(conn, list(grouped))
    kept = {key for key, rows in grouped.items() if key in held or _record_rows(rows)}
    records.store_records(conn, [records.fold_record_rows(grouped[key]) for key in kept])
    views = [fold_rows(rows) for key, rows in grouped.items() if key not in kept]
    project_many(conn, views)
    return views


def _held_records(conn: Connection, ids: list[str]) -> set[str]:
    out: set[str] = set()
    for start in range(0, len(ids), 500):
        query = select(UNRESOLVED.c.record_id).where(
            among(UNRESOLVED.c.record_id, ids[start : start + 500])
        )
        out.update(record_id for (record_id,) in conn.execute(query))
    return out


@dataclass
class HeldViews:
    """Cases' views a pull has brought up to date but not yet written (a long pull's pages
    of other stations' events: each case is written once, at the end, not at every page
    that touches it). The rows lag behind the events meanwhile; ``meta.VIEWS_BEHIND``
    says so on disk, for :func:`repair_behind` when the process dies before the write.
    """

    views: dict[str, CaseView] = field(default_factory=dict)
    """Advanced views by case id (hex); their pulled entries carry no summaries (see
    ``_PARSED``): written, never shown."""
    rows: dict[str, tuple[Any, ...] | None] = field(default_factory=dict)
    """Each held case's stored row when first held (``_held_key``; None: no row yet): a
    row changed since (the desk wrote to the case, a repair) is rebuilt from its events."""
    rebuild: set[str] = field(default_factory=set)
    """Cases to rebuild from their events when written (not advanceable)."""
    payloads: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Created events' payloads the held pages brought (for ``stored.dump``)."""

    def __len__(self) -> int:
        return len(self.views) + len(self.rebuild)


HELD_MAX = PARSED_MAX
"""At most this many cases held (their views stay in memory): more are written at once."""


def advance_many(
    conn: Connection,
    events: Sequence[RecordedEvent],
    fresh: set[str],
    settle: Iterable[str] = (),
    held: HeldViews | None = None,
) -> int:
    """Bring the cases of a pulled page up to date, cheaply where the stored view allows.

    The stored view is advanced, not rebuilt from every row, when it is what a
    rebuild would start from: confirmed events in the centre's order, then our
    own pending ones. Our events the centre has since numbered and applied only
    lose their *pending* mark; new events are applied on top when nothing of ours
    is still pending. Anything else (a fate other than applied, an order that
    differs, new events behind pending ones) is rebuilt from all its rows.

    Args:
        conn: a write transaction in which the page's rows are already stored.
        events: the page's events, in central order.
        fresh: ids (hex) of the page's events new to this station.
        settle: more cases (hex ids) whose own events' fates the page acknowledged:
            their pending entries are settled as for events that came in full.
        held: advance these held views (and hold the page's cases) instead of writing
            the rows: the caller writes them with :func:`write_held` (a page of only
            other stations' events, no acknowledgements: ``settle`` is empty).

    Returns:
        How many cases' views changed (advanced, settled or rebuilt).
    """
    by_case: dict[str, list[RecordedEvent]] = {}
    for event in events:
        by_case.setdefault(event.case_id.hex, []).append(event)
    for case_id in settle:
        by_case.setdefault(case_id, [])
    record_ids = _held_records(conn, list(by_case)) | {
        e.case_id.hex for e in events if is_record_event(e.kind, e.payload)
    }
    if record_ids:  # 办不成事 records: few, rebuilt from their rows into their own table
        records.refold_records(conn, record_ids)
        by_case = {k: v for k, v in by_case.items() if k not in record_ids}
    quiet = [case_id for case_id, case_events in by_case.items() if not case_events]
    settled, unsettled = _settle_stored(conn, quiet) if quiet else (0, set())
    by_case = {k: v for k, v in by_case.items() if v or k in unsettled}
    if held is not None:
        return _advance_held(conn, held, by_case, events, fresh)
    bases = _parse_views(conn, _stored_views(conn, list(by_case)))
    views, rebuild = _advanced(conn, bases, by_case, fresh)
    page = {e.id.hex: e.payload for e in events if e.kind is EventKind.created}
    project_many(conn, views, remember=True, payloads=page)
    return settled + len(views) + len(refold_many(conn, rebuild))


def _advanced(
    conn: Connection,
    bases: dict[str, CaseView],
    by_case: dict[str, list[RecordedEvent]],
    fresh: set[str],
) -> tuple[list[CaseView], list[str]]:
    """The views that changed, and the cases only a rebuild from their rows can bring."""
    pending = [
        entry.event_id.hex
        for view in bases.values()
        for entry in view.history
        if entry.status is EntryStatus.pending
    ]
    fates = _fates(conn, pending)
    views: list[CaseView] = []
    rebuild: list[str] = []
    for case_id, case_events in by_case.items():
        base = bases.get(case_id)
        view = _advance(base, case_events, fresh, fates)
        if view is None:
            rebuild.append(case_id)
        elif view is not base:
            views.append(view)
    return views, rebuild


def _advance_held(
    conn: Connection,
    held: HeldViews,
    by_case: dict[str, list[RecordedEvent]],
    events: Sequence[RecordedEvent],
    fresh: set[str],
) -> int:
    """:func:`advance_many` into ``held`` (nothing written to ``cases``)."""
    by_case = {k: v for k, v in by_case.items() if k not in held.rebuild}
    new = [case_id for case_id in by_case if case_id not in held.views]
    raws = _stored_views(conn, new)
    held.rows.update((case_id, None) for case_id in new)
    held.rows.update((case_id, _held_key(raw)) for case_id, raw in raws.items())
    bases = _parse_views(conn, raws)
    bases.update((k, held.views[k]) for k in by_case if k in held.views)
    views, rebuild = _advanced(conn, bases, by_case, fresh)
    held.views.update((view.case_id.hex, view) for view in views)
    for case_id in rebuild:
        held.views.pop(case_id, None)
        held.rebuild.add(case_id)
    held.payloads.update((e.id.hex, e.payload) for e in events if e.kind is EventKind.created)
    if len(held) >= HELD_MAX:
        write_held(conn, held)
    return len(views) + len(rebuild)


def write_held(conn: Connection, held: HeldViews) -> None:
    """Write the held views (in the caller's write transaction) and forget them.

    A case whose stored row changed since it was first held is rebuilt from its events
    instead (the held view does not know what changed it). Clears ``meta.VIEWS_BEHIND``
    (when something was held: it was set no earlier than the first held page).
    """
    if not held:
        return  # nothing held here: a mark on disk is another pull's (``repair_behind``)
    now = _stored_views(conn, list(held.views))
    moved = {
        case_id
        for case_id in held.views
        if (_held_key(now[case_id]) if case_id in now else None) != held.rows.get(case_id)
    }
    views = [view for case_id, view in held.views.items() if case_id not in moved]
    project_many(conn, views, remember=True, payloads=held.payloads)
    refold_many(conn, sorted(held.rebuild | moved))
    held.views.clear()
    held.rows.clear()
    held.rebuild.clear()
    held.payloads.clear()
    meta.delete(conn, meta.VIEWS_BEHIND)


def hold_from(conn: Connection, cursor: int) -> None:
    """Note on disk that the views may lack events after ``cursor`` (a page is being held)."""
    behind = meta.get(conn, meta.VIEWS_BEHIND)
    if behind is None or int(behind) > cursor:
        meta.put(conn, meta.VIEWS_BEHIND, str(cursor))


def repair_behind(conn: Connection) -> int:
    """Rebuild the cases whose views may lack events (``meta.VIEWS_BEHIND``: a pull that
    held views died before writing them); the number rebuilt (0: nothing was behind)."""
    behind = meta.get(conn, meta.VIEWS_BEHIND)
    if behind is None:
        return 0
    query = select(EVENTS.c.case_id).where(EVENTS.c.central_seq > int(behind)).distinct()
    case_ids = sorted(case_id for (case_id,) in conn.execute(query))
    for start in range(0, len(case_ids), HELD_MAX):
        refold_many(conn, case_ids[start : start + HELD_MAX])
    meta.delete(conn, meta.VIEWS_BEHIND)
    return len(case_ids)


_SET_VIEW = text("UPDATE cases SET view = :v WHERE case_id = :c")


def _settle_stored(conn: Connection, case_ids: list[str]) -> tuple[int, set[str]]:
    """Settle the pending entries of cases the page only acknowledged, in their stored
    text (``stored.settled``: no view is built, no search term changes).

    Returns:
        How many stored views changed, and the cases left to the full path.
    """
    raws = {case_id: row.view for case_id, row in _stored_views(conn, case_ids).items()}
    unsettled = {case_id for case_id in case_ids if case_id not in raws}
    bodies = {case_id: json.loads(raw) for case_id, raw in raws.items()}
    pending = [
        entry[0]
        for body in bodies.values()
        for entry in body.get(stored.HISTORY_KEY, ())
        if entry[1] == "pending"
    ]
    fates = _fates(conn, pending)
    changed = []
    for case_id, raw in raws.items():
        text_now = stored.settled(raw, fates, bodies[case_id])
        if text_now is None:
            unsettled.add(case_id)
        elif text_now != raw:
            changed.append({"c": case_id, "v": text_now})
    if changed:
        conn.execute(_SET_VIEW, changed)
    return len(changed), unsettled


def _stored_views(conn: Connection, case_ids: list[str]) -> dict[str, Any]:
    """The stored rows (:data:`stored.COLUMNS`) of cases by id."""
    out: dict[str, Any] = {}
    for start in range(0, len(case_ids), 500):
        chunk = case_ids[start : start + 500]
        query = select(*stored.COLUMNS).where(among(CASES.c.case_id, chunk))
        out.update({row.case_id: row for row in conn.execute(query)})
    return out


def _held_key(row: Any) -> tuple[Any, ...]:
    """What a stored row must still be for a remembered view to stand for it."""
    mapping = row if isinstance(row, dict) else row._mapping
    return tuple(mapping[column.name] for column in stored.COLUMNS)


Fate = stored.Fate


def _fates(conn: Connection, ids: list[str]) -> dict[str, Fate]:
    out: dict[str, Fate] = {}
    columns = (EVENTS.c.id, EVENTS.c.status, EVENTS.c.central_seq, EVENTS.c.reason)
    for start in range(0, len(ids), 500):
        query = select(*columns).where(among(EVENTS.c.id, ids[start : start + 500]))
        out.update(
            {row.id: (row.status, row.central_seq, row.reason) for row in conn.execute(query)}
        )
    return out


def _settle_pending(history: list[HistoryEntry], held: dict[str, Fate]) -> bool:
    """Mark our pending entries the centre has numbered and applied; False if a rebuild is due."""
    for index, entry in enumerate(history):
        if entry.status is not EntryStatus.pending:
            continue
        fate = held.get(entry.event_id.hex)
        if fate is None:
            return False
        status, seq, reason = fate
        if seq is None:
            if status in ("superseded", "rejected"):
                return False  # shown as refused by a rebuild
            continue  # still ours alone
        if status != "applied" or reason is not None or entry.reason is not None:
            return False
        history[index] = copied(entry, {"status": EntryStatus.applied, "central_seq": seq})
    return True


def _advance(
    base: CaseView | None,
    events: list[RecordedEvent],
    fresh: set[str],
    held: dict[str, Fate],
) -> CaseView | None:
    """``base`` with the page's events, or None when only a rebuild from the rows is right."""
    history = list(base.history) if base is not None else []
    if not _settle_pending(history, held):
        return None
    # keyed by the ids' numbers: a UUID's own hash is a Python call, its number's is not
    where = {entry.event_id.int: index for index, entry in enumerate(history)}
    new: list[RecordedEvent] = []
    for event in sorted(events, key=_BY_SEQ) if len(events) > 1 else events:
        index = where.get(event.id.int)
        if index is None:
            if event.id.hex not in fresh:
                return None  # a row we hold that the view does not show: rebuild
            new.append(event)
            continue
        entry = history[index]
        told = (event.status.value, event.central_seq, event.reason)
        if (entry.status.value, entry.central_seq, entry.reason) != told:
            return None
    if not _in_fold_order(history, bool(new)):
        return None
    last = max((entry.central_seq or 0 for entry in history), default=0)
    view = base
    if base is not None and tuple(history) != base.history:
        view = copied(base, {"history": tuple(history)})
    for event in new:
        if event.central_seq <= last:
            return None
        # stored as a skeleton (``stored``): the entries' summaries come back from the rows
        view = apply_event(view, event, status=event.status, reason=event.reason, summarised=False)
        last = event.central_seq
    return view


_BY_SEQ = attrgetter("central_seq")


def _in_fold_order(history: list[HistoryEntry], adding: bool) -> bool:
    """Whether ``history`` is what ``fold_rows`` gives: confirmed events in the centre's
    order, then (only when nothing is to be added after them) our own pending ones."""
    seqs = [entry.central_seq for entry in history]
    confirmed = [seq for seq in seqs if seq is not None]
    tail = history[len(confirmed) :]
    if seqs[: len(confirmed)] != confirmed or any(a >= b for a, b in pairwise(confirmed)):
        return False  # a pending one among confirmed ones, or not in the centre's order
    if any(entry.status is not EntryStatus.pending for entry in tail):
        return False  # refused ones of ours sit before the pending ones: rebuild
    return not (tail and adding)


def refold(conn: Connection, case_id: str) -> CaseView | None:
    """Rebuild one case from all its events and store the result."""
    views = refold_many(conn, [case_id])
    return views[0] if views else None


def load(conn: Connection, case_id: str) -> CaseView | None:
    """The stored view of a case by id (hex)."""
    row = conn.execute(select(*stored.COLUMNS).where(CASES.c.case_id == case_id)).first()
    return stored.load(conn, row) if row else None


def rebuild_search(conn: Connection) -> int:
    """Re-index every case (after a migration created the index). Returns how many."""
    conn.execute(text("DELETE FROM cases_fts"))
    count = 0
    for view in stored.load_many(conn, conn.execute(select(*stored.COLUMNS)).all()):
        conn.execute(_FTS_INSERT, {"c": view.case_id.hex, "t": _search_terms(view)})
        count += 1
    return count
