"""``daiban central ...``: run and administer the county intake API."""

from __future__ import annotations

import getpass
import os
import sys
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from central.i18n import _
from central.settings import SETTINGS_FILE, CentralSettings, InsecureSecretError
from daiban.commands import (
    central_audit,
    central_catalog,
    central_ops,
    central_report,
    central_trust,
)
from daiban.context import JsonFlag, config, fail, home, print_json
from daiban.signin import AsUser, password_for, require_user
from forms.clock import china_today, format_minute, to_china
from sync.events import Role
from sync.messages import _ as sync_
from sync.protocol import StationRole

app = typer.Typer(no_args_is_help=True)
user_app = typer.Typer(no_args_is_help=True, help="Accounts (一人一账号).")
report_app = typer.Typer(no_args_is_help=True, help="Reconciliation and statistics.")
bundle_app = typer.Typer(no_args_is_help=True, help="Offline bundles brought to the county.")
code_app = typer.Typer(no_args_is_help=True, help="Outstanding enrollment codes.")
app.add_typer(user_app, name="user")
app.add_typer(code_app, name="codes")
app.add_typer(report_app, name="report")
app.add_typer(bundle_app, name="bundle")
app.add_typer(central_catalog.app, name="catalog")
app.command("audit")(central_audit.audit)
report_app.command("export")(central_report.export)
app.command("backup")(central_ops.backup)
app.command("restore")(central_ops.restore)
central_trust.register(app, bundle_app)


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
        if not (central_dir() / SETTINGS_FILE).exists():  # no centre here: not a bad secret
            _refuse_missing_central()
        fail(_(str(error)))
    return settings


def _refuse_missing_central() -> None:
    """Fail, naming the folder, when the data directory holds no county centre."""
    message = _(
        "{folder} holds no county centre. If the centre's data is in another folder, name"
        " that folder with --data-dir; otherwise set one up (daiban central init)."
    ).format(folder=central_dir())
    demo = home() / "demo" / "central"  # ``daiban demo``'s centre: its data directory
    if (demo / "central" / SETTINGS_FILE).exists():
        message += " " + _("The demonstration's centre: --data-dir {folder}.").format(folder=demo)
    fail(message)


@app.command()
def init(as_json: JsonFlag = False) -> None:
    """Set up a county's central: a generated secret, the database migrated."""
    from central.bootstrap import init_central

    settings = init_central(central_dir(), central_ops.checked_db_url(config().db))
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
    cert: Annotated[
        Path | None, typer.Option("--cert", help="TLS certificate (PEM): serve HTTPS.")
    ] = None,
    key: Annotated[Path | None, typer.Option("--key", help="The certificate's key (PEM).")] = None,
    insecure: Annotated[
        bool, typer.Option("--insecure", help="Allow plain HTTP beyond loopback.")
    ] = False,
) -> None:
    """Run the county intake API (SQLite file by default, PostgreSQL by URL).

    HTTPS with --cert/--key (or tls_cert/tls_key in central.toml); plain HTTP only
    on loopback (a reverse proxy in front) or with --insecure.
    """
    import uvicorn

    from central.api.limits import RequestTimeoutProtocol
    from daiban.commands.central_tls import server_tls

    settings = _settings()
    central_ops.check_port_free(host, port)
    tls = server_tls(settings, host, cert, key, insecure)
    # Workers are separate processes: they build the app from the environment.
    os.environ["DAIBAN_CENTRAL_DATA_DIR"] = str(settings.data_dir)
    os.environ["DAIBAN_CENTRAL_DB_URL"] = settings.db_url
    if tls is not None:
        banner = _(
            "Serving the county intake API on https://{host}:{port} ({workers} worker(s)); "
            "certificate SHA-256 {fingerprint}."
        )
    else:
        banner = _("Serving the county intake API on http://{host}:{port} ({workers} worker(s)).")
    fingerprint = tls.fingerprint if tls else ""
    typer.echo(
        banner.format(host=host, port=port, workers=workers, fingerprint=fingerprint), err=True
    )
    uvicorn.run(
        "central.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        loop="uvloop",
        http=RequestTimeoutProtocol,  # httptools, with a deadline for the headers
        log_level="warning",
        timeout_keep_alive=KEEP_ALIVE_S,
        **(tls.uvicorn_options() if tls else {}),
    )


KEEP_ALIVE_S = 75
"""Seconds an idle station connection stays open (uvicorn's default is 5). A station
waiting out a 429 came back to a connection the centre had just closed and failed with
"connection reset" or "server disconnected"; 75 s is nginx's default."""


def administrator(session: Any, as_user: str | None) -> Any:
    """The county administrator named by ``--as``, signed in with their password.

    Commands that change the county run on the server with direct database access:
    they name who acts, and the act is audited with that person.
    """
    from central.services.sessions import SessionRefused, checked_password

    username = require_user(as_user)
    password = password_for(username)
    try:
        user = checked_password(session=session, username=username, password=password)
    except SessionRefused as refused:
        fail(_("{username}: {reason}").format(username=username, reason=refused))
    if not user.active or user.role != "admin":
        fail(_("{username} is not an active county administrator").format(username=username))
    session.commit()  # end the read: the act's own transaction starts with its write
    return user


@app.command()
def enroll(
    division: Annotated[str, typer.Option(help="The station's 12-digit division code.")],
    name: Annotated[str, typer.Option(help="The station's name.")],
    role: Annotated[StationRole, typer.Option(help="village | township | county.")],
    as_user: AsUser = None,
    url: Annotated[
        str, typer.Option("--url", help="The centre's address as stations reach it (for --qr).")
    ] = "",
    qr: Annotated[
        Path | None, typer.Option("--qr", help="Also write the code as a QR image (PNG).")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Issue a one-time enrollment code for a station of a division in the county's table."""
    from central.bootstrap import open_session
    from central.services.admin_audit import record_action
    from central.services.stations import (
        EnrollmentError,
        code_details,
        county_divisions,
        issue_code,
        replaced_text,
    )
    from daiban.commands.central_tls import settings_fingerprint
    from sync.enroll_uri import enroll_uri

    settings = _settings()
    if qr is not None and not url:
        fail(_("--qr needs --url: the centre's address as the station PC reaches it"))
    with open_session(settings) as session:
        table = county_divisions(session=session, catalog_path=settings.catalog_path)
        admin = administrator(session, as_user)
        try:
            issued = issue_code(
                session=session,
                division=division,
                name=name,
                role=role,
                ttl_minutes=settings.enrollment_code_ttl_minutes,
                divisions=table,
                issued_by=admin.username,
                before_commit=lambda row, replaced: record_action(
                    session,
                    admin,
                    "station.code",
                    division,
                    code_details(name, role.value, row.ref, replaced),
                ),
            )
        except EnrollmentError as error:
            fail(str(error))
    expires = to_china(issued.expires_at)
    fingerprint = settings_fingerprint(settings)
    uri = enroll_uri(url, issued.code, fingerprint=fingerprint) if url else ""
    if qr is not None:
        import segno

        segno.make(uri, error="m").save(str(qr), scale=8, border=4)
    if as_json:
        print_json(
            {
                "code": issued.code,
                "ref": issued.ref,
                "division": division,
                "division_name": table[division].name,
                "name": name,
                "role": role.value,
                "expires_at": expires.isoformat(),
                "uri": uri,
                "fingerprint": fingerprint,
                "replaced": list(issued.replaced),
            }
        )
        return
    typer.echo(
        _("One-time enrollment code for {name} ({division}): {code}").format(
            name=name, division=f"{table[division].name} {division}", code=issued.code
        )
    )
    typer.echo(_("valid until {when}").format(when=format_minute(expires)))
    if issued.replaced:  # the village's earlier codes: only one station may hold it
        typer.echo(replaced_text(issued.replaced))
    if fingerprint:
        typer.echo(
            _("the centre's certificate SHA-256: {fingerprint}").format(fingerprint=fingerprint)
        )
    if qr is not None:
        typer.echo(_("QR for the station PC written to {path}.").format(path=qr))


@code_app.command("list")
def codes_list(as_json: JsonFlag = False) -> None:
    """The codes issued and not yet used, cancelled or expired."""
    from central.bootstrap import open_session
    from central.services.stations import county_divisions, level_label, outstanding_codes

    settings = _settings()
    with open_session(settings) as session:
        table = county_divisions(session=session, catalog_path=settings.catalog_path)
        names = {c: e.name for c, e in table.items()}
        people = person_names(session)
        rows = [
            {
                "ref": code.ref,
                "division": code.division,
                "division_name": names.get(code.division, ""),
                "name": code.name,
                "role": code.role,
                "expires_at": _china(code.expires_at),
                "issued_by": code.issued_by,
                "issued_by_name": people.get(code.issued_by, ""),
            }
            for code in outstanding_codes(session=session)
        ]
    if as_json:
        print_json({"codes": rows})
        return
    if not rows:
        typer.echo(_("No outstanding enrollment codes."))
    for row in rows:
        expires = str(row["expires_at"])[:16].replace("T", " ")
        typer.echo(
            f"{row['ref']}  {row['division']} {row['division_name']}  {row['name']}  "
            f"{level_label(str(row['role']))}  {_('valid until {when}').format(when=expires)}  "
            f"{person_label(str(row['issued_by']), people)}"
        )


def person_names(session: Any) -> dict[str, str]:
    """Each account's person by username (赵军 for ``zhaojun``), as the desk names them."""
    from central.services.accounts import list_users

    return {u.username: u.display_name for u in list_users(session=session) if u.display_name}


def person_label(username: str, people: dict[str, str]) -> str:
    """``赵军（zhaojun）``: the person as the desk names them, with the username ``--as``
    takes; the username alone when no account has it."""
    name = people.get(username)
    return f"{name}（{username}）" if name and name != username else username


@code_app.command("cancel")
def codes_cancel(
    ref: Annotated[str, typer.Argument(help="The code's reference (from `codes list`).")],
    as_user: AsUser = None,
    as_json: JsonFlag = False,
) -> None:
    """Cancel an outstanding code: it can no longer enroll a station."""
    from central.bootstrap import open_session
    from central.services.admin_audit import record_action
    from central.services.stations import EnrollmentError, cancel_code, find_code

    with open_session(_settings()) as session:
        admin = administrator(session, as_user)
        try:
            code = find_code(session=session, ref=ref)
            record_action(
                session,
                admin,
                "station.code.cancel",
                code.division,
                {"name": code.name, "ref": code.ref},
            )
            cancel_code(session=session, ref=ref)
        except EnrollmentError as error:
            fail(str(error))
    if as_json:
        print_json({"ref": code.ref, "division": code.division, "cancelled": True})
        return
    typer.echo(_("Code {ref} for {name} cancelled.").format(ref=code.ref, name=code.name))


@app.command()
def revoke(
    station_id: Annotated[
        str | None, typer.Argument(help="The station to revoke (or --division / --name).")
    ] = None,
    division: Annotated[str, typer.Option(help="Revoke the active station of this division.")] = "",
    name: Annotated[str, typer.Option(help="Revoke the active station of this name.")] = "",
    force: Annotated[
        bool, typer.Option("--force", help="Revoke even if it last reported unsent events.")
    ] = False,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Do not ask for confirmation at a terminal.")
    ] = False,
    as_user: AsUser = None,
    as_json: JsonFlag = False,
) -> None:
    """Revoke a station: its credential is refused from the next request on."""
    # At a terminal the command names the station and asks first (--yes skips it);
    # scripts (no terminal) are not asked. `daiban central unrevoke` undoes it in 7 days.
    from central.bootstrap import open_session
    from central.services.admin_audit import record_action
    from central.services.stations import revoke_station, unsent_warning

    with open_session(_settings()) as session:
        admin = administrator(session, as_user)
        station = _station_to_revoke(session, station_id, division, name)
        warning = unsent_warning(station)
        if warning and not force:
            fail(warning + _("; add --force to revoke anyway"))
        if not (yes or as_json) and asking():
            _confirm_revoke(station)
        detail = {
            "name": station.name,
            "division": station.division,
            "unsent": station.outbox_depth,
        }
        record_action(session, admin, "station.revoke", station.id, detail)
        station = revoke_station(session=session, station_id=station.id)
    if as_json:
        print_json({"station": station.id, "name": station.name, "revoked_at": station.revoked_at})
        return
    if warning:
        typer.echo(warning, err=True)
    typer.echo(
        _("Station {station} revoked; its next request will be refused.").format(
            station=f"{station.name} ({station.id})"
        )
    )


def asking() -> bool:
    """Whether a person is at the terminal (a confirmation can be asked)."""
    return sys.stdin.isatty()


def asked(prompt: str, *, hidden: bool, missing: str) -> str:
    """What a person types at the terminal (hidden for a password), else the next line of
    standard input: ``getpass`` on a pipe printed Python's English warnings, and an empty
    pipe ended in click's "Aborted!".

    Args:
        prompt: the question at a terminal.
        hidden: whether the answer is a secret (not echoed).
        missing: the refusal when standard input has no line left.

    Returns:
        The answer, without its line ending.
    """
    if asking():
        return getpass.getpass(prompt + ": ") if hidden else str(typer.prompt(prompt))
    line = sys.stdin.readline().rstrip("\r\n")
    if not line:
        fail(missing)
    return line


def _confirm_revoke(station: Any) -> None:
    question = _(
        "Revoke {station}? Its PC can no longer sync; undo within 7 days with "
        "`daiban central unrevoke`."
    ).format(station=f"{station.name} ({station.division}, {station.id})")
    if not typer.confirm(question, default=False):
        fail(_("Not revoked."))


def _station_to_revoke(session: Any, station_id: str | None, division: str, name: str) -> Any:
    """The one station named by id, or the one active station of a division and/or name."""
    from central.services.stations import StationNotFoundError, find_station, find_stations

    if station_id:
        try:
            return find_station(session=session, station_id=station_id)
        except StationNotFoundError:
            fail(_("no station {station}").format(station=station_id))
    if not division and not name:
        fail(_("say which station: its id, --division or --name"))
    found = find_stations(session=session, division=division, name=name)
    if not found:
        said = " ".join(part for part in (division, name) if part)
        fail(_("no active station matches {said}").format(said=said))
    if len(found) != 1:
        listed = ", ".join(f"{s.name} ({s.id})" for s in found) or _("none")
        fail(
            _("{count} active stations match; name one by its id: {listed}").format(
                count=len(found), listed=listed
            )
        )
    return found[0]


@app.command()
def stations(as_json: JsonFlag = False) -> None:
    """List the enrolled stations: what each last reported, revoked ones too."""
    from central.bootstrap import open_session
    from central.services.stations import county_divisions, level_label, list_stations

    settings = _settings()
    with open_session(settings) as session:
        table = county_divisions(session=session, catalog_path=settings.catalog_path)
        names = {c: e.name for c, e in table.items()}
        rows = [_station_row(s, names) for s in list_stations(session=session)]
    if as_json:
        print_json({"stations": rows})
        return
    for row in rows:
        revoked = f"  ({_('revoked')})" if row["revoked"] else ""
        level = level_label(row["role"])
        seen = row["last_seen"][:16].replace("T", " ") if row["last_seen"] else _("never")
        typer.echo(
            f"{row['station']}  {row['division']} {row['division_name']}  {level:<4}  "
            f"{row['name']}  {row['software_version']}  {_('Catalog')} {row['catalog_version'] or '—'}  "
            f"{_('Last seen')} {seen}  {_('Unsent')} {row['outbox_depth'] if row['outbox_depth'] is not None else '—'}"
            f"{revoked}"
        )


def _china(moment: datetime | None) -> str | None:
    """A moment as China time, ISO 8601 (what every export shows)."""
    return to_china(moment).isoformat() if moment is not None else None


def _station_row(station: Any, names: dict[str, str]) -> dict[str, Any]:
    from central.models import as_utc

    return {
        "station": station.id,
        "division": station.division,
        "division_name": names.get(station.division, ""),
        "name": station.name,
        "role": station.role,
        "software_version": station.software_version,
        "catalog_version": station.catalog_version,
        "last_seen": _china(as_utc(station.last_seen)),
        "outbox_depth": station.outbox_depth,
        "oldest_unsent": _china(as_utc(station.oldest_unsent)),
        "cases_held": station.cases_held,
        "reported_at": _china(as_utc(station.reported_at)),
        "revoked": station.revoked_at is not None,
    }


@user_app.command("add")
def user_add(
    username: Annotated[str, typer.Option(help="Login name (unique).")],
    name: Annotated[str, typer.Option(help="The person's name.")],
    role: Annotated[Role, typer.Option(help="agent | reviewer | admin.")],
    division: Annotated[str, typer.Option(help="12-digit division code.")],
    id_number: Annotated[
        str | None,
        typer.Option(
            "--id-number",
            help="The person's resident ID number (one account per person; asked if left out).",
        ),
    ] = None,
    password: Annotated[
        str | None, typer.Option(help="Initial password (asked if left out).")
    ] = None,
    phone: Annotated[str, typer.Option(help="Contact phone.")] = "",
    station: Annotated[str | None, typer.Option(help="Bind to a station id.")] = None,
    as_user: AsUser = None,
    as_json: JsonFlag = False,
) -> None:
    """Create an account (one per person). The county's first administrator is created
    without --as (there is nobody yet to act); every later account names its administrator."""
    from central.bootstrap import open_session
    from central.services.accounts import (
        AccountError,
        check_placement,
        check_role_level,
        create_user,
    )
    from central.services.admin_audit import record_action

    settings = _settings()
    with open_session(settings) as session:
        first = as_user is None and role is Role.admin and not _has_administrator(session)
        admin = None if first else administrator(session, as_user)
        number = id_number or asked(
            _("Resident ID number of {name}").format(name=name),
            hidden=False,
            missing=_("No resident ID number of {name}: give it with --id-number.").format(
                name=name
            ),
        )
        secret = password if password is not None else _new_password(_("Password"))
        try:
            check_role_level(role, division)
            check_placement(
                session=session,
                catalog_path=settings.catalog_path,
                division=division,
                station_id=station,
            )
            if admin is not None:
                detail = {"role": role.value, "division": division}
                record_action(session, admin, "account.create", username, detail)
            user = create_user(
                session=session,
                username=username,
                display_name=name,
                role=role,
                division=division,
                password=secret,
                phone=phone,
                station_id=station,
                id_number=number,
                secret_key=settings.secret_key,
            )
            if first:  # the first administrator: recorded as acting for themself
                record_action(session, user, "account.create", username, {"first": True})
                session.commit()
        except AccountError as error:
            fail(str(error))
    if as_json:
        print_json(
            {
                "user_id": user.id,
                "username": user.username,
                "role": user.role,
                "division": user.division,
                "id_masked": user.id_masked,
            }
        )
        return
    from station.services.names import role_name

    typer.echo(
        _("Account {username} created ({role}, {division}).").format(
            username=user.username, role=_known(role_name, user.role), division=user.division
        )
    )


def _new_password(prompt: str) -> str:
    """The account's password, asked at a terminal or read as a line from standard input."""
    missing = _(
        "No password for the account: give it with --password, or as a line on standard "
        "input (DAIBAN_PASSWORD is the password of --as)."
    )
    return asked(prompt, hidden=True, missing=missing)


def _has_administrator(session: Any) -> bool:
    from central.services.accounts import list_users

    return any(u.role == "admin" and u.active for u in list_users(session=session))


@user_app.command("list")
def user_list(as_json: JsonFlag = False) -> None:
    """List the accounts (ID numbers masked)."""
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
                "id_masked": u.id_masked,
            }
            for u in list_users(session=session)
        ]
    if as_json:
        print_json({"users": rows})
        return
    from station.services.names import role_name

    for row in rows:
        state = "" if row["active"] else f"  ({_('disabled')})"
        role = _known(role_name, str(row["role"]))
        typer.echo(
            f"{row['username']:<16} {row['display_name']}  {role}  {row['division']}"
            f"  {row['id_masked'] or '—'}{state}"
        )


def _known(name: Any, code: str) -> str:
    """A role or state in the user's language; a code this software does not know, as is."""
    try:
        return str(name(code))
    except ValueError:
        return code


def _change_user(
    username: str, as_user: str | None, action: str, done: str, **changes: Any
) -> None:
    """Change an account as ``as_user``; ``done``: what is said after (its ``{username}``)."""
    from central.bootstrap import open_session
    from central.services.accounts import AccountError, update_user
    from central.services.admin_audit import record_action

    with open_session(_settings()) as session:
        admin = administrator(session, as_user)
        if username == admin.username and changes.get("active") is False:
            fail(_("you cannot disable your own account"))
        try:
            update_user(
                session=session,
                username=username,
                audit=lambda user: record_action(
                    session, admin, action, user.username, {"division": user.division}
                ),
                **changes,
            )
        except AccountError as error:
            fail(str(error))
    typer.echo(done.format(username=username))


Username = Annotated[str, typer.Argument(help="The account's login name.")]


@user_app.command("disable")
def user_disable(username: Username, as_user: AsUser = None) -> None:
    """Disable an account (also at the stations, with their next sync)."""
    done = _("Account {username} disabled; stations get it with their next sync.")
    _change_user(username, as_user, "account.disable", done, active=False)


@user_app.command("enable")
def user_enable(username: Username, as_user: AsUser = None) -> None:
    """Enable a disabled account again."""
    done = _("Account {username} enabled again; stations get it with their next sync.")
    _change_user(username, as_user, "account.enable", done, active=True)


@user_app.command("passwd")
def user_passwd(
    username: Username,
    password: Annotated[str | None, typer.Option(help="New password (asked if left out).")] = None,
    as_user: AsUser = None,
) -> None:
    """Set a new password for an account."""
    secret = password if password is not None else _new_password(_("New password"))
    done = _("Password of account {username} set; stations get it with their next sync.")
    _change_user(username, as_user, "account.password", done, password=secret)


@report_app.command("reconcile")
def reconcile(
    as_json: JsonFlag = False,
    xlsx: Annotated[Path | None, typer.Option("--xlsx", help="Also write an Excel file.")] = None,
) -> None:
    """Per station: what the centre holds and what the station reported; silent stations;
    the same resident's applications for one item at two stations, one still open."""
    from central.bootstrap import open_session
    from central.services.reconcile import duplicate_applications, reconciliation_json
    from central.services.reconcile import reconcile as run_reconcile
    from daiban.progress import LazyProgress

    with open_session(_settings()) as session, LazyProgress(_("Reconciling the stations")):
        report = run_reconcile(session=session)
        duplicates = duplicate_applications(session=session)
    if xlsx is not None:  # the same formatted workbook as `report export --kind reconcile`
        from central.services.export import ReportFileError, reconciliation_workbook
        from central.services.reports import names_catalog

        try:
            reconciliation_workbook(
                report,
                xlsx,
                duplicates=duplicates,
                catalog=names_catalog(_settings().catalog_path),
            )
        except ReportFileError as error:
            fail(str(error))
    if as_json:
        print_json(reconciliation_json(report, duplicates))
        return
    for entry in report:
        gaps = _gap_text(entry.gaps)
        seen = format_minute(entry.last_seen) or _("never")
        outbox = _("not reported") if entry.outbox_depth is None else str(entry.outbox_depth)
        typer.echo(
            f"{entry.station}  {entry.division}  {entry.name}  "
            f"{_('Cases')} {entry.cases}  {_('Events')} {entry.events}  {_('Gaps')} {gaps}  "
            # the events that reused a number, not the 重复申请 listed below (as in the Excel)
            f"{_('Events with a reused number')} {entry.duplicates}  {_('Last seen')} {seen}  "
            f"{_('Unsent at the station')} {outbox}{_reconcile_flag(entry)}"
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


def _reconcile_flag(entry: Any) -> str:
    """已吊销 for a revoked station (as the desk and the Excel say), else 失联 when silent."""
    if entry.revoked:
        return f"  ({_('revoked')})"
    return f"  {_('SILENT')}" if entry.stalled else ""


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

    settings = _settings()
    with open_session(settings) as session:
        figures = case_statistics(session=session, today=china_today())
        if as_json:
            print_json(asdict(figures))
            return
        from central.services.catalog_versions import current_catalog

        catalog = current_catalog(session=session, path=settings.catalog_path)
    names = {item.code: item.name for item in catalog.items}
    typer.echo(_("Cases: {count}").format(count=figures.cases))
    from station.services.names import state_name

    typer.echo(_("By state:"))
    for state, count in sorted(figures.by_state.items()):
        typer.echo(f"  {_known(state_name, state)}: {count}")
    typer.echo(_("By item:"))
    for item, count in sorted(figures.by_item.items()):  # named, as the county knows them
        typer.echo(f"  {item} {names.get(item, '')}: {count}".replace(" :", ":"))
    typer.echo(_("Flagged (superseded events): {count}").format(count=figures.flagged))
    typer.echo(_("Overdue: {count}").format(count=len(figures.overdue)))


@bundle_app.command("import")
def bundle_import(
    file: Annotated[Path, typer.Argument(help="The bundle file from the station.", exists=True)],
    return_out: Annotated[
        Path | None,
        typer.Option(
            "--return-out",
            help="Write the station's return bundle here (.daiban-bundle is added if missing).",
        ),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Import a station's offline bundle; optionally write the return bundle."""
    from central.bootstrap import open_session
    from central.services.bundles import import_bundle, write_return_bundle
    from daiban.commands.central_trust import refusal_lines, refusals
    from sync.bundle import check_writable, with_suffix
    from sync.errors import BundleError, BundleWriteError
    from sync.messages import write_error_text

    if file.is_dir():  # said as such, not as a damaged bundle
        fail(_("{path} is a folder: give the bundle's file in it.").format(path=file))
    if return_out is not None:
        return_out = with_suffix(return_out)  # what the station's desk and watcher look for
        try:
            check_writable(return_out)  # before the import: never half done
        except BundleWriteError as error:
            fail(write_error_text(error.path, error.reason))
    settings = _settings()
    unwritten = ""
    with open_session(settings) as session:
        try:
            result = import_bundle(session=session, settings=settings, path=file)
        except BundleError as error:
            fail(_("the bundle was refused: {reason}").format(reason=sync_(error.reason)))
        info = None
        if return_out is not None:
            try:
                info = write_return_bundle(
                    session=session,
                    settings=settings,
                    station_id=result.station_id,
                    out=return_out,
                    answered=result,
                )
            except BundleWriteError as error:
                unwritten = _(
                    "The bundle was imported, but the return bundle could not be written:"
                    " {path} ({reason}). Import the same bundle again to write it."
                ).format(path=error.path, reason=sync_(error.reason))
        from central.models import Station

        station = session.get(Station, result.station_id)  # named, not by its id
        label = f"{station.name}（{station.division}）" if station else result.station_id
    counts: Counter[str] = Counter(r.status.value for r in result.results)
    if as_json:
        data: dict[str, Any] = {"station": result.station_id, "blobs_stored": result.blobs_stored}
        data.update(
            {k: counts.get(k, 0) for k in ("applied", "duplicate", "superseded", "rejected")}
        )
        data["refusals"] = refusals(result.results)
        data["return_bundle"] = str(info.path) if info else None
        data["return_events"] = info.event_count if info else 0
        data["return_error"] = unwritten or None
        print_json(data)
        if unwritten:
            raise typer.Exit(1)
        return
    typer.echo(
        _(
            "Bundle from {station}: {applied} applied, {duplicate} duplicate, {superseded} superseded, "
            "{rejected} rejected, {blobs} attachments."
        ).format(
            station=label,
            blobs=result.blobs_stored,
            **{k: counts.get(k, 0) for k in ("applied", "duplicate", "superseded", "rejected")},
        )
    )
    for line in refusal_lines(result.results):
        typer.echo(line)
    if unwritten:
        fail(unwritten)
    if info is not None:
        typer.echo(
            _("Return bundle written to {path} ({count} events).").format(
                path=info.path, count=info.event_count
            )
        )
