"""``daiban`` with no command: open the station desk."""

from __future__ import annotations

from pathlib import Path

from daiban.context import not_available


def open_desk(data_dir: Path | None) -> None:
    """Open the Textual desk for the configured station."""
    not_available("the desk")
