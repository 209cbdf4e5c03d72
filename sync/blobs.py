"""Attachments (scans) stored content-addressed by SHA-256, durable before use.

A blob is written to ``blob_dir/ab/cdef...`` (first two hex digits as a folder)
through a temporary file that is fsynced, renamed into place, and its folder
fsynced: so the file is on disk BEFORE the event that references it commits.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sync.errors import BlobTooLarge
from sync.files import private_dir

MAX_BLOB_BYTES = 20 * 1024 * 1024
"""The largest attachment the centre accepts (20 MB)."""
CHUNK_BYTES = 1024 * 1024
"""Upload chunk size (1 MiB); an interrupted upload resumes at a chunk offset."""

__all__ = [
    "CHUNK_BYTES",
    "MAX_BLOB_BYTES",
    "BlobRef",
    "BlobTooLarge",
    "blob_path",
    "fsync_dir",
    "iter_chunks",
    "sha256_file",
    "store_blob",
]


@dataclass(frozen=True)
class BlobRef:
    """A stored blob: its hash, size in bytes, and the file name it came with."""

    sha256: str
    size: int
    name: str = ""


def sha256_file(path: Path) -> str:
    """The hex SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def blob_path(blob_dir: Path, sha256: str) -> Path:
    """Where the blob with this hash lives under ``blob_dir``."""
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
    return blob_dir / sha256[:2] / sha256[2:]


def fsync_dir(directory: Path) -> None:
    """Make a rename or new file in ``directory`` durable (no-op where unsupported)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # Windows cannot open a directory; NTFS renames are journaled
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def store_blob(blob_dir: Path, source_path: Path) -> BlobRef:
    """Copy a file into the blob store, durably, and say what it is.

    Args:
        blob_dir: the content-addressed store.
        source_path: the scan to keep.

    Returns:
        The stored blob's hash, size and original file name.

    Raises:
        BlobTooLarge: the file is over ``MAX_BLOB_BYTES`` (nothing is written).
    """
    size = source_path.stat().st_size
    if size > MAX_BLOB_BYTES:
        raise BlobTooLarge(size, MAX_BLOB_BYTES)
    private_dir(blob_dir)  # scans: 0700 folders, 0600 files (mkstemp)
    digest = hashlib.sha256()
    fd, temp_name = tempfile.mkstemp(dir=blob_dir, prefix=".incoming-")
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "wb") as out, source_path.open("rb") as src:
            while chunk := src.read(CHUNK_BYTES):
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        sha = digest.hexdigest()
        target = blob_path(blob_dir, sha)
        if target.exists():
            temp.unlink()
        else:
            new_folder = not target.parent.exists()
            target.parent.mkdir(exist_ok=True, mode=0o700)
            if new_folder:
                fsync_dir(blob_dir)
            os.replace(temp, target)
            fsync_dir(target.parent)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return BlobRef(sha256=sha, size=size, name=source_path.name)


def iter_chunks(
    path: Path, offset: int = 0, chunk_size: int = CHUNK_BYTES
) -> Iterator[tuple[int, bytes]]:
    """Yield ``(offset, chunk)`` pairs of a file from ``offset`` to its end."""
    with path.open("rb") as handle:
        handle.seek(offset)
        while chunk := handle.read(chunk_size):
            yield offset, chunk
            offset += len(chunk)
