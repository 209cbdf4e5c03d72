"""Two demo windows (the village desk and the township's) share one demo centre: the
first to close leaves it running for the other, the last one out stops it."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from daiban.commands.demo import demo_centre_shared, demo_port, running_central


def _answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/healthz", timeout=5).status_code == 200
    except httpx.TransportError:
        return False


def _demo_centre(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, int]:
    """A demo directory's centre set up (accounts made), and its port."""
    from daiban.commands.demo import set_up_central

    monkeypatch.setenv("DAIBAN_HOME", str(tmp_path))
    base = tmp_path / "demo"
    central_dir = base / "central"
    central_dir.mkdir(parents=True)
    set_up_central(central_dir)
    return central_dir, demo_port(base)


def test_the_first_window_to_close_leaves_the_centre_to_the_other(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    central_dir, port = _demo_centre(tmp_path, monkeypatch)
    village = running_central(central_dir, port)
    url = village.__enter__()
    township = running_central(central_dir, port)
    assert township.__enter__() == url
    pid = int((central_dir / "demo-central.pid").read_text())
    village.__exit__(None, None, None)  # the village window closes first
    assert demo_centre_shared(central_dir)
    assert _answers(url), "the township's window lost its centre"
    assert int((central_dir / "demo-central.pid").read_text()) == pid  # the same one
    township.__exit__(None, None, None)
    assert not demo_centre_shared(central_dir)
    assert not _answers(url), "the last window out left the centre running"
    assert not (central_dir / "demo-central.pid").exists()


def test_a_window_killed_without_closing_does_not_keep_the_centre(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A demo whose process died (power cut, kill -9) leaves its file in demo-users/:
    it is not counted, so the next window out stops the centre."""
    central_dir, port = _demo_centre(tmp_path, monkeypatch)
    with running_central(central_dir, port) as url:
        (central_dir / "demo-users" / "999999999-dead").touch()  # no such process
        assert _answers(url)
    assert not _answers(url)
    assert not any((central_dir / "demo-users").iterdir())
