"""The catalog this station runs (同源发布): the shipped one until the county publishes.

On sync the station asks the centre which catalog it publishes; when its number
or hash differs from the one active here, the station downloads the document,
verifies its hash, keeps it as ``<data_dir>/catalog/<number>.json`` (written
atomically) and points ``<data_dir>/catalog/active.json`` at it. From then on the
desk, ``daiban case import``, ``daiban print`` and ``daiban catalog --data-dir``
all use it: call :func:`active_catalog`. A damaged download is refused and the
old catalog stays active.

The catalog's division table and holiday tables travel with it: the holiday
tables of the active catalog are the ones deadlines are computed with.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Protocol

from forms.catalog import Catalog, load_catalog
from forms.publish import Published, catalog_checksum, read_published
from forms.workdays import install_holiday_tables
from station.services import _
from sync.protocol import CatalogInfo

log = logging.getLogger(__name__)

CATALOG_DIR = "catalog"
"""Under the station's data dir: the downloaded documents and the pointer."""
POINTER_FILE = "active.json"


class CatalogRefused(ValueError):
    """A downloaded catalog failed its checks; the old one stays (message translated)."""


class CatalogSource(Protocol):
    """What the refresh needs of the centre (``sync.client.CentralClient`` is one)."""

    def catalog_info(self) -> CatalogInfo: ...

    def fetch_catalog(self, number: int | None = None) -> bytes: ...


@dataclass(frozen=True)
class ActiveCatalog:
    """The catalog a station runs and which publication it is."""

    catalog: Catalog
    number: int
    """The county's publication number (0: the shipped catalog or an unnumbered one)."""
    sha256: str

    @property
    def label(self) -> str:
        """``<number>:<version>`` (``3:2026.12.1``): what a case records and hello reports."""
        return f"{self.number}:{self.catalog.version}"


def _pointer(data_dir: Path) -> Path:
    return data_dir / CATALOG_DIR / POINTER_FILE


@cache
def _shipped() -> ActiveCatalog:
    catalog = load_catalog()
    return ActiveCatalog(catalog, 0, catalog_checksum(catalog))


def active(data_dir: Path) -> ActiveCatalog:
    """The catalog this station runs, with its number and hash (cheap: cached by file time).

    Args:
        data_dir: the station's data directory.
    """
    pointer = _pointer(data_dir)
    try:
        stat = pointer.stat()
    except FileNotFoundError:
        found = _shipped()
    else:
        found = _load(pointer.resolve(), stat.st_mtime_ns, stat.st_size)
    _use_holidays(found)
    return found


def active_catalog(data_dir: Path) -> Catalog:
    """The catalog the station's desk and commands use (the shipped one until a download).

    Args:
        data_dir: the station's data directory.
    """
    return active(data_dir).catalog


def active_catalog_version(data_dir: Path) -> str:
    """The active catalog as ``<number>:<version>`` (``0:2026.11.3`` for the shipped one)."""
    return active(data_dir).label


def catalog_label(data_dir: Path, catalog: Catalog) -> str:
    """``<number>:<version>`` of ``catalog``: the active one's number, else 0 (a catalog given
    to the desk directly, as tests and tools do)."""
    found = active(data_dir)
    return found.label if found.catalog is catalog else f"0:{catalog.version}"


_holidays_from: list[ActiveCatalog | None] = [None]


def _use_holidays(found: ActiveCatalog) -> None:
    """Compute deadlines with the active catalog's holiday tables (once per catalog)."""
    if _holidays_from[0] is found or (_holidays_from[0] is None and found is _shipped()):
        return
    install_holiday_tables(found.catalog.holiday_tables)
    _holidays_from[0] = found


@lru_cache(maxsize=16)
def _load(pointer: Path, _stamp: int, _size: int) -> ActiveCatalog:
    try:
        target = json.loads(pointer.read_text(encoding="utf-8"))
        published = read_published((pointer.parent / str(target["file"])).read_bytes())
    except (OSError, ValueError, KeyError, TypeError) as error:
        log.warning(
            "the station's catalog %s cannot be used (%s); using the shipped one", pointer, error
        )
        return _shipped()
    return _active_of(published)


def _active_of(published: Published) -> ActiveCatalog:
    """A published catalog as run here; a format-1 document without tables keeps the shipped ones."""
    catalog = published.catalog
    if not published.carries_tables:
        shipped = _shipped().catalog
        update = {"divisions": shipped.divisions, "holiday_tables": shipped.holiday_tables}
        catalog = catalog.model_copy(update=update)
    return ActiveCatalog(catalog, published.number, published.sha256)


def _write_atomically(path: Path, data: bytes) -> None:
    partial = path.with_name(path.name + ".part")
    with partial.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, path)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def install_catalog(
    data_dir: Path, data: bytes, *, number: int | None = None, sha256: str | None = None
) -> ActiveCatalog:
    """Verify a published document, keep it and make it the active catalog.

    Args:
        data_dir: the station's data directory.
        data: the document as downloaded.
        number: the publication number the centre announced (checked when given).
        sha256: the hash the centre announced (checked when given).

    Returns:
        The catalog now active.

    Raises:
        CatalogRefused: the document is damaged, not the announced one, or invalid;
            nothing was written and the old catalog stays active.
    """
    current = active(data_dir)
    try:
        published = read_published(data)
    except ValueError as error:
        raise _refusal(number, current, str(error).splitlines()[0]) from None
    if sha256 is not None and published.sha256 != sha256:
        raise _refusal(number, current, _("it is not the catalog the centre announced"))
    if number is not None and published.number != number:
        raise _refusal(number, current, _("it is not the catalog the centre announced"))
    folder = data_dir / CATALOG_DIR
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{published.number}.json"
    _write_atomically(folder / name, data)
    target = {"number": published.number, "sha256": published.sha256, "file": name}
    target["version"] = published.catalog.version
    _write_atomically(folder / POINTER_FILE, json.dumps(target, ensure_ascii=False).encode())
    return active(data_dir)


def _refusal(number: int | None, current: ActiveCatalog, reason: str) -> CatalogRefused:
    message = _(
        "The catalog from the centre (number {number}) was refused: {reason}. "
        "This station keeps catalog {current}."
    )
    shown = "?" if number is None else str(number)
    return CatalogRefused(message.format(number=shown, reason=reason, current=current.label))


def refresh_catalog(
    data_dir: Path, centre: CatalogSource, announced: CatalogInfo | None = None
) -> ActiveCatalog | None:
    """Take the centre's catalog when it is not the one active here (on every sync).

    Args:
        data_dir: the station's data directory.
        centre: the centre (its ``GET /catalog`` and ``GET /catalog/file``).
        announced: what the centre announced (a pull page's ``catalog``); None: asked
            with ``GET /catalog``.

    Returns:
        The newly active catalog, or None when nothing changed.

    Raises:
        CatalogRefused: the download was damaged (the old catalog stays).
        sync.errors.SyncError: the centre could not be asked.
    """
    info = announced if announced is not None else centre.catalog_info()
    if info.number is None or info.sha256 is None:
        return None  # the centre cannot read its own catalog: keep ours
    current = active(data_dir)
    if (info.number, info.sha256) == (current.number, current.sha256):
        return None
    data = centre.fetch_catalog(info.number)
    return install_catalog(data_dir, data, number=info.number, sha256=info.sha256)
