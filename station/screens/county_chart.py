"""The 看板's chart (g 图表): cases received by township, as bars with their numbers.

With one township the bar filled the whole plot, the axis ended at 9 with a 10 written above
the frame, and nothing said how many the bar stood for. Now the axis starts at 0 and ends
with room above the tallest bar, a lone bar stands half as wide in the middle, and each bar's
number is written on the row over it.
"""

from __future__ import annotations

from typing import Any

from textual.app import RenderResult
from textual_plotext import PlotextPlot

from station.i18n import _

STEPS = tuple(n * 10**k for k in range(7) for n in (1, 2, 5))
"""Axis steps a person reads at a glance: 1, 2, 5, 10, 20, 50…"""

AROUND_PLOT = 4
"""Rows of the widget that are not the plot's: the title, the frame's two lines, the names."""


def axis_top(largest: int) -> tuple[int, int]:
    """The top of a count axis and its step: whole cases, at most six steps, the top at
    least a fifth above ``largest`` (and one above it at the least), so the number over the
    tallest bar has a row of its own.

    Returns:
        (top, step), ``top`` a multiple of ``step``.
    """
    wanted = max(largest + 1, -(-largest * 6 // 5))
    step = next(s for s in STEPS if s * 6 >= wanted)
    return -(-wanted // step) * step, step


class TownshipChart(PlotextPlot):
    """各乡镇收件量: drawn again at each render, for the number over a bar sits one row
    above it, and how much one row counts depends on the widget's height."""

    figures: list[dict[str, Any]] = []
    """``{"name": ..., "count": ...}`` per township, as the board read them."""

    def show(self, figures: list[dict[str, Any]]) -> None:
        """Chart ``figures`` (what the board just read)."""
        self.figures = figures
        self.refresh()

    def render(self) -> RenderResult:
        self._draw(max(self.size.height - AROUND_PLOT, 2))
        return super().render()

    def _draw(self, rows: int) -> None:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        plt.title(_("Received by township 各乡镇收件量"))
        if not self.figures:
            return
        counts = [int(f["count"]) for f in self.figures]
        top, step = axis_top(max(counts))
        places = [float(place) for place in range(1, len(counts) + 1)]
        plt.bar(places, counts, width=0.5)
        plt.xticks(places, [str(f["name"]) for f in self.figures])
        plt.xlim(0.25, len(counts) + 0.75)  # a lone bar in the middle, not the plot's width
        plt.ylim(0, top)
        plt.yticks(list(range(0, top + 1, step)))
        row = top / (rows - 1)  # what one row of the plot counts
        for place, count in zip(places, counts, strict=True):
            plt.text(str(count), place, min(count + row, top), alignment="center")
