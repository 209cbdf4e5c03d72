"""A view applied without its entries' summaries (``apply_event(summarised=False)``) is the
view applied with them, the summaries aside: what each end stores of it is the same."""

from __future__ import annotations

from central.models import stored_view
from sync.events import EventKind as K
from sync.events import Role
from sync.reducer import apply_event, entry_summary
from sync.views import CaseView, EntryStatus

from .factory import CaseWriter

R = Role.reviewer


def _both(events: list, **options: object) -> tuple[CaseView, CaseView]:
    full = lean = None
    for event in events:
        full = apply_event(full, event, **options)
        lean = apply_event(lean, event, summarised=False, **options)
    assert full is not None and lean is not None
    return full, lean


def test_without_summaries_a_case_is_the_same_case_but_for_them() -> None:
    w = CaseWriter()
    events = [
        w.event(K.created),
        w.event(K.received),
        w.event(K.submitted),
        w.event(K.accepted, R),
        w.event(K.paused, R),
        w.event(K.resumed, R),
        w.event(K.submitted),  # not allowed now: superseded, with its reason
    ]
    full, lean = _both(events)
    assert [e.summary for e in full.history][0]["applicant"] == "马兰花"
    assert all(entry.summary == {} for entry in lean.history)
    assert full.history[-1].status is EntryStatus.superseded
    unsummarised = tuple(e.model_copy(update={"summary": {}}) for e in full.history)
    assert lean == full.model_copy(update={"history": unsummarised})
    assert stored_view(lean) == stored_view(full)  # the centre's stored text
    for entry, event in zip(full.history, events, strict=True):
        assert entry.summary == entry_summary(event.payload)


def test_pending_entries_without_summaries_keep_their_status_and_reason() -> None:
    w = CaseWriter()
    events = [w.event(K.created), w.event(K.received), w.event(K.accepted, R)]
    full, lean = _both(events, status=EntryStatus.pending)
    assert [(e.status, e.reason) for e in lean.history] == [
        (e.status, e.reason) for e in full.history
    ]
    assert lean.history[-1].reason  # not allowed from received: the reason is kept
