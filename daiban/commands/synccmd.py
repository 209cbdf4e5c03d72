"""``daiban sync``: push and pull once."""

from __future__ import annotations

import typer

from daiban.commands.station import open_store
from daiban.context import JsonFlag, fail, print_json
from daiban.i18n import _ as cli_text
from daiban.progress import LazyProgress
from station.services import _
from station.services.desksync import catalog_taken_text, renumbered_text
from sync.engine import SyncProgress
from sync.errors import SyncError
from sync.messages import translate_reason


def sync(as_json: JsonFlag = False) -> None:
    """Push the outbox and pull what changed, once (one sync at a time per station)."""
    from station.services.syncing import sync_now

    with open_store() as store, LazyProgress(cli_text("Syncing")) as bar:
        try:
            report = sync_now(store, on_progress=lambda step: _show_step(bar, step))
        except SyncError as error:
            fail(_("sync failed: {reason}").format(reason=translate_reason(str(error))))
    counts = report.model_dump(mode="json", exclude={"blob_failures"})
    if as_json:
        print_json(counts)
        return
    typer.echo(
        _("pushed {pushed}, pulled {pulled}, superseded {superseded}, pending {pending}").format(
            **counts
        )
    )
    if report.renumbered:
        typer.echo(renumbered_text(report.renumbered))
    if report.catalog_taken:
        typer.echo(catalog_taken_text(report.catalog_taken))


def _show_step(bar: LazyProgress, step: SyncProgress) -> None:
    """Say on the bar which phase the sync is in and how many events have moved."""
    phases = {
        "hello": cli_text("Syncing: reaching the centre"),
        "push": cli_text("Syncing: sent {done} events"),
        "blobs": cli_text("Syncing: sent {done} attachments"),
        "pull": cli_text("Syncing: received {done} events"),
    }
    text = phases.get(step.phase, cli_text("Syncing"))
    bar.update(description=text.format(done=step.done))
