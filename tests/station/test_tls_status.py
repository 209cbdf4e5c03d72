"""The status line shows a plain-HTTP connection to another machine in red."""

from __future__ import annotations

from collections.abc import Callable

from station.app import DaibanApp
from station.store import StationStore
from station.widgets.status import DeskStatus
from tests.station.helpers import flat_text, log_in, screen_text, settle

MARKER = "不安全：明文 HTTP"
SHOWN = MARKER.replace(" ", "")
"""As ``flat_text`` shows it (without spaces)."""


def _centre_at(store: StationStore, url: str) -> None:
    identity = store.require_identity()
    store.save_identity(identity.model_copy(update={"central_url": url}))


async def test_a_centre_over_plain_http_on_the_network_is_shown_in_red(
    desk: Callable[..., DaibanApp], store: StationStore
) -> None:
    _centre_at(store, "http://10.0.0.2:8765")
    async with desk().run_test(size=(120, 30)) as pilot:
        await log_in(pilot)
        await settle(pilot)
        assert SHOWN in flat_text(pilot)
        line = pilot.app.screen.query_one(DeskStatus)
        assert f"[bold white on red] {MARKER} [/]" in str(line.render())


async def test_at_80_columns_the_warning_and_the_centre_state_are_not_cut_off(
    desk: Callable[..., DaibanApp], store: StationStore
) -> None:
    """At 80 columns the line ended at "centre:" and the red warning, put last, was gone."""
    _centre_at(store, "http://10.0.0.2:8765")
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        await settle(pilot)
        first = screen_text(pilot).splitlines()[0]
        assert MARKER in first, first
        assert "中心：" in first.replace(" ", ""), first


async def test_https_and_loopback_are_not_marked(
    desk: Callable[..., DaibanApp], store: StationStore
) -> None:
    for url in ("https://10.0.0.2:8765", "http://127.0.0.1:9"):
        _centre_at(store, url)
        async with desk().run_test(size=(120, 30)) as pilot:
            await log_in(pilot)
            await settle(pilot)
            assert SHOWN not in flat_text(pilot)
