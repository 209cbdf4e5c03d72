"""``daiban central backup`` / ``restore``, the database check of ``init``, and one-line failures.

A backup is one file (a gzipped tar): ``manifest.json``, the database (SQLite's online
backup API, consistent while the centre serves; ``pg_dump -Fc`` for PostgreSQL) and
every other file of the central's directory (``central.toml`` with its secret, the
scans in ``blobs/``, keys), but not its logs. It holds the county's data and secret:
it is written readable by its owner only, and belongs on an encrypted or locked medium.

A restore puts all of it back over the central named by ``--data-dir``/``--db`` and
migrates the database to the newest schema, so a backup taken by an older release
restores into a newer one.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from central.i18n import _
from daiban.context import JsonFlag, config, fail, home, print_json

if TYPE_CHECKING:
    from central.settings import CentralSettings

FORMAT = "daiban-central-backup"
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite"
PG_MEMBER = "database.pgdump"
FILES = "files"
SKIPPED_DIRS = frozenset({"logs", "backups"})
"""Folders of the central's directory a backup leaves out (they are rebuilt or rotated)."""
PG_TIMEOUT_S = 3600
CONNECT_TIMEOUT_S = 10


# one-line failures ---------------------------------------------------------------


def explain_failure(error: BaseException) -> str | None:
    """A one-line reason in the person's language for a central command's known failure.

    ``daiban.cli`` asks this before falling back to "something unexpected".

    Args:
        error: what a central command raised.

    Returns:
        The line, or None when the error is not one this module knows.
    """
    from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

    if isinstance(error, ArgumentError | NoSuchModuleError):
        return _bad_url_line()
    if isinstance(error, DBAPIError):
        return _("cannot use the central's database: {reason}").format(
            reason=database_reason(str(error.orig))
        )
    return None


def _bad_url_line() -> str:
    return _(
        "the database URL is not valid; write postgresql://user:password@host:5432/name "
        "or sqlite:////path/central.db"
    )


def database_reason(message: str) -> str:
    """Why a database refused, from the driver's message (psycopg or sqlite3), translated."""
    text = message.lower()
    reasons = (
        ("password authentication failed", _("the password (or user name) is wrong")),
        ("no password supplied", _("the password (or user name) is wrong")),
        ("does not exist", _("the database or user does not exist on the server")),
        ("connection refused", _("no database server answers at that address and port")),
        ("could not translate host name", _("the server's host name is unknown")),
        ("name or service not known", _("the server's host name is unknown")),
        ("timeout expired", _("the database server did not answer in time")),
        ("unable to open database file", _("the SQLite file cannot be opened or created")),
        ("database is locked", _("the SQLite file is locked by another program")),
        ("permission denied", _("permission denied")),
    )
    for needle, reason in reasons:
        if needle in text:
            return reason
    return _("the database refused the connection")


def checked_db_url(url: str | None) -> str | None:
    """``url`` normalised and proven reachable (``central init`` saves nothing otherwise).

    Args:
        url: the ``--db`` given, or None for the default SQLite file.

    Returns:
        The normalised URL (``postgres://`` becomes ``postgresql+psycopg://``), or None.
    """
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, DBAPIError

    from central.settings import normalize_db_url

    if not url:
        return None
    normalised = normalize_db_url(url)
    try:
        backend = make_url(normalised).get_backend_name()
    except ArgumentError:
        fail(_bad_url_line())
    if backend not in ("sqlite", "postgresql"):
        fail(_bad_url_line())
    connect_args = {"connect_timeout": CONNECT_TIMEOUT_S} if backend == "postgresql" else {}
    engine = create_engine(normalised, connect_args=connect_args)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except DBAPIError as error:
        fail(explain_failure(error) or str(error))
    finally:
        engine.dispose()
    return normalised


def check_port_free(host: str, port: int) -> None:
    """Fail with one line if ``host:port`` cannot be listened on (another program has it)."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        fail(_("cannot listen on {host}: no such address").format(host=host))
    family, kind, proto, _name, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as error:
            fail(
                _("cannot listen on {host}:{port}: {reason}").format(
                    host=host, port=port, reason=_port_reason(error)
                )
            )


def _port_reason(error: OSError) -> str:
    import errno

    if error.errno == errno.EADDRINUSE:
        return _("the port is already in use by another program; choose another with --port")
    if error.errno == errno.EACCES:
        return _("ports below 1024 need administrator rights; choose another with --port")
    return _("the address is not on this machine")


# backup --------------------------------------------------------------------------


def _central_settings(*, need_secret: bool = True) -> CentralSettings:
    from central.bootstrap import load_settings
    from central.settings import InsecureSecretError

    settings = load_settings(home() / "central", config().db)
    if need_secret:
        try:
            settings.check_secret()
        except InsecureSecretError as error:
            fail(str(error))
    return settings


def backup(
    out: Annotated[Path, typer.Option("--out", help="The backup file to write (.tar.gz).")],
    as_json: JsonFlag = False,
) -> None:
    """Back the centre up into one file: database, settings and secret, scans. Safe while serving."""
    settings = _central_settings()
    kind = _kind(settings.db_url)
    with tempfile.TemporaryDirectory(prefix="daiban-backup-") as work:
        dump = Path(work) / (SQLITE_MEMBER if kind == "sqlite" else PG_MEMBER)
        if kind == "sqlite":
            _sqlite_copy(_sqlite_path(settings.db_url), dump)
        else:
            _run_pg(["pg_dump", "-Fc", "--no-owner", "-f", str(dump)], settings.db_url)
        manifest = {"format": FORMAT, "version": 1, "database": kind, "created_at": _now()}
        files = _write_archive(out, manifest, dump, settings)
    if as_json:
        print_json({"file": str(out), "database": kind, "files": files})
        return
    typer.echo(
        _("Backup written to {path} ({count} files besides the database).").format(
            path=out, count=files
        )
    )


def _kind(url: str) -> str:
    from central.db import is_sqlite

    return "sqlite" if is_sqlite(url) else "postgresql"


def _sqlite_path(url: str) -> Path:
    from sqlalchemy.engine import make_url

    return Path(make_url(url).database or "")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _sqlite_copy(source: Path, target: Path) -> None:
    """Copy a live SQLite database with the online backup API (consistent under WAL)."""
    if not source.exists():
        fail(
            _("there is no database at {path}; run `daiban central init` first").format(path=source)
        )
    with sqlite3.connect(source, timeout=30) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


def _backed_up_files(settings: CentralSettings) -> list[Path]:
    """Every file of the central's directory except the live database, logs and backups."""
    root = settings.data_dir
    skip: set[Path] = set()
    if _kind(settings.db_url) == "sqlite":
        database = _sqlite_path(settings.db_url).resolve()
        skip = {database, *(Path(f"{database}{s}") for s in ("-wal", "-shm", ".migrate.lock"))}
    found = []
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if path.is_file() and relative.parts[0] not in SKIPPED_DIRS and path.resolve() not in skip:
            found.append(relative)
    return found


def _write_archive(
    out: Path, manifest: dict[str, Any], dump: Path, settings: CentralSettings
) -> int:
    out.parent.mkdir(parents=True, exist_ok=True)
    files = [
        f for f in _backed_up_files(settings) if (settings.data_dir / f).resolve() != out.resolve()
    ]
    partial = out.with_name(out.name + ".partial")
    with os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as raw:
        with tarfile.open(fileobj=raw, mode="w:gz") as archive:
            data = json.dumps(manifest | {"files": len(files)}, ensure_ascii=False).encode()
            _add_bytes(archive, MANIFEST, data)
            archive.add(dump, arcname=dump.name)
            for relative in files:
                archive.add(settings.data_dir / relative, arcname=f"{FILES}/{relative.as_posix()}")
        raw.flush()
        os.fsync(raw.fileno())
    partial.replace(out)
    return len(files)


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    import io

    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    archive.addfile(info, io.BytesIO(data))


# PostgreSQL tools ----------------------------------------------------------------


def _pg_tool(name: str) -> str:
    """The newest ``pg_dump``/``pg_restore`` on this machine (it must not be older than the server)."""
    from glob import glob

    found = sorted(
        glob(f"/usr/lib/postgresql/*/bin/{name}"),
        key=lambda p: (
            int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0
        ),
    )
    tool = found[-1] if found else shutil.which(name)
    if tool is None:
        fail(
            _("{tool} is not installed; install the PostgreSQL client (postgresql-client)").format(
                tool=name
            )
        )
    return tool


def _run_pg(command: list[str], db_url: str) -> None:
    """Run a PostgreSQL tool against ``db_url`` (the password through the environment, not argv)."""
    from sqlalchemy.engine import make_url

    url = make_url(db_url)
    env = {**os.environ, "PGPASSWORD": url.password or ""} if url.password else dict(os.environ)
    plain = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    done = subprocess.run(
        [_pg_tool(command[0]), *command[1:], "--dbname", plain],
        env=env,
        capture_output=True,
        text=True,
        timeout=PG_TIMEOUT_S,
    )
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or [""])[-1]
        fail(_("{tool} failed: {reason}").format(tool=command[0], reason=reason))


# restore -------------------------------------------------------------------------


def restore(
    file: Annotated[Path, typer.Argument(help="A file written by `daiban central backup`.")],
    yes: Annotated[
        bool, typer.Option("--yes", help="Replace the central's data without asking.")
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Restore a backup over this central (its database, settings, secret and scans)."""
    settings = _central_settings(need_secret=False)
    kind = _kind(settings.db_url)
    if not yes and not typer.confirm(
        _("Replace the data of the central in {path} with the backup?").format(
            path=settings.data_dir
        )
    ):
        raise typer.Abort()
    with tempfile.TemporaryDirectory(prefix="daiban-restore-") as work:
        manifest = _unpack(file, Path(work))
        if manifest["database"] != kind:
            fail(
                _("the backup holds a {kind} database; this central uses {target}").format(
                    kind=manifest["database"], target=kind
                )
            )
        files = _restore_files(Path(work) / FILES, settings)
        _restore_database(Path(work), kind, settings)
    if as_json:
        print_json({"file": str(file), "database": kind, "created_at": manifest["created_at"]})
        return
    typer.echo(
        _("Central restored from {path} (backup of {when}).").format(
            path=file, when=manifest["created_at"]
        )
        + " "
        + _("{count} files restored.").format(count=files)
    )


def extract_data(
    archive: tarfile.TarFile, dest: Path, *, filters: bool = hasattr(tarfile, "data_filter")
) -> None:
    """Unpack ``archive`` into ``dest`` as plain data: nothing outside ``dest``, no links,
    no devices (``filter="data"``). Python 3.11 before 3.11.4 has no extraction filters
    (Debian 12's 3.11.2, which ``docs/deploy.md`` installs): the same refusals by hand,
    of regular files and folders only, which is all a backup holds.

    Raises:
        tarfile.TarError: a member that would land outside ``dest``, or is not a plain
            file or folder.
    """
    if filters:
        archive.extractall(dest, filter="data")
        return
    root = dest.resolve()
    for member in archive.getmembers():
        target = (root / member.name).resolve()
        if not (member.isfile() or member.isdir()) or not target.is_relative_to(root):
            raise tarfile.TarError(f"refused member {member.name!r}")
        member.mode &= 0o755  # nothing set-user-id, nothing writable by others
    archive.extractall(dest)  # noqa: S202 - every member checked above


def _unpack(file: Path, work: Path) -> dict[str, Any]:
    try:
        with tarfile.open(file, mode="r:gz") as archive:
            extract_data(archive, work)
        manifest: dict[str, Any] = json.loads((work / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, tarfile.TarError, ValueError) as error:
        fail(_("{path} is not a backup of a central: {reason}").format(path=file, reason=error))
    if manifest.get("format") != FORMAT:
        fail(_("{path} is not a backup of a central: {reason}").format(path=file, reason=MANIFEST))
    return manifest


def _restore_files(source: Path, settings: CentralSettings) -> int:
    """Copy the backed-up files back; ``central.toml`` keeps this central's own database URL."""
    from central.settings import SETTINGS_FILE, read_settings_file, write_settings_file

    here = read_settings_file(settings.data_dir)
    count = 0
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        target = settings.data_dir / path.relative_to(source)
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        shutil.copyfile(path, target)
        target.chmod(0o600)
        count += 1
    values = read_settings_file(settings.data_dir)
    values.pop("db_url", None)
    if config().db or here.get("db_url"):
        values["db_url"] = settings.db_url
    if (settings.data_dir / SETTINGS_FILE).exists():
        write_settings_file(settings.data_dir, values)
    return count


def _restore_database(work: Path, kind: str, settings: CentralSettings) -> None:
    from central.db import make_engine
    from central.migrate import upgrade

    if kind == "sqlite":
        target = _sqlite_path(settings.db_url)
        target.parent.mkdir(parents=True, exist_ok=True)
        _sqlite_copy(work / SQLITE_MEMBER, target)
    else:
        _empty_postgres(settings.db_url)
        command = ["pg_restore", "--no-owner", "--single-transaction", "--exit-on-error"]
        _run_pg([*command, str(work / PG_MEMBER)], settings.db_url)
    engine = make_engine(settings.db_url)
    try:
        upgrade(engine)  # a backup of an older release: brought to this release's schema
    finally:
        engine.dispose()


def _empty_postgres(db_url: str) -> None:
    """Drop every table of the target database, so the dump restores into a clean schema."""
    from sqlalchemy import MetaData, create_engine

    engine = create_engine(db_url)
    try:
        metadata = MetaData()
        metadata.reflect(engine)
        metadata.drop_all(engine)
    finally:
        engine.dispose()
