"""Offline sync at the station: the outbox onto a USB stick, the centre's answer back.

The same idempotent paths as online sync: an outbox bundle carries the events
``outbox_batch`` would push; a return bundle is applied like a pull page.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from pathlib import Path

from station.services.syncing import submit_received
from station.store import StationStore
from sync.bundle import (
    DAMAGED,
    FOREIGN_STATION,
    OTHER_STATION,
    BundleInfo,
    read_bundle,
    write_bundle,
)
from sync.errors import BundleError
from sync.events import RecordedEvent
from sync.lock import sync_lock
from sync.protocol import PullResponse

MAX_BUNDLE_EVENTS = 1_000_000
"""More unsent events than this go in a second bundle."""
WRONG_DIRECTION = "this is not a return bundle for this station"


@dataclass(frozen=True)
class ReturnImport:
    """What a return bundle brought."""

    events: int
    cursor: int
    new: int = 0
    """The events not held here before (a bundle taken in twice brings none the second time)."""


def export_outbox(store: StationStore, path: Path) -> BundleInfo:
    """Write every unsent event (and the attachments not yet uploaded) to a signed bundle.

    Args:
        store: this station's store.
        path: the bundle file (e.g. on the USB stick).

    Returns:
        What was written.
    """
    identity = store.require_identity()
    submit_received(store)  # taken-in cases go with this "sync" too
    events = store.outbox_batch(MAX_BUNDLE_EVENTS, 1 << 40)
    blobs = {
        ref.sha256: store.blob_path(ref.sha256)
        for ref in store.pending_blobs(10_000)
        if store.blob_path(ref.sha256).exists()
    }
    return write_bundle(
        path,
        station_id=identity.station_id,
        direction="outbox",
        events=events,
        blob_paths=blobs,
        signing_key=identity.signing_key,
        cursor=store.pull_cursor(),
    )


def import_return(store: StationStore, path: Path) -> ReturnImport:
    """Apply the centre's return bundle (decisions and our events' fates) in one transaction.

    Raises:
        BundleError: damaged, forged, for another station or not a return bundle
            (refused whole; nothing applied).
    """
    identity = store.require_identity()

    def key_for(station_id: str) -> str | None:
        return identity.signing_key if station_id == identity.station_id else None

    try:
        bundle = read_bundle(path, key_for)
    except zlib.error as error:  # a corrupt deflate stream escapes sync.bundle's checks
        raise BundleError(DAMAGED, str(error)) from None
    except BundleError as error:
        if error.reason == FOREIGN_STATION:  # a station knows its own key alone: any other
            # station's bundle (its outbox, or a return meant for it) is that station's
            raise BundleError(OTHER_STATION, error.detail) from None
        raise
    if bundle.manifest.direction != "return":
        raise BundleError(WRONG_DIRECTION, bundle.manifest.direction)
    recorded = [e for e in bundle.events if isinstance(e, RecordedEvent)]
    cursor = max(store.pull_cursor(), bundle.manifest.cursor or 0)
    with sync_lock(store.data_dir):
        held = store.already_held(recorded)
        store.apply_pull_page(PullResponse(events=recorded, next_cursor=cursor, has_more=False))
    return ReturnImport(events=len(recorded), cursor=cursor, new=len(recorded) - held)
