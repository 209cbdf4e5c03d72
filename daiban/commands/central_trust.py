"""``daiban central unrevoke`` and ``daiban central bundle import-revoked``: a revoked
station's work is not lost (issue 13). Both are an administrator's audited act."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Annotated, Any

import typer

from central.i18n import _
from daiban.context import JsonFlag, fail, print_json
from daiban.signin import AsUser
from sync.messages import _ as sync_

STATUSES = ("applied", "duplicate", "superseded", "rejected")


def refusals(results: Any) -> list[dict[str, Any]]:
    """The bundle's events the centre did not apply, counted by fate and reason (the
    reason in the person's language)."""
    counted: Counter[tuple[str, str]] = Counter(
        (r.status.value, r.reason or "")
        for r in results
        if r.status.value in ("superseded", "rejected")
    )
    return [
        {"status": status, "reason": _reason(reason), "count": count}
        for (status, reason), count in sorted(counted.items())
    ]


def _reason(reason: str) -> str:
    from sync.protocol import CASE_NUMBER_TAKEN

    if reason == CASE_NUMBER_TAKEN:  # the station's own wording says it renumbered: not here
        return _(
            "the case number is already another case's at the centre: the station must"
            " renumber the case and send it again (sync, or a new bundle)"
        )
    return sync_(reason) if reason else "-"


def refusal_lines(results: Any) -> list[str]:
    """``refusals`` as lines under a bundle import's summary."""
    names = {"superseded": _("superseded"), "rejected": _("rejected")}
    return [
        "  "
        + _("{status} {count}: {reason}").format(
            status=names[one["status"]], count=one["count"], reason=one["reason"]
        )
        for one in refusals(results)
    ]


def unrevoke(
    station_id: Annotated[str, typer.Argument(help="The revoked station.")],
    as_user: AsUser = None,
    as_json: JsonFlag = False,
) -> None:
    """Undo a revocation within 7 days: the station's credential works again."""
    from central.bootstrap import open_session
    from central.services.admin_audit import record_action
    from central.services.revocation import RevocationError, unrevoke_station
    from central.services.stations import StationNotFoundError, find_station
    from daiban.commands.central import _settings, administrator

    with open_session(_settings()) as session:
        admin = administrator(session, as_user)
        try:
            station = find_station(session=session, station_id=station_id)
            revoked_at = station.revoked_at
            detail = {"name": station.name, "division": station.division}
            record_action(session, admin, "station.unrevoke", station.id, detail)
            station = unrevoke_station(session=session, station_id=station_id)
        except StationNotFoundError:
            fail(_("no station {station}").format(station=station_id))
        except RevocationError as error:
            fail(str(error))
    if as_json:
        print_json({"station": station.id, "name": station.name, "was_revoked_at": revoked_at})
        return
    typer.echo(
        _("Station {station} restored; its credential works again.").format(
            station=f"{station.name} ({station.id})"
        )
    )


def import_revoked(
    file: Annotated[Path, typer.Argument(help="The revoked station's bundle.", exists=True)],
    as_user: AsUser = None,
    as_json: JsonFlag = False,
) -> None:
    """Import the offline bundle of a REVOKED station (its unsent work), approved by --as."""
    from central.bootstrap import open_session
    from central.services.admin_audit import record_action
    from central.services.bundles import import_bundle
    from daiban.commands.central import _settings, administrator
    from sync.errors import BundleError

    settings = _settings()
    with open_session(settings) as session:
        admin = administrator(session, as_user)
        try:
            result = import_bundle(
                session=session, settings=settings, path=file, approve_revoked=True
            )
        except BundleError as error:
            fail(_("the bundle was refused: {reason}").format(reason=sync_(error.reason)))
        counts: Counter[str] = Counter(r.status.value for r in result.results)
        detail: dict[str, Any] = {k: counts.get(k, 0) for k in STATUSES}
        detail["blobs"] = result.blobs_stored
        record_action(session, admin, "bundle.import_revoked", result.station_id, detail)
        session.commit()
        from central.models import Station

        station = session.get(Station, result.station_id)  # named, not by its id
        label = f"{station.name}（{station.division}）" if station else result.station_id
    if as_json:
        print_json(
            {
                "station": result.station_id,
                "blobs_stored": result.blobs_stored,
                **detail,
                "refusals": refusals(result.results),
            }
        )
        return
    typer.echo(
        _(
            "Approved bundle of revoked station {station}: {applied} applied, {duplicate} "
            "duplicate, {superseded} superseded, {rejected} rejected."
        ).format(station=label, **{k: detail[k] for k in STATUSES})
    )
    for line in refusal_lines(result.results):
        typer.echo(line)


def register(app: typer.Typer, bundle_app: typer.Typer) -> None:
    """Add the commands to ``daiban central`` and ``daiban central bundle``."""
    app.command("unrevoke")(unrevoke)
    bundle_app.command("import-revoked")(import_revoked)
