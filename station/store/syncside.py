"""The store's side of sync: outbox, acknowledgements, pull pages, runs and the blob queue.

These methods implement ``sync.engine.SyncStore``. Each is one local
transaction, so a crash at any point leaves either the state before or after.
"""

from __future__ import annotations

import json
import os
import signal
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID

from sqlalchemy import Engine, func, insert, or_, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from forms.clock import utc_now
from station.store import eventlog, meta, projection
from station.store.db import among, reading, writing
from station.store.models import Renumbered, StationIdentity, SyncRecord
from station.store.pull import PageOutcome, apply_page
from station.store.tables import BLOBS, CASES, EVENTS, SYNC_RUNS
from sync.blobs import BlobRef, blob_path
from sync.engine import SyncReport, take_cases
from sync.events import Event, RecordedEvent
from sync.ids import case_number as make_case_number
from sync.protocol import PUSH_BATCH_BYTES, PUSH_BATCH_EVENTS, EventResult, PullResponse

FAULT_ENV = "DAIBAN_FAULT"
"""TEST-ONLY fault injection. ``DAIBAN_FAULT=<point>`` or ``<point>:<n>`` makes
the process kill itself (SIGKILL) the n-th time (default: the first) it passes
that point, so the e2e tests can prove a crash anywhere loses nothing.
Points: ``before_push`` (before a batch is read and sent), ``after_push_commit``
(the centre committed a batch, its answer not yet stored), ``mid_pull_page``
(a pull page applied but not committed). Never set outside tests."""

_fault_hits: dict[str, int] = {}

QUIET_RUN_EVERY = timedelta(seconds=60)
"""A no-change sync is recorded at most this often (see ``record_sync``)."""


def fault_point(name: str) -> None:
    """Die here, hard, if the test-only ``DAIBAN_FAULT`` names this point (and hit count)."""
    wanted = os.environ.get(FAULT_ENV)
    if not wanted or wanted.split(":")[0] != name:
        return
    _fault_hits[name] = _fault_hits.get(name, 0) + 1
    target = int(wanted.split(":")[1]) if ":" in wanted else 1
    if _fault_hits[name] == target:
        os.kill(os.getpid(), signal.SIGKILL)


def _now() -> str:
    return utc_now().isoformat()


class SyncSideMixin:
    """Outbox, acknowledgements, pull pages, sync runs and blobs."""

    engine: Engine
    data_dir: Path
    last_page: PageOutcome | None = None
    """What the latest ``apply_pull_page`` did (counts for the caller)."""
    _held: projection.HeldViews | None = None
    """Views the current pull's pages hold (``apply_pull_page``)."""

    def require_identity(self) -> StationIdentity:  # pragma: no cover - provided by the store
        raise NotImplementedError

    def pull_cursor(self) -> int:
        """The centre's sequence number this station has pulled up to."""
        with reading(self.engine) as conn:
            return int(meta.get(conn, meta.PULL_CURSOR) or 0)

    def outbox_batch(
        self, limit: int = PUSH_BATCH_EVENTS, max_bytes: int = PUSH_BATCH_BYTES, after: int = 0
    ) -> list[Event]:
        """The next events to push (numbered above ``after``), in station_seq order, within
        the batch limits."""
        fault_point("before_push")
        identity = self.require_identity()
        with reading(self.engine) as conn:
            rows = eventlog.outbox_rows(conn, identity.station_id, limit, after)
        # Sized from the stored payloads (no serialising each event to measure it).
        batch: list[Event] = []
        size = 0
        for row in rows:
            size += eventlog.row_bytes(row)
            if batch and (len(batch) >= limit or size > max_bytes):
                break
            batch.append(eventlog.to_event(row))
        return batch

    def outbox_cases(
        self, limit: int, max_bytes: int, after: int = 0, skip: frozenset[UUID] = frozenset()
    ) -> tuple[list[Event], int]:
        """The outbox's next batch of whole cases (``sync.engine.SyncStore.outbox_cases``):
        the next ``limit`` events numbered above ``after``, and every later event of their
        cases, taken case by case (``take_cases``); one read transaction."""
        fault_point("before_push")
        identity = self.require_identity()
        skipped = {event_id.hex for event_id in skip}  # stored ids: 32 hex characters
        with reading(self.engine) as conn:
            window = eventlog.outbox_rows(conn, identity.station_id, limit + 1, after)
            more = len(window) > limit  # (the row after the window says whether any follow)
            window = window[:limit]
            cases = list(dict.fromkeys(row.case_id for row in window if row.id not in skipped))
            tails = (  # none beyond a window that holds the rest of the outbox (a sync of
                # a few cases, the 9 a.m. wave's: no second statement)
                eventlog.outbox_tails(conn, identity.station_id, cases, window[-1].station_seq)
                if cases and more
                else []
            )
        rows, cursor = take_cases(
            window,
            tails,
            limit=limit,
            max_bytes=max_bytes,
            skip=skipped,
            size=eventlog.row_bytes,
            after=after,
        )
        return [eventlog.to_event(row) for row in rows], cursor

    def acknowledge(self, results: list[EventResult]) -> None:
        """Store the centre's per-event answer (idempotent; never moves an event back)."""
        fault_point("after_push_commit")
        with writing(self.engine) as conn:
            projection.refold_many(conn, eventlog.acknowledge(conn, results))

    def renumber_case(self, case_id: UUID) -> str:
        """Give a case the centre refused for its number (another case holds it) the next
        number of its day, on every event not yet sent; the next push sends them again.

        Returns:
            The case's new number.
        """
        from station.store import _take_case_numbers  # the one place numbers are handed out

        identity = self.require_identity()
        key = case_id.hex
        with writing(self.engine) as conn:
            old = conn.execute(
                select(CASES.c.case_number).where(CASES.c.case_id == key)
            ).scalar_one()
            day = datetime.strptime(old.split("-")[1], "%Y%m%d").date()
            serial = _take_case_numbers(conn, identity.division, day, 1)
            number = make_case_number(identity.division, day, serial)
            conn.execute(
                update(EVENTS)
                .where(EVENTS.c.case_id == key, EVENTS.c.status == eventlog.PENDING)
                .values(case_number=number)
            )
            projection.refold_many(conn, [key])
            if number != old:  # noted with the change (the desk asks for a new receipt)
                noted = json.loads(meta.get(conn, meta.RENUMBERED) or "[]")
                earlier = [one for one in noted if one["case_id"] == key and one["new"] == old]
                if earlier:  # renumbered again (its new number was taken too): one note,
                    earlier[-1].update(new=number, at=_now())  # the resident's number kept
                else:
                    noted.append({"case_id": key, "old": old, "new": number, "at": _now()})
                meta.put(conn, meta.RENUMBERED, json.dumps(noted))
        return number

    def restored_from(self) -> datetime | None:
        """When the backup this PC was restored from was made, until a sync succeeds since."""
        with reading(self.engine) as conn:
            raw = meta.get(conn, meta.RESTORED)
        return datetime.fromisoformat(raw) if raw else None

    def mark_restored(self, backup_made: datetime | None) -> None:
        """Note a restore from a backup made at ``backup_made`` (None: synced since)."""
        with writing(self.engine) as conn:
            if backup_made is None:
                meta.delete(conn, meta.RESTORED)
            else:
                meta.put(conn, meta.RESTORED, backup_made.isoformat())

    def renumbered(self) -> list[Renumbered]:
        """The cases renumbered here because the centre held their number, newest first."""
        with reading(self.engine) as conn:
            noted = json.loads(meta.get(conn, meta.RENUMBERED) or "[]")
        return [
            Renumbered(
                UUID(one["case_id"]), one["old"], one["new"], datetime.fromisoformat(one["at"])
            )
            for one in reversed(noted)
        ]

    def own_seq_held(self) -> int | None:
        """The highest ``station_seq`` handed out here (None: none yet): every own event up
        to it is held, but for a copy that numbered events again after a restore, whose
        pull then falls back to full events (``sync.engine.UnknownAcks``)."""
        with reading(self.engine) as conn:
            raw = meta.get(conn, meta.NEXT_STATION_SEQ)
        return int(raw) - 1 if raw is not None and int(raw) > 1 else None

    def apply_pull_page(self, page: PullResponse) -> None:
        """Apply a page: events, own events' fates, views, accounts and cursor, in ONE transaction.

        A page of a long pull that brings only other stations' events holds its cases'
        views in memory (``pull.holds``); the pull's last page writes them. A failed
        page drops them: their cases are rebuilt from their events (``meta.VIEWS_BEHIND``)."""
        identity = self.require_identity()
        if not self._held and self._page_changes_nothing(page):
            # A no-change sync's empty page: no write transaction, no fsync.
            self.last_page = PageOutcome(pulled=0, superseded=0, cases=0)
            fault_point("mid_pull_page")
            return
        if self._held is None:
            self._held = projection.HeldViews()
        try:
            with writing(self.engine) as conn:
                self.last_page = apply_page(conn, identity.station_id, page, self._held)
                fault_point("mid_pull_page")
        except BaseException:
            self._held = None  # gone with the transaction's events: rebuilt from the rows
            raise
        finally:
            if not page.has_more:
                projection.forget_views()

    def write_held_views(self) -> None:
        """Write the views held by a pull's pages (one that failed part-way)."""
        held, self._held = self._held, None
        if held:
            with writing(self.engine) as conn:
                projection.write_held(conn, held)
        projection.forget_views()

    def already_held(self, events: list[RecordedEvent]) -> int:
        """How many of ``events`` this station holds already as the centre recorded them
        (the same id and central sequence number): what taking them in again adds nothing."""
        if not events:
            return 0
        ids = [event.id.hex for event in events]
        with reading(self.engine) as conn:
            rows = conn.execute(
                select(EVENTS.c.id, EVENTS.c.central_seq).where(among(EVENTS.c.id, ids))
            )
            held = {row.id: row.central_seq for row in rows}
        return sum(
            1
            for key, event in zip(ids, events, strict=True)
            if key in held and held[key] == event.central_seq
        )

    def _page_changes_nothing(self, page: PullResponse) -> bool:
        if page.events or page.acks or page.accounts:
            return False
        with reading(self.engine) as conn:
            cursor = meta.get(conn, meta.PULL_CURSOR)
            catalog = meta.get(conn, meta.CATALOG_VERSION)
            behind = meta.get(conn, meta.VIEWS_BEHIND)
        if cursor != str(page.next_cursor) or behind is not None:
            return False  # (views left behind by a failed pull are rebuilt by this page)
        return not page.catalog_version or page.catalog_version == catalog

    def clock_skew(self) -> float | None:
        """Seconds the centre's clock is ahead of this one (None before the first hello)."""
        with reading(self.engine) as conn:
            raw = meta.get(conn, meta.CLOCK_SKEW)
        return float(raw) if raw is not None else None

    def record_sync(self, report: SyncReport) -> None:
        """Remember a run (status bar, ``daiban sync``) and the clock skew it measured."""
        values = {
            "started_at": report.started_at.isoformat(),
            "finished_at": (report.finished_at or utc_now()).isoformat(),
            "pushed": report.pushed,
            "pulled": report.pulled,
            "superseded": report.superseded,
            "rejected": report.rejected,
            "error": report.error,
        }
        self._remember_public_url(report.public_base_url)
        if report.error is None and self.restored_from() is not None:
            self.mark_restored(None)  # synced since the restore: numbers are the centre's again
        if self._repeats_quiet_run(report):
            return
        with writing(self.engine) as conn:
            conn.execute(insert(SYNC_RUNS).values(**values))
            meta.put(conn, meta.CLOCK_SKEW, f"{report.skew_seconds:.3f}")

    def _remember_public_url(self, url: str | None) -> None:
        """Keep the county's public base URL the centre announced (written only on a change)."""
        if url is None or url == self.public_base_url():
            return
        with writing(self.engine) as conn:
            meta.put(conn, meta.PUBLIC_BASE_URL, url)

    def public_base_url(self) -> str:
        """The county's public base URL for receipts' QR codes (empty: none known)."""
        with reading(self.engine) as conn:
            return meta.get(conn, meta.PUBLIC_BASE_URL) or ""

    def _repeats_quiet_run(self, report: SyncReport) -> bool:
        """A successful run that moved nothing, less than a minute after another such run.

        Not recorded (a no-change sync then writes nothing at all); what the desk
        shows (last successful sync, within the minute) stays true.
        """
        moved = (report.pushed, report.pulled, report.superseded, report.rejected)
        if report.error or any(moved):
            return False
        last = self.last_sync()
        if last is None or last.error or any((last.pushed, last.pulled)):
            return False
        finished = last.finished_at
        if finished is None:
            return False
        if finished.tzinfo is None:
            finished = finished.replace(tzinfo=UTC)
        return timedelta(0) <= utc_now() - finished < QUIET_RUN_EVERY

    def last_sync(self) -> SyncRecord | None:
        """The latest finished sync run (successful or not), or None."""
        with reading(self.engine) as conn:
            row = conn.execute(
                select(SYNC_RUNS)
                .where(SYNC_RUNS.c.finished_at.is_not(None))
                .order_by(SYNC_RUNS.c.id.desc())
                .limit(1)
            ).first()
        if row is None:
            return None
        return SyncRecord(
            started_at=datetime.fromisoformat(row.started_at),
            finished_at=datetime.fromisoformat(row.finished_at),
            pushed=row.pushed,
            pulled=row.pulled,
            superseded=row.superseded,
            rejected=row.rejected,
            error=row.error,
        )

    def last_success_at(self) -> datetime | None:
        """When the latest sync run that succeeded finished (a failed run since does not
        hide it: the desk says when this station last reached the centre), or None."""
        with reading(self.engine) as conn:
            finished = conn.execute(
                select(SYNC_RUNS.c.finished_at)
                .where(SYNC_RUNS.c.finished_at.is_not(None))
                .where(or_(SYNC_RUNS.c.error.is_(None), SYNC_RUNS.c.error == ""))
                .order_by(SYNC_RUNS.c.id.desc())
                .limit(1)
            ).scalar()
        return datetime.fromisoformat(finished) if finished else None

    # blobs ------------------------------------------------------------------

    @property
    def blob_dir(self) -> Path:
        """Where attachment files live (content-addressed)."""
        return self.data_dir / "blobs"

    def add_blob(self, sha256: str, size: int, name: str = "") -> None:
        """Queue a stored attachment for upload (once per hash)."""
        statement = sqlite_insert(BLOBS).values(
            sha256=sha256, size=size, name=name, created_at=_now()
        )
        with writing(self.engine) as conn:
            conn.execute(statement.on_conflict_do_nothing())

    def pending_blobs(self, limit: int = 20) -> list[BlobRef]:
        """Attachments not yet at the centre, fewest failed attempts first."""
        with reading(self.engine) as conn:
            rows = conn.execute(
                select(BLOBS)
                .where(BLOBS.c.uploaded_at.is_(None))
                .order_by(BLOBS.c.attempts, BLOBS.c.created_at)
                .limit(limit)
            ).all()
        return [BlobRef(sha256=r.sha256, size=r.size, name=r.name) for r in rows]

    def blob_path(self, sha256: str) -> Path:
        """Where the blob's bytes are."""
        return blob_path(self.blob_dir, sha256)

    def mark_blob_uploaded(self, sha256: str) -> None:
        """The centre holds the whole blob."""
        with writing(self.engine) as conn:
            conn.execute(
                update(BLOBS)
                .where(BLOBS.c.sha256 == sha256)
                .values(uploaded_at=_now(), last_error=None)
            )

    def blob_failed(self, sha256: str, error: str) -> None:
        """An upload attempt failed; the blob goes behind the others."""
        with writing(self.engine) as conn:
            conn.execute(
                update(BLOBS)
                .where(BLOBS.c.sha256 == sha256)
                .values(attempts=BLOBS.c.attempts + 1, last_error=error)
            )

    def blob_queue_depth(self) -> int:
        """Attachments waiting for upload."""
        with reading(self.engine) as conn:
            query = select(func.count()).where(BLOBS.c.uploaded_at.is_(None))
            return int(conn.execute(query).scalar_one())
