"""Offline sync at the station: the outbox onto a USB stick, the centre's answer back.

The same idempotent paths as online sync: an outbox bundle carries the events
``outbox_batch`` would push; a return bundle is applied like a pull page, and the
fates of our events it brings (refused, or a case number already taken at the
centre) are handled as a push's answer is (``sync.engine``).
"""

from __future__ import annotations

import json
import zlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from uuid import UUID

from forms.clock import to_utc
from station.services.syncing import submit_received
from station.store import StationStore
from station.store import meta as store_meta
from station.store.db import reading, writing
from sync.bundle import (
    DAMAGED,
    FOREIGN_STATION,
    OTHER_STATION,
    SUFFIX,
    Bundle,
    BundleInfo,
    check_writable,
    read_bundle,
    write_bundle,
)
from sync.errors import BundleError
from sync.events import Event, RecordedEvent
from sync.lock import sync_lock
from sync.protocol import CASE_NUMBER_TAKEN, EventResult, PullResponse

MAX_BUNDLE_EVENTS = 1_000_000
"""More unsent events than this go in a second bundle."""
WRONG_DIRECTION = "this is not a return bundle for this station"
OWN_OUTBOX = (
    "this is this station's own outbox bundle: take it to the county to import; the return"
    " bundle is the one the county writes back"
)
MAX_RENUMBERS = 20
"""Times one case is renumbered at one import (each new number held at the centre too)."""


@dataclass(frozen=True)
class ReturnImport:
    """What a return bundle brought."""

    events: int
    cursor: int
    new: int = 0
    """The events not held here before (a bundle taken in twice brings none the second time)."""
    renumbered: int = 0
    """Our cases renumbered: the centre refused their number (it holds another case with it)."""
    refused: list[tuple[str, str, int]] = field(default_factory=list)
    """Our events newly learnt superseded or rejected: (status, English reason, count)."""
    blobs_confirmed: int = 0
    """Our attachments the centre holds now, no longer carried in the next bundle."""
    seen_before: bool = False
    """This very bundle (its manifest's moment) was taken in here before."""

    @property
    def taken_before(self) -> bool:
        """The bundle was taken in before and changed nothing now (a new bundle with no news
        is not one: it is said as taken in, 0 new)."""
        return self.seen_before and not (
            self.new or self.renumbered or self.refused or self.blobs_confirmed
        )


def result_lines(result: ReturnImport) -> list[str]:
    """What a return bundle did beyond its counts, as the agent reads it (desk and command
    line): own events refused or superseded, with their reasons; cases renumbered."""
    from station.services import _
    from station.services.desksync import renumbered_text
    from sync.messages import translate_reason

    names = {"superseded": _("superseded"), "rejected": _("refused")}
    lines = [
        "  "
        + _("{status} {count}: {reason}").format(
            status=names.get(status, status), count=count, reason=translate_reason(reason) or "-"
        )
        for status, reason, count in result.refused
    ]
    if result.renumbered:
        lines.append(renumbered_text(result.renumbered))
    return lines


def outbox_path(folder: Path, division: str, now: datetime) -> Path:
    """Where a station's outbox bundle goes in ``folder`` (a USB stick's): named by its
    village and the moment it was written (China time), so several on one stick sort by
    time and never overwrite one another."""
    return folder / f"outbox-{division}-{now:%Y%m%d-%H%M%S}{SUFFIX}"


def export_outbox(store: StationStore, path: Path) -> BundleInfo:
    """Write every unsent event (and the attachments not yet uploaded) to a signed bundle.

    Args:
        store: this station's store.
        path: the bundle file (e.g. on the USB stick).

    Returns:
        What was written.

    Raises:
        BundleWriteError: ``path`` cannot be written (checked before anything changes).
    """
    identity = store.require_identity()
    check_writable(path)  # before the cases move on: a failed export changes nothing
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
    """Apply the centre's return bundle: decisions, and our events' fates.

    Each step is idempotent, so a bundle taken in again (or after a crash part-way)
    changes nothing twice: a case whose number the centre refused is renumbered
    while its number is still another case's in the bundle (its events stay pending
    and go in the next bundle); the events are applied as a pull page (one
    transaction); our other refused events are acknowledged; attachments the centre
    holds are no longer carried.

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
        raise BundleError(OWN_OUTBOX, bundle.manifest.direction)  # (signed with our key)
    recorded = [e for e in bundle.events if isinstance(e, RecordedEvent)]
    cursor = max(store.pull_cursor(), bundle.manifest.cursor or 0)
    with sync_lock(store.data_dir):
        pending = {e.id: e for e in store.outbox_batch(MAX_BUNDLE_EVENTS, 1 << 40)}
        renumbered = _renumber_taken(store, bundle, recorded, pending)
        held = store.already_held(recorded)
        refused = _superseded_news(store, identity.station_id, recorded)
        store.apply_pull_page(PullResponse(events=recorded, next_cursor=cursor, has_more=False))
        rejected = [
            r
            for r in bundle.manifest.rejected
            if r.reason != CASE_NUMBER_TAKEN and UUID(r.id) in pending
        ]
        store.acknowledge(rejected)  # as a push's answer (CASE_NUMBER_TAKEN: renumbered)
        refused += _counted("rejected", rejected)
        confirmed = _confirm_blobs(store, bundle.manifest.blobs_held)
        if store.restored_from() is not None:  # the centre's numbers are here now, as a sync
            store.mark_restored(None)  # would bring them: the restore warning goes
        seen = _note_taken(store, bundle.manifest.created_at.isoformat())
    return ReturnImport(
        events=len(recorded),
        cursor=cursor,
        new=len(recorded) - held,
        renumbered=renumbered,
        refused=refused,
        blobs_confirmed=confirmed,
        seen_before=seen,
    )


TAKEN_KEY = "return_bundles_taken"
"""station_meta: the moments (manifest ``created_at``) of the last return bundles taken in."""
TAKEN_KEPT = 50


def last_return_made(store: StationStore) -> datetime | None:
    """When the centre made the newest return bundle taken in here (the centre's word as
    of then: a station that syncs by USB stick alone had 上次同步 从未 for ever), or None."""
    with reading(store.engine) as conn:
        taken: list[str] = json.loads(store_meta.get(conn, TAKEN_KEY) or "[]")
    return max((to_utc(datetime.fromisoformat(made)) for made in taken), default=None)


def _note_taken(store: StationStore, made: str) -> bool:
    """Note a return bundle as taken in; whether it was before."""
    with writing(store.engine) as conn:
        taken: list[str] = json.loads(store_meta.get(conn, TAKEN_KEY) or "[]")
        if made in taken:
            return True
        store_meta.put(conn, TAKEN_KEY, json.dumps([*taken, made][-TAKEN_KEPT:]))
    return False


def _renumber_taken(
    store: StationStore,
    bundle: Bundle,
    recorded: list[RecordedEvent],
    pending: dict[UUID, Event],
) -> int:
    """Renumber our cases whose events the centre refused for their number, while the
    number is still another case's in the bundle (so not again when the bundle is
    taken in twice). Like ``sync.engine._renumber_taken``; the events stay pending.

    Returns:
        How many cases were renumbered.
    """
    taken = {UUID(r.id) for r in bundle.manifest.rejected if r.reason == CASE_NUMBER_TAKEN}
    owners = {e.case_number: e.case_id for e in recorded}
    numbers = {e.case_id: e.case_number for e in pending.values() if e.id in taken}
    cases = 0

    def owner(number: str) -> UUID | None:  # in the bundle, else pulled here before
        if number in owners:
            return owners[number]
        held = store.get_case(number)
        return held.case_id if held is not None else None

    for case_id, number in numbers.items():
        tries = 0
        while (owner(number) or case_id) != case_id and tries < MAX_RENUMBERS:
            number = store.renumber_case(case_id)  # noted: the desk asks for a new receipt
            tries += 1
        cases += bool(tries)
    return cases


def _superseded_news(
    store: StationStore, station_id: str, recorded: list[RecordedEvent]
) -> list[tuple[str, str, int]]:
    """Our events the bundle says were superseded that this station did not know so yet
    (call before applying it), counted by reason."""
    by_reason: dict[str, list[RecordedEvent]] = {}
    for event in recorded:
        if event.station_id == station_id and event.status.value == "superseded":
            by_reason.setdefault(event.reason or "", []).append(event)
    news = [
        ("superseded", reason, len(events) - store.already_held(events))
        for reason, events in sorted(by_reason.items())
    ]
    return [one for one in news if one[2]]


def _counted(status: str, results: list[EventResult]) -> list[tuple[str, str, int]]:
    counts = Counter(r.reason or "" for r in results)
    return [(status, reason, count) for reason, count in sorted(counts.items())]


def _confirm_blobs(store: StationStore, held: list[str]) -> int:
    """Mark our attachments the centre holds as sent (the next bundle leaves them out)."""
    if not held:
        return 0
    wanted = set(held)
    waiting = [ref.sha256 for ref in store.pending_blobs(1 << 30) if ref.sha256 in wanted]
    for sha256 in waiting:
        store.mark_blob_uploaded(sha256)
    return len(waiting)
