"""Public progress page benchmark: ``python -m bench.progress [--cases N] [--requests R]``.

A central app (``create_app``, SQLite in a temporary data directory, migrations
applied) holding N accepted cases, each with its progress key recorded as a push
records it (``central.services.progress.record_keys``) and a realistic folded view
(five history entries). R pages are fetched through the app (``GET /p/{key}``,
random cases, in-process ASGI: what the centre spends per answer, without the
network), and as many wrong keys.

Prints ``name=value`` lines: ``progress_p50_ms`` / ``progress_p99_ms`` (target
<= 50 ms) and ``not_found_p50_ms`` / ``not_found_p99_ms``.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

from fastapi.testclient import TestClient
from sqlalchemy import Engine, insert

from central.app import create_app
from central.models import CASE_TABLE
from central.services.progress import record_keys
from central.settings import CentralSettings
from sync.events import EventKind, Role
from sync.lifecycle import CaseState
from sync.payloads import Person
from sync.progress import PAYLOAD_KEY, new_progress_key
from sync.views import CaseView, EntryStatus, HistoryEntry

DIVISION = "640522100201"
KINDS = (
    EventKind.created,
    EventKind.received,
    EventKind.submitted,
    EventKind.accepted,
    EventKind.forwarded,
)


def _view(serial: int, when: datetime) -> CaseView:
    case_id = uuid4()
    history = tuple(
        HistoryEntry(
            event_id=uuid4(),
            kind=kind,
            actor_id="agent-1",
            actor_role=Role.agent,
            station_id="station-1",
            station_seq=serial * 5 + n,
            device_time=when + timedelta(hours=n),
            status=EntryStatus.applied,
            central_seq=serial * 5 + n,
            summary={"item_code": "640522-YB-001"} if n == 0 else {},
        )
        for n, kind in enumerate(KINDS)
    )
    return CaseView(
        case_id=case_id,
        case_number=f"{DIVISION}-{when:%Y%m%d}-{serial:04d}",
        division=DIVISION,
        item_code="640522-YB-001",
        item_name="城乡居民基本医疗保险参保登记",
        state=CaseState.processing,
        applicant=Person(name="王秀芳", id_number="640522195001011234", phone="13800000000"),
        created_at=when,
        received_at=when,
        submitted_at=when + timedelta(hours=2),
        accepted_at=when + timedelta(days=1),
        promised_days=20,
        history=history,
    )


def _fill(engine: Engine, count: int) -> list[str]:
    """N cases and their keys, written as a push writes them; returns the keys."""
    when = datetime(2026, 11, 2, 1, 30, tzinfo=UTC)
    keys, cases, events = [], [], []
    for serial in range(1, count + 1):
        view = _view(serial, when)
        key = new_progress_key()
        keys.append(key)
        cases.append(_case_row(view, serial))
        payload = {PAYLOAD_KEY: key}
        events.append(
            {"kind": "created", "status": "applied", "case_id": view.case_id, "payload": payload}
        )
    with engine.begin() as connection:
        connection.execute(insert(CASE_TABLE), cases)
        record_keys(connection, events)
    return keys


def _case_row(view: CaseView, seq: int) -> dict[str, Any]:
    return {
        "case_id": view.case_id,
        "case_number": view.case_number,
        "division": view.division,
        "owner_station": "station-1",
        "state": view.state.value,
        "version": 5,
        "item_code": view.item_code,
        "flagged": False,
        "updated_seq": seq,
        "view": view.model_dump(mode="json"),
    }


def _timed(client: TestClient, paths: list[str], status: int) -> list[float]:
    spent = []
    for path in paths:
        start = time.perf_counter()
        answer = client.get(path)
        spent.append((time.perf_counter() - start) * 1000)
        if answer.status_code != status:
            raise SystemExit(f"{path}: {answer.status_code}, expected {status}")
    return spent


def _report(name: str, spent: list[float]) -> None:
    ordered = sorted(spent)
    print(f"{name}_p50_ms={statistics.median(ordered):.2f}")
    print(f"{name}_p99_ms={ordered[int(len(ordered) * 0.99) - 1]:.2f}")


def main() -> None:
    """Fill a central, fetch pages, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=3000, help="cases held by the centre")
    parser.add_argument("--requests", type=int, default=2000, help="pages fetched")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="daiban-bench-progress-") as folder:
        settings = CentralSettings(data_dir=Path(folder), allow_insecure_secret=True)
        app = create_app(settings)
        keys = _fill(app.state.engine, options.cases)
        chosen = random.Random(7).choices(keys, k=options.requests)
        with TestClient(app) as client:
            _timed(client, [f"/p/{k}" for k in chosen[:50]], 200)  # warm-up
            _report("progress", _timed(client, [f"/p/{k}" for k in chosen], 200))
            wrong = [f"/p/{new_progress_key()}" for _ in range(options.requests)]
            _report("not_found", _timed(client, wrong, 404))
        print(f"cases={options.cases}")


if __name__ == "__main__":
    main()
