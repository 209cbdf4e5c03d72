"""A checkbox that shows its state by its mark, not by a colour alone.

Textual's ``Checkbox`` draws the same ``X`` ticked or not (only its colour changes), which
a reviewer on a dim office screen, or anyone who does not see colours well, cannot read.
"""

from __future__ import annotations

from textual.widgets import Checkbox


class Tick(Checkbox):
    """A ``Checkbox`` drawn ``✓`` when ticked and blank when not."""

    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]  # noqa: N802 - Textual's name
        """The mark inside the box: what the value is."""
        return "✓" if self.value else " "
