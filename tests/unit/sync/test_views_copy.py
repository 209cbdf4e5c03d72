"""A view copied with ``sync.views.copied`` is the copy pydantic's ``model_copy`` makes."""

from __future__ import annotations

from sync.events import EventKind as K
from sync.events import Role
from sync.protocol import EventResult, ResultStatus
from sync.reducer import ORPHAN_FLAG, _orphan, apply_event, fold
from sync.views import CaseView, EntryStatus, constructed, copied

from .factory import CaseWriter

R = Role.reviewer


def _same_copy(a: CaseView, b: CaseView) -> None:
    assert a == b
    assert a.__pydantic_fields_set__ == b.__pydantic_fields_set__
    assert a.model_dump_json() == b.model_dump_json()
    assert a.model_dump_json(exclude_defaults=True) == b.model_dump_json(exclude_defaults=True)


def test_a_copy_is_the_copy_pydantic_makes_and_leaves_the_original_alone() -> None:
    w = CaseWriter()
    view = fold([w.event(K.created), w.event(K.received), w.event(K.submitted)])
    before = view.model_dump_json()
    update = {"version": view.version + 1, "flags": ("superseded",), "officer": "王审核"}
    made = copied(view, update)
    _same_copy(made, view.model_copy(update=update))
    assert made.officer == "王审核" and made.version == view.version + 1
    assert view.model_dump_json() == before  # the original keeps its values
    assert "officer" not in view.__pydantic_fields_set__
    entry = view.history[0]
    moved = copied(entry, {"status": EntryStatus.applied, "central_seq": 7})
    assert moved == entry.model_copy(update={"status": EntryStatus.applied, "central_seq": 7})
    assert moved.__pydantic_fields_set__ == entry.__pydantic_fields_set__


def test_a_case_begun_by_a_later_event_is_the_orphan_the_constructor_makes() -> None:
    w = CaseWriter()
    w.event(K.created)
    accepted = w.event(K.accepted, R, days=1)  # its created event not here yet
    view = _orphan(accepted)
    expected = CaseView(
        case_id=accepted.case_id,
        case_number=accepted.case_number,
        division=accepted.division,
        exists=False,
        station_id=accepted.station_id,
        flags=(ORPHAN_FLAG,),
    )
    _same_copy(view, expected)
    shown = apply_event(None, accepted)  # refused (no case yet), kept on the orphan
    assert shown.exists is False and ORPHAN_FLAG in shown.flags
    assert shown.case_id == accepted.case_id and shown.station_id == accepted.station_id
    assert [entry.status for entry in shown.history] == [EntryStatus.superseded]


def test_a_model_constructed_from_valid_values_is_the_model_pydantic_builds() -> None:
    for values in (
        {"id": "0192-ab", "status": ResultStatus.applied, "reason": None, "central_seq": 7},
        {"id": "x", "status": ResultStatus.superseded, "reason": "案件已受理", "central_seq": None},
    ):
        made = constructed(EventResult, dict(values))
        built = EventResult(**values)
        assert made == built
        assert made.__pydantic_fields_set__ == built.__pydantic_fields_set__
        assert made.model_dump_json() == built.model_dump_json()
        assert made.model_dump_json(exclude_none=True) == built.model_dump_json(exclude_none=True)
