"""The desk's Textual themes: standard, and the high-contrast one of 长辈模式 (elder mode).

Colours live here; layout and the elder mode's larger spacing live in the
``.tcss`` files beside this module.
"""

from __future__ import annotations

from pathlib import Path

from textual.theme import Theme

THEMES = Path(__file__).parent
"""Folder of the ``.tcss`` files."""

STANDARD_THEME = Theme(
    name="daiban",
    primary="#1f6feb",
    secondary="#8957e5",
    accent="#f0b429",
    warning="#d29922",
    error="#f85149",
    success="#3fb950",
    background="#0d1117",
    surface="#161b22",
    panel="#21262d",
    dark=True,
)
ELDER_THEME = Theme(
    name="daiban-elder",
    primary="#ffffff",
    secondary="#ffff00",
    accent="#ffff00",
    warning="#ffff00",
    error="#ff5555",
    success="#55ff55",
    foreground="#ffffff",
    background="#000000",
    surface="#000000",
    panel="#202020",
    dark=True,
)
