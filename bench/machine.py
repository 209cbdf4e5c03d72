"""How fast the bench machine is right now: a fixed piece of work, timed.

The 2-core machines the benchmarks run on change speed by up to twofold within an hour
(the same commit gave a station 22.5 ms of CPU per sync, then 36–62 ms, with the load
average alone not saying why). A benchmark prints ``calibration_ms`` before and after:
the CPU time of the same pure-Python work (building rows, JSON both ways, sorting,
hashing, the kinds of work the centre and the stations do), so two runs' figures can be
compared as ratios to it. ``steal_pct`` is the share of the machine's time its
hypervisor gave to others meanwhile (``/proc/stat``; 0 where there is none).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROWS = 20_000
ROUNDS = 3


def _fixed_work() -> int:
    rows = [{"id": i, "name": f"名字{i}", "share": i * 0.5, "ok": i % 3 == 0} for i in range(ROWS)]
    text = json.dumps(rows, ensure_ascii=False)
    back = json.loads(text)
    back.sort(key=lambda row: (row["ok"], -row["id"]))
    digest = hashlib.sha256(text.encode()).hexdigest()
    return len(back) + len(digest)


def calibration_ms() -> float:
    """CPU milliseconds of the fixed work (the fastest of a few rounds: a round the
    machine interrupted is not the machine's speed)."""
    best = float("inf")
    for _ in range(ROUNDS):
        start = time.process_time()
        _fixed_work()
        best = min(best, time.process_time() - start)
    return best * 1000


def cpu_ticks() -> tuple[int, int]:
    """(stolen, all) clock ticks of the whole machine so far (``/proc/stat``; (0, 0) elsewhere)."""
    stat = Path("/proc/stat")
    if not stat.exists():
        return 0, 0
    fields = [int(value) for value in stat.read_text().split("\n", 1)[0].split()[1:]]
    # user nice system idle iowait irq softirq steal [guest guest_nice: inside user]
    stolen = fields[7] if len(fields) > 7 else 0
    return stolen, sum(fields[:8])


def steal_pct(before: tuple[int, int], after: tuple[int, int]) -> float:
    """The share of the machine's time stolen between two ``cpu_ticks`` readings, in %."""
    total = after[1] - before[1]
    return 100.0 * (after[0] - before[0]) / total if total > 0 else 0.0


def loadavg() -> str:
    """The load averages (1, 5, 15 minutes), as ``/proc/loadavg`` gives them."""
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


Emit = Callable[[str, Any], None]


def machine_before(emit: Emit) -> tuple[int, int]:
    """Print ``loadavg_before`` and ``calibration_ms_before``; the ticks to pass to
    :func:`machine_after`."""
    emit("loadavg_before", loadavg())
    emit("calibration_ms_before", calibration_ms())
    return cpu_ticks()


def machine_after(emit: Emit, ticks: tuple[int, int]) -> None:
    """Print ``loadavg_after``, ``calibration_ms_after`` and ``steal_pct`` since ``ticks``."""
    stolen = steal_pct(ticks, cpu_ticks())
    emit("loadavg_after", loadavg())
    emit("calibration_ms_after", calibration_ms())
    emit("steal_pct", stolen)
