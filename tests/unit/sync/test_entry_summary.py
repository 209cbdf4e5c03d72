"""A history entry's summary of a payload is the same however it is worked out.

``entry_summary`` takes the plain scalars of a payload by a short way (a created payload
is mostly those); this holds it to the rule written out branch by branch (``_reference``,
the summary every stored view has always held), for any payload.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from sync.progress import PAYLOAD_KEY
from sync.reducer import _changes, entry_summary
from tests.unit.sync.factory import VALID_PAYLOADS


def _reference(payload: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in payload.items():
        if key == PAYLOAD_KEY:
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


class _Level(StrEnum):
    township = "township"


_KEYS = st.sampled_from(
    [PAYLOAD_KEY, "changes", "applicant", "principal", "fields", "supply_by", "attachments"]
) | st.text(max_size=8)
_LEAF = st.one_of(
    st.text(max_size=6),
    st.integers(),
    st.floats(allow_nan=False),
    st.booleans(),
    st.none(),
    st.just(_Level.township),
)
_VALUE = st.recursive(
    _LEAF,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=8,
)


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(_KEYS, _VALUE, max_size=8))
def test_any_payload_is_summed_up_as_the_rule_says(payload: dict[str, Any]) -> None:
    summary = entry_summary(payload)
    assert summary == _reference(payload)
    assert list(summary) == list(_reference(payload))  # in the payload's order
    assert all(type(summary[k]) is type(v) for k, v in _reference(payload).items())


def test_every_kind_of_payload_is_summed_up_as_the_rule_says() -> None:
    for payload in VALID_PAYLOADS.values():
        assert entry_summary(payload) == _reference(payload)
