"""Chinese characters kept whole where one widget lies over another (Textual issue #6357).

Textual's compositor cuts every screen line at the edges of every widget on it, and
divides each widget's line at those cuts. A double-width character (every Chinese one)
that straddles a cut becomes two spaces. Over a bordered box a notice lost characters
where the box's edge ran under it: 已打开长辈模式（再按 F2 关闭） read 开长辈模式（再   F2
on the take-in screen, over its 收件 F9 button.

Nothing needs that cut when the same widget shows on both sides of it. Painting front to
back, a widget that wins the two pieces either side of a cut keeps them as one: the cut
is dropped from that line, its piece given to the one before. Where another widget does
cover one side, the cut stays (half of the character is under that widget).

Hand-written because it is Textual's own code: the issue is open upstream, with this
approach proposed there. Applied once (``apply``), for the Textual this desk ships with;
the desk's snapshot tests and ``tests/station/test_cjk_overlay.py`` check the screen.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

import textual
from textual._compositor import ChopsUpdate, Compositor
from textual.geometry import Region
from textual.strip import Strip

_APPLIED = False


def _render_chops(
    self: Compositor, crop: Region, is_rendered_line: Callable[[int], bool]
) -> Sequence[Mapping[int, Strip]]:
    """Textual's ``Compositor._render_chops``, cuts inside one widget's pieces dropped."""
    cuts = self.cuts
    chops: list[dict[int, Strip | None]] = [dict.fromkeys(cut_set[:-1]) for cut_set in cuts]
    merged: dict[int, set[int]] = {}  # by line: cuts whose piece went to the one before
    for region, clip, strips in self._get_renders(crop):
        render_region = region.intersection(clip)
        render_x = render_region.x
        first_cut, last_cut = render_region.column_span
        for y, strip in zip(render_region.line_range, strips, strict=False):
            if not is_rendered_line(y):
                continue
            line = chops[y]
            gone = merged.setdefault(y, set())
            final_cuts = [cut for cut in cuts[y] if last_cut >= cut >= first_cut]
            kept = final_cuts[:1]
            for cut in final_cuts[1:-1]:
                before = kept[-1]
                if line.get(before) is None and before not in gone:
                    if line.get(cut) is None and cut not in gone:
                        gone.add(cut)  # this widget wins both sides: no cut here
                        continue
                kept.append(cut)
            kept.extend(final_cuts[-1:] if len(final_cuts) > 1 else [])
            pieces = strip.divide([cut - render_x for cut in kept[1:]])
            for cut, piece in zip(kept, pieces, strict=False):
                if line.get(cut) is None and cut not in gone:
                    line[cut] = piece
    for y, gone in merged.items():
        for cut in gone:
            chops[y].pop(cut, None)
    return cast("Sequence[Mapping[int, Strip]]", chops)


def _render_partial_update(self: Compositor) -> ChopsUpdate | None:
    """Textual's ``render_partial_update``, each piece's end read from the pieces kept."""
    screen_region = self.size.region
    update_regions = self._dirty_regions.copy()
    self._dirty_regions.clear()
    if not update_regions:
        return None
    crop = Region.from_union(update_regions).intersection(screen_region)
    spans = list(self._regions_to_spans(update_regions))
    is_rendered_line = {y for y, _, _ in spans}.__contains__
    chops = self._render_chops(crop, is_rendered_line)
    chop_ends = [
        [*list(line)[1:], cut_set[-1]] for line, cut_set in zip(chops, self.cuts, strict=False)
    ]
    return ChopsUpdate(cast(Any, chops), spans, chop_ends)


def apply() -> None:
    """Patch Textual's compositor (once; only the major version this was written for)."""
    global _APPLIED
    if _APPLIED or not textual.__version__.startswith("8."):
        return
    Compositor._render_chops = _render_chops  # type: ignore[method-assign]
    Compositor.render_partial_update = _render_partial_update  # type: ignore[method-assign]
    _APPLIED = True
