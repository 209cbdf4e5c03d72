"""Keys typed in a burst are applied in the order typed, in every text field.

Textual's ``Input`` inserts a printable key in its own ``_on_key``, but its editing keys
(Backspace, Delete, ←/→, Home/End, Ctrl+U, Ctrl+W …) are bindings, run only once the key
has bubbled up to the app: a burst of keys (a fast typist, a barcode or ID card reader,
an input method committing a word, keys over a slow remote desktop) inserted every
character before any Backspace ran. A reviewer corrected 99999 to 15 in one burst and
the 特别程序告知书 printed "预计需要99个自然日". Textual issue #6605; the fix proposed
upstream (textual PR #6631, not in a release as of 8.2.8) runs the widget's own bindings
inline in its ``_on_key``, in the widget's queue, where the printable keys are handled.
This is that fix, applied to ``Input`` and ``TextArea`` until a release carries it
(:func:`keep_key_order`, at the desk's start; a no-op when run again).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from textual import events
from textual.widget import Widget
from textual.widgets import Input, TextArea

KeyHandler = Callable[[Any, events.Key], Awaitable[None]]


def _in_order(original: KeyHandler) -> KeyHandler:
    async def _on_key(self: Widget, event: events.Key) -> None:
        # The widget's own, non-priority bindings (priority ones ran at the app, before
        # the key was forwarded here); the focused widget is first in the binding chain.
        for binding in self._bindings.key_to_bindings.get(event.key, ()):
            if not binding.priority and await self.app.run_action(binding.action, self):
                event.stop()
                event.prevent_default()
                return
        await original(self, event)

    _on_key.keeps_key_order = True  # type: ignore[attr-defined]
    return _on_key


def keep_key_order() -> None:
    """Run ``Input``'s and ``TextArea``'s editing keys in their turn (see the module)."""
    for widget in (Input, TextArea):
        handler = widget.__dict__["_on_key"]
        if not getattr(handler, "keeps_key_order", False):
            setattr(widget, "_on_key", _in_order(handler))  # noqa: B010 - patched on the class
