"""``daiban station ...``: this station. Also the helpers the station-side commands share."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from daiban.commands import station_backup
from daiban.context import JsonFlag, fail, home, print_json
from station.services import _
from sync.errors import CentralUnreachable, SyncError
from sync.messages import translate_reason

if TYPE_CHECKING:
    from station.store import StationStore

app = typer.Typer(no_args_is_help=True)
app.command("backup")(station_backup.backup)
app.command("restore")(station_backup.restore)


@contextmanager
def open_store(*, create: bool = False) -> Iterator[StationStore]:
    """The station's store (in this run's data dir); a missing enrollment is a clean failure.

    Only ``create`` (enrolling) makes a new store: any other command given a folder that
    holds no station says so, naming the folder, instead of answering from an empty
    database it would leave behind (a mistyped ``--data-dir`` looked like lost cases).

    The store is imported here, not at the top, so ``daiban --help`` and the
    central's commands start without loading the station.
    """
    from station.store import NotEnrolled, StationStore

    if not create:
        refuse_missing_station(home())
    store = StationStore.open(home())
    try:
        yield store
    except NotEnrolled:
        fail(_("This station is not enrolled yet."))
    finally:
        store.close()


def has_station(data_dir: Path) -> bool:
    """Whether ``data_dir`` holds a station's database (enrolled or not)."""
    from station.store.db import DB_FILE

    return (data_dir / DB_FILE).is_file()


def refuse_missing_station(data_dir: Path) -> None:
    """Fail, naming ``data_dir``, when it holds no station database."""
    if has_station(data_dir):
        return
    message = _(
        "This station is not enrolled yet: {folder} holds no station data. If the station's "
        "data is in another folder, name it with --data-dir; otherwise enroll this station "
        "first (daiban station enroll)."
    ).format(folder=data_dir)
    demo = sorted(str(folder) for folder in (data_dir / "demo").glob("station-*"))
    if demo:  # ``daiban demo`` keeps its stations below the data directory
        message += " " + _("The demonstration's stations: {folders}.").format(
            folders=", ".join(demo)
        )
    fail(message)


@app.command()
def enroll(
    central: Annotated[str, typer.Option("--central", help="The centre's URL.")] = "",
    code: Annotated[str, typer.Option("--code", help="One-time enrollment code.")] = "",
    device_name: Annotated[
        str | None,
        typer.Option(
            "--device-name", help="This PC's name as the county sees it (default: its host name)."
        ),
    ] = None,
    fingerprint: Annotated[
        str, typer.Option("--fingerprint", help="SHA-256 of the centre's certificate (pinned).")
    ] = "",
    uri: Annotated[
        str, typer.Option("--uri", help="The code's daiban://enroll URI (centre, code, pin).")
    ] = "",
    as_json: JsonFlag = False,
) -> None:
    """Enroll this station with the county's central."""
    from station.services.application import ActionRefused
    from station.services.syncing import enroll_station

    central, code, pin = _enrollment(central, code, fingerprint, uri)
    if not central.strip().lower().startswith(("http://", "https://")):
        # said before the data folder is made (a station.db was left behind), and not as a
        # network fault to wait out ("when the line is back, enroll again")
        fail(
            _(
                "--central {url}: the centre's address must begin with http:// or https://"
                " (as the county gave it, e.g. https://zwfw.example.gov.cn)."
            ).format(url=central)
        )
    with open_store(create=True) as store:
        try:
            identity = enroll_station(store, central, code, device_name, pin)
        except ActionRefused as refused:
            fail(refused.message)
        except CentralUnreachable as error:  # the centre may hold the code spent: say so
            again = _("When the line is back, enroll again with the same code.")
            fail(f"{translate_reason(str(error))}\n{again}")
        except SyncError as error:
            fail(translate_reason(str(error)))
    if as_json:
        print_json(identity.model_dump(mode="json", exclude={"token", "signing_key"}))
        return
    from station.services.county_admin import level_name

    message = _("Enrolled as {name} ({division}, {role}).")
    role = level_name(str(identity.role))  # 村 / 乡镇 / 县, not ``township``
    typer.echo(message.format(name=identity.name, division=identity.division, role=role))


def _enrollment(central: str, code: str, fingerprint: str, uri: str) -> tuple[str, str, str | None]:
    """The centre, the code and the certificate pin, from the flags or the code's URI."""
    from sync.enroll_uri import parse_enroll_uri
    from sync.tls import normalise_fingerprint

    if uri:
        try:
            ticket = parse_enroll_uri(uri)
        except ValueError:  # which part is wrong, in words (it said the library's English)
            fail(
                _(
                    "This enrollment link cannot be read: give the daiban://enroll?… link of "
                    "the code's QR whole, with the centre's address and the code."
                )
            )
        return ticket.central, ticket.code, ticket.fingerprint
    try:
        pin = normalise_fingerprint(fingerprint) if fingerprint else None
    except ValueError:  # the fingerprint, not the code, is what could not be read
        fail(
            _(
                "--fingerprint is not a certificate's SHA-256 fingerprint: 64 hexadecimal "
                "digits (colons between pairs allowed), as the county's code dialog shows it."
            )
        )
    if not central or not code:
        fail(_("Give --central and --code, or --uri."))
    return central, code, pin


@app.command()
def show(as_json: JsonFlag = False) -> None:
    """Show this station's identity, outbox depth and pull cursor."""
    with open_store() as store:
        identity = store.require_identity()
        info = identity.model_dump(mode="json", exclude={"token", "signing_key"})
        info |= {"outbox": store.outbox_depth(), "pull_cursor": store.pull_cursor()}
    if as_json:
        print_json(info)
        return
    for label, value in _shown(info):
        typer.echo(_("{label}: {value}").format(label=label, value=value))


def _shown(info: dict[str, object]) -> list[tuple[str, object]]:
    """``station show`` as a person reads it: each line labelled in their language."""
    from station.services.county_admin import level_name

    fingerprint = info["central_fingerprint"] or _("not pinned (plain HTTP, or the system's CAs)")
    return [
        (_("Station id"), info["station_id"]),
        (_("Division"), info["division"]),
        (_("Station name"), info["name"]),
        (_("Level"), level_name(str(info["role"]))),
        (_("Centre address"), info["central_url"]),
        (_("Centre certificate SHA-256"), fingerprint),
        (_("Events waiting to be sent"), info["outbox"]),
        (_("Pulled up to (centre sequence)"), info["pull_cursor"]),
    ]
