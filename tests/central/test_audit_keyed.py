"""The keyed audit: an edited row, the newest rows deleted, a chain recomputed without
the key, an edited case state — each found and named (chain, row, what differs)."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select, update
from sqlmodel import Session

from central.models import CASE_TABLE, COUNTER_TABLE, EVENT_TABLE, AdminAction, User
from central.services import audit, audit_verify
from central.services.admin_audit import record_action, verify_actions
from central.services.audit_check import full_check, quick_check
from central.settings import CentralSettings
from tests.central.test_cli import AS_ADMIN, _first_admin, _invoke, _run

AUDIT_TIMER = False
"""No audit timer: each test runs the checks itself."""


def _problems(report: audit_verify.Report) -> list[tuple[str, int | None, str]]:
    return [(f.chain, f.seq, f.problem) for f in report.findings()]


def _pushed(enroll: Any) -> list[int]:
    village = enroll()
    results = village.push(village.new_case() + village.new_case())
    return [int(r["central_seq"]) for r in results]


def test_an_edited_event_row_is_named_once(
    enroll: Any, session: Session, settings: CentralSettings
) -> None:
    seqs = _pushed(enroll)
    assert full_check(session.connection(), settings).ok
    victim = seqs[3]
    session.execute(
        update(EVENT_TABLE).where(EVENT_TABLE.c.central_seq == victim).values(actor_id="x")
    )
    session.commit()
    report = full_check(session.connection(), settings)
    assert _problems(report) == [("events", victim, audit_verify.CHANGED)]
    assert report.findings()[0].row == f"central_seq {victim}"


def test_a_removed_link_or_row_in_the_middle_is_found_without_a_stored_prev_hash(
    enroll: Any, session: Session, settings: CentralSettings
) -> None:
    """A link holds no copy of the link before it (0014) and is kept in its event's row
    (0019): a removed link shows as its event without a link and the next link not
    following; a removed event (its link with it) as the next link not matching."""
    seqs = _pushed(enroll)
    unlinked = update(EVENT_TABLE).where(EVENT_TABLE.c.central_seq == seqs[1])
    session.execute(unlinked.values(audit_link=None))
    session.execute(delete(EVENT_TABLE).where(EVENT_TABLE.c.central_seq == seqs[3]))
    session.commit()
    report = full_check(session.connection(), settings)
    events = [p for p in _problems(report) if p[0] == "events"]
    assert events == [
        ("events", seqs[1], audit_verify.NO_LINK),
        ("events", seqs[2], audit_verify.RELINKED),
        ("events", seqs[4], audit_verify.CHANGED),
    ]
    changed = [f for f in report.findings() if f.seq == seqs[4]]
    assert f"seqs {seqs[3]}..{seqs[3]} before it" in changed[0].detail


def test_deleting_the_newest_rows_is_found_by_the_signed_head(
    enroll: Any, session: Session, settings: CentralSettings
) -> None:
    seqs = _pushed(enroll)
    assert full_check(session.connection(), settings).ok  # signs the head: 6 links
    newest = seqs[-2:]
    session.execute(delete(EVENT_TABLE).where(EVENT_TABLE.c.central_seq.in_(newest)))
    session.commit()
    for check in (full_check, quick_check):
        report = check(session.connection(), settings)
        assert ("events", seqs[-1], audit_verify.TRUNCATED) in _problems(report)
        [truncated] = [f for f in report.findings() if f.problem == audit_verify.TRUNCATED]
        assert "6" in truncated.detail and "4" in truncated.detail


def test_a_chain_recomputed_without_the_key_is_found(
    enroll: Any, session: Session, settings: CentralSettings
) -> None:
    seqs = _pushed(enroll)
    session.execute(
        update(EVENT_TABLE).where(EVENT_TABLE.c.central_seq == seqs[0]).values(actor_id="x")
    )
    prev = audit.GENESIS
    rows = session.execute(select(EVENT_TABLE).order_by(EVENT_TABLE.c.central_seq)).all()
    for row in rows:  # what a forger with write access to the database can do
        link = audit.unkeyed_hash(prev, dict(row._mapping))
        session.execute(
            update(EVENT_TABLE)
            .where(EVENT_TABLE.c.central_seq == row.central_seq)
            .values(audit_link=link)
        )
        prev = link
    session.execute(update(COUNTER_TABLE).values(head=prev))  # the chain's head too
    session.commit()
    report = full_check(session.connection(), settings)
    assert _problems(report) == [("events", s, audit_verify.UNKEYED) for s in seqs]
    assert not audit.verify_audit(session=session).ok


def test_an_edited_case_state_is_found(
    enroll: Any, session: Session, settings: CentralSettings
) -> None:
    _pushed(enroll)
    number = session.execute(select(CASE_TABLE.c.case_number).limit(1)).scalar_one()
    session.execute(
        update(CASE_TABLE).where(CASE_TABLE.c.case_number == number).values(state="completed")
    )
    session.commit()
    [finding] = full_check(session.connection(), settings).findings()
    assert (finding.chain, finding.row, finding.problem) == (
        "cases",
        f"case {number}",
        audit_verify.STATE_DIFFERS,
    )
    assert "stored: state completed" in finding.detail


def test_admin_acts_edited_or_deleted_are_found(
    sign_in: Any, session: Session, settings: CentralSettings
) -> None:
    admin = session.scalars(select(User)).first() or _admin(session)
    for number in range(4):
        record_action(session, admin, "account.create", f"user-{number}")
    session.commit()
    assert verify_actions(session).ok and full_check(session.connection(), settings).ok
    table = AdminAction.__table__  # type: ignore[attr-defined]
    seqs = list(session.execute(select(table.c.seq).order_by(table.c.seq)).scalars())
    session.execute(update(table).where(table.c.seq == seqs[1]).values(target="someone-else"))
    session.execute(delete(table).where(table.c.seq == seqs[-1]))
    session.commit()
    problems = _problems(full_check(session.connection(), settings))
    assert ("admin", seqs[1], audit_verify.CHANGED) in problems
    assert ("admin", seqs[-1], audit_verify.TRUNCATED) in problems
    assert verify_actions(session).first_bad_seq == seqs[1]


def _admin(session: Session) -> User:
    from central.services.accounts import create_user

    return create_user(
        session=session, username="zhaojun", display_name="赵军", role="admin",
        division="640522000000", password="county-pass-1",
    )  # fmt: skip


def test_the_key_is_a_private_file_and_not_in_the_database(
    enroll: Any, session: Session, settings: CentralSettings, tmp_path: Path
) -> None:
    _pushed(enroll)
    full_check(session.connection(), settings)
    key_file = settings.audit_key_file
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    head = key_file.with_name(key_file.name + ".head")
    assert stat.S_IMODE(head.stat().st_mode) == 0o600
    key = key_file.read_text().strip()
    for database in tmp_path.glob("central.db*"):
        assert key.encode() not in database.read_bytes()
        assert bytes.fromhex(key) not in database.read_bytes()


def test_the_audit_command_names_what_changed(db_url: str, tmp_path: Path) -> None:
    from central.bootstrap import load_settings, open_session

    common = ["--data-dir", str(tmp_path / "home"), "--db", db_url]
    _run("init", *common)
    assert stat.S_IMODE((tmp_path / "home" / "central" / "audit.key").stat().st_mode) == 0o600
    _first_admin(*common)
    _run("user", "add", "--username", "li", "--name", "李", "--role", "agent",
         "--division", "640522100201", "--password", "agent-pass-1",
         "--id-number", "640522198505050021", *AS_ADMIN, *common)  # fmt: skip
    assert "审计完好" in _run("audit", *AS_ADMIN, *common)
    with open_session(load_settings(tmp_path / "home" / "central", db_url)) as session:
        table = AdminAction.__table__  # type: ignore[attr-defined]
        session.execute(update(table).where(table.c.target == "li").values(target="wang"))
        session.commit()
    result = _invoke("audit", "--json", *AS_ADMIN, *common)
    assert result.exit_code != 0
    report = json.loads(result.stdout)
    assert not report["ok"]
    [finding] = report["findings"]
    assert (finding["chain"], finding["problem"]) == ("admin", "changed")
    assert "account.create wang" in finding["row"]
    plain = _invoke("audit", *AS_ADMIN, *common)
    assert plain.exit_code != 0 and "管理操作" in plain.output and "被改动" in plain.output


def test_deleting_the_newest_events_before_any_head_is_signed_is_found(
    enroll: Any, session: Session, settings: CentralSettings
) -> None:
    """No signed head covers them yet (the timed check had not run): the counter row's
    newest link is on no event, and the next push links onto that link, not onto the
    newest event left, so the gap shows at its first event too."""
    village = enroll()
    seqs = [int(r["central_seq"]) for r in village.push(village.new_case() + village.new_case())]
    newest = seqs[-3:]  # the whole newest case
    session.execute(delete(EVENT_TABLE).where(EVENT_TABLE.c.central_seq.in_(newest)))
    session.commit()

    assert not audit.verify_audit(session=session).ok
    report = full_check(session.connection(), settings, cases=False)
    assert _problems(report) == [("events", seqs[-4], audit_verify.TAIL_REMOVED)]

    after = village.push(village.new_case())
    report = full_check(session.connection(), settings, cases=False)
    first = int(after[0]["central_seq"])
    assert ("events", first, audit_verify.CHANGED) in _problems(report)
