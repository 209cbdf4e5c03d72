"""Refilling a list without losing the person's place in it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from textual.binding import Binding
from textual.coordinate import Coordinate
from textual.widgets import DataTable
from textual.widgets.data_table import RowDoesNotExist


def highlighted_key(table: DataTable[Any]) -> str | None:
    """The key of the row under the cursor (None: an empty table or a row without a key)."""
    if not table.row_count:
        return None
    value = table.coordinate_to_cell_key(Coordinate(table.cursor_row, 0)).row_key.value
    return None if value is None else str(value)


@contextmanager
def cursor_kept(table: DataTable[Any], *, same_row: bool = True) -> Iterator[None]:
    """Refill ``table`` in the block; the cursor ends where the person left it.

    ``DataTable.clear`` puts the cursor back on the first row: a reviewer back from a case
    (or a list a sync refreshed) was sent to the top of a long queue. The cursor goes back
    to the row with the same key; if that row has gone (the case was decided and left the
    list), to the same row number, which now holds the next one. Not ``same_row`` (a new
    search, filter or page: its own list), to the first row.
    """
    key, row, column = highlighted_key(table), table.cursor_row, table.cursor_column
    yield
    if not table.row_count:
        return
    index: int | None = None
    if key is not None and same_row:
        try:
            index = table.get_row_index(key)
        except RowDoesNotExist:
            index = None
    if index is None:
        index = min(row, table.row_count - 1) if same_row else 0
    table.move_cursor(row=index, column=min(column, max(len(table.columns) - 1, 0)))


ROW_KEYS: list[Binding | tuple[str, str] | tuple[str, str, str]] = [
    Binding("home", "first_row", show=False),
    Binding("end", "last_row", show=False),
]
"""A ``RowKeys`` table's own bindings (in its ``BINDINGS``: Textual reads a class's bindings
only from widget classes, not from a mixin)."""


class RowKeys:
    """Mixin for a row-cursor ``DataTable`` whose ``BINDINGS`` hold ``ROW_KEYS``: Home and
    End go to the first and the last row (Textual's scroll the table sideways, which a list
    of cases never needs: they did nothing a reviewer could see)."""

    def action_first_row(self) -> None:
        """Home: the first row."""
        table: Any = self
        if table.row_count:
            table.move_cursor(row=0)

    def action_last_row(self) -> None:
        """End: the last row."""
        table: Any = self
        if table.row_count:
            table.move_cursor(row=table.row_count - 1)
