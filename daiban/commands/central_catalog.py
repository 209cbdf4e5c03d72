"""``daiban central catalog ...``: validate, compare and publish the county's catalog (同源发布).

The county edits the TOML (``catalog.toml``, ``items/*.toml``, ``divisions.toml``),
then ``validate`` → ``diff`` against the version stations run now → ``publish``
as the next numbered, immutable version. Stations download it on their next sync.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from daiban.context import JsonFlag, fail, print_json
from daiban.i18n import _
from daiban.signin import AsUser
from forms.catalog import Catalog
from forms.catalog.check import check_path
from forms.catalog.loader import read_catalog
from forms.clock import to_china

if TYPE_CHECKING:
    from sqlmodel import Session

    from central.models import Station
    from central.settings import CentralSettings

app = typer.Typer(no_args_is_help=True, help="The county's catalog: validate, diff, publish.")

CatalogDir = Annotated[
    Path,
    typer.Argument(help="The catalog folder (catalog.toml, items/, divisions.toml)."),
]


@contextmanager
def _central() -> Iterator[tuple[CentralSettings, Session]]:
    from central.bootstrap import open_session
    from daiban.commands.central import _settings

    settings = _settings()
    with open_session(settings) as session:
        yield settings, session


def _checked(path: Path, as_json: bool, quiet: bool = False) -> Catalog:
    """The catalog at ``path``, its issues printed; exits 1 on any error."""
    if not path.exists():
        fail(_("{path}: not found").format(path=path))
    issues, count = check_path(path)
    errors = [issue for issue in issues if issue.severity == "error"]
    if as_json and (errors or not quiet):
        print_json({"ok": not errors, "items": count, "issues": [i.as_dict() for i in issues]})
    elif not as_json:
        for issue in issues:
            typer.echo(str(issue), err=quiet)
    if errors:
        fail(_("{count} errors: nothing was published.").format(count=len(errors)))
    return read_catalog(path)


@app.command("validate")
def validate(path: CatalogDir, as_json: JsonFlag = False) -> None:
    """Check the catalog: every error with its item, field and line."""
    catalog = _checked(path, as_json)
    if not as_json:
        typer.echo(
            _("{path}: no problems ({count} items, version {version}).").format(
                path=path, count=len(catalog.items), version=catalog.version
            )
        )


@app.command("diff")
def diff(path: CatalogDir, as_json: JsonFlag = False) -> None:
    """What the catalog changes against the version stations run now."""
    from central.services.catalog_versions import PublishRefused, prepare_publication

    catalog = _checked(path, as_json, quiet=True)
    with _central() as (settings, session):
        try:
            _merged, changes = prepare_publication(
                session=session, path=settings.catalog_path, catalog=catalog
            )
        except PublishRefused as error:
            fail(str(error))
    if as_json:
        print_json(changes.as_dict())
        return
    for line in changes.lines():
        typer.echo(line)


@app.command("publish")
def publish(path: CatalogDir, as_user: AsUser = None, as_json: JsonFlag = False) -> None:
    """Validate, compare and publish the catalog as the next numbered version (--as: the
    county administrator who publishes; audited)."""
    from central.services.catalog_versions import PublishRefused, publish_catalog
    from daiban.commands.central import administrator

    catalog = _checked(path, as_json, quiet=True)
    with _central() as (settings, session):
        admin = administrator(session, as_user)
        try:
            outcome = publish_catalog(
                session=session,
                path=settings.catalog_path,
                catalog=catalog,
                published_by=admin.username,
                person=admin,
            )
        except PublishRefused as error:
            fail(str(error))
    if as_json:
        print_json(
            {
                "number": outcome.number,
                "version": outcome.version,
                "sha256": outcome.sha256,
                "published": outcome.created,
                "diff": outcome.diff.as_dict(),
            }
        )
        return
    for line in outcome.diff.lines():
        typer.echo(line)
    if not outcome.created:
        message = _("Already published as number {number} ({version}): nothing changed.")
    else:
        message = _(
            "Published as number {number} ({version}); stations take it on their next sync."
        )
    typer.echo(message.format(number=outcome.number, version=outcome.version))


@app.command("versions")
def versions(as_json: JsonFlag = False) -> None:
    """Every published version, and the one stations run now."""
    from central.services.catalog_versions import catalog_versions, served_catalog
    from central.services.stations import list_stations
    from daiban.commands.central import person_label, person_names

    with _central() as (settings, session):
        rows = catalog_versions(session=session)
        served = served_catalog(session=session, path=settings.catalog_path)
        people = person_names(session)
        running = [station_catalog(s) for s in list_stations(session=session) if not s.revoked_at]
    data: list[dict[str, Any]] = [
        {
            "number": row.number,
            "version": row.version,
            "sha256": row.sha256,
            "published_at": _china(row.published_at),
            "published_by": row.published_by,
            "published_by_name": people.get(row.published_by, ""),
        }
        for row in rows
    ]
    if as_json:
        current = {"number": served.number, "version": served.version, "sha256": served.sha256}
        print_json({"current": current, "versions": data, "stations": running})
        return
    if not rows:
        typer.echo(
            _("Nothing published yet: stations run version 0 ({version}).").format(
                version=served.version
            )
        )
    for shown in data:
        when = str(shown["published_at"])[:16].replace("T", " ")
        by = person_label(shown["published_by"], people)
        typer.echo(
            f"{shown['number']:>4}  {shown['version']:<16} {when}  {by}  {shown['sha256'][:12]}"
        )
    for line in running_lines(running, served.number):
        typer.echo(line)


def _china(moment: datetime | None) -> str:
    """A moment in China time, ISO 8601 (as ``central stations --json`` gives times)."""
    from central.models import as_utc

    utc = as_utc(moment)
    return to_china(utc).isoformat() if utc is not None else ""


def station_catalog(station: Station) -> dict[str, Any]:
    """The catalog a station last reported it runs (it reports ``<number>:<version>``;
    an older station the version alone, one not heard from yet nothing)."""
    number, _sep, version = station.catalog_version.rpartition(":")
    return {
        "station": station.id,
        "name": station.name,
        "division": station.division,
        "catalog_number": int(number) if number.isdigit() else None,
        "catalog_version": version,
    }


def running_lines(running: list[dict[str, Any]], current: int) -> list[str]:
    """Which version the stations run, counted per version; the stations not on the current
    one are named (those are the ones to follow up)."""
    if not running:
        return []
    groups: dict[tuple[int | None, str], list[str]] = {}
    for station in running:
        key = (station["catalog_number"], station["catalog_version"])
        groups.setdefault(key, []).append(station["name"])
    lines = [_("Stations run:")]
    for (number, version), names in sorted(groups.items(), key=_newest_first):
        if not version:
            which = _("not reported yet")
        elif number is None:
            which = version
        else:
            which = _("No. {number} ({version})").format(number=number, version=version)
        count = _("{count} stations").format(count=len(names))
        named = "" if number == current else "：" + "、".join(names)
        lines.append(f"  {which}  {count}{named}")
    return lines


def _newest_first(group: tuple[tuple[int | None, str], list[str]]) -> tuple[bool, int, bool, str]:
    """Numbered versions newest first, then versions an older station names, then none."""
    (number, version), _names = group
    return (number is None, -(number or 0), not version, version)
