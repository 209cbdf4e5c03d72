"""A case's scans at the review desk: fetched from the centre on demand, cached, made viewable.

A scan taken in at this station is in its own blob store. One taken in at a village
is fetched through the centre's case-scoped download (``GET /blobs/{sha}/case/{id}``:
only for a case in this station's scope), checked against its SHA-256 and kept under
``<data_dir>/cache/scans``. PNG and JPEG are shown as they are; a PDF's first page is
rendered with ``pdftoppm`` when it is installed. Call these from a worker.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from station.services import _
from station.store import StationStore
from sync.client import CentralClient
from sync.errors import CentralRefused, SyncError
from sync.payloads import Attachment
from sync.reducer import CaseView

CACHE_DIR = Path("cache") / "scans"
"""Under the data dir: scans fetched from the centre, by SHA-256."""

PDFTOPPM_TIMEOUT_S = 30


@dataclass(frozen=True)
class ScanPreview:
    """What the scan viewer shows: an image file, or a message saying why not."""

    title: str
    image: Path | None
    message: str = ""
    original: Path | None = None
    """The scan itself (for the system viewer), when it was fetched."""


def cached_path(data_dir: Path, sha256: str) -> Path:
    """Where a fetched scan is kept."""
    return data_dir / CACHE_DIR / sha256[:2] / sha256


def fetch_scan(
    store: StationStore, data_dir: Path, view: CaseView, scan: Attachment, client: CentralClient
) -> Path:
    """The scan's file: this station's own blob, the cached copy, or a fresh download.

    Raises:
        CentralRefused: the centre refused (403 out of scope, 404 not held).
        CentralUnreachable: the centre could not be reached.
    """
    own = store.blob_path(scan.sha256)
    if own.is_file():
        return own
    cached = cached_path(data_dir, scan.sha256)
    if cached.is_file():
        return cached
    return client.download_case_blob(str(view.case_id), scan.sha256, cached)


def kind_of(path: Path) -> str:
    """``png``, ``jpeg``, ``pdf`` or ``other``, by the file's first bytes (not its name)."""
    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith(b"\x89PNG"):
        return "png"
    if head.startswith(b"\xff\xd8"):
        return "jpeg"
    if head.startswith(b"%PDF"):
        return "pdf"
    return "other"


def first_page(pdf: Path) -> Path | None:
    """The PDF's first page as a PNG next to it (rendered once), or None without pdftoppm."""
    target = pdf.with_name(pdf.name + ".p1.png")
    if target.is_file():
        return target
    tool = shutil.which("pdftoppm")
    if tool is None:
        return None
    stem = target.with_suffix("")
    command = [tool, "-png", "-f", "1", "-l", "1", "-r", "60", "-singlefile", str(pdf), str(stem)]
    try:
        subprocess.run(command, check=True, capture_output=True, timeout=PDFTOPPM_TIMEOUT_S)
    except (OSError, subprocess.SubprocessError):
        return None
    return target if target.is_file() else None


def preview(
    store: StationStore, data_dir: Path, view: CaseView, scan: Attachment, client: CentralClient
) -> ScanPreview:
    """What to show for one scan; never raises for what a reviewer can do nothing about."""
    title = scan.name or scan.sha256[:12]
    try:
        path = fetch_scan(store, data_dir, view, scan, client)
    except CentralRefused as refused:
        if refused.status_code == 403:
            return ScanPreview(title, None, _("This case is outside this station's scope."))
        return ScanPreview(title, None, _("The centre does not hold this scan yet."))
    except SyncError:
        return ScanPreview(title, None, _("The centre cannot be reached; try again later."))
    kind = kind_of(path)
    if kind in ("png", "jpeg"):
        return ScanPreview(title, path, original=path)
    if kind == "pdf":
        page = first_page(path)
        if page is None:
            message = _("This PDF cannot be shown here (pdftoppm is not installed): press O.")
            return ScanPreview(title, None, message, original=path)
        return ScanPreview(title, page, _("First page of the PDF."), original=path)
    return ScanPreview(title, None, _("This file cannot be shown here: press O."), original=path)


def client_for(store: StationStore) -> CentralClient:
    """A client of the centre as this station (few retries: a person is waiting)."""
    identity = store.require_identity()
    return CentralClient(
        identity.central_url,
        identity.token,
        retries=2,
        timeout=15.0,
        pin=identity.central_fingerprint,
    )


def open_with_system_viewer(path: Path) -> bool:
    """Open the scan with the system's viewer (xdg-open); False when there is none."""
    tool = shutil.which("xdg-open")
    if tool is None:
        return False
    try:
        subprocess.Popen([tool, str(path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except OSError:
        return False
    return True
