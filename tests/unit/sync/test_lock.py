"""Single flight across processes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sync.lock import SyncBusy, sync_lock

HOLDER = """
import sys
from pathlib import Path
from sync.lock import sync_lock
with sync_lock(Path(sys.argv[1])):
    print("held", flush=True)
    sys.stdin.readline()
print("released", flush=True)
"""


def test_a_second_process_is_told_busy_at_once(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(tmp_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdin is not None and holder.stdout is not None
    try:
        assert holder.stdout.readline().strip() == "held"
        with (
            pytest.raises(SyncBusy, match="another sync of this station is running"),
            sync_lock(tmp_path),
        ):
            pass
        holder.stdin.write("\n")
        holder.stdin.flush()
        assert holder.stdout.readline().strip() == "released"
        assert holder.wait(timeout=30) == 0
    finally:
        if holder.poll() is None:
            holder.kill()
    with sync_lock(tmp_path):
        pass  # free again once the other process let go


def test_the_lock_is_released_when_the_block_fails(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), sync_lock(tmp_path):
        raise RuntimeError("boom")
    with sync_lock(tmp_path / "new"):
        with pytest.raises(SyncBusy):
            with sync_lock(tmp_path / "new"):
                pass
