"""Offline bundles at the centre: import a station's outbox, write its return bundle.

Import goes through the same idempotent ``apply_events`` path as a push, so a
bundle imported twice (or pushed as well) changes nothing the second time. A
forged, damaged or foreign bundle is refused whole by ``sync.bundle.read_bundle``.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from sqlmodel import Session, col, select

from central.models import Blob, BlobRef, Station
from central.services.blobs import store_blob
from central.services.pull import pull_page
from central.services.push import SchemaRange, apply_events
from central.services.scope import in_scope
from central.services.stations import is_revoked, signing_key
from central.settings import CentralSettings
from sync.bundle import BundleInfo, read_bundle, write_bundle
from sync.errors import BundleError
from sync.events import Event, RecordedEvent
from sync.protocol import MAX_PUSH_EVENTS, BundleImportResult, EventResult, ResultStatus

NOT_OUTBOX = "this is a return bundle; import it at the station"
NOT_IN_SCOPE = "the bundle's station is outside the scope of the station that brought it"
REVOKED = (
    "the bundle comes from a revoked station: an administrator may approve importing it"
    " (daiban central bundle import-revoked)"
)
NOT_REVOKED = (
    "the bundle's station is not revoked: import it as usual (daiban central bundle import)"
)


def import_bundle(
    *,
    session: Session,
    settings: CentralSettings,
    path: Path,
    carrier: Station | None = None,
    approve_revoked: bool = False,
) -> BundleImportResult:
    """Verify and import an outbox bundle.

    Args:
        session: a session.
        settings: the central's settings (secret key, blob directory, schemas).
        path: the bundle file.
        carrier: the station that uploaded it (None at the county's own desk);
            a township may carry its villages' bundles.
        approve_revoked: an administrator approved importing a revoked station's
            bundle (its unsent work; the caller audits the approval). Never over HTTP.

    Returns:
        Per-event results and how many blobs were stored.

    Raises:
        BundleError: refused whole (damaged, forged, unknown or revoked station...).
    """

    def key_for(station_id: str) -> str | None:
        if session.get(Station, station_id) is None:
            return None
        return signing_key(settings.secret_key, station_id)

    bundle = read_bundle(path, key_for)
    if bundle.manifest.direction != "outbox":
        raise BundleError(NOT_OUTBOX)
    station = session.get_one(Station, bundle.manifest.station_id)
    session.commit()
    if is_revoked(station) != approve_revoked:  # (said once the signature is known good)
        raise BundleError(REVOKED if is_revoked(station) else NOT_REVOKED, station.id)
    if carrier is not None and not in_scope(station.division, carrier.division, carrier.role):
        raise BundleError(NOT_IN_SCOPE, carrier.id)
    stored = sum(
        store_blob(
            session=session, station=station, blob_dir=settings.blob_dir, sha256=sha, data=data
        )
        for sha, data in bundle.blobs.items()
    )
    events = [_plain(event) for event in bundle.events]
    schemas = SchemaRange(settings.min_schema_version, settings.max_schema_version)
    results: list[EventResult | None] = [None] * len(events)
    for batch in whole_cases(events, MAX_PUSH_EVENTS):  # short transactions, like pushes
        answers = apply_events(
            session=session,
            station=station,
            events=[events[index] for index in batch],
            schemas=schemas,
            catalog_path=settings.catalog_path,
        )
        for index, result in zip(batch, answers, strict=True):  # one result per event
            results[index] = result
    return BundleImportResult(
        station_id=station.id,
        results=[result for result in results if result is not None],  # in the bundle's order
        blobs_stored=stored,
        station_cursor=bundle.manifest.cursor,
    )


def whole_cases(events: list[Event], limit: int) -> list[list[int]]:
    """A bundle's events (their positions) in batches of at most ``limit``, case by case,
    each case whole in one batch (in the order of its first event, its events in the
    station's order); a case bigger than a batch alone in batches of its own.

    A station that never reaches the centre carries days of work on a stick: each case's
    收件 and, far later in its outbox, its 提交. Cut in the outbox's order, a case spanned
    two batches, and the centre read, rebuilt and wrote it twice (as a push did before
    ``sync.engine.take_cases``)."""
    cases: dict[object, list[int]] = {}
    for index, event in enumerate(events):
        cases.setdefault(event.case_id, []).append(index)
    batches: list[list[int]] = []
    batch: list[int] = []
    for case in cases.values():
        if batch and len(batch) + len(case) > limit:
            batches.append(batch)
            batch = []
        for start in range(0, len(case), limit):  # (one start, unless the case is too big)
            batch.extend(case[start : start + limit])
            if len(batch) >= limit:
                batches.append(batch)
                batch = []
    if batch:
        batches.append(batch)
    return batches


def import_bundle_bytes(
    *, session: Session, settings: CentralSettings, data: bytes, carrier: Station | None = None
) -> BundleImportResult:
    """``import_bundle`` for a bundle received over HTTP (spooled to a temp file)."""
    spool = settings.data_dir / "spool"
    spool.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=spool, suffix=".bundle")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        return import_bundle(session=session, settings=settings, path=Path(name), carrier=carrier)
    finally:
        Path(name).unlink(missing_ok=True)


def write_return_bundle(
    *,
    session: Session,
    settings: CentralSettings,
    station_id: str,
    out: Path,
    answered: BundleImportResult | None = None,
) -> BundleInfo:
    """Write the return bundle for a station: every event of its scope, signed with its key,
    the events of the outbox bundle it answers that were refused (not kept here, so the
    station learns their fate only so), and the station's attachments held here.

    Args:
        session: a session.
        settings: the central's settings.
        station_id: the station.
        out: the file to write.
        answered: the import of the station's outbox bundle this return answers.

    Raises:
        BundleError: the station is unknown here.
        BundleWriteError: ``out`` cannot be written.
    """
    station = session.get(Station, station_id)
    if station is None:
        raise BundleError("the bundle comes from a station that is not known here", station_id)
    events: list[RecordedEvent] = []
    # from where the station's outbox bundle said it was (it holds what came before): a
    # return bundle no longer carries the station's whole history each time
    cursor = (answered.station_cursor or 0) if answered else 0
    more = True
    while more:
        page = pull_page(session=session, station=station, after=cursor)
        events.extend(page.events)
        cursor, more = page.next_cursor, page.has_more
    return write_bundle(
        out,
        station_id=station.id,
        direction="return",
        events=events,
        blob_paths={},
        signing_key=signing_key(settings.secret_key, station.id),
        cursor=cursor,
        rejected=[r for r in answered.results if r.status is ResultStatus.rejected]
        if answered
        else [],
        blobs_held=_blobs_held(session, station),
    )


def _blobs_held(session: Session, station: Station) -> set[str]:
    """The whole attachments held here that the station sent or its cases reference."""
    sent = select(Blob.sha256).where(Blob.uploaded_by == station.id, col(Blob.complete))
    referenced = (
        select(Blob.sha256)
        .join(BlobRef, col(BlobRef.sha256) == col(Blob.sha256))
        .where(BlobRef.division == station.division, col(Blob.complete))
    )
    return set(session.exec(sent)) | set(session.exec(referenced))


def _plain(event: Event | RecordedEvent) -> Event:
    if isinstance(event, RecordedEvent):
        return Event.model_validate(event.model_dump(exclude={"central_seq", "status", "reason"}))
    return event
