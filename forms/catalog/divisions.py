"""The county's division table (``divisions.toml``) and 区内通办 routing.

The table names every township's service office, its phone and its 文号 prefix,
so paper speaks in the township's own name; it lists the villages too. Checks
report every problem with its line, like the item files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field

from forms.catalog.lint import Issue, _Reporter, _structure, parse_toml
from forms.catalog.model import (
    Division,
    ServiceItem,
    _Frozen,
    county_code,
    township_code,
)
from forms.messages import _

DIVISIONS_FILE = "divisions.toml"
"""The division table's file name, beside ``catalog.toml``."""


class DivisionTable(_Frozen):
    """The file's shape: ``[[divisions]]`` entries."""

    divisions: list[Division] = Field(default_factory=list)


def _level_problem(entry: dict[str, Any], county: str) -> str | None:
    code, level = entry.get("code"), entry.get("level")
    if not isinstance(code, str) or len(code) != 12 or not code.isdigit():
        return None  # the structure check reports it
    if county and not code.startswith(county[:6]):
        return _("{code} is not in the county {county}").format(code=code, county=county[:6])
    expected = "county" if code[6:] == "000000" else "township" if code[9:] == "000" else "village"
    if level in ("county", "township", "village") and level != expected:
        return _("{code} is a {expected} code, not a {level}").format(
            code=code, expected=expected, level=level
        )
    return None


def _check_entries(raw: dict[str, Any], county: str, reporter: _Reporter) -> None:
    entries = [e for e in raw.get("divisions") or [] if isinstance(e, dict)]
    codes = {e.get("code") for e in entries}
    seen: dict[str, str] = {}
    for index, entry in enumerate(entries):
        here: tuple[str | int, ...] = ("divisions", index)
        code = entry.get("code")
        problem = _level_problem(entry, county)
        if problem:
            reporter.add((*here, "code"), problem)
        if isinstance(code, str) and code in seen:
            reporter.add((*here, "code"), _("{key} is used twice").format(key=code))
        seen[str(code)] = str(entry.get("name", ""))
        level = entry.get("level")
        if level == "village" and isinstance(code, str) and township_code(code) not in codes:
            message = _("the village's township {code} is not in the table")
            reporter.add((*here, "code"), message.format(code=township_code(code)))
        if level in ("county", "township"):
            _check_office(entry, here, reporter)
        for name in entry.get("county_set") or []:
            if isinstance(name, str) and name not in Division.model_fields:
                message = _("{name} is not a division attribute").format(name=name)
                reporter.add((*here, "county_set"), message, "warning")
    _check_prefixes(entries, reporter)


def _check_office(entry: dict[str, Any], here: tuple[str | int, ...], reporter: _Reporter) -> None:
    """A township or the county prints paper: it needs an office name and a 文号 prefix."""
    for key in ("office", "prefix"):
        if not str(entry.get(key) or "").strip():
            reporter.add((*here, key), _("a township or county needs an {key}").format(key=key))
    marked = entry.get("county_set") or []
    if not str(entry.get("phone") or "").strip() and "phone" not in marked:
        message = _("no phone: its papers print the 12345 hotline instead (the county's to set)")
        reporter.add((*here, "phone"), message, "warning")


def _check_prefixes(entries: list[dict[str, Any]], reporter: _Reporter) -> None:
    owners: dict[str, Any] = {}
    for index, entry in enumerate(entries):
        prefix = entry.get("prefix")
        if not isinstance(prefix, str) or not prefix:
            continue
        if prefix in owners:
            message = _("the 文号 prefix {prefix} is also used by {code}")
            reporter.add(
                ("divisions", index, "prefix"),
                message.format(prefix=prefix, code=owners[prefix]),
            )
        owners[prefix] = entry.get("code")


def lint_divisions_text(
    text: str, source: str, county: str = ""
) -> tuple[list[Division] | None, list[Issue]]:
    """Check a division table's text.

    Args:
        text: the TOML text.
        source: its file name, for the issues.
        county: the catalog's county division (every code must lie inside it).

    Returns:
        The divisions (None when there are errors) and every issue.
    """
    raw, issues = parse_toml(text, source)
    if raw is None:
        return None, issues
    reporter = _Reporter(source, text, raw)
    reporter.item = ""
    table = _structure(DivisionTable, raw, reporter)
    _check_entries(raw, county, reporter)
    issues += reporter.issues
    if table is None or any(issue.severity == "error" for issue in issues):
        return None, issues
    return list(table.divisions), issues


def lint_divisions_file(path: Path, county: str = "") -> tuple[list[Division] | None, list[Issue]]:
    """Check a ``divisions.toml`` file (see :func:`lint_divisions_text`)."""
    return lint_divisions_text(path.read_text(encoding="utf-8"), str(path), county)


class OutsideCounty(ValueError):
    """区内通办 covers residents of this county only (the message is translated)."""


def handling_division(item: ServiceItem, resident: str, station: str) -> str | None:
    """The division in charge of a case taken in for a resident registered elsewhere (区内通办).

    An item the county (or above) accepts always goes to the county: a township may
    not accept it. An item a township accepts goes to the resident's township when
    that is not the taking station's (else the usual way, None); one the village
    itself handles stays with the station.

    Args:
        item: the service item.
        resident: the resident's 户籍 division (12 digits; a village or a township).
        station: the taking station's division.

    Returns:
        The 12-digit handling division, or None when the case needs no routing.

    Raises:
        OutsideCounty: the resident's division is not a division of the station's county.
    """
    resident = resident.strip()
    if resident and (len(resident) != 12 or not resident.isdigit() or resident[:6] != station[:6]):
        message = _("{code} is not a division of this county ({county})")
        raise OutsideCounty(message.format(code=resident, county=station[:6]))
    if item.path.accept == "village":
        return None
    if item.path.accept != "township":  # the county accepts it: it goes there, whoever applies
        return county_code(station) if station[:6] + "000000" != station else None
    if not resident or township_code(resident) == township_code(station):
        return None
    return township_code(resident)
