"""A drop-down that opens when typed into, and finds a choice by pinyin or number.

A closed ``Select`` takes Enter, Space and the arrows; a letter, a digit or a Chinese
character typed on it went nowhere it could be seen (or to a key of the screen behind
it). An agent who types "女" or "2" on 性别 or 与申请人关系 expects the list to open at
the matching choice. The open list's own search (Textual's type-to-search) finds only
typed text inside a choice, and an agent types pinyin (``q`` or ``qs`` for 亲属代为办理,
as the item search takes it) or the choice's number in the list. Hand written because
Textual has no option for either: the closed widget opens its list and hands the key to
it, and claims printable keys as an input does, so no screen key fires underneath.
"""

from __future__ import annotations

from typing import Any, TypeVar

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.widgets import Select
from textual.widgets._select import SelectCurrent, SelectOverlay

from forms.search import pinyin_position

T = TypeVar("T")


class Dropdown(Select[T]):
    """``Select`` that opens at the matching choice when a printable key is typed on it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """As ``Select``."""
        super().__init__(*args, **kwargs)
        self._blank_first = bool(kwargs.get("allow_blank", True))
        """The list's first line is the prompt (no choice): choice 1 is the second line."""

    def compose(self) -> ComposeResult:
        """As ``Select``'s, with a list that also finds choices by pinyin and number."""
        yield SelectCurrent(self.prompt)
        yield Choices(self._blank_first).data_bind(compact=Select.compact)

    def check_consume_key(self, key: str, character: str | None = None) -> bool:
        """Printable keys are this widget's while it has focus (as an input's are)."""
        return character is not None and character.isprintable()

    async def _on_key(self, event: events.Key) -> None:
        character = event.character
        if self.disabled or character is None or character == " ":
            return  # Space opens the list (Select's binding)
        if not character.isprintable():
            return
        event.stop()
        event.prevent_default()
        self.expanded = True  # (again: a key typed before the open list took the focus)
        # To the list now, in the order typed: handed on after a refresh, the first of two
        # quick keys reached the list after the second ("zn" searched "nz").
        self.query_one(SelectOverlay).post_message(events.Key(event.key, character))


class Choices(SelectOverlay):
    """The open list: typed text inside a choice first (Textual's search), then pinyin
    initials or syllables (``qs`` → 亲属代为办理), then a number (the Nth choice)."""

    def __init__(self, blank_first: bool) -> None:
        super().__init__(type_to_search=True)
        self._blank_first = blank_first

    def _find_search_match(self, query: str) -> int | None:
        found = super()._find_search_match(query)
        if found is not None:
            return found
        first = 1 if self._blank_first else 0
        if query.isdigit():
            index = first + int(query) - 1
            return index if first <= index < self.option_count else None
        if not (query.isascii() and query.isalpha()):
            return None
        best: tuple[int, int] | None = None  # (syllable where it matched, index)
        for index in range(first, self.option_count):
            prompt = self.get_option_at_index(index).prompt
            text = prompt.plain if isinstance(prompt, Text) else str(prompt)
            at = pinyin_position(query, text)
            if at is not None and (best is None or at < best[0]):
                best = (at, index)
        return None if best is None else best[1]
