"""A character typed where nothing takes it, carried into the text box it was meant for.

A key goes to the widget with the focus when it is read, and the focus moves after the key
that moves it: the rest of a word typed in a burst (``abcdefgh`` on a tick whose reason box
the first key opened, a name typed with the cursor in the case table) reaches the screen
with the box already focused. An ``Input`` keeps what is typed into it, so a character the
screen sees was typed elsewhere: it goes into the box, at its cursor (it was dropped
without a word).
"""

from __future__ import annotations

from textual import events
from textual.widgets import Input


def typed(event: events.Key) -> str | None:
    """The character a key typed, or None (a control key, or a space, which moves a
    tick or a table and means nothing in a search)."""
    character = event.character
    if not event.is_printable or character in (None, " "):
        return None
    return character


def carry(event: events.Key, character: str, box: Input) -> None:
    """Put ``character`` into ``box`` at its cursor, give the box the focus, and keep the
    key from doing anything else."""
    event.stop()
    event.prevent_default()
    box.focus()
    box.insert_text_at_cursor(character)
