"""A revoked station's work is not lost (issue 13, point 4): its unsent cases reach the
centre through an administrator-approved bundle import, and the county can undo a
revocation within 7 days; both acts are in the administrators' audit."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select, update
from typer.testing import CliRunner

from central.models import AdminAction, utcnow
from central.models import Station as StationRow
from central.settings import read_settings_file
from daiban.cli import app
from tests.e2e.conftest import COUNTY_ADMIN, PASSWORD, Central, Station, write_cases

pytestmark = pytest.mark.slow  # a real central on loopback


@pytest.fixture(scope="module")
def central(sqlite_central: Central) -> Central:
    """The import and the undo go through the central's services: SQLite is enough."""
    return sqlite_central


def _central_db(central: Central) -> Any:
    url = read_settings_file(central.data_dir / "central").get("db_url")
    return create_engine(url or f"sqlite:///{central.data_dir / 'central' / 'central.db'}")


def _audited(central: Central, action: str, target: str) -> list[AdminAction]:
    engine = _central_db(central)
    try:
        with engine.connect() as conn:
            query = select(AdminAction.__table__).where(  # type: ignore[attr-defined]
                AdminAction.__table__.c.action == action,  # type: ignore[attr-defined]
                AdminAction.__table__.c.target == target,  # type: ignore[attr-defined]
            )
            return [AdminAction.model_validate(dict(row._mapping)) for row in conn.execute(query)]
    finally:
        engine.dispose()


def _central_fails(central: Central, *args: str) -> str:
    runner = CliRunner()
    result = runner.invoke(
        app,
        ["central", *args, "--data-dir", str(central.data_dir), *central.db_args],
        env={"DAIBAN_PASSWORD": PASSWORD},
    )
    assert result.exit_code != 0, result.output
    return str(result.output)


def test_a_revoked_stations_unsent_cases_arrive_by_an_approved_bundle(
    central: Central, village: Station, tmp_path: Path
) -> None:
    (number,) = village.cli("case", "import", str(write_cases(tmp_path / "one.jsonl", 1)))[
        "case_numbers"
    ]
    central.cli("revoke", village.station_id, "--force")  # with a case not yet sent
    outbox = tmp_path / "outbox.zip"
    assert village.cli("bundle", "export", "--out", str(outbox))["events"] == 3
    refused = _central_fails(central, "bundle", "import", str(outbox))
    assert "离线包被拒收" in refused  # plain import still refuses a revoked station

    central.ensure_admin()
    imported = central.cli("bundle", "import-revoked", str(outbox), "--as", COUNTY_ADMIN)

    assert (imported["applied"], imported["rejected"], imported["refusals"]) == (3, 0, [])
    assert central.reconcile()[village.station_id]["cases"] == 1
    [act] = _audited(central, "bundle.import_revoked", village.station_id)
    assert act.actor_username == COUNTY_ADMIN and act.detail["applied"] == 3
    assert village.cli("case", "show", number)["case_number"] == number


def test_the_county_undoes_a_revocation_within_seven_days(
    central: Central, village: Station, tmp_path: Path
) -> None:
    village.cli("case", "import", str(write_cases(tmp_path / "one.jsonl", 1)))
    central.cli("revoke", village.station_id, "--force")
    central.ensure_admin()

    central.cli("unrevoke", village.station_id, "--as", COUNTY_ADMIN)

    report = village.cli("sync")
    assert report["error"] is None and report["applied"] == 3 and report["pending"] == 0
    [act] = _audited(central, "station.unrevoke", village.station_id)
    assert act.actor_username == COUNTY_ADMIN


def test_a_revocation_older_than_seven_days_stays(central: Central, village: Station) -> None:
    central.cli("revoke", village.station_id, "--force")
    engine = _central_db(central)
    with engine.begin() as conn:
        conn.execute(
            update(StationRow)
            .where(StationRow.id == village.station_id)  # type: ignore[arg-type]
            .values(revoked_at=utcnow() - timedelta(days=8))
        )
    engine.dispose()
    central.ensure_admin()

    refused = _central_fails(central, "unrevoke", village.station_id, "--as", COUNTY_ADMIN)

    assert "7" in refused and village.station_id in refused
    assert _audited(central, "station.unrevoke", village.station_id) == []


def test_the_desk_says_in_chinese_that_the_station_was_revoked(
    central: Central, village: Station
) -> None:
    """The desk's sync line gives the centre's reason in the agent's language, not the
    English text of the centre's 403 (a revoked PC must learn why it cannot sync)."""
    from station.config import load_settings
    from station.services.auth import LoginGate
    from station.services.desk import Desk
    from station.services.desksync import sync_once
    from station.store import StationStore

    central.cli("revoke", village.station_id, "--force")
    store = StationStore.open(village.data_dir)
    try:
        desk = Desk(load_settings(village.data_dir), store, LoginGate(store))
        outcome = sync_once(desk, manual=True)
    finally:
        store.close()
    assert "本服务站已被县里吊销" in outcome.error, outcome.error  # the county's word for it
    assert outcome.error.startswith("同步失败") and "revoked" not in outcome.error


def test_a_bundle_imports_refusals_are_counted_by_reason_in_words() -> None:
    """What the county reads under an import's counts: each refusal's reason, not a bare number."""
    from central.services.push import ACTOR_DISABLED
    from daiban.commands.central_trust import refusal_lines, refusals
    from sync.protocol import CASE_NUMBER_TAKEN, EventResult, ResultStatus

    results = [
        EventResult(id="a", status=ResultStatus.applied, central_seq=1),
        EventResult(id="b", status=ResultStatus.rejected, reason=CASE_NUMBER_TAKEN),
        EventResult(id="c", status=ResultStatus.rejected, reason=CASE_NUMBER_TAKEN),
        EventResult(id="d", status=ResultStatus.superseded, reason=ACTOR_DISABLED),
    ]
    taken = "该办件编号在中心已属另一件办件：须由站点改号后重新报送（联网同步，或重新导出离线包）"
    disabled = "经办人账号已停用，县里不接收以该账号办理的操作"
    assert refusals(results) == [
        {"status": "rejected", "reason": taken, "count": 2},
        {"status": "superseded", "reason": disabled, "count": 1},
    ]
    assert refusal_lines(results) == [f"  拒收 2 条：{taken}", f"  被取代 1 条：{disabled}"]
