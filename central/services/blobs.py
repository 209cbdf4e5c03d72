"""Attachments (scans): content-addressed by SHA-256, uploaded in resumable chunks.

A chunk is appended only at the offset the centre already holds (anything else
is a 409 so the client asks again and resumes). Each chunk is fsynced before
the answer; when the announced size is reached the file is hashed, and only a
file whose SHA-256 matches its name becomes a complete blob. A row lock on the
blob row serialises writers of the same blob across workers.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from uuid import UUID

from sqlalchemy import Connection, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from central.models import BLOBREF_TABLE, Blob, Station, utcnow
from central.services.scope import division_filter, in_scope, scope_prefix
from sync.files import private_dir
from sync.protocol import BlobStatus

SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
_BLOB_TABLE = Blob.__table__  # type: ignore[attr-defined]
_b = _BLOB_TABLE.c


class BlobError(Exception):
    """A blob request that cannot be served; ``status_code`` is the HTTP answer."""

    def __init__(self, status_code: int, message: str) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message


def blob_path(blob_dir: Path, sha256: str) -> Path:
    """Where a complete blob lives."""
    return blob_dir / sha256[:2] / sha256


def _partial_path(blob_dir: Path, sha256: str) -> Path:
    return blob_dir / "partial" / f"{sha256}.part"


def _status(row: Blob | None, sha256: str) -> BlobStatus | None:
    if row is None:
        return None
    return BlobStatus(sha256=sha256, size=row.size, received=row.received, complete=row.complete)


def blob_status(*, session: Session, sha256: str) -> BlobStatus | None:
    """How much of the blob the centre holds, or None when it holds nothing."""
    return _status(session.get(Blob, sha256), sha256)


def _check_name(sha256: str) -> None:
    if not SHA256_RE.match(sha256):
        raise BlobError(400, "a blob is named by its SHA-256 in lower-case hex")


def too_large(limit: int) -> BlobError:
    mb = limit / (1024 * 1024)
    """The 413 answer for an attachment over ``limit`` bytes."""
    return BlobError(
        413, f"attachments may be at most {mb:.0f} MB; scan it again at a lower resolution"
    )


def put_chunk(
    *,
    session: Session,
    station: Station,
    blob_dir: Path,
    sha256: str,
    offset: int,
    data: bytes,
    size: int,
    max_bytes: int,
) -> BlobStatus:
    """Store one chunk of a blob at ``offset``.

    Args:
        session: a session; committed here.
        station: the uploading station.
        blob_dir: the central's blob directory.
        sha256: the blob's hash (its name).
        offset: where the chunk starts; must equal what the centre holds.
        data: the chunk.
        size: the blob's total size.
        max_bytes: the size limit.

    Returns:
        The blob's status after the chunk.

    Raises:
        BlobError: 400 bad name, 409 wrong offset, 413 too large, 422 hash mismatch.
    """
    _check_name(sha256)
    if size > max_bytes or offset + len(data) > max_bytes:
        raise too_large(max_bytes)
    connection = session.connection()
    row = _lock_row(connection, sha256, station.id, blob_dir)
    if row["complete"]:
        session.commit()
        return BlobStatus(sha256=sha256, size=row["size"], received=row["received"], complete=True)
    if offset != row["received"]:
        session.rollback()
        raise BlobError(409, f"the centre holds {row['received']} bytes of this blob; resume there")
    partial = _partial_path(blob_dir, sha256)
    _write_at(partial, offset, data)
    received = offset + len(data)
    complete = received >= size
    if complete:
        _finish(partial, blob_path(blob_dir, sha256), sha256, connection)
    connection.execute(
        update(_BLOB_TABLE)
        .where(_b.sha256 == sha256)
        .values(
            received=received, size=size, complete=complete, path=str(blob_path(blob_dir, sha256))
        )
    )
    session.commit()
    return BlobStatus(sha256=sha256, size=size, received=received, complete=complete)


def store_blob(
    *, session: Session, station: Station, blob_dir: Path, sha256: str, data: bytes
) -> bool:
    """Store a whole blob (from an offline bundle). Returns False when it was already held."""
    status = blob_status(session=session, sha256=sha256)
    session.commit()
    if status is not None and status.complete:
        return False
    if status is not None and status.received:
        _reset(session, blob_dir, sha256)
    put_chunk(
        session=session,
        station=station,
        blob_dir=blob_dir,
        sha256=sha256,
        offset=0,
        data=data,
        size=len(data),
        max_bytes=max(len(data), 1),
    )
    return True


def _reset(session: Session, blob_dir: Path, sha256: str) -> None:
    _partial_path(blob_dir, sha256).unlink(missing_ok=True)
    session.connection().execute(update(_BLOB_TABLE).where(_b.sha256 == sha256).values(received=0))
    session.commit()


def _lock_row(
    connection: Connection, sha256: str, station_id: str, blob_dir: Path
) -> dict[str, object]:
    factory = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
    connection.execute(
        factory(_BLOB_TABLE)
        .values(
            sha256=sha256,
            size=0,
            received=0,
            complete=False,
            path=str(blob_path(blob_dir, sha256)),
            uploaded_by=station_id,
            created_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["sha256"])
    )
    # A no-op UPDATE takes the row lock (PostgreSQL) / the write lock (SQLite).
    connection.execute(update(_BLOB_TABLE).where(_b.sha256 == sha256).values(received=_b.received))
    row = connection.execute(select(_BLOB_TABLE).where(_b.sha256 == sha256)).one()
    return dict(row._mapping)


def _write_at(path: Path, offset: int, data: bytes) -> None:
    private_dir(path.parent)
    if not path.exists():  # a scan: owner-only whatever the umask
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    with open(path, "r+b") as handle:
        handle.seek(offset)
        handle.write(data)
        handle.truncate(offset + len(data))
        handle.flush()
        os.fsync(handle.fileno())


def _finish(partial: Path, final: Path, sha256: str, connection: Connection) -> None:
    digest = hashlib.sha256()
    with open(partial, "rb") as handle:
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
    if digest.hexdigest() != sha256:
        partial.unlink(missing_ok=True)
        connection.execute(
            update(_BLOB_TABLE).where(_b.sha256 == sha256).values(received=0, size=0)
        )
        connection.commit()
        raise BlobError(422, "the uploaded content does not match its SHA-256; upload it again")
    final.parent.mkdir(parents=True, exist_ok=True)
    os.replace(partial, final)
    dir_fd = os.open(final.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def readable_blob(*, session: Session, station: Station, blob_dir: Path, sha256: str) -> Path:
    """The file of a complete blob the station may fetch.

    A station may fetch a blob it uploaded itself or one referenced by a case
    in its scope.

    Raises:
        BlobError: 400 bad name, 404 not held (or not complete), 403 out of scope.
    """
    _check_name(sha256)
    row = session.get(Blob, sha256)
    if row is None or not row.complete:
        raise BlobError(404, "the centre does not hold this blob")
    if row.uploaded_by != station.id and not _referenced_in_scope(session, station, sha256):
        raise BlobError(403, "this blob belongs to no case in this station's scope")
    return blob_path(blob_dir, sha256)


def _referenced_in_scope(session: Session, station: Station, sha256: str) -> bool:
    prefix = scope_prefix(station.division, station.role)
    query = select(BLOBREF_TABLE.c.sha256).where(
        BLOBREF_TABLE.c.sha256 == sha256, division_filter(BLOBREF_TABLE.c.division, prefix)
    )
    return session.connection().execute(query.limit(1)).first() is not None


def referable_blobs(connection: Connection, station: Station, shas: set[str]) -> set[str]:
    """The blobs a station's event may attach to a case (a reference makes a blob readable
    by every station whose scope holds that case, so naming a hash is not enough).

    A station may reference a blob it uploaded, one it may already read (referenced by a
    case in its scope), or one nobody holds or references yet (it uploads after the push).
    A hash known from elsewhere (another village's scan) is not referable.
    """
    if not shas:
        return set()
    held = {
        row.sha256: row.uploaded_by
        for row in connection.execute(select(_b.sha256, _b.uploaded_by).where(_b.sha256.in_(shas)))
    }
    refs = BLOBREF_TABLE.c
    referenced: dict[str, list[str]] = {}
    for row in connection.execute(select(refs.sha256, refs.division).where(refs.sha256.in_(shas))):
        referenced.setdefault(row.sha256, []).append(row.division)
    allowed = set()
    for sha in shas:
        divisions = referenced.get(sha, [])
        uploader = held.get(sha)
        if uploader == station.id or any(
            in_scope(d, station.division, station.role) for d in divisions
        ):
            allowed.add(sha)
        elif uploader is None and not divisions:
            allowed.add(sha)
    return allowed


def readable_case_blob(
    *, session: Session, station: Station, blob_dir: Path, sha256: str, case_id: UUID
) -> Path:
    """The file of a complete blob of ONE case, for a station whose scope holds that case.

    The reviewer's scan download: the case must reference the blob and lie in the
    station's scope (辖区), whoever uploaded it.

    Raises:
        BlobError: 400 bad name, 404 not held (or not complete, or the case does not
            reference it), 403 the case is out of the station's scope.
    """
    _check_name(sha256)
    query = select(BLOBREF_TABLE.c.division).where(
        BLOBREF_TABLE.c.sha256 == sha256, BLOBREF_TABLE.c.case_id == case_id
    )
    ref = session.connection().execute(query.limit(1)).first()
    row = session.get(Blob, sha256)
    if ref is None or row is None or not row.complete:
        raise BlobError(404, "the centre holds no such scan for this case")
    if not in_scope(ref.division, station.division, station.role):
        raise BlobError(403, "the case is outside this station's scope")
    return blob_path(blob_dir, sha256)
