"""A drop-down that opens when typed into (Textual's ``Select`` dropped the keys).

A closed ``Select`` takes Enter, Space and the arrows; a letter, a digit or a Chinese
character typed on it went nowhere it could be seen (or to a key of the screen behind
it). An agent who types "女" or "2" on 性别 or 与申请人关系 expects the list to open at
the matching choice, as the open list does when typed into (its type-to-search). Hand
written because Textual has no option for it: the closed widget opens its list and hands
the key to it, and claims printable keys as an input does, so no screen key fires
underneath.
"""

from __future__ import annotations

from typing import TypeVar

from textual import events
from textual.widgets import Select
from textual.widgets._select import SelectOverlay

T = TypeVar("T")


class Dropdown(Select[T]):
    """``Select`` that opens at the matching choice when a printable key is typed on it."""

    def check_consume_key(self, key: str, character: str | None = None) -> bool:
        """Printable keys are this widget's while it has focus (as an input's are)."""
        return character is not None and character.isprintable()

    async def _on_key(self, event: events.Key) -> None:
        character = event.character
        if self.expanded or self.disabled or character is None or character == " ":
            return  # the open list searches itself; Space opens it (Select's binding)
        if not character.isprintable():
            return
        event.stop()
        event.prevent_default()
        self.expanded = True
        overlay = self.query_one(SelectOverlay)
        # The list is shown (and focused) by the expand; the key goes to it after that.
        self.call_after_refresh(overlay.post_message, events.Key(event.key, character))
