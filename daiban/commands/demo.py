"""``daiban demo``: a complete local demo."""

from __future__ import annotations

from daiban.context import DataDir, not_available


def demo(data_dir: DataDir = None) -> None:
    """Start a central on SQLite, enroll a county, township and villages, open the desk."""
    not_available("daiban demo")
