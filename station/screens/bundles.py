"""离线包 from the desk: the outbox onto a USB stick, the centre's return bundle back.

Both run in workers through ``station.services.bundles`` (the same idempotent
paths as ``daiban bundle export|import``).
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
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
    """The newest bundle file this desk did not write itself: in the bundle folder, or on a
    USB stick plugged in now (at its top or one folder down, as ``E:\\回传包\\``): the
    township's stick brought in, ``i`` finds what is on it without a path typed."""
    from station.services.drives import removable_drives

    pattern = f"*{BUNDLE_SUFFIX}"
    places = [bundle_folder(desk).glob(pattern)]
    for drive in removable_drives():
        places += [drive.path.glob(pattern), drive.path.glob(f"*/{pattern}")]
    candidates: list[tuple[float, Path]] = []
    for place in places:
        try:
            for path in place:
                if not path.name.startswith("outbox-") and path.is_file():
                    candidates.append((path.stat().st_mtime, path))
        except OSError:  # a stick pulled out, a folder it may not read: what else is there
            continue
    return max(candidates)[1] if candidates else None


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
    from station.services.bundles import export_outbox, outbox_path
    from sync.bundle import write_error
    from sync.errors import BundleWriteError
    from sync.messages import write_error_text

    target = folder if folder is not None else bundle_folder(desk)
    path = outbox_path(target, desk.division, desk.clock())
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
    else:  # signed, not encrypted: the stick carries residents' ID numbers and bank accounts
        said += "\n" + _(
            "It holds residents' ID numbers: keep the stick on you, and delete the bundle once"
            " the township or county has taken it in."
        )
    return said


def bundle_folder_problem(path: Path) -> str | None:
    """Why ``path`` is not a folder to write a bundle into (a file, or nothing there), or
    None."""
    if path.is_file():
        return _("{path} is a file: give the folder to write the bundle into.").format(path=path)
    if not path.is_dir():
        return _(
            "There is no folder {path}: check the path (and that the USB stick is in)."
        ).format(path=path)
    return None


def bundle_path_problem(path: Path) -> str | None:
    """Why ``path`` is not a bundle file to take in (a folder, or no such file), or None."""
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
    return None


def import_bundle(desk: Desk, path: Path) -> str:
    """Apply a return bundle (call from a worker); say what it brought or why it was refused."""
    from station.services.bundles import import_return, result_lines
    from sync.errors import BundleError
    from sync.messages import translate_reason

    problem = bundle_path_problem(path)
    if problem:
        return problem
    try:
        result = import_return(desk.store, path)
    except BundleError as error:
        return _("Bundle refused: {reason}").format(reason=translate_reason(str(error)))
    except OSError as error:
        return _("Bundle refused: {reason}").format(reason=error)
    if result.taken_before and not result.events:  # not "its 0 records are all here"
        return _("Return bundle already taken in: nothing in it is new.")
    if result.taken_before:  # taken in before: nothing changed (said so)
        return _("Return bundle already taken in: its {count} records are all here.").format(
            count=result.events
        )
    said = _("Return bundle taken in: {count} records, {new} of them new.").format(
        count=result.events, new=result.new
    )
    return "\n".join([said, *result_lines(result)])  # refusals and renumberings, in words


@dataclass(frozen=True)
class _Seen:
    """A bundle file as the watch last saw it while its copy may still be running."""

    size_and_mtime: tuple[int, int]
    since: float
    """When (on the watch's clock) the file was first seen at this size and mtime."""
    finished: bool = False
    """The platform said the writer closed it, or it was moved into place (inotify's
    close-after-write; Windows and macOS never say so, and wait the whole interval)."""


class DropFolderWatch:
    """Watches the bundle drop folder (the USB stick) with watchdog; new return bundles are imported.

    A bundle is read only once its copy is over: a slow USB copy writes it in chunks, and
    a half-written file read as it grows was refused as damaged (or taken in as another
    bundle each time it was rewritten). A file is taken in once its size and mtime stayed
    the same for ``settle_seconds`` (``finished_settle_seconds`` after the platform said
    the writer closed it), and only if they are still the same after reading it.

    The observer thread only notes what changed; the watch's own thread checks the noted
    files every ``tick_seconds`` and calls ``on_bundle(path)`` (the app's
    ``call_from_thread``); the import itself runs in a worker of the app.
    """

    def __init__(
        self,
        folder: Path,
        on_bundle: Callable[[Path], None],
        *,
        settle_seconds: float = 2.0,
        finished_settle_seconds: float = 0.5,
        tick_seconds: float = 0.5,
        clock: Callable[[], float] = time.monotonic,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        self.folder = folder
        self.on_bundle = on_bundle
        self.on_error = on_error
        """Told of an unexpected failure of a settle check (once per kind of failure; the
        watch goes on): it stopped the watch's thread without a word."""
        self._told: set[str] = set()
        self.settle_seconds = settle_seconds
        """How long a file must stay the same size and mtime before it is read (a stalled
        copy shorter than this is waited out; FAT sticks keep mtimes to 2 seconds)."""
        self.finished_settle_seconds = finished_settle_seconds
        """The same, once the platform said the writer closed the file."""
        self.tick_seconds = tick_seconds
        self.clock = clock
        """Seconds, monotonic; tests give their own and call :meth:`check_pending`."""
        self.seen: set[tuple[Path, int, str]] = set()
        """Bundles handed over, by path and content: a return written again under the same
        name (the centre's next answer) is a new bundle; the same bytes noticed twice (the
        observer and the agent's key, or two events of one write) are one."""
        self.pending: dict[Path, _Seen] = {}
        """Files changed since last read: their copy may still be running."""
        self._read_at: dict[Path, tuple[int, int]] = {}
        """The size and mtime each file was read at: its own read (open, close) or a
        touch that changed nothing is no reason to read it again."""
        self._lock = threading.Lock()
        """The observer thread, the watch's thread and a test's call share the state, and
        a file is handed over once (the lock is held until ``on_bundle`` returns)."""
        self._stopping = threading.Event()
        self._observer: Any = None

    def start(self) -> None:
        """Start watching (bundles already there are left to the agent's import key)."""
        from watchdog.events import FileSystemEvent, FileSystemEventHandler
        from watchdog.observers import Observer

        watch = self

        class Handler(FileSystemEventHandler):
            def on_any_event(self, event: FileSystemEvent) -> None:
                if event.event_type in NOT_A_WRITE:  # our own read, among others
                    return
                moved_to = getattr(event, "dest_path", "")
                target = moved_to or event.src_path
                finished = bool(moved_to) or event.event_type == "closed"
                watch.noticed(Path(str(target)), finished=finished)

        for path in self.folder.glob(f"*{BUNDLE_SUFFIX}"):
            data = _read(path)
            if data:
                self.seen.add(_signature_of(path, data))
        self._observer = Observer()
        self._observer.schedule(Handler(), str(self.folder), recursive=False)
        self._observer.daemon = True
        self._observer.start()
        threading.Thread(target=self._tick, name="drop-folder-settle", daemon=True).start()

    def noticed(self, path: Path, *, finished: bool = False) -> None:
        """A file appeared or changed: note it, to read once its copy is over.

        Args:
            path: The file the platform named.
            finished: The platform said its writer closed it (or it was moved into place).
        """
        if path.suffix != BUNDLE_SUFFIX or path.name.startswith("outbox-"):
            return
        now_seen = _size_and_mtime(path)
        with self._lock:
            before = self.pending.get(path)
            if now_seen is None:  # deleted, or moved away
                self.pending.pop(path, None)
                self._read_at.pop(path, None)
            elif before is not None and before.size_and_mtime == now_seen:
                self.pending[path] = replace(before, finished=before.finished or finished)
            elif before is not None or self._read_at.get(path) != now_seen:
                self.pending[path] = _Seen(now_seen, self.clock(), finished)

    def check_pending(self) -> None:
        """Read each noted file whose copy is over and hand over each new return bundle once.

        A file still changing is noted again at its new size; one that changed while it
        was read is not handed over (it will be read again once it settles).
        """
        with self._lock:
            now = self.clock()
            for path, before in list(self.pending.items()):
                now_seen = _size_and_mtime(path)
                if now_seen is None:
                    del self.pending[path]
                elif now_seen != before.size_and_mtime:  # still being written
                    self.pending[path] = _Seen(now_seen, now)
                elif now - before.since >= self._wait_for(before):
                    del self.pending[path]
                    self._read_settled(path, before.size_and_mtime, now)

    def _wait_for(self, seen: _Seen) -> float:
        return self.finished_settle_seconds if seen.finished else self.settle_seconds

    def _read_settled(self, path: Path, settled: tuple[int, int], now: float) -> None:
        """Read a settled file (under the lock) and hand it over if it is a new bundle."""
        data = _read(path)
        after = _size_and_mtime(path)
        if after is None:  # taken away
            return
        if data is None or after != settled:
            # written to while read (what was read is no bundle), or not readable yet
            # (Windows refuses to share a file its copier still holds open): later
            self.pending[path] = _Seen(after, now)
            return
        self._read_at[path] = settled
        if not data:  # a copy just begun: its next change brings the content
            return
        signature = _signature_of(path, data)
        if signature in self.seen:
            return
        self.seen.add(signature)
        self.on_bundle(path)

    def _tick(self) -> None:
        while not self._stopping.wait(self.tick_seconds):
            self.tick_once()

    def tick_once(self) -> None:
        """One settle check of the watch's thread: a failure is told (``on_error``), once
        per kind, and the watch goes on; the app closing as a bundle is handed over is not
        a failure."""
        try:
            self.check_pending()
        except Exception as error:  # noqa: BLE001 - told, and the watch keeps watching
            if self._stopping.is_set():
                return
            kind = f"{type(error).__name__}: {error}"
            if self.on_error is not None and kind not in self._told:
                self._told.add(kind)
                self.on_error(error)

    def stop(self) -> None:
        """Stop the observer thread and the settle checks."""
        self._stopping.set()
        if self._observer is not None:
            self._observer.stop()


NOT_A_WRITE = frozenset({"opened", "closed_no_write"})
"""watchdog events that say nothing about a copy in progress (the watch's own read
makes both)."""


def _size_and_mtime(path: Path) -> tuple[int, int] | None:
    """What a copy in progress changes: the file's size and its mtime (None: gone)."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_size, stat.st_mtime_ns


def _read(path: Path) -> bytes | None:
    """The file's bytes (None: it cannot be read now)."""
    try:
        return path.read_bytes()
    except OSError:
        return None


def _signature_of(path: Path, data: bytes) -> tuple[Path, int, str]:
    """A file as the drop folder watch tells bundles apart: by its path and its bytes."""
    return path, len(data), hashlib.sha256(data).hexdigest()
