"""``daiban bundle ...``: offline sync by USB stick (at a station)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from daiban.commands.station import open_store
from daiban.context import JsonFlag, fail, print_json
from daiban.i18n import _ as cli_text
from daiban.progress import LazyProgress
from station.services import _
from sync.errors import BundleError, BundleWriteError, SyncError
from sync.messages import translate_reason, write_error_text

app = typer.Typer(no_args_is_help=True)


@app.command("export")
def export_bundle(
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            help="The bundle file to write, or a folder (the USB stick) to write it into.",
        ),
    ],
    as_json: JsonFlag = False,
) -> None:
    """Write the outbox (unsent events and attachments) to a signed bundle file."""
    from forms.clock import china_now
    from station.services.bundles import export_outbox, outbox_path

    target = out.expanduser().absolute()  # said as a path to find again, not as typed
    with open_store() as store, LazyProgress(cli_text("Writing the bundle")):
        if target.is_dir():  # a stick's folder: named as the desk names it (b)
            target = outbox_path(target, store.require_identity().division, china_now())
        try:
            info = export_outbox(store, target)
        except BundleWriteError as error:
            fail(write_error_text(error.path, error.reason))
    if as_json:
        print_json({"path": str(info.path), "events": info.event_count, "blobs": info.blob_count})
        return
    typer.echo(_("wrote {events} events to {path}").format(events=info.event_count, path=info.path))
    if info.event_count == 0:  # written all the same (as at the desk): say why it is empty
        typer.echo(
            _(
                "Nothing here waits to be sent: this bundle only brings back what the county "
                "has for this station."
            )
        )
    else:  # signed, not encrypted: the stick carries residents' ID numbers and bank accounts
        typer.echo(
            _(
                "It holds residents' ID numbers: keep the stick on you, and delete the bundle"
                " once the township or county has taken it in."
            )
        )


@app.command("import")
def import_bundle(
    file: Annotated[
        Path,
        typer.Argument(
            exists=True, dir_okay=False, help="The return bundle the county wrote for this station."
        ),
    ],
    as_json: JsonFlag = False,
) -> None:
    """Take in a return bundle from the centre (decisions, and the fate of our events)."""
    from station.services.bundles import import_return, result_lines

    with open_store() as store, LazyProgress(cli_text("Applying the bundle")):
        try:
            result = import_return(store, file)
        except BundleError as error:
            fail(_("bundle refused: {reason}").format(reason=translate_reason(error.reason)))
        except SyncError as error:
            fail(translate_reason(str(error)))
    refused = [
        {"status": status, "reason": translate_reason(reason) or "-", "count": count}
        for status, reason, count in result.refused
    ]
    if as_json:
        print_json(
            {
                "events": result.events,
                "new": result.new,
                "cursor": result.cursor,
                "taken_before": result.taken_before,
                "renumbered": result.renumbered,
                "refusals": refused,
                "blobs_confirmed": result.blobs_confirmed,
            }
        )
        return
    if result.taken_before:  # said plainly, as the desk says it
        said = (
            _("this return bundle was imported before: its {count} events are all here")
            if result.events
            else _("this return bundle was imported before: nothing in it is new")
        )  # (its 0 events are all here, it said)
        typer.echo(said.format(count=result.events))
        return
    typer.echo(_("applied {events} events, {new} new").format(events=result.events, new=result.new))
    for line in result_lines(result):
        typer.echo(line)
