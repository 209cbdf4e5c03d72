"""``daiban sync``: push and pull once."""

from __future__ import annotations

import typer

from daiban.commands.station import open_store
from daiban.context import JsonFlag, fail, print_json
from station.services import _
from sync.errors import SyncError
from sync.messages import translate_reason


def sync(as_json: JsonFlag = False) -> None:
    """Push the outbox and pull what changed, once (one sync at a time per station)."""
    from station.services.syncing import sync_now

    with open_store() as store:
        try:
            report = sync_now(store)
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
