"""Properties of the reducer over random event sequences drawn from the transition table."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from sync.events import Event, EventKind, EventStatus, RecordedEvent, Role
from sync.lifecycle import TRANSITIONS, CaseState, allowed_kinds
from sync.reducer import CaseView, EntryStatus, apply_event, fold, judge, rebase

from .factory import CaseWriter, recorded

KINDS = list(EventKind)
ROLES = list(Role)
INVALID: dict[EventKind, dict[str, Any]] = {
    EventKind.returned: {"reason": ""},
    EventKind.rated: {"rating": 9},
    EventKind.completed: {"result": "maybe"},
    EventKind.forwarded: {},
}


@st.composite
def case_events(draw: st.DrawFn, *, valid_only: bool = False) -> list[Event]:
    """A case's events: mostly allowed moves, with random (often disallowed) ones mixed in."""
    writer = CaseWriter()
    events = [writer.event(EventKind.created)] if draw(st.booleans()) or valid_only else []
    state = CaseState.draft
    rating: int | None = None
    delivered = False
    for _ in range(draw(st.integers(0, 14))):
        moves = [(k, r) for r in ROLES for k in allowed_kinds(state, r)]
        if valid_only:  # the rules on the case's data: one rating, corrected from the saved
            # one; one 送达 (a refused case stays refused once its notice is handed over)
            skip = {EventKind.rated if rating is not None else EventKind.rating_corrected}
            skip |= {EventKind.handed_over} if delivered else set()
            moves = [(k, r) for k, r in moves if k not in skip]
        if moves and (valid_only or draw(st.integers(0, 3)) > 0):
            kind, role = draw(st.sampled_from(moves))
        elif valid_only:
            break
        else:
            kind, role = draw(st.sampled_from(KINDS)), draw(st.sampled_from(ROLES))
        payload = None
        if valid_only and kind is EventKind.rating_corrected:
            new = 1 if rating != 1 else 2
            payload = {"old": rating, "new": new, "why": "居民更正", "reason": "等太久"}
        if not valid_only and kind in INVALID and draw(st.integers(0, 4)) == 0:
            payload = INVALID[kind]
        events.append(writer.event(kind, role, payload, days=draw(st.integers(0, 3))))
        if valid_only:
            folded = fold(events)
            state, rating = folded.state, folded.rating
            delivered = folded.delivered_at is not None
    if not events:
        events.append(writer.event(EventKind.created))
    return events


def centre(events: list[Event]) -> tuple[CaseView, list[RecordedEvent]]:
    """What the centre does: judge each event against what it holds, apply, record."""
    view: CaseView | None = None
    held: list[RecordedEvent] = []
    for seq, event in enumerate(events, start=1):
        status, reason = judge(view, event)
        view = apply_event(view, event, status=status, reason=reason, central_seq=seq)
        held.append(recorded(event, seq, status.value, reason))
    assert view is not None
    return view, held


@settings(max_examples=150, deadline=None)
@given(case_events(), st.data())
def test_station_and_centre_agree(events: list[Event], data: st.DataObject) -> None:
    at_centre, held = centre(events)
    assert fold(held) == at_centre
    # the station applies pulled pages one by one, possibly seeing some events twice
    cut = data.draw(st.integers(0, len(held)))
    view = fold(held[: max(cut, 1)])
    for event in held[max(cut - 2, 0) :]:
        view = apply_event(view, event, status=event.status, reason=event.reason)
    assert view == at_centre


@settings(max_examples=150, deadline=None)
@given(case_events(), st.data())
def test_replaying_any_prefix_is_harmless(events: list[Event], data: st.DataObject) -> None:
    _, held = centre(events)
    final = fold(held)
    prefix = held[: data.draw(st.integers(1, len(held)))]
    assert fold([*held, *prefix]) == final
    for event in prefix:
        assert apply_event(final, event, status=EventStatus.applied) is final


@settings(max_examples=150, deadline=None)
@given(case_events())
def test_superseded_events_change_no_state_or_data(events: list[Event]) -> None:
    _, held = centre(events)
    view: CaseView | None = None
    for event in held:
        before = view
        view = apply_event(view, event, status=event.status, reason=event.reason)
        if event.status is EventStatus.superseded and before is not None:
            ignore = {"history", "flags", "last_reason"}
            assert view.model_dump(exclude=ignore) == before.model_dump(exclude=ignore)
            assert "superseded" in view.flags
    assert view is not None
    applied = [h for h in view.history if h.status is EntryStatus.applied]
    assert view.version == len(applied)
    assert len(view.history) == len(held)


@settings(max_examples=100, deadline=None)
@given(case_events(valid_only=True))
def test_moves_from_the_table_are_all_applied(events: list[Event]) -> None:
    view, held = centre(events)
    assert all(e.status is EventStatus.applied for e in held)
    assert view.version == len(events)
    assert "superseded" not in view.flags


def test_every_table_move_is_reachable_by_the_generator() -> None:
    # a guard for the strategy above: each source state is reachable from draft
    reachable = {CaseState.draft}
    changed = True
    while changed:
        changed = False
        for t in TRANSITIONS:
            if t.source in reachable and t.target is not None and t.target not in reachable:
                reachable.add(t.target)
                changed = True
    assert {t.source for t in TRANSITIONS} <= reachable


@settings(max_examples=150, deadline=None)
@given(case_events(), st.data())
def test_the_station_optimistic_view_matches_the_centre_once_confirmed(
    events: list[Event], data: st.DataObject
) -> None:
    """Confirmed prefix + own pending rest shows the same case as the centre will."""
    at_centre, held = centre(events)
    k = data.draw(st.integers(0, len(events)))
    if k == 0 and events[0].kind is not EventKind.created:
        k = 1
    optimistic = rebase(held[:k], events[k:]) if k else rebase([], events)
    volatile = {"history", "flags", "last_reason"}
    assert optimistic.model_dump(exclude=volatile) == at_centre.model_dump(exclude=volatile)
    assert rebase(held, events) == at_centre  # once confirmed, pending duplicates vanish


@settings(max_examples=100, deadline=None)
@given(case_events())
def test_a_view_survives_a_json_round_trip(events: list[Event]) -> None:
    """The centre and the station store views as JSON and read them back."""
    view, _ = centre(events)
    assert CaseView.model_validate_json(view.model_dump_json()) == view
