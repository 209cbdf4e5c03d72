"""Single flight: at most one sync per station at a time, across processes.

The desk's background worker, ``daiban sync`` and a bundle import may all try
to sync the same station; the second one is told at once (``SyncBusy``), it
never waits.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from sync.errors import SyncBusy

LOCK_NAME = "sync.lock"

__all__ = ["LOCK_NAME", "SyncBusy", "sync_lock"]


@contextmanager
def sync_lock(data_dir: Path) -> Iterator[None]:
    """Hold the station's sync lock for the ``with`` block.

    Args:
        data_dir: the station's data directory (the lock file lives there).

    Raises:
        SyncBusy: another process (or thread) holds it now.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(data_dir / LOCK_NAME, timeout=0, thread_local=False)
    try:
        lock.acquire()
    except Timeout:
        raise SyncBusy("another sync of this station is running") from None
    try:
        yield
    finally:
        lock.release()
