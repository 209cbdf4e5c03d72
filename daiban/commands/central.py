"""``daiban central ...``: run and administer the county intake API."""

from __future__ import annotations

import getpass
import os
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

import typer

from central.i18n import _
from central.settings import CentralSettings, InsecureSecretError
from daiban.commands import central_catalog, central_report
from daiban.context import JsonFlag, config, fail, home, print_json
from forms.clock import china_now, china_today, format_minute
from sync.events import Role
from sync.messages import _ as sync_
from sync.protocol import StationRole

app = typer.Typer(no_args_is_help=True)
user_app = typer.Typer(no_args_is_help=True, help="Accounts (一人一账号).")
report_app = typer.Typer(no_args_is_help=True, help="Reconciliation and statistics.")
bundle_app = typer.Typer(no_args_is_help=True, help="Offline bundles brought to the county.")
app.add_typer(user_app, name="user")
app.add_typer(report_app, name="report")
app.add_typer(bundle_app, name="bundle")
app.add_typer(central_catalog.app, name="catalog")
report_app.command("export")(central_report.export)


def central_dir() -> Path:
    """The central's directory: ``<data dir>/central``."""
    return home() / "central"


def _settings() -> CentralSettings:
    """The central's settings: its directory and the global ``--db`` (if given)."""
    from central.bootstrap import load_settings

    settings = load_settings(central_dir(), config().db)
    try:
        settings.check_secret()
    except InsecureSecretError as error:
        fail(str(error))
    return settings


@app.command()
def init(as_json: JsonFlag = False) -> None:
    """Set up a county's central: a generated secret, the database migrated."""
    from central.bootstrap import init_central

    settings = init_central(central_dir(), config().db)
    if as_json:
        print_json({"data_dir": str(settings.data_dir), "db_url": _safe_url(settings.db_url)})
        return
    typer.echo(
        _("Central set up in {path} (database: {db}).").format(
            path=settings.data_dir, db=_safe_url(settings.db_url)
        )
    )


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8765,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
) -> None:
    """Run the county intake API (SQLite file by default, PostgreSQL by URL)."""
    import uvicorn

    settings = _settings()
    # Workers are separate processes: they build the app from the environment.
    os.environ["DAIBAN_CENTRAL_DATA_DIR"] = str(settings.data_dir)
    os.environ["DAIBAN_CENTRAL_DB_URL"] = settings.db_url
    typer.echo(
        _("Serving the county intake API on http://{host}:{port} ({workers} worker(s)).").format(
            host=host, port=port, workers=workers
        ),
        err=True,
    )
    uvicorn.run(
        "central.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        loop="uvloop",
        http="httptools",
        log_level="warning",
    )


@app.command()
def enroll(
    division: Annotated[str, typer.Option(help="The station's 12-digit division code.")],
    name: Annotated[str, typer.Option(help="The station's name.")],
    role: Annotated[StationRole, typer.Option(help="village | township | county.")],
    as_json: JsonFlag = False,
) -> None:
    """Issue a one-time enrollment code for a station."""
    from central.bootstrap import open_session
    from central.services.stations import EnrollmentError, enroll_code

    settings = _settings()
    ttl = settings.enrollment_code_ttl_minutes
    with open_session(settings) as session:
        try:
            code = enroll_code(
                session=session, division=division, name=name, role=role, ttl_minutes=ttl
            )
        except EnrollmentError as error:
            fail(str(error))
    expires = china_now() + timedelta(minutes=ttl)
    if as_json:
        print_json(
            {
                "code": code,
                "division": division,
                "name": name,
                "role": role.value,
                "expires_at": expires.isoformat(),
            }
        )
        return
    typer.echo(
        _("One-time enrollment code for {name} ({division}): {code}").format(
            name=name, division=division, code=code
        )
    )
    typer.echo(_("valid until {when}").format(when=format_minute(expires)))


@app.command()
def revoke(
    station_id: Annotated[str, typer.Argument(help="The station to revoke.")],
    as_json: JsonFlag = False,
) -> None:
    """Revoke a station: its credential is refused from the next request on."""
    from central.bootstrap import open_session
    from central.services.stations import StationNotFoundError, revoke_station

    with open_session(_settings()) as session:
        try:
            station = revoke_station(session=session, station_id=station_id)
        except StationNotFoundError:
            fail(_("no station {station}").format(station=station_id))
    if as_json:
        print_json({"station": station.id, "revoked_at": station.revoked_at})
        return
    typer.echo(
        _("Station {station} revoked; its next request will be refused.").format(station=station.id)
    )


@app.command()
def stations(as_json: JsonFlag = False) -> None:
    """List the enrolled stations."""
    from central.bootstrap import open_session
    from central.services.stations import list_stations

    with open_session(_settings()) as session:
        rows = [
            {
                "station": s.id,
                "division": s.division,
                "name": s.name,
                "role": s.role,
                "last_seen": s.last_seen,
                "revoked": s.revoked_at is not None,
            }
            for s in list_stations(session=session)
        ]
    if as_json:
        print_json({"stations": rows})
        return
    for row in rows:
        typer.echo(f"{row['station']}  {row['division']}  {row['role']:<8}  {row['name']}")


@user_app.command("add")
def user_add(
    username: Annotated[str, typer.Option(help="Login name (unique).")],
    name: Annotated[str, typer.Option(help="The person's name.")],
    role: Annotated[Role, typer.Option(help="agent | reviewer | admin.")],
    division: Annotated[str, typer.Option(help="12-digit division code.")],
    password: Annotated[
        str | None, typer.Option(help="Initial password (asked if left out).")
    ] = None,
    phone: Annotated[str, typer.Option(help="Contact phone.")] = "",
    station: Annotated[str | None, typer.Option(help="Bind to a station id.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Create an account (one per person)."""
    from central.bootstrap import open_session
    from central.services.accounts import AccountError, create_user

    secret = password if password is not None else getpass.getpass(_("Password") + ": ")
    with open_session(_settings()) as session:
        try:
            user = create_user(
                session=session,
                username=username,
                display_name=name,
                role=role,
                division=division,
                password=secret,
                phone=phone,
                station_id=station,
            )
        except AccountError as error:
            fail(str(error))
    if as_json:
        print_json(
            {
                "user_id": user.id,
                "username": user.username,
                "role": user.role,
                "division": user.division,
            }
        )
        return
    typer.echo(
        _("Account {username} created ({role}, {division}).").format(
            username=user.username, role=user.role, division=user.division
        )
    )


@user_app.command("list")
def user_list(as_json: JsonFlag = False) -> None:
    """List the accounts."""
    from central.bootstrap import open_session
    from central.services.accounts import list_users

    with open_session(_settings()) as session:
        rows = [
            {
                "user_id": u.id,
                "username": u.username,
                "display_name": u.display_name,
                "role": u.role,
                "division": u.division,
                "active": u.active,
            }
            for u in list_users(session=session)
        ]
    if as_json:
        print_json({"users": rows})
        return
    for row in rows:
        state = "" if row["active"] else f"  ({_('disabled')})"
        typer.echo(
            f"{row['username']:<16} {row['display_name']}  {row['role']:<8} {row['division']}{state}"
        )


def _change_user(username: str, **changes: Any) -> None:
    from central.bootstrap import open_session
    from central.services.accounts import AccountError, update_user

    with open_session(_settings()) as session:
        try:
            update_user(session=session, username=username, **changes)
        except AccountError as error:
            fail(str(error))
    typer.echo(
        _("Account {username} changed; stations get it with their next sync.").format(
            username=username
        )
    )


Username = Annotated[str, typer.Argument(help="The account's login name.")]


@user_app.command("disable")
def user_disable(username: Username) -> None:
    """Disable an account (also at the stations, with their next sync)."""
    _change_user(username, active=False)


@user_app.command("enable")
def user_enable(username: Username) -> None:
    """Enable a disabled account again."""
    _change_user(username, active=True)


@user_app.command("passwd")
def user_passwd(
    username: Username,
    password: Annotated[str | None, typer.Option(help="New password (asked if left out).")] = None,
) -> None:
    """Set a new password for an account."""
    secret = password if password is not None else getpass.getpass(_("Password") + ": ")
    _change_user(username, password=secret)


@report_app.command("reconcile")
def reconcile(
    as_json: JsonFlag = False,
    xlsx: Annotated[Path | None, typer.Option("--xlsx", help="Also write an Excel file.")] = None,
) -> None:
    """Per station: what the centre holds and what the station reported; silent stations;
    the same resident's open applications for one item at two stations."""
    from central.bootstrap import open_session
    from central.services.reconcile import duplicate_applications, reconciliation_json
    from central.services.reconcile import reconcile as run_reconcile

    with open_session(_settings()) as session:
        report = run_reconcile(session=session)
        duplicates = duplicate_applications(session=session)
    if xlsx is not None:
        from central.services.export import reconciliation_workbook

        reconciliation_workbook(report, xlsx)
    if as_json:
        print_json(reconciliation_json(report, duplicates))
        return
    for entry in report:
        gaps = _gap_text(entry.gaps)
        seen = format_minute(entry.last_seen) or _("never")
        outbox = _("not reported") if entry.outbox_depth is None else str(entry.outbox_depth)
        silent = f"  {_('SILENT')}" if entry.stalled else ""
        typer.echo(
            f"{entry.station}  {entry.division}  {entry.name}  "
            f"{_('Cases')} {entry.cases}  {_('Events')} {entry.events}  {_('Gaps')} {gaps}  "
            f"{_('Duplicates')} {entry.duplicates}  {_('Last seen')} {seen}  "
            f"{_('Unsent at the station')} {outbox}{silent}"
        )
    for duplicate in duplicates:
        numbers = ", ".join(f"{c['case_number']} ({c['station_name']})" for c in duplicate.cases)
        typer.echo(
            _("Same resident, same item, open at two stations: {id} {item}: {cases}").format(
                id=duplicate.id_masked, item=duplicate.item_name, cases=numbers
            )
        )
    if xlsx is not None:
        typer.echo(_("Reconciliation written to {path}.").format(path=xlsx))


def _gap_text(gaps: list[int]) -> str:
    if not gaps:
        return _("none")
    shown = ",".join(str(g) for g in gaps[:10])
    return shown + ("…" if len(gaps) > 10 else "")


@report_app.command("stats")
def stats(as_json: JsonFlag = False) -> None:
    """The county's statistics: cases by state and item, flagged, overdue."""
    from dataclasses import asdict

    from central.bootstrap import open_session
    from central.services.reconcile import case_statistics

    with open_session(_settings()) as session:
        figures = case_statistics(session=session, today=china_today())
    if as_json:
        print_json(asdict(figures))
        return
    typer.echo(_("Cases: {count}").format(count=figures.cases))
    typer.echo(_("By state:"))
    for state, count in sorted(figures.by_state.items()):
        typer.echo(f"  {state}: {count}")
    typer.echo(_("By item:"))
    for item, count in sorted(figures.by_item.items()):
        typer.echo(f"  {item}: {count}")
    typer.echo(_("Flagged (superseded events): {count}").format(count=figures.flagged))
    typer.echo(_("Overdue: {count}").format(count=len(figures.overdue)))


@app.command()
def audit(as_json: JsonFlag = False) -> None:
    """Verify the tamper-evident audit chain over every accepted event."""
    from central.bootstrap import open_session
    from central.services.audit import verify_audit

    with open_session(_settings()) as session:
        check = verify_audit(session=session)
    if as_json:
        print_json(
            {
                "ok": check.ok,
                "entries": check.entries,
                "first_bad_seq": check.first_bad_seq,
                "problem": check.problem,
            }
        )
    elif check.ok:
        typer.echo(_("Audit chain intact: {count} entries.").format(count=check.entries))
    if not check.ok:
        fail(
            _("the audit chain is broken at central sequence {seq}: {problem}").format(
                seq=check.first_bad_seq, problem=check.problem
            )
        )


@bundle_app.command("import")
def bundle_import(
    file: Annotated[Path, typer.Argument(help="The bundle file from the station.", exists=True)],
    return_out: Annotated[
        Path | None, typer.Option("--return-out", help="Write the station's return bundle here.")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Import a station's offline bundle; optionally write the return bundle."""
    from central.bootstrap import open_session
    from central.services.bundles import import_bundle, write_return_bundle
    from sync.errors import BundleError

    settings = _settings()
    with open_session(settings) as session:
        try:
            result = import_bundle(session=session, settings=settings, path=file)
            info = None
            if return_out is not None:
                info = write_return_bundle(
                    session=session, settings=settings, station_id=result.station_id, out=return_out
                )
        except BundleError as error:
            fail(_("the bundle was refused: {reason}").format(reason=sync_(error.reason)))
    counts: Counter[str] = Counter(r.status.value for r in result.results)
    if as_json:
        data: dict[str, Any] = {"station": result.station_id, "blobs_stored": result.blobs_stored}
        data.update(
            {k: counts.get(k, 0) for k in ("applied", "duplicate", "superseded", "rejected")}
        )
        data["return_bundle"] = str(info.path) if info else None
        data["return_events"] = info.event_count if info else 0
        print_json(data)
        return
    typer.echo(
        _(
            "Bundle from {station}: {applied} applied, {duplicate} duplicate, {superseded} superseded, "
            "{rejected} rejected, {blobs} attachments."
        ).format(
            station=result.station_id,
            blobs=result.blobs_stored,
            **{k: counts.get(k, 0) for k in ("applied", "duplicate", "superseded", "rejected")},
        )
    )
    if info is not None:
        typer.echo(
            _("Return bundle written to {path} ({count} events).").format(
                path=info.path, count=info.event_count
            )
        )
