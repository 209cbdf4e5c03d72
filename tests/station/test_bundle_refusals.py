"""A return bundle says which of our events the centre refused: the station records their
fate as a push's answer would, says why, and taking the bundle in again changes nothing."""

from __future__ import annotations

from pathlib import Path

from station.services.bundles import import_return
from station.store import StationStore
from sync.bundle import write_bundle
from sync.protocol import EventResult, ResultStatus
from tests.station.cases_seed import take_in

REASON = "not allowed while the case is completed"


def test_a_refused_event_is_recorded_said_in_words_and_not_again(
    store: StationStore, tmp_path: Path
) -> None:
    take_in(store)
    identity = store.require_identity()
    pending = store.outbox_batch(10, 1 << 20)
    refused = pending[-1]
    back = tmp_path / "return.daiban-bundle"
    write_bundle(
        back,
        station_id=identity.station_id,
        direction="return",
        events=[],
        blob_paths={},
        signing_key=identity.signing_key,
        rejected=[EventResult(id=str(refused.id), status=ResultStatus.rejected, reason=REASON)],
    )

    first = import_return(store, back)

    assert first.refused == [("rejected", REASON, 1)] and first.renumbered == 0
    assert [e.id for e in store.outbox_batch(10, 1 << 20)] == [e.id for e in pending[:-1]]
    again = import_return(store, back)  # taken in twice: nothing said or done again
    assert again.refused == [] and again.renumbered == 0
    assert len(store.outbox_batch(10, 1 << 20)) == len(pending) - 1
