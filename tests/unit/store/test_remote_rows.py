"""Pulled events as stored: every column as the centre sent it, the payload as JSON text."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic_core import to_json
from sqlalchemy import text

from station.services.cases import CaseService
from station.store import StationStore, eventlog
from station.store.db import reading
from sync.events import EventStatus, RecordedEvent
from sync.protocol import PullResponse, StationRole
from tests.unit.store.conftest import application, identity


def _from_another_village(service: CaseService, store: StationStore) -> list[RecordedEvent]:
    """A case taken in at another station, as the centre would send it back (numbered)."""
    service.take_in(application("杨秀英"))
    events = store.outbox_batch(200, 1 << 20)
    pulled = [
        RecordedEvent(**event.model_dump(), central_seq=seq) for seq, event in enumerate(events, 1)
    ]
    pulled[-1] = pulled[-1].model_copy(
        update={
            "status": EventStatus.superseded,
            "reason": "案件已受理，不能再改",
            "payload": {**pulled[-1].payload, "note": "“引号” \\ 反斜杠", "ratio": 0.1, "n": None},
        }
    )
    return pulled


def test_a_pulled_event_is_stored_column_for_column_as_sent(
    service: CaseService, store: StationStore, tmp_path: Path
) -> None:
    pulled = _from_another_village(service, store)
    other = StationStore.open(tmp_path / "township")
    try:
        other.save_identity(identity(StationRole.township))
        page = PullResponse(events=[*pulled, pulled[0]], next_cursor=len(pulled), has_more=False)
        other.apply_pull_page(page)  # the first event twice in one page
        other.apply_pull_page(page)  # and the page again
        with reading(other.engine) as conn:
            rows = conn.execute(
                text("SELECT *, typeof(payload) AS payload_type FROM events ORDER BY local_order")
            ).all()
    finally:
        other.close()
    assert len(rows) == len(pulled)
    for row, event in zip(rows, pulled, strict=True):
        assert row._mapping["payload_type"] == "text"
        assert json.loads(row.payload) == event.payload
        assert row.payload == to_json(event.payload).decode()
        assert (row.id, row.case_id) == (event.id.hex, event.case_id.hex)
        assert (row.case_number, row.division, row.kind) == (
            event.case_number,
            event.division,
            event.kind.value,
        )
        assert (row.station_id, row.station_seq, row.actor_id, row.actor_role) == (
            event.station_id,
            event.station_seq,
            event.actor_id,
            event.actor_role.value,
        )
        assert (row.schema_version, row.base_version) == (event.schema_version, event.base_version)
        assert row.device_time == event.device_time.isoformat()
        assert (row.central_seq, row.status, row.reason) == (
            event.central_seq,
            event.status.value,
            event.reason,
        )
        assert (row.acked_at, row.origin) == (None, "remote")
    assert [row.local_order for row in rows] == list(range(1, len(pulled) + 1))
    assert len(rows[0]) - 1 == len(eventlog.remote_values(pulled[0], "", 1))  # every column
    assert rows[-1].reason == "案件已受理，不能再改"
    assert json.loads(rows[-1].payload)["note"] == "“引号” \\ 反斜杠"
