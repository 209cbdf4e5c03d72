"""The desk's footer: compact, so every key of a screen fits at 80×24, all in the desk's language."""

from __future__ import annotations

from textual.widgets import Footer
from textual.widgets._select import SelectOverlay

from station.i18n import _


class DeskFooter(Footer):
    """Textual's footer in its compact form (one space between keys, not two).

    The command palette's key is not docked on the right: F1 (帮助) lists it, and the
    80 columns go to the screen's own keys.
    """

    def __init__(self) -> None:
        super().__init__(compact=True, show_command_palette=False)


def translate_textual_keys() -> None:
    """Put the desk's words on the few keys Textual's own widgets show in the footer.

    Textual's ``Select`` menu shows ``esc Dismiss menu``: in English, whatever the
    desk's language. Its binding is replaced (and the class's merged bindings
    recomputed) once, when the app is built.
    """
    from station.widgets.dropdown import Choices

    SelectOverlay.BINDINGS = [("escape", "dismiss", _("Close list"))]
    for overlay in (SelectOverlay, Choices):  # the desk's own list merged Textual's words
        overlay._merged_bindings = overlay._merge_bindings()
