"""Content-addressed blob store."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from sync.blobs import MAX_BLOB_BYTES, BlobTooLarge, blob_path, iter_chunks, sha256_file, store_blob


def test_a_scan_is_stored_under_its_hash(tmp_path: Path) -> None:
    scan = tmp_path / "身份证.jpg"
    scan.write_bytes(b"\xff\xd8 scan bytes")
    sha = hashlib.sha256(scan.read_bytes()).hexdigest()
    ref = store_blob(tmp_path / "blobs", scan)
    assert (ref.sha256, ref.size, ref.name) == (sha, 13, "身份证.jpg")
    target = tmp_path / "blobs" / sha[:2] / sha[2:]
    assert blob_path(tmp_path / "blobs", sha) == target
    assert target.read_bytes() == scan.read_bytes()
    assert sha256_file(target) == sha


def test_the_same_scan_twice_is_one_file_and_no_temp_is_left(tmp_path: Path) -> None:
    scan = tmp_path / "a.pdf"
    scan.write_bytes(b"%PDF-1.7")
    first = store_blob(tmp_path / "blobs", scan)
    second = store_blob(tmp_path / "blobs", scan)
    assert first.sha256 == second.sha256
    files = [p for p in (tmp_path / "blobs").rglob("*") if p.is_file()]
    assert files == [blob_path(tmp_path / "blobs", first.sha256)]


def test_a_scan_over_20_mb_is_refused_with_sizes(tmp_path: Path) -> None:
    scan = tmp_path / "huge.tif"
    with scan.open("wb") as handle:
        handle.truncate(MAX_BLOB_BYTES + 3 * 1024 * 1024)
    with pytest.raises(
        BlobTooLarge, match=r"the file is 23\.0 MB; attachments may be at most 20 MB"
    ):
        store_blob(tmp_path / "blobs", scan)
    assert not (tmp_path / "blobs").exists()


def test_chunks_carry_their_offsets(tmp_path: Path) -> None:
    data = bytes(range(256)) * 10
    path = tmp_path / "x"
    path.write_bytes(data)
    chunks = list(iter_chunks(path, offset=1000, chunk_size=700))
    assert [offset for offset, _ in chunks] == [1000, 1700, 2400]
    assert b"".join(c for _, c in chunks) == data[1000:]


def test_a_bad_hash_is_not_a_path(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not a SHA-256"):
        blob_path(tmp_path, "../../etc/passwd")
