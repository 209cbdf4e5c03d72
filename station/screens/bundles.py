"""离线包 from the desk: the outbox onto a USB stick, the centre's return bundle back.

Both run in workers through ``station.services.bundles`` (the same idempotent
paths as ``daiban bundle export|import``).
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

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


def bundle_targets(desk: Desk) -> list[tuple[str, Path]]:
    """Where the agent may write the outbox: the USB sticks plugged in now, the drop folder
    set in the settings, and this PC's bundles folder (what the agent reads, the folder)."""
    from station.services.drives import removable_drives

    targets: list[tuple[str, Path]] = []
    for drive in removable_drives():
        targets.append((_("USB stick {name} ({path})").format(name=drive.label, path=drive.path),
                        drive.path))  # fmt: skip
    drop = getattr(desk.settings, "bundle_drop_folder", None)
    if drop:
        targets.append((_("The bundle folder set in the settings ({path})").format(path=drop),
                        Path(drop)))  # fmt: skip
    local = Path(desk.settings.data_dir) / "bundles"
    targets.append((_("This PC's bundles folder ({path})").format(path=local), local))
    seen: set[Path] = set()
    unique = []
    for label, folder in targets:
        key = folder.resolve()
        if key not in seen:
            seen.add(key)
            unique.append((label, folder))
    return unique


def export_bundle(desk: Desk, folder: Path | None = None) -> str:
    """Write the outbox to a signed bundle in ``folder`` (default: :func:`bundle_folder`;
    call from a worker); say where it went."""
    from station.services.bundles import export_outbox
    from sync.bundle import write_error
    from sync.errors import BundleWriteError
    from sync.messages import write_error_text

    stamp = desk.clock().strftime("%Y%m%d-%H%M%S")
    target = folder if folder is not None else bundle_folder(desk)
    path = target / f"outbox-{desk.division}-{stamp}{BUNDLE_SUFFIX}"
    try:  # the stick read-only, full or pulled out: said in words, naming the path
        target.mkdir(parents=True, exist_ok=True)
        info = export_outbox(desk.store, path)
    except BundleWriteError as error:
        return write_error_text(error.path, error.reason)
    except OSError as error:
        failed = write_error(path, error)
        return write_error_text(failed.path, failed.reason)
    said = _("Bundle written: {path} ({count} events)").format(path=path, count=info.event_count)
    if info.event_count == 0:  # written all the same: it still fetches the county's news
        said += "\n" + _(
            "Nothing here waits to be sent: this bundle only brings back what the county "
            "has for this station."
        )
    return said


def import_bundle(desk: Desk, path: Path) -> str:
    """Apply a return bundle (call from a worker); say what it brought or why it was refused."""
    from station.services.bundles import import_return, result_lines
    from sync.errors import BundleError
    from sync.messages import translate_reason

    if path.is_dir():  # a folder typed where its file goes: name what it holds
        found = sorted(p.name for p in path.glob("*.daiban-bundle"))
        if not found:
            return _("{path} is a folder with no bundle (*.daiban-bundle) in it.").format(path=path)
        return _("{path} is a folder: give the bundle's file in it, such as {names}.").format(
            path=path, names="、".join(found[:3])
        )
    if not path.is_file():  # said as such, not as a damaged bundle (walkthrough)
        return _("There is no file {path}: check the path (and that the USB stick is in).").format(
            path=path
        )
    try:
        result = import_return(desk.store, path)
    except BundleError as error:
        return _("Bundle refused: {reason}").format(reason=translate_reason(str(error)))
    except OSError as error:
        return _("Bundle refused: {reason}").format(reason=error)
    if result.taken_before:  # taken in before: nothing changed (said so)
        return _("Return bundle already taken in: its {count} records are all here.").format(
            count=result.events
        )
    said = _("Return bundle taken in: {count} records, {new} of them new.").format(
        count=result.events, new=result.new
    )
    return "\n".join([said, *result_lines(result)])  # refusals and renumberings, in words


class DropFolderWatch:
    """Watches the bundle drop folder (the USB stick) with watchdog; new return bundles are imported.

    The observer thread only calls ``on_bundle(path)`` through the app's
    ``call_from_thread``; the import itself runs in a worker of the app.
    """

    def __init__(self, folder: Path, on_bundle: Callable[[Path], None]) -> None:
        self.folder = folder
        self.on_bundle = on_bundle
        self.seen: set[tuple[Path, int, str]] = set()
        """Bundles handed over, by path and content: a return written again under the same
        name (the centre's next answer) is a new bundle; the same bytes noticed twice (the
        observer and the agent's key, or two events of one write) are one."""
        self._seen_lock = threading.Lock()
        """The observer thread and a manual import may notice one file at once."""
        self._observer: Any = None

    def start(self) -> None:
        """Start watching (bundles already there are left to the agent's import key)."""
        from watchdog.events import FileSystemEvent, FileSystemEventHandler
        from watchdog.observers import Observer

        watch = self

        class Handler(FileSystemEventHandler):
            def on_any_event(self, event: FileSystemEvent) -> None:
                target = getattr(event, "dest_path", "") or event.src_path
                watch.noticed(Path(str(target)))

        there = (_signature(path) for path in self.folder.glob(f"*{BUNDLE_SUFFIX}"))
        self.seen = {signature for signature in there if signature is not None}
        self._observer = Observer()
        self._observer.schedule(Handler(), str(self.folder), recursive=False)
        self._observer.daemon = True
        self._observer.start()

    def noticed(self, path: Path) -> None:
        """A file appeared or changed: hand over each new return bundle once."""
        if path.suffix != BUNDLE_SUFFIX or path.name.startswith("outbox-"):
            return
        with self._seen_lock:  # check-and-mark in one step: a bundle is taken in once
            signature = _signature(path)
            if signature is None or signature in self.seen:
                return
            self.seen.add(signature)
        self.on_bundle(path)

    def stop(self) -> None:
        """Stop the observer thread."""
        if self._observer is not None:
            self._observer.stop()


def _signature(path: Path) -> tuple[Path, int, str] | None:
    """A file as the drop folder watch tells bundles apart, by its bytes (None: gone, or
    empty: a copy just begun, whose next change brings its content)."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if not data:
        return None
    return path, len(data), hashlib.sha256(data).hexdigest()
