"""A central's backup is unpacked as plain data, with or without Python's tar filters
(Debian 12's Python 3.11.2 has none: ``daiban central restore`` failed there)."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

from daiban.commands.central_ops import extract_data

FILTERS = pytest.param(
    True,
    id="python-filters",
    marks=pytest.mark.skipif(not hasattr(tarfile, "data_filter"), reason="Python < 3.11.4"),
)
BOTH = pytest.mark.parametrize("filters", [FILTERS, pytest.param(False, id="by-hand")])


def _archive(path: Path, *members: tuple[str, bytes | None, str | None]) -> Path:
    """A .tar.gz of (name, file bytes or None for a folder, link target or None)."""
    with tarfile.open(path, mode="w:gz") as archive:
        for name, data, link in members:
            info = tarfile.TarInfo(name)
            if link is not None:
                info.type, info.linkname = tarfile.SYMTYPE, link
                archive.addfile(info)
            elif data is None:
                info.type, info.mode = tarfile.DIRTYPE, 0o755
                archive.addfile(info)
            else:
                info.size, info.mode = len(data), 0o4755  # set-user-id: never kept
                archive.addfile(info, io.BytesIO(data))
    return path


@BOTH
def test_a_backup_of_files_and_folders_unpacks_whole(tmp_path: Path, filters: bool) -> None:
    file = _archive(
        tmp_path / "b.tar.gz",
        ("manifest.json", b'{"format": 1}', None),
        ("files", None, None),
        ("files/blobs/ab.bin", "县中心".encode(), None),
    )
    dest = tmp_path / "out"
    dest.mkdir()
    with tarfile.open(file, mode="r:gz") as archive:
        extract_data(archive, dest, filters=filters)
    assert (dest / "manifest.json").read_bytes() == b'{"format": 1}'
    assert (dest / "files/blobs/ab.bin").read_text(encoding="utf-8") == "县中心"
    assert not (dest / "manifest.json").stat().st_mode & 0o4000


@BOTH
@pytest.mark.parametrize(
    "member",
    [("../outside.txt", b"x", None), ("l", None, "/etc")],
    ids=["parent", "link-out"],
)
def test_a_member_that_would_land_outside_is_refused(
    tmp_path: Path, filters: bool, member: tuple[str, bytes | None, str | None]
) -> None:
    file = _archive(tmp_path / "b.tar.gz", ("manifest.json", b"{}", None), member)
    dest = tmp_path / "deep" / "out"
    dest.mkdir(parents=True)
    with tarfile.open(file, mode="r:gz") as archive, pytest.raises(tarfile.TarError):
        extract_data(archive, dest, filters=filters)
    assert not (tmp_path / "deep" / "outside.txt").exists()


@BOTH
def test_an_absolute_member_never_lands_where_it_names(tmp_path: Path, filters: bool) -> None:
    """Python's filter takes ``/x`` as ``x`` inside; by hand it is refused: never ``/x``."""
    named = tmp_path / "absolute.txt"
    file = _archive(tmp_path / "b.tar.gz", (str(named), b"x", None))
    dest = tmp_path / "out"
    dest.mkdir()
    with tarfile.open(file, mode="r:gz") as archive:
        try:
            extract_data(archive, dest, filters=filters)
        except tarfile.TarError:
            assert not filters
        else:
            assert filters and (dest / str(named).lstrip("/")).read_bytes() == b"x"
    assert not named.exists()
