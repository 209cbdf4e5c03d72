"""A village station offline past its token's life renews it on its own and delivers.

A real central on loopback (SQLite and PostgreSQL); the token is aged by writing when
it was issued in the centre's database. ``daiban sync`` meets the 401 "expired", renews
with its signing key, saves the new token and syncs in the same run. A forged renewal
or a revoked station is refused, and the station keeps its outbox.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, create_engine, func, select, update
from typer.testing import CliRunner

from central.models import EventRow
from central.models import Station as StationRow
from daiban.cli import app
from station.store import StationIdentity, StationStore
from sync.client import signed_renewal
from sync.protocol import API_PREFIX
from tests.e2e.conftest import Central, Station, case_line

pytestmark = pytest.mark.slow  # a real central on loopback

TOKEN_DAYS = 30


@contextmanager
def _central_db(central: Central) -> Iterator[Engine]:
    url = central.db_args[1] if central.db_args else None
    engine = create_engine(url or f"sqlite:///{central.data_dir / 'central' / 'central.db'}")
    try:
        yield engine
    finally:
        engine.dispose()


def _expire(central: Central, station_id: str, days_ago: int) -> None:
    """The station's token expired ``days_ago`` days ago (offline since)."""
    issued = datetime.now(UTC) - timedelta(days=TOKEN_DAYS + days_ago)
    with _central_db(central) as engine, engine.begin() as conn:
        conn.execute(
            update(StationRow)
            .where(StationRow.id == station_id)  # type: ignore[arg-type]
            .values(token_issued_at=issued)
        )


def _events_held(central: Central, station_id: str) -> int:
    with _central_db(central) as engine, engine.connect() as conn:
        query = select(func.count()).where(EventRow.station_id == station_id)  # type: ignore[arg-type]
        return int(conn.execute(query).scalar_one())


def _identity(station: Station) -> StationIdentity:
    store = StationStore.open(station.data_dir)
    try:
        return store.require_identity()
    finally:
        store.close()


def _replace_identity(station: Station, **changes: str) -> None:
    store = StationStore.open(station.data_dir)
    try:
        store.save_identity(store.require_identity().model_copy(update=changes))
    finally:
        store.close()


def _take_in(station: Station, tmp_path: Path) -> int:
    """One case taken in, not yet synced: the station's unsent events."""
    lines = tmp_path / "case.jsonl"
    lines.write_text(case_line(1) + "\n", encoding="utf-8")
    assert station.cli("case", "import", str(lines))["imported"] == 1
    return int(station.cli("station", "show")["outbox"])


def _sync_fails(station: Station) -> str:
    refused = CliRunner().invoke(app, ["sync", "--data-dir", str(station.data_dir)])
    assert refused.exit_code == 1, refused.output
    return str(refused.stderr)


def test_a_station_back_after_its_token_expired_renews_and_delivers(
    central: Central, village: Station, tmp_path: Path
) -> None:
    _take_in(village, tmp_path)
    _expire(central, village.station_id, 10)
    before = _identity(village).token

    report = village.cli("sync")
    assert (report["pushed"], report["error"]) == (3, None)
    assert _events_held(central, village.station_id) == 3
    assert village.cli("station", "show")["outbox"] == 0
    after = _identity(village).token
    assert after != before  # saved: the next run uses it without renewing
    again = village.cli("sync")
    assert again["error"] is None and _identity(village).token == after


def test_an_idle_station_back_after_its_token_expired_renews_in_its_one_request_sync(
    central: Central, village: Station, tmp_path: Path
) -> None:
    """Nothing waits to be submitted, so the sync opens with ``POST /sync`` (no hello of
    its own): its 401 "expired" renews the token and the run is made again."""
    _take_in(village, tmp_path)
    assert village.cli("sync")["error"] is None  # delivered: nothing waits now
    _expire(central, village.station_id, 10)
    before = _identity(village).token

    report = village.cli("sync")

    assert report["error"] is None and report["pending"] == 0
    after = _identity(village).token
    assert after != before
    assert village.cli("sync")["error"] is None and _identity(village).token == after
    assert _events_held(central, village.station_id) == 3


def test_an_idle_revoked_station_with_an_expired_token_records_the_refusal(
    central: Central, village: Station, tmp_path: Path
) -> None:
    """The renewal is refused (revoked): the run on record says so, not "expired" (an
    operator would enroll again for nothing)."""
    _take_in(village, tmp_path)
    assert village.cli("sync")["error"] is None
    _expire(central, village.station_id, 10)
    central.cli("revoke", village.station_id, "--force")

    assert "403" in _sync_fails(village)

    store = StationStore.open(village.data_dir)
    try:
        last = store.last_sync()
    finally:
        store.close()
    assert last is not None and last.error is not None
    assert "403" in last.error and "expired" not in last.error


def test_a_replayed_renewal_is_refused_and_the_station_renews_with_its_own(
    central: Central, village: Station, tmp_path: Path
) -> None:
    _take_in(village, tmp_path)
    _expire(central, village.station_id, 10)
    held = _identity(village)
    body = signed_renewal(held.station_id, held.signing_key, held.token).model_dump(mode="json")
    url = f"{central.url}{API_PREFIX}/token/renew"
    assert httpx.post(url, json=body).status_code == 200  # its answer lost on the line
    replayed = httpx.post(url, json=body)
    assert replayed.status_code == 409 and "used already" in replayed.json()["detail"]

    report = village.cli("sync")  # a new request for the same expired token
    assert (report["pushed"], report["error"]) == (3, None)
    assert _events_held(central, village.station_id) == 3


def test_a_forged_renewal_is_refused_and_the_outbox_kept(
    central: Central, village: Station, tmp_path: Path
) -> None:
    unsent = _take_in(village, tmp_path)
    _expire(central, village.station_id, 10)
    _replace_identity(village, signing_key="ab" * 32)  # not the key the centre gave

    assert "403" in _sync_fails(village)
    assert village.cli("station", "show")["outbox"] == unsent
    assert _events_held(central, village.station_id) == 0


def test_a_renewal_for_another_station_is_refused(
    central: Central, village: Station, tmp_path: Path
) -> None:
    _expire(central, village.station_id, 10)
    mine = _identity(village)
    other_key = "cd" * 32
    forged = signed_renewal(mine.station_id, other_key, mine.token).model_dump(mode="json")
    url = f"{central.url}{API_PREFIX}/token/renew"
    assert httpx.post(url, json=forged).status_code == 403
    unknown = {**forged, "station_id": "not-enrolled-here"}
    assert httpx.post(url, json=unknown).status_code == 404


def test_a_revoked_station_with_an_expired_token_is_refused_and_keeps_its_outbox(
    central: Central, village: Station, tmp_path: Path
) -> None:
    unsent = _take_in(village, tmp_path)
    _expire(central, village.station_id, 10)
    central.cli("revoke", village.station_id, "--force")

    assert "403" in _sync_fails(village)
    assert village.cli("station", "show")["outbox"] == unsent
    assert _events_held(central, village.station_id) == 0
