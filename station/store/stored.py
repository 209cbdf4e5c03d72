"""How a case's view is stored in ``cases.view``: lean, its history kept by the event log.

A view's history repeats what the ``events`` table already holds (kind, actor,
station, sequence, device time, and the summary, a function of the payload):
about two thirds of a stored view. So the stored JSON keeps only the view's
fields that differ from their defaults, and per history entry only what the
event row does not say: ``[event id hex, status, central seq, reason]`` (the
trailing ones left out while empty), under the key ``h``, in history order.
Reading puts the entries back together from the event rows, so every reader
gets the very ``CaseView`` that was stored.

The fields the ``cases`` row holds in columns of its own (:data:`ROW_FIELDS`) are
left out of the JSON and put back from the row when read, and so is the station
that created the case when it is the station of the first history entry (written,
even when empty, only when it is not). A reader selects :data:`COLUMNS` and passes
the rows to :func:`load_many`.

What the view took from its ``created`` event's payload unchanged (the applicant,
the form's fields, the materials…: :data:`FROM_CREATED`) is left out as well when
the writer passes that payload (see :func:`created_payloads`), and marked under the
key ``p`` as ``[index of the created entry in h, bit mask over FROM_CREATED]``:
reading puts it back from the event row it reads for the history anyway.

A view in an earlier form (``history`` with whole entries, or the row's fields
kept in the JSON) is read as it is: a field the JSON holds is never replaced.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from functools import cache
from operator import is_
from typing import Any
from uuid import UUID

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import Connection, select

from station.store.db import among
from station.store.tables import CASES, EVENTS
from sync.events import EventKind
from sync.reducer import entry_summary
from sync.views import CaseView, HistoryEntry

HISTORY_KEY = "h"
"""The stored view's history: one ``[event id hex, status, central seq, reason]`` per entry."""
_ENTRY_COLUMNS = (
    EVENTS.c.id,
    EVENTS.c.kind,
    EVENTS.c.actor_id,
    EVENTS.c.actor_role,
    EVENTS.c.station_id,
    EVENTS.c.station_seq,
    EVENTS.c.device_time,
    EVENTS.c.payload,
)
_CHUNK = 500
ROW_FIELDS = ("case_id", "case_number", "division", "item_code", "item_name", "state")
"""View fields the ``cases`` row holds as columns (the same values): not in the JSON."""
COLUMNS = (CASES.c.view, *(CASES.c[name] for name in ROW_FIELDS))
"""What a reader of stored views selects (the JSON and the fields put back from the row)."""
SOURCE_KEY = "p"
"""The stored view's fields taken from its created event: ``[entry index, bit mask]``."""
FROM_CREATED = (
    "item_version",
    "catalog_version",
    "promised_days",
    "applicant",
    "relation",
    "principal",
    "fields",
    "materials",
    "supply_by",
    "attachments",
    "commitment",
    "agent_name",
    "agent_phone",
    "progress_key",
)
"""View fields a created event's payload holds under the same name (bit i of the mask:
the i-th; only ever appended to). ``station_name`` stays in the JSON: SQL reads it there."""
_STATION = "station_id"
_FIRST_ENTRY = object()
"""Put in for a station left out: the first history entry's."""


def _left_out(view: CaseView, keep_columns: bool) -> set[str]:
    out = {"history"} if keep_columns else {"history", *ROW_FIELDS}
    if not keep_columns and view.history and view.station_id == view.history[0].station_id:
        out.add(_STATION)
    return out


def dump(
    view: CaseView,
    *,
    keep_columns: bool = False,
    sources: Mapping[str, dict[str, Any]] | None = None,
) -> str:
    """The stored JSON of a view (see the module's docstring).

    Args:
        view: the case.
        keep_columns: keep the row's fields in the JSON (the form of migration 0008).
        sources: created events' payloads by event id (hex), as :func:`created_payloads`
            reads them: the view's fields equal to its created event's are left out.
    """
    history = [_skeleton(entry) for entry in view.history]
    left_out = _left_out(view, keep_columns)
    source = None if keep_columns or not sources else _from_created(view, sources)
    if source is not None:
        left_out |= source[1]
    marks: list[tuple[str, Any]] = [] if source is None else [(SOURCE_KEY, source[0])]
    station_kept = _STATION not in left_out and bool(view.history) and not keep_columns
    if not _has_float(view.fields) and (view.station_id or not station_kept):
        # pydantic writes the same text as json.dumps below, in one pass (floats aside:
        # their exponents are written otherwise, so a view with one takes the long way)
        head = view.model_dump_json(exclude_defaults=True, exclude=left_out)
        marks.append((HISTORY_KEY, history))
        tail = ",".join(f'"{key}":{_json(value)}' for key, value in marks)
        return f"{head[:-1]}{',' if len(head) > 2 else ''}{tail}}}"
    body = view.model_dump(mode="json", exclude_defaults=True, exclude=left_out)
    if station_kept:
        body[_STATION] = view.station_id  # even when empty: absent means the first entry's
    body.update(marks)
    body[HISTORY_KEY] = history
    return _ENCODER.encode(body)


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
"""``json.dumps(value, ensure_ascii=False, separators=(",", ":"))`` without building an
encoder at every call (``json.dumps`` makes one whenever it is given options)."""


def _json(value: Any) -> str:
    return _ENCODER.encode(value)


def _same(a: Any, b: Any) -> bool:
    """Whether two JSON values are written as the same text: their reprs are equal
    exactly then (types, key order and zero's sign included), and repr is one C call.
    Two texts or two whole numbers (most of a created payload's fields) are compared
    as they are: the same type and equal is the same text for them."""
    kind = type(a)
    if kind is type(b) and (kind is str or kind is int):
        return bool(a == b)
    return repr(a) == repr(b)


@cache
def _adapter(name: str) -> TypeAdapter[Any]:
    annotation: Any = CaseView.model_fields[name].annotation
    return TypeAdapter(annotation)


def _reads_as(view: CaseView, name: str, value: Any) -> bool:
    """Whether ``value`` (JSON) read as the view's field ``name`` is that field exactly (the
    event may hold nested defaults the lean form leaves out, or leave out ones it holds)."""
    try:
        read = _adapter(name).validate_python(value)
    except ValidationError:
        return False
    return repr(read) == repr(getattr(view, name))


def _from_created(
    view: CaseView, sources: Mapping[str, dict[str, Any]]
) -> tuple[list[int], set[str]] | None:
    """``[entry index, mask]`` and the names of the view's fields its created event's
    payload holds as they are (the same JSON, or JSON that reads back as the very same
    field), or None when none or no payload."""
    found = next(((i, e) for i, e in enumerate(view.history) if e.kind is EventKind.created), None)
    key = found[1].event_id.hex if found else ""
    payload = sources.get(key) if found else None
    if found is None or payload is None:
        return None
    values = tuple(getattr(view, name) for name in FROM_CREATED)
    memo = _SOURCE_MEMO.get(key)
    if memo is not None and all(map(is_, memo[1], values)) and memo[0] == found[0]:
        return memo[2]  # the very field objects the answer was worked out for
    answer = _compare_created(view, found[0], payload)
    if len(_SOURCE_MEMO) < SOURCE_MEMO_MAX:
        _SOURCE_MEMO[key] = (found[0], values, answer)
    return answer


_SOURCE_MEMO: dict[str, tuple[int, tuple[Any, ...], tuple[list[int], set[str]] | None]] = {}
""":func:`_from_created`'s answers by created event id, with the field objects they were
worked out for: a case written again in the same pull (its created and its submitted
event on two pages) keeps those objects (views are copied, never changed in place), so
its fields are not compared again. Emptied with the views a pull remembers."""
SOURCE_MEMO_MAX = 20_000


def forget() -> None:
    """Drop the remembered answers (a pull's last page is applied)."""
    _SOURCE_MEMO.clear()


PEOPLE_PATHS = ("$.applicant", "$.principal", f"$.{SOURCE_KEY}")
"""``json_extract`` paths of the stored JSON that say whom a case is for (:func:`people`):
one parse of the stored text for all three."""


def people(extracted: str | None, payload: Mapping[str, Any] | None) -> tuple[Any, Any]:
    """The applicant and the 代办人 a stored view holds, as JSON (dicts, or None).

    Args:
        extracted: ``json_extract(view, *PEOPLE_PATHS)`` of the stored row.
        payload: its case's created payload (:func:`created_payloads`): a person left out
            of the stored JSON because the payload holds the same is taken from it.
    """
    if not extracted:
        return None, None
    applicant, principal, source = json.loads(extracted)
    mask = source[1] if isinstance(source, list) and len(source) == 2 else 0
    if mask and payload:
        if applicant is None and mask & _APPLICANT_BIT:
            applicant = payload.get("applicant")
        if principal is None and mask & _PRINCIPAL_BIT:
            principal = payload.get("principal")
    return applicant, principal


_APPLICANT_BIT = 1 << FROM_CREATED.index("applicant")
_PRINCIPAL_BIT = 1 << FROM_CREATED.index("principal")


def _compare_created(
    view: CaseView, index: int, payload: dict[str, Any]
) -> tuple[list[int], set[str]] | None:
    lean = _lean(view)
    mask, names = 0, set()
    for bit, name in enumerate(FROM_CREATED):
        if name not in lean or name not in payload:
            continue  # a default stays out as ever; a field the payload lacks stays in
        if _same(lean[name], payload[name]) or _reads_as(view, name, payload[name]):
            mask |= 1 << bit
            names.add(name)
    return ([index, mask], names) if mask else None


def _lean(view: CaseView) -> dict[str, Any]:
    """The view's ``FROM_CREATED`` fields as ``model_dump(mode="json", exclude_defaults=True)``
    gives them: the plain ones (strings, numbers, JSON dicts) taken as they are, only
    the ones holding models or dates dumped (a dump of them all was a tenth of a
    catch-up's CPU)."""
    out: dict[str, Any] = {}
    modelled: set[str] = set()
    for name in FROM_CREATED:
        value = getattr(view, name)
        if name in _MODELLED:
            modelled.add(name)
        elif value != _DEFAULTS[name]:
            out[name] = value
    if modelled:
        out.update(view.model_dump(mode="json", include=modelled, exclude_defaults=True))
    return out


_MODELLED = frozenset({"applicant", "principal", "supply_by", "attachments"})
"""``FROM_CREATED`` fields whose JSON form is not the value itself (models, dates)."""
_DEFAULTS = {
    name: CaseView.model_fields[name].get_default(call_default_factory=True)
    for name in FROM_CREATED
}


def created_payloads(
    conn: Connection,
    views: Iterable[CaseView],
    at_hand: Mapping[str, dict[str, Any]] | None = None,
) -> dict[str, dict[str, Any]]:
    """The payloads of the views' created events by event id (hex), for :func:`dump`
    (those ``at_hand`` taken from it, the others read from their rows)."""
    ids = [
        entry.event_id.hex
        for view in views
        for entry in view.history
        if entry.kind is EventKind.created
    ]
    out: dict[str, dict[str, Any]] = {}
    if at_hand:
        out = {event_id: at_hand[event_id] for event_id in ids if event_id in at_hand}
        ids = [event_id for event_id in ids if event_id not in out]
    for start in range(0, len(ids), _CHUNK):
        query = select(EVENTS.c.id, EVENTS.c.payload).where(
            among(EVENTS.c.id, ids[start : start + _CHUNK])
        )
        out.update({row.id: json.loads(row.payload) for row in conn.execute(query)})
    return out


def _has_float(value: Any) -> bool:
    """Whether a float is anywhere in ``value`` (the form's fields: the only free-form part).

    Walked without recursion, plain JSON types told by their exact type (one dict look-up
    each, not a chain of ``isinstance``): it runs for every view written."""
    stack = [value]
    while stack:
        item = stack.pop()
        kind = _KINDS.get(type(item))
        if kind is None:  # not a plain JSON type: a subclass, say
            if isinstance(item, float):
                return True
            if isinstance(item, dict):
                stack.extend(item.values())
            elif isinstance(item, list | tuple):
                stack.extend(item)
        elif kind == _FLOAT:
            return True
        elif kind == _MAPPING:
            stack.extend(item.values())
        elif kind == _SEQUENCE:
            stack.extend(item)
    return False


_FLOAT, _MAPPING, _SEQUENCE, _SCALAR = range(4)
_KINDS = {
    float: _FLOAT,
    dict: _MAPPING,
    list: _SEQUENCE,
    tuple: _SEQUENCE,
    str: _SCALAR,
    int: _SCALAR,
    bool: _SCALAR,
    type(None): _SCALAR,
}


def _skeleton(entry: HistoryEntry) -> list[Any]:
    out: list[Any] = [entry.event_id.hex, entry.status.value, entry.central_seq, entry.reason]
    while len(out) > 2 and out[-1] is None:
        out.pop()
    return out


Fate = tuple[str, int | None, str | None]
"""An event row's (status, central_seq, reason)."""


def settled(raw: str, fates: dict[str, Fate], body: dict[str, Any] | None = None) -> str | None:
    """The stored text ``raw`` with our pending entries the centre has numbered and
    applied marked so, as :func:`dump` writes the view they make; None when only a
    rebuild from the rows is right (a fate other than applied, entries out of the
    order a rebuild gives, or a view in the earlier form).

    Settling changes nothing of a view but its history's statuses and numbers, so the
    text is rewritten as it is, without building the view (the pullback of a push).

    Args:
        raw: a stored view.
        fates: the event rows' fates by id (hex), at least of the pending entries.
        body: ``raw`` already parsed (it is not changed).
    """
    body = dict(body) if body is not None else json.loads(raw)
    skeletons = body.get(HISTORY_KEY)
    if skeletons is None:
        return None
    out: list[list[Any]] = []
    for skeleton in skeletons:
        entry = _settled_entry(skeleton, fates)
        if entry is None:
            return None
        out.append(entry)
    if not _in_fold_order(out):
        return None
    if out == skeletons:
        return raw
    body[HISTORY_KEY] = out
    return _ENCODER.encode(body)


def _settled_entry(entry: list[Any], fates: dict[str, Fate]) -> list[Any] | None:
    """One skeleton, settled when the centre applied it (None: a rebuild is due)."""
    if entry[1] != "pending":
        return entry
    fate = fates.get(entry[0])
    if fate is None:
        return None
    status, seq, reason = fate
    if seq is None:
        return None if status in ("superseded", "rejected") else entry
    if status != "applied" or reason is not None or len(entry) > 3:
        return None  # a pending entry with a reason, or a fate a rebuild shows otherwise
    return [entry[0], "applied", seq]


def _in_fold_order(skeletons: list[list[Any]]) -> bool:
    """Confirmed entries first, in the centre's order, then only pending ones."""
    seqs = [entry[2] if len(entry) > 2 else None for entry in skeletons]
    confirmed = [seq for seq in seqs if seq is not None]
    if seqs[: len(confirmed)] != confirmed:
        return False
    if any(a >= b for a, b in zip(confirmed, confirmed[1:], strict=False)):
        return False
    return all(entry[1] == "pending" for entry in skeletons[len(confirmed) :])


def load(conn: Connection, stored: str | Any) -> CaseView:
    """The view stored as ``stored`` (see :func:`load_many`)."""
    return load_many(conn, [stored])[0]


def load_many(conn: Connection, items: Sequence[str | Any]) -> list[CaseView]:
    """The views stored as ``items``, in order (one read of their event rows per 500 entries).

    Args:
        conn: the database.
        items: rows of :data:`COLUMNS` (or mappings with those keys); or the JSON text
            alone of a view in an earlier form, which holds the row's fields itself.

    Raises:
        LookupError: an entry whose event row this database does not hold.
    """
    bodies = [_body(item) for item in items]
    wanted = [entry[0] for body in bodies for entry in body.get(HISTORY_KEY, ())]
    rows = _event_rows(conn, wanted)
    return [_view(body, rows) for body in bodies]


def _body(item: str | Any) -> dict[str, Any]:
    """The stored JSON with the row's fields put back (those it leaves out)."""
    if isinstance(item, str):
        return dict(json.loads(item))
    row = item if isinstance(item, dict) else item._mapping
    body: dict[str, Any] = json.loads(row["view"])
    if "case_id" in body:  # an earlier form: the JSON holds every field itself
        return body
    body.setdefault(_STATION, _FIRST_ENTRY)
    for name in ROW_FIELDS:
        body[name] = row[name]
    return body


def _event_rows(conn: Connection, ids: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for start in range(0, len(ids), _CHUNK):
        query = select(*_ENTRY_COLUMNS).where(among(EVENTS.c.id, ids[start : start + _CHUNK]))
        out.update({row.id: row for row in conn.execute(query)})
    return out


def _view(body: dict[str, Any], rows: dict[str, Any]) -> CaseView:
    skeletons = body.pop(HISTORY_KEY, None)
    if skeletons is None:  # the earlier form: whole entries
        return CaseView.model_validate(body)
    payloads: dict[str, Any] = {}
    history = tuple(_entry(skeleton, rows, payloads) for skeleton in skeletons)
    body["history"] = history
    source = body.pop(SOURCE_KEY, None)
    if source is not None:
        index, mask = source
        payload = payloads[skeletons[index][0]]
        for bit, name in enumerate(FROM_CREATED):
            if mask & (1 << bit):
                body[name] = payload[name]
    if body.get(_STATION) is _FIRST_ENTRY:
        body[_STATION] = history[0].station_id if history else ""
    return CaseView.model_validate(body)


def _entry(skeleton: list[Any], rows: dict[str, Any], payloads: dict[str, Any]) -> HistoryEntry:
    event_id, status, *rest = skeleton
    row = rows.get(event_id)
    if row is None:
        raise LookupError(f"history entry without its event row: {event_id}")
    payload = payloads[event_id] = json.loads(row.payload)
    return HistoryEntry(
        event_id=UUID(event_id),
        kind=row.kind,
        actor_id=row.actor_id,
        actor_role=row.actor_role,
        station_id=row.station_id,
        station_seq=row.station_seq,
        device_time=datetime.fromisoformat(row.device_time),
        status=status,
        central_seq=rest[0] if rest else None,
        reason=rest[1] if len(rest) > 1 else None,
        summary=entry_summary(payload),
    )
