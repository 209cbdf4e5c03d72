"""Upgrading a centre of the last release (audit chains linked with plain SHA-256, no
audit key): its intact chains are re-keyed once and audited intact; a chain tampered
with before the upgrade is reported, never re-keyed over."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlmodel import Session

from central.models import COUNTER_TABLE, EVENT_TABLE, AdminAction
from central.services import admin_audit, audit
from central.services.audit_key import head_path
from central.settings import CentralSettings
from tests.central.test_cli import AS_ADMIN, _first_admin, _invoke, _run

ADMIN_TABLE = AdminAction.__table__  # type: ignore[attr-defined]


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> CentralSettings:
    """The centre the CLI finds under ``--data-dir tmp_path/home``; no audit timer."""
    return CentralSettings(
        data_dir=tmp_path / "home" / "central",
        db_url=db_url,
        secret_key="test-secret-key-0123456789",
        audit_check_seconds=0,
    )


def _last_release(session: Session, settings: CentralSettings) -> None:
    """What the previous release left: every link plain SHA-256, no key, no heads."""
    prev = audit.GENESIS
    for row in session.execute(select(EVENT_TABLE).order_by(EVENT_TABLE.c.central_seq)).all():
        link = audit.unkeyed_hash(prev, dict(row._mapping))
        session.execute(
            update(EVENT_TABLE)
            .where(EVENT_TABLE.c.central_seq == row.central_seq)
            .values(audit_link=link)
        )
        prev = link
    # the newest link where the upgrade (0019) puts it
    session.execute(update(COUNTER_TABLE).where(COUNTER_TABLE.c.name == "events").values(head=prev))
    prev = audit.GENESIS
    for act in session.scalars(select(AdminAction).order_by(ADMIN_TABLE.c.seq)).all():
        link = admin_audit.unkeyed_link(prev, act)
        session.execute(
            update(ADMIN_TABLE)
            .where(ADMIN_TABLE.c.seq == act.seq)
            .values(prev_hash=prev, hash=link)
        )
        prev = link
    session.commit()
    settings.audit_key_file.unlink()
    head_path(settings.audit_key_file).unlink(missing_ok=True)


def _centre_with_history(enroll: Any, session: Session, tmp_path: Path, db_url: str) -> list[str]:
    common = ["--data-dir", str(tmp_path / "home"), "--db", db_url]
    _run("init", *common)
    _first_admin(*common)
    village = enroll()
    village.push(village.new_case() + village.new_case())
    return common


def _acts(session: Session, action: str) -> list[AdminAction]:
    session.expire_all()
    query = select(AdminAction).where(ADMIN_TABLE.c.action == action)
    return list(session.scalars(query))


def test_an_intact_chain_of_the_last_release_is_rekeyed_once_and_audits_intact(
    enroll: Any, session: Session, settings: CentralSettings, tmp_path: Path, db_url: str
) -> None:
    common = _centre_with_history(enroll, session, tmp_path, db_url)
    events = session.execute(select(EVENT_TABLE.c.central_seq)).scalars().all()
    acts = len(session.scalars(select(AdminAction)).all())
    _last_release(session, settings)

    assert "审计完好" in _run("audit", *AS_ADMIN, *common)

    [rekey] = _acts(session, "audit.rekey")
    assert rekey.detail == {"events": len(events), "admin": acts}
    assert rekey.actor_username == "system"
    assert settings.audit_key_file.exists()
    stored = session.execute(select(EVENT_TABLE.c.audit_link)).scalars().all()
    assert all(len(h) == 64 for h in stored)
    assert "审计完好" in _run("audit", *AS_ADMIN, *common)  # a second start re-keys nothing
    assert len(_acts(session, "audit.rekey")) == 1


def test_a_tampered_chain_of_the_last_release_is_reported_not_laundered(
    enroll: Any, session: Session, settings: CentralSettings, tmp_path: Path, db_url: str
) -> None:
    common = _centre_with_history(enroll, session, tmp_path, db_url)
    _last_release(session, settings)
    victim = session.execute(select(EVENT_TABLE.c.central_seq).limit(1).offset(2)).scalar_one()
    session.execute(  # changed under the old release, after its link was written
        update(EVENT_TABLE).where(EVENT_TABLE.c.central_seq == victim).values(actor_id="x")
    )
    session.commit()

    for _run_again in range(2):
        result = _invoke("audit", "--json", *AS_ADMIN, *common)
        assert result.exit_code != 0
        report = json.loads(result.stdout)
        assert not report["ok"]
        changed = [(f["chain"], f["seq"]) for f in report["findings"] if f["problem"] == "changed"]
        assert changed == [("events", victim)]

    assert _acts(session, "audit.rekey") == []
    [refused] = _acts(session, "audit.rekey.refused")
    assert refused.detail["breaks"] == [f"events {victim} changed"]
    session.expire_all()
    ordered = select(EVENT_TABLE).order_by(EVENT_TABLE.c.central_seq)
    rows = [dict(r._mapping) for r in session.execute(ordered).all()]
    before = [audit.GENESIS, *(row["audit_link"] for row in rows)]
    untouched = [(i, row) for i, row in enumerate(rows) if row["central_seq"] != victim]
    assert all(audit.unkeyed_hash(before[i], row) == row["audit_link"] for i, row in untouched)
