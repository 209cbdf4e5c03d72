"""Checking the audit: what was changed or removed, row by row, in which chain.

Three chains are walked:

- ``events``: every accepted event against its keyed link (:mod:`central.services.audit`);
- ``admin``: every administrative act (:mod:`central.services.admin_audit`);
- ``cases``: every case's stored state against the fold of its chained events (a case's
  state changes only through events, so an edited ``case_state`` row shows here).

Each event link is recomputed from the link before it (its ``prev_hash`` is that link's
hash), so one changed row is reported once; a removed link shows as its event without
a link and the next link not following; a removed event with its link as the next link
not following. The signed heads (:mod:`central.services.audit_key`) catch the newest rows
being deleted.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Table, func, select

from central.models import (
    CASE_TABLE,
    COUNTER_TABLE,
    EVENT_TABLE,
    EVENTS_COUNTER,
    UNRESOLVED_TABLE,
    AdminAction,
)
from central.services import admin_audit, audit
from central.services.audit_key import Head
from central.services.pull import recorded_event
from sync.reducer import apply_any

MAX_FINDINGS = 100
"""Findings kept per chain (a whole chain recomputed would otherwise list every row)."""
BATCH = 5000
EVENTS, ADMIN, CASES, HEADS = "events", "admin", "cases", "heads"

CHANGED = "changed"
"""The row no longer matches its link."""
UNKEYED = "unkeyed"
"""The link was computed without the key (plain SHA-256): forged, or older software."""
RELINKED = "relinked"
"""The link does not follow the one before it: rows removed or reordered before it."""
NO_LINK = "no_link"
"""An event without a link: its link was deleted, or the event was inserted."""
TAIL_REMOVED = "tail_removed"
"""The chain's newest link, as the counter row holds it, is on no event: the newest
events were deleted."""
TRUNCATED = "truncated"
"""Fewer links than the signed head counts: the newest (or other) rows were deleted."""
HEAD_CHANGED = "head_changed"
"""The link at the signed head's position differs from the one signed."""
HEADS_FORGED = "heads_forged"
"""The signed heads file does not hold its signature."""
STATE_DIFFERS = "state_differs"
"""A case's stored state is not what its chained events give."""
NO_EVENTS = "no_events"
"""A stored case with no chained event at all."""


@dataclass(frozen=True)
class Finding:
    """One thing that does not hold: which chain, which row, what differs."""

    chain: str
    seq: int | None
    row: str
    problem: str
    detail: str = ""


@dataclass
class Walk:
    """The outcome of walking one chain."""

    count: int = 0
    last_seq: int = 0
    last_hash: str = audit.GENESIS
    findings: list[Finding] = field(default_factory=list)
    more: int = 0
    """Findings past ``MAX_FINDINGS`` (counted, not kept)."""

    def add(self, finding: Finding) -> None:
        """Keep a finding (or count it past the limit)."""
        if len(self.findings) < MAX_FINDINGS:
            self.findings.append(finding)
        else:
            self.more += 1


@dataclass
class Report:
    """Everything ``daiban central audit`` tells."""

    walks: dict[str, Walk]

    @property
    def ok(self) -> bool:
        """Whether nothing was found anywhere."""
        return not any(walk.findings for walk in self.walks.values())

    def findings(self) -> list[Finding]:
        """Every kept finding, chain by chain."""
        return [f for walk in self.walks.values() for f in walk.findings]


def _ordered(connection: Connection, table: Table, column: str, after: int) -> Iterator[Any]:
    """Rows of ``table`` by ``column`` above ``after``, fetched in keyset batches."""
    key = table.c[column]
    while True:
        query = select(table).where(key > after).order_by(key).limit(BATCH)
        rows = [dict(r._mapping) for r in connection.execute(query)]
        yield from rows
        if len(rows) < BATCH:
            return
        after = int(rows[-1][column])


def walk_events(connection: Connection, key: bytes | None, start: Head | None = None) -> Walk:
    """Check every event link above ``start`` (the whole chain when None).

    Args:
        connection: an open connection.
        key: the audit key; None checks the links of software before keyed chains
            (plain SHA-256), as the one-time re-keying does (:mod:`central.services.audit_rekey`).
        start: a verified head to continue from (its link is taken as good).

    Returns:
        The walk: links counted, the newest link, what does not hold.
    """
    walk = Walk()
    if start is not None:
        walk.count, walk.last_seq, walk.last_hash = start.count, start.seq, start.hash
    # Read first: events committed after it come after it in the chain.
    tail = connection.execute(_TAIL).scalar_one_or_none()
    reached = tail is None or tail == walk.last_hash
    unlinked = False  # an event without a link since the last link
    for event in _ordered(connection, EVENT_TABLE, "central_seq", walk.last_seq):
        if event["audit_link"] is None:
            walk.add(_finding(EVENTS, int(event["central_seq"]), NO_LINK, event))
            unlinked = True
            continue
        _check_event_link(walk, key, event, unlinked)
        reached = reached or event["audit_link"] == tail
        unlinked = False
    if not reached:
        detail = f"the newest link recorded is on no event; the events end at seq {walk.last_seq}"
        walk.add(Finding(EVENTS, walk.last_seq, "events tail", TAIL_REMOVED, detail))
    return walk


_TAIL = select(COUNTER_TABLE.c.head).where(COUNTER_TABLE.c.name == EVENTS_COUNTER)
"""The chain's newest link as the counter row holds it (``Counter.head``)."""


def _check_event_link(walk: Walk, key: bytes | None, event: dict[str, Any], unlinked: bool) -> None:
    """Check one event's link against the link before it (``walk.last_hash``) and the event.

    A link that does not follow is named ``RELINKED`` when its event still holds with the
    link before it missing (``unlinked``: that link was removed), else ``CHANGED``: the
    row, or an event (and so its link) removed just before it (``detail`` says the gap).
    """
    seq, prev, link = int(event["central_seq"]), walk.last_hash, event["audit_link"]
    if key is None:
        if audit.unkeyed_hash(prev, event) != link:
            walk.add(_finding(EVENTS, seq, CHANGED, event, _gap(walk.last_seq, seq)))
    elif audit.link_hash(key, prev, event) != link:
        forged = audit.unkeyed_hash(prev, event) == link
        problem = UNKEYED if forged else RELINKED if unlinked else CHANGED
        walk.add(_finding(EVENTS, seq, problem, event, _gap(walk.last_seq, seq)))
    walk.count, walk.last_seq, walk.last_hash = walk.count + 1, seq, link


def _finding(chain: str, seq: int, problem: str, event: dict[str, Any], gap: str = "") -> Finding:
    detail = f"event {event['id']} case {event['case_number']} {event['kind']}"
    if gap and not gap.endswith(f"->{seq}"):  # central_seq numbers skipped before it
        detail += f"; seqs {gap} before it"
    return Finding(chain, seq, f"central_seq {seq}", problem, detail)


def _gap(before: int, seq: int) -> str:
    return f"{before + 1}..{seq - 1}" if seq - before > 1 else f"{before}->{seq}"


def walk_admin(connection: Connection, key: bytes | None, start: Head | None = None) -> Walk:
    """Check every administrative act above ``start`` (the whole chain when None; ``key``
    None: the plain SHA-256 links of software before keyed chains)."""
    walk = Walk()
    if start is not None:
        walk.count, walk.last_seq, walk.last_hash = start.count, start.seq, start.hash
    table = AdminAction.__table__  # type: ignore[attr-defined]
    for values in _ordered(connection, table, "seq", walk.last_seq):
        row = AdminAction(**values)
        seq, name = int(row.seq), f"admin seq {row.seq} {row.action} {row.target}"
        if row.prev_hash != walk.last_hash:
            walk.add(Finding(ADMIN, seq, name, RELINKED, _gap(walk.last_seq, seq)))
        unkeyed = admin_audit.unkeyed_link(row.prev_hash, row) == row.hash
        if key is None and not unkeyed:
            walk.add(Finding(ADMIN, seq, name, CHANGED))
        elif key is not None and admin_audit.link(key, row.prev_hash, row) != row.hash:
            walk.add(Finding(ADMIN, seq, name, UNKEYED if unkeyed else CHANGED))
        walk.count, walk.last_seq, walk.last_hash = walk.count + 1, seq, row.hash
    return walk


def check_head(connection: Connection, chain: str, head: Head, walk: Walk) -> None:
    """Add a finding to ``walk`` when the chain no longer holds its signed head."""
    # The rows up to the head, by their key (a removed link is the walk's NO_LINK).
    if chain == EVENTS:
        link, seq, table = EVENT_TABLE.c.audit_link, EVENT_TABLE.c.central_seq, EVENT_TABLE
    else:
        table = _admin_table()
        link, seq = table.c.hash, table.c.seq
    at_head = connection.execute(select(link).where(seq == head.seq)).scalar_one_or_none()
    held = connection.execute(
        select(func.count()).select_from(table).where(seq <= head.seq)
    ).scalar_one()
    name = f"{chain} head seq {head.seq}"
    if held < head.count or at_head is None:
        detail = f"signed: {head.count} links up to seq {head.seq}; held: {held}"
        walk.add(Finding(chain, head.seq, name, TRUNCATED, detail))
    elif at_head != head.hash:
        walk.add(Finding(chain, head.seq, name, HEAD_CHANGED))


def _admin_table() -> Table:
    table: Table = AdminAction.__table__  # type: ignore[attr-defined]
    return table


def walk_cases(connection: Connection) -> Walk:
    """Fold every case's events (centre order) and compare with its stored state."""
    walk = Walk()
    stored = _stored_states(connection)
    query = select(EVENT_TABLE).order_by(EVENT_TABLE.c.case_id, EVENT_TABLE.c.central_seq)
    current, view = None, None
    for result in connection.execute(query).yield_per(BATCH):
        row = dict(result._mapping)
        if row["case_id"] != current:
            _compare(walk, stored, current, view)
            current, view = row["case_id"], None
        view = apply_any(
            view,
            recorded_event(row),
            status=row["status"],
            reason=row["reason"],
            central_seq=row["central_seq"],
        )
    _compare(walk, stored, current, view)
    for case_id, (number, _state, _version) in stored.items():
        walk.add(Finding(CASES, None, f"case {number}", NO_EVENTS, str(case_id)))
    return walk


def _stored_states(connection: Connection) -> dict[Any, tuple[str, str, int]]:
    states: dict[Any, tuple[str, str, int]] = {}
    for table, key, number in (
        (CASE_TABLE, "case_id", "case_number"),
        (UNRESOLVED_TABLE, "record_id", "number"),
    ):
        columns = (table.c[key], table.c[number], table.c.state, table.c.version)
        for row in connection.execute(select(*columns)):
            states[row[0]] = (row[1], row[2], int(row[3]))
    return states


def _compare(walk: Walk, stored: dict[Any, tuple[str, str, int]], case_id: Any, view: Any) -> None:
    if case_id is None or view is None:
        return
    walk.count += 1
    held = stored.pop(case_id, None)
    if not view.exists:
        return
    folded = (str(view.state.value), int(view.version))
    number = held[0] if held else getattr(view, "case_number", "") or getattr(view, "number", "")
    if held is None or (held[1], held[2]) != folded:
        got = f"state {held[1]} version {held[2]}" if held else "no stored row"
        detail = f"stored: {got}; events give: state {folded[0]} version {folded[1]}"
        walk.add(Finding(CASES, None, f"case {number}", STATE_DIFFERS, detail))
