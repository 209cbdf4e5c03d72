"""Files only their owner may read: secrets and personal data at rest.

Directories 0700, files 0600, whatever the process's umask: a file is created
with its final mode (``os.open(..., 0o600)``) and the mode is set again
explicitly, so a permissive umask never widens it and a restrictive one never
matters. Used by the station (its store, identity, signing key, scans, catalogs)
and the centre (central.toml, the audit key, blobs).
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600


def private_dir(path: Path) -> Path:
    """Create ``path`` (and missing parents) and make it owner-only (0700).

    Args:
        path: the directory.

    Returns:
        ``path``.
    """
    path.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    with contextlib.suppress(PermissionError):
        path.chmod(DIR_MODE)
    return path


def make_private(path: Path) -> None:
    """Make an existing file owner-only (0600); nothing when it does not exist."""
    with contextlib.suppress(FileNotFoundError):
        path.chmod(FILE_MODE)


def private_database(path: Path) -> Path:
    """Create a SQLite file owner-only before SQLite opens it (its -wal and -shm files
    take the database's mode); an existing one is made 0600."""
    if not path.parent.exists():
        private_dir(path.parent)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    make_private(path)
    return path


def write_private(path: Path, data: str | bytes, *, exclusive: bool = False) -> Path:
    """Write ``data`` to ``path`` readable by its owner only, atomically.

    Args:
        path: the file; its directory is created 0700 when missing.
        data: text (UTF-8) or bytes.
        exclusive: refuse to replace an existing file (``FileExistsError``).

    Returns:
        ``path``.
    """
    if not path.parent.exists():
        private_dir(path.parent)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if exclusive:
        _write_new(path, raw)
        return path
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with contextlib.suppress(FileNotFoundError):
        temporary.unlink()
    _write_new(temporary, raw)
    os.replace(temporary, path)
    return path


def _write_new(path: Path, raw: bytes) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    try:
        os.fchmod(descriptor, FILE_MODE)
        view = memoryview(raw)
        while view:
            view = view[os.write(descriptor, view) :]
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
