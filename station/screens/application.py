"""The application as filed, drawn as Rich tables: who, what the form says, the materials.

The township's review page (``station.screens.review``) and the village's case page
(``station.screens.case``, its ``v``) draw the same ``station.services.review.ReviewPage``
the same way.
"""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.table import Table

from station.i18n import _


def table(headers: list[str], rows: list[list[str]], title: str = "") -> Table:
    """A table as wide as the screen, its long cells folded (never cut off)."""
    drawn = Table(title=title or None, title_justify="left", expand=True, show_edge=False)
    for header in headers:
        drawn.add_column(header, overflow="fold")
    for row in rows:
        drawn.add_row(*row)
    if not rows:  # headers alone read as a table that failed to load
        drawn.add_row(_("(none)"), *[""] * (len(headers) - 1))
    return drawn


def people_table(page: Any) -> Table:
    """The case's people: the applicant, a 代办人, …, each ID number masked."""
    rows = [[p.role, p.name, p.id_masked, p.phone, p.address] for p in page.persons]
    headers = [_("Party"), _("Name"), _("ID number"), _("Phone"), _("Address")]
    return table(headers, rows)


def fields_group(page: Any) -> Group:
    """The form's fields, then each repeated group (family members, …) as its own table."""
    parts: list[Any] = [table([_("Field"), _("Value")], [list(pair) for pair in page.fields])]
    for group in page.groups:
        parts.append(table(group.headers, group.rows, title=group.label))
    return Group(*parts)


def materials_table(page: Any) -> Table:
    """Each material of the item, where it stands, and how many scans it has."""
    rows = [
        [line.name, line.status, str(len(line.scans)) if line.scans else "—"]
        for line in page.materials
    ]
    return table([_("Material"), _("Status"), _("Scans")], rows, title=_("Materials"))


def application(page: Any) -> Group:
    """The whole application as filed: people, form, materials."""
    return Group(people_table(page), fields_group(page), materials_table(page))
