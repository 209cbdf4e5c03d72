"""``daiban sync``: push and pull once."""

from __future__ import annotations

from daiban.context import DataDir, JsonFlag, not_available


def sync(
    data_dir: DataDir = None,
    as_json: JsonFlag = False,
) -> None:
    """Push the outbox and pull what changed, once."""
    not_available("daiban sync")
