"""离线包 from the desk: the outbox onto a USB stick, the centre's return bundle back.

Both run in workers through ``station.services.bundles`` (the same idempotent
paths as ``daiban bundle export|import``).
"""

from __future__ import annotations

from pathlib import Path

from station.i18n import _
from station.screens.context import Desk

BUNDLE_SUFFIX = ".daiban-bundle"


def bundle_folder(desk: Desk) -> Path:
    """Where bundles go: the drop folder (the USB stick) if set, else ``<data_dir>/bundles``."""
    drop = getattr(desk.settings, "bundle_drop_folder", None)
    folder = Path(drop) if drop else Path(desk.settings.data_dir) / "bundles"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def newest_return_bundle(desk: Desk) -> Path | None:
    """The newest bundle file in the bundle folder that this desk did not write itself."""
    candidates = [
        p for p in bundle_folder(desk).glob(f"*{BUNDLE_SUFFIX}") if not p.name.startswith("outbox-")
    ]
    return max(candidates, key=lambda p: p.stat().st_mtime, default=None)


def export_bundle(desk: Desk) -> str:
    """Write the outbox to a signed bundle (call from a worker); say where it went."""
    from station.services.bundles import export_outbox

    stamp = desk.clock().strftime("%Y%m%d-%H%M%S")
    path = bundle_folder(desk) / f"outbox-{desk.division}-{stamp}{BUNDLE_SUFFIX}"
    info = export_outbox(desk.store, path)
    return _("Bundle written: {path} ({count} events)").format(path=path, count=info.event_count)


def import_bundle(desk: Desk, path: Path) -> str:
    """Apply a return bundle (call from a worker); say what it brought or why it was refused."""
    from station.services.bundles import import_return
    from sync.errors import BundleError
    from sync.messages import translate_reason

    try:
        result = import_return(desk.store, path)
    except BundleError as error:
        return _("Bundle refused: {reason}").format(reason=translate_reason(str(error)))
    except OSError as error:
        return _("Bundle refused: {reason}").format(reason=error)
    return _("Bundle taken in: {count} events.").format(count=result.events)
