"""The 看板's township chart: an axis from 0 with room above the tallest bar, and each bar's
number written over it (one township's bar filled the whole plot, the axis ended at 9 with a
10 above the frame, and nothing said how many the bar stood for)."""

from __future__ import annotations

import re
from typing import Any

from textual.app import App, ComposeResult

from station.screens.county_chart import TownshipChart, axis_top
from tests.station.helpers import screen_text


class _Chart(App[None]):
    def __init__(self, figures: list[dict[str, Any]]) -> None:
        super().__init__()
        self.figures = figures

    def compose(self) -> ComposeResult:
        yield TownshipChart()

    def on_mount(self) -> None:
        self.query_one(TownshipChart).show(self.figures)


def _axis(lines: list[str]) -> list[tuple[int, int]]:
    """(row, value) of each number on the y axis (a number then ┤ or ┌ at the plot's left)."""
    found = []
    for row, line in enumerate(lines):
        shown = re.match(r"\s*(\d+)\s*[┤┌└│]", line)
        if shown:
            found.append((row, int(shown.group(1))))
    return found


async def test_one_township_has_headroom_its_number_and_no_label_off_the_axis() -> None:
    app = _Chart([{"name": "海城镇", "count": 9}])
    async with app.run_test(size=(80, 20)) as pilot:
        await pilot.pause()
        lines = screen_text(pilot).splitlines()
    frame_top = next(row for row, line in enumerate(lines) if "┌" in line)
    frame_bottom = next(row for row, line in enumerate(lines) if "└" in line)
    axis = _axis(lines)
    assert all(frame_top <= row < frame_bottom for row, _ in axis), lines  # none above the frame
    assert axis[0][1] > 9 and axis[-1][1] == 0, axis  # from 0, with room above 9
    bar_rows = [row for row, line in enumerate(lines) if "█" in line]
    assert bar_rows[0] > frame_top + 1, lines  # the bar stops below the top
    above = lines[bar_rows[0] - 1]
    assert re.search(r"│\s+9\s+│", above), lines  # its number on the row over it
    bar = lines[bar_rows[0]]
    assert bar.count("█") < 60, bar  # not the plot's whole width


async def test_every_bar_carries_its_own_number() -> None:
    figures = [{"name": "海城镇", "count": 12}, {"name": "关桥乡", "count": 5}]
    app = _Chart(figures)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = screen_text(pilot)
    inside = [line.split("│")[1] for line in text.splitlines() if line.count("│") >= 2]
    numbers = [n for line in inside for n in re.findall(r"\d+", line)]
    assert sorted(numbers, key=int) == ["5", "12"], inside


def test_the_axis_top_leaves_room_and_steps_in_whole_readable_numbers() -> None:
    assert axis_top(0) == (1, 1)
    assert axis_top(9) == (12, 2)
    assert axis_top(49) == (60, 10)
    for largest in range(0, 300):
        top, step = axis_top(largest)
        assert top > largest and top % step == 0 and top // step <= 6
