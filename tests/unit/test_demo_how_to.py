"""The demo's sign-in help gives commands that open this demo, whatever its data directory."""

from __future__ import annotations

from pathlib import Path

from forms.i18n import set_language
from station.screens.login import demo_how_to
from station.services.auth import DemoAccount


def test_the_other_desks_command_names_this_demos_data_directory(tmp_path: Path) -> None:
    """Started with --data-dir /tmp/cli2, F1 said ``daiban demo --desk township``: a demo of
    its own in the default folder."""
    set_language("zh_CN")
    home = tmp_path / "my demo"
    reviewer = DemoAccount(
        "reviewer", "王芳", "reviewer", "demo1234", str(home / "demo" / "station-640522100000"),
        "海城镇",
    )  # fmt: skip
    said = demo_how_to(reviewer)
    assert f"daiban --data-dir '{home}' demo --desk township" in said  # quoted: a space in it
    assert f"daiban --data-dir '{home / 'demo' / 'station-640522100000'}'" in said
