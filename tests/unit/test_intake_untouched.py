"""A take-in left as it was opened is not kept as a draft; anything given keeps it."""

from __future__ import annotations

from typing import Any

import pytest

from station.screens.intake_model import IntakeDraft

STARTING = {"id_card": "missing", "hukou": "missing"}


def chosen() -> IntakeDraft:
    draft = IntakeDraft(draft_id="d")
    draft.choose_item("640522-MZ-001", "高龄津贴", STARTING)
    return draft


def test_an_item_chosen_and_nothing_more_is_untouched_and_its_materials_are_its_own() -> None:
    draft = chosen()
    assert draft.untouched() and IntakeDraft(draft_id="e").untouched()
    draft.set_material("id_card", "provided", "")
    assert draft.item_materials == STARTING  # a copy: ticking a material is not undone
    assert not draft.untouched()


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("applicant.name", "王五"),
        ("principal.phone", "13895401122"),
        ("fields.is_urgent", False),  # 否 chosen: an answer (the field starts empty)
        ("fields.household_size", 0),
        ("fields.members[0].name", "王小五"),
    ],
)
def test_anything_typed_or_chosen_keeps_the_draft(path: str, value: Any) -> None:
    draft = chosen()
    draft.set(path, value)
    assert not draft.untouched()


def test_other_answers_keep_it_too_and_an_empty_row_does_not() -> None:
    for change in (
        lambda d: setattr(d, "relation", "relative"),
        lambda d: d.set_material("hukou", "deferred", "2026-12-10"),
        lambda d: setattr(d, "commitment", True),
        lambda d: setattr(d, "residence_division", "640522101000"),
        lambda d: d.attachments.append({"sha256": "ab", "name": "x.pdf"}),
    ):
        draft = chosen()
        change(draft)
        assert not draft.untouched()
    draft = chosen()
    draft.resize_group("members", 2)  # rows added, nothing typed in them
    assert draft.untouched()


def test_a_draft_saved_before_the_item_s_materials_were_kept_is_kept() -> None:
    old = chosen().to_data()
    del old["item_materials"]
    assert not IntakeDraft.from_data("d", old).untouched()  # not known: kept, as before
