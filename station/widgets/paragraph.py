"""A text box for one paragraph that shows all of it, wrapped over a few rows.

A one-line ``Input`` showed the first 36 characters of a 不予受理's legal basis
(《中华人民共和国社会保险法》第二十五条；《国务院关于整合城乡居民基本医疗…) and hid the
rest, which the reviewer signs for on paper. Textual's ``TextArea`` wraps; this one
keeps to a single paragraph (Enter goes on to the next box, as in an ``Input``) and
answers ``value`` as an ``Input`` does, so a form reads either the same way.
"""

from __future__ import annotations

import re

from textual import events
from textual.widgets import TextArea


class ParagraphBox(TextArea):
    """One paragraph, wrapped: the whole text in sight, the cursor at its end to start."""

    DEFAULT_CSS = """
    ParagraphBox {
        height: auto;
        max-height: 4;
    }
    """

    def __init__(self, value: str = "", *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(
            value,
            soft_wrap=True,
            tab_behavior="focus",
            compact=True,
            highlight_cursor_line=False,
            id=id,
        )

    @property
    def value(self) -> str:
        """The text, as one paragraph (a line break pasted in is a space)."""
        return " ".join(self.text.splitlines())

    @value.setter
    def value(self, text: str) -> None:
        self.load_text(text)
        self.move_cursor(self.document.end)

    def on_mount(self) -> None:
        """The cursor at the end: a key typed adds to a prefilled text, never replaces it."""
        self.move_cursor(self.document.end)

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "enter":  # one paragraph: Enter goes on, as in a one-line box
            event.prevent_default()
            event.stop()
            self.screen.focus_next()
            return
        await super()._on_key(event)


_CASE_NUMBER = re.compile(r"(?<=\S)([（(]?\d{12}-\d{8}-\d{4,})")
"""A case number (and its opening bracket) right after other text, where a line may break."""


def numbers_unbroken(text: str) -> str:
    """``text`` with a space before each case number that follows other text, so a wrapped
    line breaks before the number, never inside it.

    Chinese text has no spaces: Rich folds a long run of it at the width, and a case number
    in it (重复申请：…办结通过（640522100201-20261207-0001）) was cut in two across lines.
    """
    return _CASE_NUMBER.sub(r" \1", text)
