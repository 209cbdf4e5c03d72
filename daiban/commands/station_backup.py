"""``daiban station backup --out DIR`` and ``daiban station restore FOLDER``: the station on a USB stick.

A backup is a folder ``daiban-station-<station>-<time>`` in ``DIR``: ``station.db``
copied with SQLite's online backup API (consistent while the desk runs; it holds the
cases, the outbox and the station's identity), every other file of the data
directory (``station.toml``, the scans in ``blobs/``, keys) under ``files/``, and
``manifest.json``. It is written as ``<name>.partial`` and renamed when complete,
so a stick pulled out too early leaves nothing that looks like a backup.

The folder holds residents' data and the station's credential: it is readable by
its owner only; keep the stick locked away.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from daiban.context import JsonFlag, fail, home, print_json
from forms.clock import format_minute, to_china, to_utc
from station.services import _

FORMAT = "daiban-station-backup"
MANIFEST = "manifest.json"
DB_FILE = "station.db"
FILES = "files"
SKIPPED_DIRS = frozenset({"backups", "logs"})
"""Folders of the data directory a backup leaves out (migration snapshots, logs)."""
SKIPPED_SUFFIXES = ("-wal", "-shm", ".lock")


def backup(
    out: Annotated[Path, typer.Option("--out", help="Folder to write into (the USB stick).")],
    as_json: JsonFlag = False,
) -> None:
    """Back this station up to a folder: its database (cases, outbox, identity), settings and scans."""
    root = home()
    if not (root / DB_FILE).exists():
        fail(_("There is no station in {path} to back up.").format(path=root))
    manifest = _describe(root)
    made = to_china(datetime.fromisoformat(manifest["created_at"]))  # named in China time
    name = f"daiban-station-{manifest['station_id'] or 'new'}-{made:%Y%m%d-%H%M%S}"
    target = out / name
    partial = out / f"{name}.partial"
    if target.exists():
        fail(_("{path} already exists.").format(path=target))
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True, mode=0o700)
    _copy_database(root / DB_FILE, partial / DB_FILE)
    manifest["files"] = _copy_files(root, partial / FILES)
    _write_private(partial / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2))
    os.sync()  # a USB stick: on the medium before the person pulls it out
    partial.rename(target)
    if as_json:
        print_json({"path": str(target), **manifest})
        return
    typer.echo(_("Station backed up to {path}.").format(path=target))


def _describe(root: Path) -> dict[str, Any]:
    """What the manifest says: which station, when, how many cases and unsent events."""
    from station.store import StationStore

    store = StationStore.open(root)
    try:
        identity = store.identity()
        return {
            "format": FORMAT,
            "version": 1,
            "station_id": identity.station_id if identity else "",
            "name": identity.name if identity else "",
            "division": identity.division if identity else "",
            "outbox": store.outbox_depth(),
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
    finally:
        store.close()


def _copy_database(source: Path, target: Path) -> None:
    """SQLite's online backup API: a consistent copy even while the desk writes."""
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    target.chmod(0o600)


def _kept(relative: Path) -> bool:
    if relative.parts[0] in SKIPPED_DIRS or relative.name.startswith(DB_FILE):
        return False
    return not relative.name.endswith(SKIPPED_SUFFIXES)


def _copy_files(source: Path, target: Path) -> int:
    """Copy every kept file of ``source`` under ``target`` (owner-only), fsynced; return how many."""
    count = 0
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        relative = path.relative_to(source)
        if not _kept(relative):
            continue
        copy = target / relative
        copy.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        shutil.copyfile(path, copy)
        copy.chmod(0o600)
        count += 1
    return count


def _write_private(path: Path, text: str) -> None:
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as file:
        file.write(text)


def restore(
    folder: Annotated[Path, typer.Argument(help="A folder written by `daiban station backup`.")],
    yes: Annotated[
        bool, typer.Option("--yes", help="Replace this data directory's station without asking.")
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Restore a station backup into this data directory (a new or repaired PC)."""
    manifest = _read_manifest(folder)
    root = home()
    if (root / DB_FILE).exists() and not yes:
        question = _("Replace the station in {path} with the backup of {name}?")
        if not typer.confirm(question.format(path=root, name=manifest["name"])):
            raise typer.Abort()
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    _copy_files(folder / FILES, root)
    _copy_database(folder / DB_FILE, root / DB_FILE)
    _migrate(root)
    made = _backup_time(manifest)
    _mark_restored(root, made)
    if as_json:
        print_json({"path": str(root), **manifest})
        return
    typer.echo(
        _(
            "Station {name} restored from {path}. Sync (or take in a return bundle) before"
            " taking cases in: the centre may hold cases numbered here since {when} (a case"
            " numbered again is renumbered, and its receipt must be printed again)."
        ).format(name=manifest["name"], path=folder, when=format_minute(made) if made else "-")
    )


def _backup_time(manifest: dict[str, Any]) -> datetime | None:
    try:
        return to_utc(datetime.fromisoformat(str(manifest.get("created_at"))))
    except ValueError:
        return None


def _mark_restored(root: Path, made: datetime | None) -> None:
    """Note the restore in the store: the desk warns until the next sync succeeds."""
    from station.store import StationStore

    store = StationStore.open(root)
    try:
        store.mark_restored(made or datetime.now(UTC))
    finally:
        store.close()


def _read_manifest(folder: Path) -> dict[str, Any]:
    try:
        manifest: dict[str, Any] = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        manifest = {}
    if manifest.get("format") != FORMAT or not (folder / DB_FILE).is_file():
        fail(_("{path} is not a station backup.").format(path=folder))
    return manifest


def _migrate(root: Path) -> None:
    """Bring a backup of an older release to this release's schema."""
    from station.store import StationStore

    StationStore.open(root).close()
