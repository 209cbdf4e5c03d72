"""Keys in the help (F1) and the command palette as the person presses them."""

from __future__ import annotations

import pytest

from station.screens.commands import key_label


@pytest.mark.parametrize(
    ("key", "shown"),
    [
        ("slash", "/"),  # help said ``Slash``
        ("b", "b"),  # help said ``B`` for the key that is ``b``
        ("A", "Shift+A"),  # and ``A`` for one that needs Shift
        ("f9", "F9"),
        ("ctrl+d", "Ctrl+D"),
        ("escape", "Esc"),
        ("space", "空格"),
        ("pagedown", "PgDn"),
    ],
)
def test_a_key_reads_as_it_is_pressed(key: str, shown: str) -> None:
    assert key_label(key) == shown
