"""The county administrator's desk: eight sections, one digit each, from anywhere.

The 看板 (dashboard) is the home. Digits 1–8 open a section from any county screen
(never while typing in a field: the field takes the digit); the section strip at the
top of the home shows them, F1 lists them, Ctrl+P finds them by pinyin. Opening a
section goes back to the home first, so Esc always leads home and the stack stays short.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING, Any

from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from station.i18n import _

if TYPE_CHECKING:
    from station.screens.context import Desk


@dataclass(frozen=True)
class Section:
    """One section of the county desk."""

    key: str
    name: str
    module: str
    screen: str


SECTIONS = (
    Section("1", _("Dashboard 看板"), "station.screens.dashboard", "DashboardScreen"),
    Section("2", _("Cases 办件"), "station.screens.cases", "CasesScreen"),
    Section("3", _("Loops 闭环"), "station.screens.loops", "LoopsScreen"),
    Section("4", _("Stations 站点"), "station.screens.stations_admin", "StationsScreen"),
    Section("5", _("Accounts 账号"), "station.screens.accounts_admin", "AccountsScreen"),
    Section("6", _("Catalog 目录"), "station.screens.catalog_admin", "CatalogAdminScreen"),
    Section("7", _("Reconcile 对账"), "station.screens.reconcile_admin", "ReconcileAdminScreen"),
    Section("8", _("Reports 报表"), "station.screens.reports_admin", "ReportsScreen"),
)

COUNTY_BINDINGS = [
    Binding(section.key, f"county_section({index})", section.name, show=False)
    for index, section in enumerate(SECTIONS)
]
"""The app's digit keys (checked: only for a county administrator, only on a full screen)."""


def short_name(section: Section) -> str:
    """The Chinese part of a section's name (the strip has little room)."""
    return section.name.split(" ")[-1]


class CountyStrip(Static):
    """The sections with their digits: ``1看板 2办件 3闭环 …``, the current one marked."""

    DEFAULT_CSS = """
    CountyStrip { padding: 0 1; height: 1; color: $text-muted; }
    """

    def __init__(self, current: int = 0) -> None:
        parts = []
        for index, section in enumerate(SECTIONS):
            label = f"{section.key}{short_name(section)}"
            parts.append(f"[reverse bold]{label}[/]" if index == current else label)
        super().__init__(" ".join(parts), id="county-strip", markup=True)


def section_screen(index: int, desk: Desk) -> Screen[Any]:
    """A new screen of section ``index`` for ``desk``."""
    section = SECTIONS[index]
    screen_class = getattr(import_module(section.module), section.screen)
    if section.screen == "CasesScreen":  # the village's list, with the county's strip
        return screen_class(desk, county_section=index)  # type: ignore[no-any-return]
    return screen_class(desk)  # type: ignore[no-any-return]
