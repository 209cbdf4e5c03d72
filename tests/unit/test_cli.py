"""The command line lists every command group of DESIGN.md."""

from __future__ import annotations

from typer.testing import CliRunner

from daiban.cli import app


def test_help_lists_every_command_group() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    for group in ("demo", "central", "station", "sync", "case", "bundle", "print", "catalog"):
        assert f"  {group} " in result.output, group
