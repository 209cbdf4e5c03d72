"""The audit's canonical event body is the same text, byte for byte, however it is made.

Every link of the audit chain hashes it: a push writes the digest, ``daiban central audit``
recomputes it from the stored row years later. ``canonical_body`` writes it column by
column for speed; the definition is the JSON encoder's output for the whole body as a dict
(``_reference`` below, what the chain has always hashed). Any difference, for any value a
row can hold, would break every chain written since.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from enum import StrEnum
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from central.services import audit
from central.services.push import _event_row
from sync.events import EventKind, Role
from tests.unit.sync.factory import VALID_PAYLOADS, CaseWriter


def _reference(row: dict[str, Any]) -> str:
    body = {column: audit._plain(row[column]) for column in audit.CHAINED_COLUMNS}
    return audit._CANONICAL.encode(body)


class _Kind(StrEnum):
    created = "created"


_TEXT = st.text(st.characters(codec="utf-8"), max_size=40)  # quotes, controls, 中文, emoji
_SCALARS = st.one_of(
    _TEXT,
    st.integers(min_value=-(2**70), max_value=2**70),
    st.none(),
    st.booleans(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.uuids(),
    st.datetimes(timezones=st.sampled_from([None, UTC, timezone(timedelta(hours=8))])),
    st.just(_Kind.created),
)
_JSON = st.recursive(
    st.one_of(_TEXT, st.integers(), st.none(), st.booleans(), st.floats(allow_nan=False)),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(_TEXT, children, max_size=4),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(st.fixed_dictionaries({c: st.one_of(_SCALARS, _JSON) for c in audit.CHAINED_COLUMNS}))
def test_any_row_is_written_as_the_encoder_writes_it(row: dict[str, Any]) -> None:
    assert audit.canonical_body(row) == _reference(row)


def test_every_kind_of_event_is_written_as_the_encoder_writes_it() -> None:
    writer = CaseWriter(start=datetime(2026, 12, 2, 1, 30, tzinfo=timezone(timedelta(hours=8))))
    for kind, payload in VALID_PAYLOADS.items():
        row = _event_row(writer.event(kind, Role.agent, payload))
        assert audit.canonical_body(row) == _reference(row), kind
        assert audit.body_digest(row) == audit.hashlib.sha256(_reference(row).encode()).hexdigest()


def test_a_row_read_back_from_the_database_is_written_as_the_encoder_writes_it() -> None:
    # the forms the event table gives back: UUID ids, an aware UTC time, the payload parsed
    row = _event_row(CaseWriter().event(EventKind.created))
    row |= {"device_time": datetime(2026, 12, 1, 16, 30, tzinfo=UTC), "actor_id": "张三-01"}
    text = audit.canonical_body(row)
    assert text == _reference(row)
    assert '"device_time":"2026-12-01T16:30:00+00:00"' in text and '"actor_id":"张三-01"' in text


_TEXT_COLUMNS = ("actor_id", "actor_role", "case_number", "division", "kind", "station_id")
_PUSHED_ROW = st.fixed_dictionaries(
    {
        "id": st.uuids(),
        "case_id": st.uuids(),
        "device_time": st.datetimes(timezones=st.just(UTC)),
        "schema_version": st.integers(),
        "station_seq": st.integers(min_value=-(2**70), max_value=2**70),
        "base_version": st.integers(),
        "payload": st.dictionaries(_TEXT, _JSON, max_size=5),
        **{name: _TEXT | st.just(_Kind.created) for name in _TEXT_COLUMNS},
    }
)
"""Rows of the types a pushed event's row holds (what ``canonical_body`` writes in one
format string), with any values."""


@settings(max_examples=300, deadline=None)
@given(_PUSHED_ROW)
def test_a_pushed_events_row_is_written_as_the_encoder_writes_it(row: dict[str, Any]) -> None:
    assert audit._common_body(row) is not None  # the one-format path, not column by column
    assert audit.canonical_body(row) == _reference(row)


@settings(max_examples=300, deadline=None)
@given(
    _PUSHED_ROW,
    st.sampled_from([*_TEXT_COLUMNS, "id", "case_id", "device_time", "base_version", "payload"]),
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.uuids().map(str),
        st.lists(_TEXT, max_size=2),
        st.datetimes(timezones=st.sampled_from([None, timezone(timedelta(hours=8))])),
    ),
)
def test_a_row_with_one_unusual_column_is_written_as_the_encoder_writes_it(
    row: dict[str, Any], column: str, value: Any
) -> None:
    row[column] = value  # None or a number in a text column, a bool as a number, a local time
    assert audit.canonical_body(row) == _reference(row)


_CHINA = timezone(timedelta(hours=8))


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("device_time", datetime(2026, 12, 2, 9, 30, tzinfo=_CHINA)),  # written as UTC
        ("device_time", datetime(2026, 12, 2, 9, 30)),
        ("base_version", True),  # true, not 1
        ("station_seq", None),
        ("actor_id", None),
        ("case_id", "0190a6e2-0000-7000-8000-000000000001"),
        ("payload", ["a"]),
    ],
)
def test_each_unusual_column_is_written_as_the_encoder_writes_it(column: str, value: Any) -> None:
    row = _event_row(CaseWriter().event(EventKind.created))
    assert audit._common_body(row) is not None
    row[column] = value
    assert audit.canonical_body(row) == _reference(row)
