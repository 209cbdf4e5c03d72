"""Scans at take-in: the chosen file goes to the blob store (a worker), then into the draft."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual import work
from textual.message import Message
from textual.widgets import Select

from station.i18n import _
from station.screens.base import DeskScreen
from station.screens.context import Desk
from station.screens.intake_model import IntakeDraft
from station.widgets.materials import MaterialRow
from station.widgets.scans import ScanPanel


class ScanAttaching(DeskScreen[None]):
    """Base of the take-in screen: remembers the material last worked on, attaches scans to it."""

    desk: Desk
    draft: IntakeDraft
    _material_key: str | None = None

    def _save(self) -> None:
        """Save the draft (the take-in screen does it)."""
        raise NotImplementedError

    def on_descendant_focus(self, event: Any) -> None:
        """Remember which material the agent is on (a scan chosen next belongs to it)."""
        row = next((n for n in event.widget.ancestors if isinstance(n, MaterialRow)), None)
        if row is not None:
            self._material_key = row.spec.key

    def on_scan_panel_chosen(self, message: ScanPanel.Chosen) -> None:
        self._store_scan(message.path, self._material_key)

    @work(thread=True, group="scan", exit_on_error=False)
    def _store_scan(self, path: Path, material_key: str | None) -> None:
        """Copy the scan into the blob store (fsynced) before any event refers to it."""
        from sync.blobs import store_blob

        ref = store_blob(self.desk.store.blob_dir, path)
        self.desk.store.add_blob(ref.sha256, ref.size, ref.name)
        attachment = {
            "sha256": ref.sha256,
            "name": ref.name or path.name,
            "size": ref.size,
            "material_key": material_key,
        }
        self.post_message(self.Attached(attachment))

    class Attached(Message):
        """A scan is in the blob store and belongs to this take-in."""

        def __init__(self, attachment: dict[str, Any]) -> None:
            super().__init__()
            self.attachment = attachment

    def on_scan_attaching_attached(self, message: ScanAttaching.Attached) -> None:
        self.draft.attachments.append(message.attachment)
        key = message.attachment["material_key"]
        for row in self.query(MaterialRow):
            if row.spec.key == key:
                row.query_one("#state", Select).value = "provided"
        self._save()
        self.notify(_("Attached {name}.").format(name=message.attachment["name"]))
