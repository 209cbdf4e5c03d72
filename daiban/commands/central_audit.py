"""``daiban central audit --as ADMIN``: walk every audit chain and say what was changed or removed."""

from __future__ import annotations

from dataclasses import asdict

import typer

from central.i18n import _
from daiban.context import JsonFlag, fail, print_json
from daiban.signin import AsUser


def _problems() -> dict[str, str]:
    """What each finding means, for a person (zh_CN first)."""
    return {
        "changed": _("the row was changed after it was recorded (it no longer matches its link)"),
        "unkeyed": _("the link was recomputed without the audit key (forged)"),
        "relinked": _("rows before it were removed or reordered (missing: {detail})"),
        "no_link": _("an event without its link (its link was deleted, or the event was added)"),
        "truncated": _("the newest rows were deleted ({detail})"),
        "tail_removed": _("the newest events were deleted (the chain's newest link is on none)"),
        "head_changed": _("the newest signed link was changed"),
        "heads_forged": _("the signed audit heads file was altered"),
        "state_differs": _("the case's state was edited ({detail})"),
        "no_events": _("a case with no recorded event (added directly to the database)"),
    }


def _chains() -> dict[str, str]:
    return {
        "events": _("events"),
        "admin": _("administrative acts"),
        "cases": _("case states"),
        "heads": _("signed heads"),
    }


def audit(as_user: AsUser = None, as_json: JsonFlag = False) -> None:
    """Verify the keyed audit chains (events, administrative acts, case states)."""
    from central.bootstrap import open_session
    from central.services.admin_audit import record_action
    from central.services.audit_check import full_check
    from daiban.commands.central import _settings, administrator

    settings = _settings()
    with open_session(settings) as session:
        admin = administrator(session, as_user)
        report = full_check(session.connection(), settings)
        session.commit()
        detail = {"ok": report.ok, "findings": len(report.findings())}
        record_action(session, admin, "audit.verify", "", detail)
        session.commit()
    if as_json:
        counts = {chain: walk.count for chain, walk in report.walks.items()}
        print_json(
            {
                "ok": report.ok,
                "entries": counts,
                "findings": [asdict(f) for f in report.findings()],
            }
        )
    else:
        _print(report)
    if not report.ok:
        fail(_("the audit found {count} problems").format(count=len(report.findings())))


def _print(report: object) -> None:
    from central.services.audit_verify import Report

    assert isinstance(report, Report)
    problems, chains = _problems(), _chains()
    for chain, walk in report.walks.items():
        typer.echo(_("{chain}: {count} checked").format(chain=chains[chain], count=walk.count))
    for finding in report.findings():
        text = problems[finding.problem].format(detail=finding.detail)
        typer.echo(f"  ✗ [{chains[finding.chain]}] {finding.row}: {text}")
        if finding.detail and "{detail}" not in _problems_raw(finding.problem):
            typer.echo(f"      {finding.detail}")
    more = sum(walk.more for walk in report.walks.values())
    if more:
        typer.echo(_("… and {count} more").format(count=more))
    if report.ok:
        typer.echo(_("Audit intact: nothing changed or removed."))


def _problems_raw(problem: str) -> str:
    return {"relinked": "{detail}", "truncated": "{detail}", "state_differs": "{detail}"}.get(
        problem, ""
    )
