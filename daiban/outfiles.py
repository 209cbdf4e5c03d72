"""Files the command line writes where the person said (``--out``): why one cannot be
written, in words."""

from __future__ import annotations

from pathlib import Path

from station.services import _


def cannot_write(path: Path, error: OSError) -> str:
    """Why ``path`` could not be written, naming it, in the person's language (it said the
    operating system's English, ``[Errno 2] No such file or directory: '/proc/.print-…'``)."""
    from sync.bundle import write_error
    from sync.messages import _ as sync_text

    reason = sync_text(write_error(path, error).reason)
    return _("Cannot write {path}: {reason}.").format(path=path, reason=reason)
