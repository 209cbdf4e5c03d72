"""A box for a whole number that says so when anything else is typed into it.

Textual's ``Input(type="integer")`` drops another character and rings the terminal's bell,
which a desk's speaker (or a remote desktop) may not play: a reviewer typing the
procedure's reason into 预计天数 saw nothing appear and was told nothing.
"""

from __future__ import annotations

import time
from typing import Any

from textual.widgets import Input

from station.i18n import _

TELL_AGAIN_S = 4.0
"""A burst of refused characters (a word typed in the wrong box) is told once."""


class NumberInput(Input):
    """An ``Input`` of whole numbers; a refused character is told in words, naming the box."""

    def __init__(self, value: str | None = None, *, what: str, **kwargs: Any) -> None:
        """``what``: the box's name, as its label says it (预计天数)."""
        super().__init__(value, type="integer", **kwargs)
        self.what = what
        self._told_at = -TELL_AGAIN_S

    def restricted(self) -> None:
        """A character that is not a digit was typed: the bell, and a notice that says why."""
        self.app.bell()
        now = time.monotonic()
        if now - self._told_at >= TELL_AGAIN_S:
            self._told_at = now
            self.notify(
                _("{what}: only digits can be typed here.").format(what=self.what),
                severity="warning",
            )
