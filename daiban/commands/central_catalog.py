"""``daiban central catalog ...``: validate, compare and publish the county's catalog (同源发布).

The county edits the TOML (``catalog.toml``, ``items/*.toml``, ``divisions.toml``),
then ``validate`` → ``diff`` against the version stations run now → ``publish``
as the next numbered, immutable version. Stations download it on their next sync.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from daiban.context import JsonFlag, fail, print_json
from daiban.i18n import _
from daiban.signin import AsUser
from forms.catalog import Catalog
from forms.catalog.check import check_path
from forms.catalog.loader import read_catalog

if TYPE_CHECKING:
    from sqlmodel import Session

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
    from central.models import as_utc
    from central.services.catalog_versions import catalog_versions, published_when, served_catalog
    from forms.clock import format_minute

    with _central() as (settings, session):
        rows = catalog_versions(session=session)
        served = served_catalog(session=session, path=settings.catalog_path)
    data = [
        {
            "number": row.number,
            "version": row.version,
            "sha256": row.sha256,
            "published_at": published_when(row),
            "published_by": row.published_by,
        }
        for row in rows
    ]
    if as_json:
        current = {"number": served.number, "version": served.version, "sha256": served.sha256}
        print_json({"current": current, "versions": data})
        return
    if not rows:
        typer.echo(
            _("Nothing published yet: stations run version 0 ({version}).").format(
                version=served.version
            )
        )
    for row in rows:
        when = format_minute(as_utc(row.published_at))
        typer.echo(
            f"{row.number:>4}  {row.version:<16} {when}  {row.published_by}  {row.sha256[:12]}"
        )
