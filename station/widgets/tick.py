"""A checkbox that shows its state by its mark, not by a colour alone.

Textual's ``Checkbox`` draws the same ``X`` ticked or not (only its colour changes), which
a reviewer on a dim office screen, or anyone who does not see colours well, cannot read.
"""

from __future__ import annotations

from rich.segment import Segment
from textual.strip import Strip
from textual.widgets import Checkbox, SelectionList
from textual.widgets._toggle_button import ToggleButton
from textual.widgets.option_list import OptionDoesNotExist


class Tick(Checkbox):
    """A ``Checkbox`` drawn ``✓`` when ticked and blank when not."""

    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]  # noqa: N802 - Textual's name
        """The mark inside the box: what the value is."""
        return "✓" if self.value else " "


class TickList(SelectionList[str]):
    """A ``SelectionList`` whose boxes say ``✓`` when ticked and are blank when not (Textual
    draws ``X`` either way, told apart by colour alone)."""

    def render_line(self, y: int) -> Strip:
        """The line as Textual draws it, with the box's mark made to say the state."""
        line = super().render_line(y)
        segments = list(line)
        if len(segments) < 2 or segments[1].text != ToggleButton.BUTTON_INNER:
            return line  # not an option's line (past the end): as drawn
        try:
            option = self.get_option_at_index(self.scroll_offset[1] + y)
        except OptionDoesNotExist:
            return line
        mark = "✓" if option.value in self._selected else " "
        segments[1] = Segment(mark, segments[1].style, segments[1].control)
        return Strip(segments, line.cell_length)
