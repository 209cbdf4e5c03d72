"""Offline bundles: the outbox (or the centre's answer) on a USB stick.

A bundle is one zip file:

- ``manifest.json``: format, direction (``outbox`` from a station, ``return``
  to it), station_id, created_at, event count, and every other member with its
  SHA-256 and size; written as canonical JSON (sorted keys, no spaces, UTF-8);
- ``signature``: hex HMAC-SHA256 of the manifest bytes with the station's
  signing key (from enrollment);
- ``events.jsonl``: one event a line;
- ``blobs/<sha256>``: the attachments the events reference (stored, not recompressed).

A bundle is refused WHOLE (``BundleError``) when anything is off. It is written
to a temporary file, fsynced and renamed, so a stick pulled out mid-write
never leaves a half bundle that looks whole.
"""

from __future__ import annotations

import errno
import hashlib
import hmac
import json
import os
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

from forms.clock import utc_now
from sync.blobs import fsync_dir, sha256_file
from sync.errors import BundleError, BundleWriteError
from sync.events import Event, RecordedEvent
from sync.protocol import EventResult, PullResponse

FORMAT_VERSION = 1
MANIFEST, SIGNATURE, EVENTS = "manifest.json", "signature", "events.jsonl"

DAMAGED = "the file is not a daiban bundle, or it is damaged or incomplete"
NEWER = "the bundle was written by a newer version of daiban"
FOREIGN_STATION = "the bundle comes from a station that is not known here"
OTHER_STATION = (
    "the bundle belongs to another station: import it there (this station holds only its own)"
)
FORGED = "the bundle's signature does not match: it was not written by that station"
TAMPERED = "the bundle was changed after it was written"
FOREIGN_EVENTS = "the bundle holds events of another station"
NOT_RETURN = "this is not a bundle from the centre"

SUFFIX = ".daiban-bundle"
"""The ending the desk's import key and drop-folder watcher look for."""
IS_FOLDER = "the path is a folder, not a bundle file"
PARENT_NOT_FOLDER = "a part of the path is a file, not a folder"
NO_PERMISSION = "there is no permission to write there"
READ_ONLY = "the disk is read-only"
DISK_FULL = "the disk is full"
NO_FOLDER = "the folder does not exist and cannot be made"
CANNOT_WRITE = "the file cannot be written there"
_WRITE_REASONS = {
    errno.EISDIR: IS_FOLDER,
    errno.ENOTDIR: PARENT_NOT_FOLDER,
    errno.EEXIST: PARENT_NOT_FOLDER,  # mkdir of a folder where a file is
    errno.EACCES: NO_PERMISSION,
    errno.EPERM: NO_PERMISSION,
    errno.EROFS: READ_ONLY,
    errno.ENOSPC: DISK_FULL,
    errno.ENOENT: NO_FOLDER,
}

__all__ = [
    "as_pull_page",
    "BundleError",
    "Bundle",
    "BundleInfo",
    "Member",
    "Manifest",
    "read_bundle",
    "check_writable",
    "with_suffix",
    "write_bundle",
    "write_error",
]


class Member(BaseModel):
    """A file inside the bundle."""

    name: str
    sha256: str
    size: int


class Manifest(BaseModel):
    """What a bundle says it holds."""

    format: int
    direction: Literal["outbox", "return"]
    station_id: str
    created_at: datetime
    event_count: int
    members: list[Member]
    cursor: int | None = None
    """outbox: the station's pull cursor (the centre answers with what follows it);
    return: the cursor the station stores once it has applied the events."""
    rejected: list[EventResult] = []
    """return: the station's events of the outbox bundle it answers that the centre
    refused (not kept there, so not among ``events``), with their reasons."""
    blobs_held: list[str] = []
    """return: the attachments (sha256) of the outbox bundle the centre now holds."""


@dataclass(frozen=True)
class BundleInfo:
    """A bundle just written."""

    path: Path
    station_id: str
    direction: str
    event_count: int
    blob_count: int
    size: int


@dataclass(frozen=True)
class Bundle:
    """A bundle read and verified."""

    manifest: Manifest
    events: list[Event | RecordedEvent]
    blobs: dict[str, bytes]


def _key(signing_key: str) -> bytes:
    try:
        return bytes.fromhex(signing_key)
    except ValueError:
        return signing_key.encode()


def _sign(manifest_bytes: bytes, signing_key: str) -> str:
    return hmac.new(_key(signing_key), manifest_bytes, hashlib.sha256).hexdigest()


def _canonical(manifest: Manifest) -> bytes:
    data = manifest.model_dump(mode="json")
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def write_bundle(
    path: Path,
    *,
    station_id: str,
    direction: Literal["outbox", "return"],
    events: Iterable[Event],
    blob_paths: dict[str, Path],
    signing_key: str,
    cursor: int | None = None,
    rejected: Iterable[EventResult] = (),
    blobs_held: Iterable[str] = (),
) -> BundleInfo:
    """Write a signed bundle atomically.

    Args:
        path: where the bundle goes (e.g. on a USB stick).
        station_id: the station it is from (outbox) or for (return).
        direction: ``outbox`` or ``return``.
        events: the events, in order (station_seq for an outbox).
        blob_paths: sha256 -> file of each attachment to carry.
        signing_key: the station's signing key (hex).
        cursor: see ``Manifest.cursor``.
        rejected: see ``Manifest.rejected``.
        blobs_held: see ``Manifest.blobs_held``.

    Returns:
        What was written.

    Raises:
        BundleWriteError: the file cannot be written at ``path`` (nothing is left there).
    """
    lines = b"".join(e.model_dump_json().encode() + b"\n" for e in events)
    members = [Member(name=EVENTS, sha256=hashlib.sha256(lines).hexdigest(), size=len(lines))]
    for sha, blob in sorted(blob_paths.items()):
        members.append(
            Member(name=f"blobs/{sha}", sha256=sha256_file(blob), size=blob.stat().st_size)
        )
    manifest = Manifest(
        format=FORMAT_VERSION,
        direction=direction,
        station_id=station_id,
        created_at=utc_now(),
        event_count=lines.count(b"\n"),
        members=members,
        cursor=cursor,
        rejected=list(rejected),
        blobs_held=sorted(blobs_held),
    )
    manifest_bytes = _canonical(manifest)
    check_writable(path)
    try:
        fd, temp_name = tempfile.mkstemp(
            dir=path.parent, prefix=f".{path.name}.", suffix=".partial"
        )
    except OSError as error:
        raise write_error(path, error) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            with zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as archive:
                archive.writestr(MANIFEST, manifest_bytes)
                archive.writestr(SIGNATURE, _sign(manifest_bytes, signing_key))
                archive.writestr(EVENTS, lines)
                for sha, blob in sorted(blob_paths.items()):
                    archive.write(blob, f"blobs/{sha}", compress_type=zipfile.ZIP_STORED)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, path)
        fsync_dir(path.parent)
    except OSError as error:
        Path(temp_name).unlink(missing_ok=True)
        raise write_error(path, error) from None
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    return BundleInfo(
        path=path,
        station_id=station_id,
        direction=direction,
        event_count=manifest.event_count,
        blob_count=len(blob_paths),
        size=path.stat().st_size,
    )


def with_suffix(path: Path) -> Path:
    """``path`` with the bundle ending (``SUFFIX``) added when it lacks it."""
    return path if path.name.endswith(SUFFIX) else path.with_name(path.name + SUFFIX)


def check_writable(path: Path) -> None:
    """Make sure a bundle can be written at ``path`` (its folder made if missing), before
    anything is done that the bundle should carry.

    Raises:
        BundleWriteError: with the reason (a folder there, a file where a folder should
            be, no permission, read-only or full disk...).
    """
    if path.is_dir():
        raise BundleWriteError(str(path), IS_FOLDER, errno.EISDIR, os.strerror(errno.EISDIR))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".probe")
        os.close(fd)
        os.unlink(probe)
    except OSError as error:
        raise write_error(path, error) from None


def write_error(path: Path, error: OSError) -> BundleWriteError:
    """``error`` met writing a bundle at ``path``, with the reason a person reads."""
    reason = _WRITE_REASONS.get(error.errno or 0, CANNOT_WRITE)
    if reason == NO_FOLDER and path.parent.exists():  # e.g. /proc: there, but holds no files
        reason = CANNOT_WRITE
    return BundleWriteError(str(path), reason, error.errno or 0, error.strerror or str(error))


def _read_manifest(archive: zipfile.ZipFile) -> tuple[bytes, Manifest, str]:
    try:
        raw = archive.read(MANIFEST)
        signature = archive.read(SIGNATURE).decode("ascii").strip()
        data: Any = json.loads(raw)
    except (KeyError, ValueError, UnicodeDecodeError) as error:
        raise BundleError(DAMAGED, str(error)) from None
    if isinstance(data, dict) and isinstance(data.get("format"), int):
        if data["format"] > FORMAT_VERSION:
            raise BundleError(NEWER, f"format {data['format']}")
    try:
        return raw, Manifest.model_validate(data), signature
    except ValidationError as error:
        raise BundleError(DAMAGED, str(error)) from None


def _read_members(archive: zipfile.ZipFile, manifest: Manifest) -> dict[str, bytes]:
    listed = {m.name for m in manifest.members} | {MANIFEST, SIGNATURE}
    extra = set(archive.namelist()) - listed
    if extra:
        raise BundleError(TAMPERED, f"unlisted members: {sorted(extra)}")
    contents: dict[str, bytes] = {}
    for member in manifest.members:
        try:
            data = archive.read(member.name)
        except KeyError:
            raise BundleError(DAMAGED, f"missing {member.name}") from None
        if len(data) != member.size or hashlib.sha256(data).hexdigest() != member.sha256:
            raise BundleError(TAMPERED, f"{member.name} does not match the manifest")
        if member.name.startswith("blobs/") and member.name != f"blobs/{member.sha256}":
            raise BundleError(TAMPERED, f"{member.name} is not named by its hash")
        contents[member.name] = data
    return contents


def _parse_events(lines: bytes, manifest: Manifest) -> list[Event | RecordedEvent]:
    events: list[Event | RecordedEvent] = []
    try:
        for line in lines.splitlines():
            data = json.loads(line)
            model = RecordedEvent if "central_seq" in data else Event
            events.append(model.model_validate(data))
    except (ValueError, ValidationError) as error:
        raise BundleError(DAMAGED, f"events: {error}") from None
    if len(events) != manifest.event_count:
        raise BundleError(TAMPERED, "the event count does not match the manifest")
    if manifest.direction == "outbox":
        strangers = {e.station_id for e in events} - {manifest.station_id}
        if strangers:
            raise BundleError(FOREIGN_EVENTS, f"events of {sorted(strangers)}")
    return events


def read_bundle(path: Path, key_for_station: Callable[[str], str | None]) -> Bundle:
    """Open, verify and parse a bundle, or refuse it whole.

    Args:
        path: the bundle file.
        key_for_station: the signing key of a station id, or None if unknown.

    Returns:
        The verified manifest, events and blobs.

    Raises:
        BundleError: with a fixed English ``reason`` (msgid): damaged or
            truncated, newer format, unknown station, forged signature,
            tampered member, or foreign events in an outbox bundle.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            raw, manifest, signature = _read_manifest(archive)
            key = key_for_station(manifest.station_id)
            if key is None:
                raise BundleError(FOREIGN_STATION, manifest.station_id)
            if not hmac.compare_digest(_sign(raw, key), signature):
                raise BundleError(FORGED, manifest.station_id)
            contents = _read_members(archive, manifest)
    except BundleError:
        raise
    except Exception as error:
        # A damaged archive can fail in zipfile, zlib or struct with almost any
        # exception type (BadZipFile, zlib.error, NotImplementedError for a
        # flipped flag bit, ValueError...): all mean the same to the person
        # holding the stick, so all are refused whole as damaged.
        raise BundleError(DAMAGED, f"{type(error).__name__}: {error}") from None
    events = _parse_events(contents.pop(EVENTS, b""), manifest)
    blobs = {name.removeprefix("blobs/"): data for name, data in contents.items()}
    return Bundle(manifest=manifest, events=events, blobs=blobs)


def as_pull_page(bundle: Bundle) -> PullResponse:
    """A return bundle as a pull page, for ``SyncStore.apply_pull_page``.

    Raises:
        BundleError: the bundle is not a return bundle of recorded events.
    """
    recorded = [e for e in bundle.events if isinstance(e, RecordedEvent)]
    if bundle.manifest.direction != "return" or len(recorded) != len(bundle.events):
        raise BundleError(NOT_RETURN, bundle.manifest.direction)
    cursor = bundle.manifest.cursor
    if cursor is None:
        cursor = max((e.central_seq for e in recorded), default=0)
    return PullResponse(events=recorded, next_cursor=cursor, has_more=False)
