"""The reducer: a case's state is a pure fold of its events.

The same code runs at the station and at the centre, so both show the same
state for the same events in the same (central) order.

- ``judge`` is the centre's supersede rule: an event not allowed in the state
  the centre holds (``sync.lifecycle.check_transition``) or with a payload that
  does not fit its kind is kept as *superseded*, with a reason.
- ``apply_event`` applies one event (idempotent on the event id).
- ``fold`` rebuilds a case from its events (``RecordedEvent.status`` honoured).
- ``rebase`` rebuilds a station's view: confirmed events in central order, then
  its own not-yet-confirmed events as *pending*.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any
from uuid import UUID

from forms.clock import china_day
from forms.identity import mask_id_number
from sync.effects import effects
from sync.events import Event, EventKind, EventStatus, RecordedEvent, is_record_event
from sync.lifecycle import CaseState, check_transition, find_transition
from sync.payloads import PayloadModel, validate_payload
from sync.progress import PAYLOAD_KEY
from sync.unresolved import UnresolvedView, apply_record
from sync.views import CaseView, EntryStatus, HistoryEntry, copied, history_entry

__all__ = [
    "ORPHAN_FLAG",
    "SUPERSEDED_FLAG",
    "CaseView",
    "EntryStatus",
    "HistoryEntry",
    "apply_any",
    "apply_event",
    "correctable",
    "china_day",
    "deadline_inputs",
    "fold",
    "judge",
    "rebase",
]

SUPERSEDED_FLAG = "superseded"
ORPHAN_FLAG = "orphan"
_ORPHAN = CaseView(
    case_id=UUID(int=0),
    case_number="",
    division="",
    exists=False,
    station_id="",
    flags=(ORPHAN_FLAG,),
)
"""A case no ``created`` event has made yet; :func:`_orphan` puts in the event's ids. Its
empty containers (fields, materials…) are shared by the orphans copied from it: a view is
never changed in place, every change is a copy (``sync.views.copied``)."""


ALREADY_RATED = "the case is already rated; a change is a rating correction"
NOT_RATED = "the case has no rating to correct"
ALREADY_HANDED_OVER = "the case was already handed over"
RATING_CHANGED = "the rating to correct is not the one saved"
BAD_RATING = 2
"""A rating of 1 or 2 is a 差评 (不满意/非常不满意): the county follows it up (闭环)."""
BAD_RATING_KEPT = (
    "a bad rating is not corrected to a better one at the station: the county reviews it on appeal"
)
"""Judged where the act is made (the desk refuses it, the centre supersedes a pushed one),
not in this shared reducer: corrections applied before the rule stay applied wherever a
view is rebuilt from its events."""
NOT_NAMED = "{path} was not named for correction"
OUTSIDE_COUNTY = "the handling division is outside the case's county"


def correctable(view: CaseView, path: str) -> bool:
    """Whether a correction (补正更正) may change ``path`` of the returned case.

    Args:
        view: the case (returned).
        path: ``fields.KEY``, ``materials.KEY``, ``applicant.KEY`` or ``principal.KEY``.

    Returns:
        True when the township named it, or allowed more than it named.
    """
    if view.allow_more:
        return True
    section, _, key = path.partition(".")
    if section == "materials":
        return key in view.missing
    if section == "fields":
        return key in view.correct_fields or path in view.correct_fields
    return path in view.correct_fields


def _case_rule(view: CaseView, event: Event, payload: Any) -> str | None:
    """The rules that need the case's data, not only its state (same at every end)."""
    if event.kind is EventKind.rated and view.rating is not None:
        return ALREADY_RATED
    if event.kind is EventKind.handed_over and view.delivered_at is not None:
        return ALREADY_HANDED_OVER  # a refused case stays refused: its 送达 is made once
    if event.kind is EventKind.rating_corrected:
        if view.rating is None:
            return NOT_RATED
        if payload.old != view.rating:
            return RATING_CHANGED
    if event.kind is EventKind.corrected:
        for path in payload.changes:
            if not correctable(view, path):
                return NOT_NAMED.format(path=path)
    return None


def _problem(view: CaseView | None, event: Event) -> str | None:
    return _checked(view, event)[0]


def _checked(view: CaseView | None, event: Event) -> tuple[str | None, PayloadModel | None]:
    """Why the event is not allowed (None if it is), and its parsed payload when it parsed
    (so applying it does not validate the payload a second time)."""
    state = view.state if view is not None and view.exists else None
    reason = check_transition(state, event.kind, event.actor_role)
    if reason is not None:
        return reason, None
    try:
        payload = validate_payload(event.kind, event.payload)
    except ValueError as error:
        return f"invalid payload: {error}", None
    if view is not None and view.exists:
        return _case_rule(view, event, payload), payload
    handling = getattr(payload, "handling_division", None)
    if handling and handling[:6] != event.division[:6]:  # 区内通办 stays inside the county
        return OUTSIDE_COUNTY, payload
    return None, payload


def judge(view: CaseView | None, event: Event) -> tuple[EventStatus, str | None]:
    """The centre's supersede rule for ``event`` against the case it holds.

    Args:
        view: the case as the centre holds it (None if it has no such case).
        event: the pushed event.

    Returns:
        ``(applied, None)``, or ``(superseded, reason)`` with an English msgid.
    """
    reason = _problem(view, event)
    return (EventStatus.applied, None) if reason is None else (EventStatus.superseded, reason)


def _masked(path: str, value: Any) -> Any:
    if path.endswith("id_number") and isinstance(value, str) and value:
        return mask_id_number(value)
    return value


def _changes(value: dict[str, Any]) -> dict[str, Any]:
    """A correction's old and new values, as the timeline shows them (ID numbers masked)."""
    out: dict[str, Any] = {}
    for path, change in value.items():
        if isinstance(change, dict):
            old, new = change.get("old"), change.get("new")
            out[path] = {"old": _masked(path, old), "new": _masked(path, new)}
    return out


_PLAIN = frozenset({str, int, float, bool, type(None)})
"""Scalars a summary keeps as they are (by exact type: a subclass takes the long way)."""
_SUMMED_UP = frozenset(
    {PAYLOAD_KEY, "changes", "applicant", "principal", "fields", "supply_by", "attachments"}
)
"""Keys :func:`entry_summary` treats apart, whatever their value."""


def entry_summary(payload: dict[str, Any]) -> dict[str, Any]:
    """What a history entry shows of an event's payload (``HistoryEntry.summary``)."""
    out: dict[str, Any] = {}
    for key, value in payload.items():
        if type(value) in _PLAIN and key not in _SUMMED_UP:
            out[key] = value  # most of a created payload: what the last branch does, sooner
            continue
        if key == PAYLOAD_KEY:  # the public page's key stays off the timeline
            continue
        if key == "changes" and isinstance(value, dict):
            out[key] = _changes(value)
        elif key in ("applicant", "principal"):
            out[key] = value.get("name", "") if isinstance(value, dict) else ""
        elif key in ("fields", "supply_by") and isinstance(value, dict):
            out[key] = sorted(value)
        elif key == "attachments" and isinstance(value, list):
            out[key] = len(value)
        elif isinstance(value, str | int | float | bool) or value is None:
            out[key] = value
        elif isinstance(value, list | dict):
            items = value.values() if isinstance(value, dict) else value
            out[key] = value if all(isinstance(v, str) for v in items) else len(value)
    return out


def _entry(
    event: Event, status: EntryStatus, reason: str | None, seq: int | None, summarised: bool
) -> HistoryEntry:
    summary = entry_summary(event.payload) if summarised else {}
    return history_entry(event, status, reason, seq, summary)


def _orphan(event: Event) -> CaseView:
    """The case before its first event (every value the event's own, already valid)."""
    return copied(
        _ORPHAN,
        {
            "case_id": event.case_id,
            "case_number": event.case_number,
            "division": event.division,
            "station_id": event.station_id,
        },
    )


def _with_flag(flags: tuple[str, ...], flag: str, on: bool) -> tuple[str, ...]:
    rest = tuple(f for f in flags if f != flag)
    return (*rest, flag) if on else rest


def _target(view: CaseView, kind: EventKind) -> CaseState:
    if kind is EventKind.created:
        return CaseState.draft
    transition = find_transition(view.state, kind)
    if transition is None:
        return view.state
    if kind is EventKind.resumed:
        return view.paused_from or CaseState.accepted
    return transition.target or view.state


_ENTRY_STATUS = {status.value: status for status in EntryStatus}
"""``EntryStatus(str(status))`` by text, without the enum's call (once per event applied)."""


def apply_event(
    view: CaseView | None,
    event: Event,
    *,
    status: EntryStatus | EventStatus | str = EntryStatus.applied,
    reason: str | None = None,
    central_seq: int | None = None,
    summarised: bool = True,
) -> CaseView:
    """Apply one event to a case. Pure, and idempotent on the event id.

    An event said to be *applied* that is not allowed after all is recorded as
    superseded (the same at every end, so views still agree). A *pending* one
    that is not allowed is recorded as pending, with the reason, and changes
    nothing. A *superseded* one is recorded, flags the case, changes nothing.

    Args:
        view: the case so far, or None before its first event.
        event: the event (a ``RecordedEvent`` brings its own ``central_seq``).
        status: what the centre made of it, or ``pending`` for a station's own.
        reason: why it was superseded.
        central_seq: the centre's sequence number, when known.
        summarised: False: the new history entry's summary is left empty, for a view
            that is stored and not shown. Neither end stores the summaries (the centre
            keeps no history in a stored view, a station only each entry's id and
            fate), and a view read back has them again, made from the event rows: a
            summary made here for such a view is work thrown away.

    Returns:
        The new case view (the same object when the event is already in it).

    Raises:
        ValueError: the event belongs to another case.
    """
    if view is not None:
        if view.case_id != event.case_id:
            raise ValueError(f"event {event.id} belongs to case {event.case_id}")
        if any(entry.event_id == event.id for entry in view.history):
            return view
    if central_seq is None and isinstance(event, RecordedEvent):
        central_seq = event.central_seq
    entry_status = _ENTRY_STATUS.get(status) or EntryStatus(str(status))
    problem, payload = (
        (None, None) if entry_status is EntryStatus.superseded else _checked(view, event)
    )
    if problem is not None and entry_status is EntryStatus.applied:
        entry_status, reason = EntryStatus.superseded, problem
    base = view if view is not None else _orphan(event)
    if entry_status is EntryStatus.superseded or problem is not None:
        entry = _entry(event, entry_status, reason or problem, central_seq, summarised)
        updates: dict[str, Any] = {"history": (*base.history, entry)}
        if entry_status is EntryStatus.superseded:
            updates["flags"] = _with_flag(base.flags, SUPERSEDED_FLAG, True)
            updates["last_reason"] = entry.reason
        return copied(base, updates)
    parsed = payload if payload is not None else validate_payload(event.kind, event.payload)
    changes = effects(base, event, parsed)
    changes["state"] = _target(base, event.kind)
    changes["version"] = base.version + 1
    changes["history"] = (
        *base.history,
        _entry(event, entry_status, None, central_seq, summarised),
    )
    flags = changes.pop("flags", base.flags)
    if event.kind is EventKind.created:
        flags = _with_flag(flags, ORPHAN_FLAG, False)
    if event.kind is EventKind.acknowledged:
        flags = _with_flag(flags, SUPERSEDED_FLAG, False)
    changes["flags"] = flags
    # The changes are already well-typed (parsed payload models, dates, enums):
    # copying skips revalidating every field of the view on every event.
    return copied(base, changes)


def apply_any(
    view: CaseView | UnresolvedView | None,
    event: Event,
    *,
    status: EntryStatus | EventStatus | str = EntryStatus.applied,
    reason: str | None = None,
    central_seq: int | None = None,
    summarised: bool = True,
) -> CaseView | UnresolvedView:
    """Apply an event to a case or a 办不成事 record, whichever it belongs to.

    A record's events never touch a case and a case's never a record: an event
    of the wrong sort for what the id already holds is recorded as superseded.
    ``summarised``: as for :func:`apply_event` (a record's entries, rare, keep theirs).
    """
    record = isinstance(view, UnresolvedView) or (
        view is None and is_record_event(event.kind, event.payload)
    )
    if record:
        assert not isinstance(view, CaseView)
        return apply_record(view, event, status=status, reason=reason, central_seq=central_seq)
    assert not isinstance(view, UnresolvedView)
    return apply_event(
        view, event, status=status, reason=reason, central_seq=central_seq, summarised=summarised
    )


def fold(events: Iterable[Event | RecordedEvent]) -> CaseView:
    """Rebuild a case from its events in the centre's order.

    Args:
        events: one case's events; a ``RecordedEvent`` brings its status and
            reason, a plain ``Event`` is taken as applied (and judged).

    Returns:
        The case view.

    Raises:
        ValueError: no events, or events of different cases.
    """
    view: CaseView | None = None
    for event in events:
        if isinstance(event, RecordedEvent):
            view = apply_event(view, event, status=event.status, reason=event.reason)
        else:
            view = apply_event(view, event)
    if view is None:
        raise ValueError("no events to fold")
    return view


def rebase(confirmed: Iterable[RecordedEvent], pending: Iterable[Event]) -> CaseView:
    """A station's view: what the centre confirmed, then its own unconfirmed events.

    Args:
        confirmed: the case's events as pulled from the centre, in central order.
        pending: the station's events not yet confirmed, in station_seq order
            (ones already among ``confirmed`` are skipped).

    Returns:
        The case view.
    """
    view: CaseView | None = None
    for recorded in confirmed:
        view = apply_event(view, recorded, status=recorded.status, reason=recorded.reason)
    for event in pending:
        view = apply_event(view, event, status=EntryStatus.pending)
    if view is None:
        raise ValueError("no events to fold")
    return view


def deadline_inputs(
    view: CaseView,
) -> tuple[date | None, int | None, list[tuple[date, date | None]]]:
    """What ``forms.workdays.due_date`` needs for this case.

    Returns:
        ``(start_day, promised_days, pauses)``: the day of acceptance 受理 in
        China (counting starts the next working day; None if not accepted), the
        promised limit in working days, and the stop-the-clock intervals that
        end on or after that day (open ones end None).
    """
    if view.accepted_at is None:
        return None, view.promised_days, []
    start = china_day(view.accepted_at)
    pauses = [(a, b) for a, b in view.pauses if b is None or b >= start]
    return start, view.promised_days, pauses
