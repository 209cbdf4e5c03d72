"""扫描件: the scan folder, watched with watchdog; a file chosen here is attached to a material.

The observer thread only calls ``refresh_files`` through ``call_from_thread``;
choosing a file posts :class:`ScanPanel.Chosen` up (the screen stores the blob
in a worker).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option
from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from station.i18n import _

SCAN_SUFFIXES = frozenset({".pdf", ".jpg", ".jpeg", ".png", ".tif", ".tiff"})
MAX_SHOWN = 30


def scans_in(folder: Path) -> list[Path]:
    """Scans in ``folder``, newest first."""
    if not folder.is_dir():
        return []
    files = [p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in SCAN_SUFFIXES]
    return sorted(files, key=lambda p: p.stat().st_mtime, reverse=True)[:MAX_SHOWN]


class _Changed(FileSystemEventHandler):
    def __init__(self, panel: ScanPanel) -> None:
        self.panel = panel

    def on_any_event(self, event: FileSystemEvent) -> None:
        self.panel.app.call_from_thread(self.panel.refresh_files)


class ScanPanel(Vertical):
    """The files the scanner dropped; Enter attaches the highlighted one."""

    DEFAULT_CSS = """
    ScanPanel { height: auto; max-height: 10; border: round $secondary; }
    ScanPanel OptionList { height: auto; max-height: 7; }
    """

    class Chosen(Message):
        """A scan was chosen for attaching."""

        def __init__(self, path: Path) -> None:
            super().__init__()
            self.path = path

    def __init__(self, folder: Path | None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.folder = folder
        self._observer: Any = None

    def compose(self) -> ComposeResult:
        if self.folder is None:
            yield Label(_("No scan folder set (Settings)."), classes="muted")
            return
        yield Label(
            _("Scans in {folder} (Enter attaches to the material)").format(folder=self.folder)
        )
        yield OptionList(id="scan-files")

    def on_mount(self) -> None:
        if self.folder is None or not self.folder.is_dir():
            return
        self.refresh_files()
        self._observer = Observer()
        self._observer.schedule(_Changed(self), str(self.folder), recursive=False)
        self._observer.daemon = True
        self._observer.start()

    def on_unmount(self) -> None:
        if self._observer is not None:
            self._observer.stop()

    def refresh_files(self) -> None:
        """List the folder again (the watcher calls this when files come or go)."""
        if self.folder is None:
            return
        files = self.query_one("#scan-files", OptionList)
        files.clear_options()
        for path in scans_in(self.folder):
            files.add_option(Option(path.name, id=str(path)))
        if files.option_count:
            files.highlighted = 0

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.post_message(self.Chosen(Path(event.option.id)))
