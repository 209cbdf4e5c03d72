"""Offline bundles: written atomically, verified, refused whole when anything is off."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from uuid import uuid4

import pytest

from sync.blobs import store_blob
from sync.bundle import (
    DAMAGED,
    FOREIGN_EVENTS,
    FOREIGN_STATION,
    FORGED,
    NEWER,
    NOT_RETURN,
    TAMPERED,
    as_pull_page,
    read_bundle,
    write_bundle,
)
from sync.errors import BundleError
from sync.events import Event, EventKind, RecordedEvent, Role

from .factory import CaseWriter, recorded

KEY = "5e" * 32
KEYS = {"st-village-1": KEY}


def outbox(n: int = 3) -> list[Event]:
    w = CaseWriter()
    return [w.event(EventKind.created), *[w.event(EventKind.edited) for _ in range(n - 1)]]


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    scan = tmp_path / "scan.jpg"
    scan.write_bytes(b"\xff\xd8 a scan")
    ref = store_blob(tmp_path / "blobs", scan)
    path = tmp_path / "usb" / "outbox.daiban"
    info = write_bundle(
        path,
        station_id="st-village-1",
        direction="outbox",
        events=outbox(),
        blob_paths={ref.sha256: tmp_path / "blobs" / ref.sha256[:2] / ref.sha256[2:]},
        signing_key=KEY,
    )
    assert (info.event_count, info.blob_count, info.size) == (3, 1, path.stat().st_size)
    return path


def refusal(path: Path, keys: dict[str, str] | None = None) -> BundleError:
    with pytest.raises(BundleError) as error:
        read_bundle(path, (keys if keys is not None else KEYS).get)
    return error.value


def rewrite(path: Path, change: dict[str, bytes | None]) -> None:
    """Rewrite the zip with some members replaced (bytes), removed (None) or added."""
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    for name, data in change.items():
        if data is None:
            members.pop(name)
        else:
            members[name] = data
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def test_a_bundle_round_trips(bundle: Path) -> None:
    read = read_bundle(bundle, KEYS.get)
    assert read.manifest.direction == "outbox" and read.manifest.station_id == "st-village-1"
    assert [e.kind for e in read.events] == [EventKind.created, EventKind.edited, EventKind.edited]
    assert list(read.blobs.values()) == [b"\xff\xd8 a scan"]
    assert not [p for p in bundle.parent.iterdir() if p != bundle]  # no temp file left


def test_a_return_bundle_carries_recorded_events(tmp_path: Path) -> None:
    w = CaseWriter()
    decided = recorded(w.event(EventKind.accepted, Role.reviewer), 41)
    path = tmp_path / "return.daiban"
    write_bundle(
        path,
        station_id="st-village-1",
        direction="return",
        events=[decided],
        blob_paths={},
        signing_key=KEY,
        cursor=45,
    )
    read = read_bundle(path, KEYS.get)
    assert read.manifest.cursor == 45
    (event,) = read.events
    assert isinstance(event, RecordedEvent) and event.central_seq == 41
    page = as_pull_page(read)
    assert (page.next_cursor, page.has_more, page.events) == (45, False, [event])


def test_not_a_zip_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "photo.jpg"
    path.write_bytes(b"\xff\xd8 not a bundle at all")
    assert refusal(path).reason == DAMAGED


def test_a_truncated_bundle_is_refused(bundle: Path) -> None:
    data = bundle.read_bytes()
    bundle.write_bytes(data[: len(data) // 2])
    assert refusal(bundle).reason == DAMAGED


def test_a_bundle_from_an_unknown_station_is_refused(bundle: Path) -> None:
    error = refusal(bundle, keys={"st-other": KEY})
    assert error.reason == FOREIGN_STATION and error.detail == "st-village-1"


def test_a_forged_bundle_is_refused(bundle: Path) -> None:
    assert refusal(bundle, keys={"st-village-1": "00" * 32}).reason == FORGED
    with zipfile.ZipFile(bundle) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    manifest["event_count"] = 2
    rewrite(bundle, {"manifest.json": json.dumps(manifest).encode()})
    assert refusal(bundle).reason == FORGED


def test_a_tampered_event_file_is_refused(bundle: Path) -> None:
    with zipfile.ZipFile(bundle) as archive:
        lines = archive.read("events.jsonl")
    rewrite(bundle, {"events.jsonl": lines.replace(b"edited", b"withdrawn", 1)})
    error = refusal(bundle)
    assert error.reason == TAMPERED and "events.jsonl" in error.detail


def test_an_added_member_is_refused(bundle: Path) -> None:
    rewrite(bundle, {"blobs/" + "0" * 64: b"smuggled"})
    assert refusal(bundle).reason == TAMPERED


def test_a_missing_member_is_refused(bundle: Path) -> None:
    rewrite(bundle, {"events.jsonl": None})
    assert refusal(bundle).reason == DAMAGED


def test_foreign_events_in_an_outbox_bundle_are_refused(tmp_path: Path) -> None:
    mine = outbox(2)
    theirs = CaseWriter(station="st-village-2").event(EventKind.created)
    path = tmp_path / "b.daiban"
    write_bundle(
        path,
        station_id="st-village-1",
        direction="outbox",
        events=[*mine, theirs],
        blob_paths={},
        signing_key=KEY,
    )
    error = refusal(path)
    assert error.reason == FOREIGN_EVENTS and "st-village-2" in error.detail


def test_a_newer_format_is_refused_as_such(bundle: Path) -> None:
    with zipfile.ZipFile(bundle) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    rewrite(bundle, {"manifest.json": json.dumps({**manifest, "format": 9}).encode()})
    assert refusal(bundle).reason == NEWER


def test_a_failed_write_leaves_the_old_bundle_and_no_partial(
    bundle: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = bundle.read_bytes()

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(zipfile.ZipFile, "writestr", broken)
    with pytest.raises(OSError, match="No space left"):
        write_bundle(
            bundle,
            station_id="st-village-1",
            direction="outbox",
            events=outbox(),
            blob_paths={},
            signing_key=KEY,
        )
    assert bundle.read_bytes() == before
    assert list(bundle.parent.iterdir()) == [bundle]


def test_an_outbox_bundle_is_not_a_pull_page(bundle: Path) -> None:
    with pytest.raises(BundleError) as error:
        as_pull_page(read_bundle(bundle, KEYS.get))
    assert error.value.reason == NOT_RETURN


def test_any_flipped_byte_is_refused_as_a_bundle_error(bundle: Path) -> None:
    """A stick that flipped a bit anywhere (deflate streams included) gives a clear refusal."""
    data = bundle.read_bytes()
    for position in range(0, len(data), max(1, len(data) // 97)):
        damaged = bytearray(data)
        damaged[position] ^= 0xFF
        bundle.write_bytes(bytes(damaged))
        try:
            read_bundle(bundle, lambda _station: KEY)
        except BundleError:
            continue
        # Bytes nothing reads (zip padding, comments) may change without harm; the
        # bundle must then still be the same bundle.
        assert read_bundle(bundle, lambda _station: KEY).manifest.station_id == "st-village-1"


def test_a_bundle_goes_nowhere_it_cannot_be_written(tmp_path: Path) -> None:
    from sync.bundle import IS_FOLDER, PARENT_NOT_FOLDER, check_writable
    from sync.errors import BundleWriteError

    (tmp_path / "file").write_text("x")
    for path, reason in ((tmp_path, IS_FOLDER), (tmp_path / "file" / "b", PARENT_NOT_FOLDER)):
        with pytest.raises(BundleWriteError) as error:
            check_writable(path)
        assert (error.value.reason, error.value.path) == (reason, str(path))
        assert isinstance(error.value, OSError)  # what handles any file error handles it
    check_writable(tmp_path / "new" / "b.daiban-bundle")  # a missing folder is made
    assert list((tmp_path / "new").iterdir()) == []  # and nothing left behind


def test_a_return_path_gets_the_ending_the_desk_looks_for() -> None:
    from sync.bundle import with_suffix

    assert with_suffix(Path("r")) == Path("r.daiban-bundle")
    assert with_suffix(Path("d/r.zip")) == Path("d/r.zip.daiban-bundle")
    assert with_suffix(Path("r.daiban-bundle")) == Path("r.daiban-bundle")


def test_a_return_bundle_carries_the_refused_events_and_the_scans_held(tmp_path: Path) -> None:
    from sync.protocol import EventResult, ResultStatus

    refused = EventResult(id=str(uuid4()), status=ResultStatus.rejected, reason="x")
    path = write_bundle(
        tmp_path / "r.daiban-bundle",
        station_id="st-village-1",
        direction="return",
        events=[],
        blob_paths={},
        signing_key=KEY,
        rejected=[refused],
        blobs_held=["b" * 64, "a" * 64],
    ).path
    manifest = read_bundle(path, KEYS.get).manifest
    assert manifest.rejected == [refused] and manifest.blobs_held == ["a" * 64, "b" * 64]
