"""``daiban case ...``: bulk import/export and the lifecycle from a script (the desk's rules)."""

from __future__ import annotations

import csv
import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated, Any

import typer

from daiban.commands.station import open_store
from daiban.context import JsonFlag, fail, print_json
from daiban.i18n import _ as cli_text
from daiban.outfiles import cannot_write
from daiban.progress import LazyProgress, count_lines
from daiban.signin import AsUser, require_user, signed_in_actor
from forms.clock import format_minute, to_china
from forms.identity import mask_id_number
from station.services import _
from station.services.names import state_name
from sync.events import EventKind
from sync.messages import translate_reason

if TYPE_CHECKING:
    from station.services.application import Actor
    from station.services.cases import CaseService
    from station.store import StationStore
    from sync.reducer import CaseView

app = typer.Typer(no_args_is_help=True)

CaseNo = Annotated[str, typer.Argument(help="Case number (or case id).")]
NUMBERS_SHOWN = 20
"""The new cases' numbers an import lists (a file of hundreds: the first ones)."""
COMPLETION_RESULTS = ("approved", "denied", "approved_deferred")
"""办结's results: 通过, 不通过, 容缺通过."""

Reason = Annotated[
    str | None,
    typer.Option("--reason", help="Why (required to return, reject, pause or withdraw)."),
]


@app.command("import")
def import_cases(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="JSON lines file.")],
    as_user: AsUser = None,
    as_json: JsonFlag = False,
) -> None:
    """Import cases from JSON lines, taken in by --as; failing lines are reported, the others kept."""
    from station.services.importer import import_lines

    require_user(as_user)
    with open_store() as store:
        service = _service(store, signed_in_actor(store, as_user))
        bar = LazyProgress(cli_text("Importing cases"), total=count_lines(file))
        with file.open(encoding="utf-8") as lines, bar:
            report = import_lines(service, bar.track(lines))
    if as_json:
        print_json(report.as_json())
    else:
        typer.echo(_("imported {count} cases").format(count=report.imported))
        for number in report.case_numbers[:NUMBERS_SHOWN]:  # to show or print them by
            typer.echo(f"  {number}")
        if len(report.case_numbers) > NUMBERS_SHOWN:
            typer.echo(
                _("  … and {count} more (--json lists them all)").format(
                    count=len(report.case_numbers) - NUMBERS_SHOWN
                )
            )
        if report.skipped:
            typer.echo(
                _("{count} lines not imported again: the applicant has that case already").format(
                    count=len(report.skipped)
                )
            )
        for failure in report.skipped + report.failed:
            where = f"{file.name}:{failure.line}"
            said = f"{failure.field}: {failure.error}" if failure.field else failure.error
            typer.echo(f"{where}: {said}", err=True)
    if report.failed and not report.imported:
        raise typer.Exit(1)


def china_times(view: CaseView) -> dict[str, str]:
    """The case's own moments (``created_at``, ``received_at``...) in China time, ISO 8601."""
    return {
        name: to_china(value).isoformat() for name, value in view if isinstance(value, datetime)
    }


def public_view(view: CaseView) -> dict[str, Any]:
    """A case as a script sees it: ID numbers masked, states and reasons readable."""
    data = view.model_dump(mode="json")
    for role in ("applicant", "principal"):
        person = data.get(role)
        if isinstance(person, dict) and person.get("id_number"):
            person["id_number"] = mask_id_number(person["id_number"])
    data["state_name"] = state_name(view.state)
    data |= china_times(view)
    for entry, moment in zip(data["history"], view.history, strict=True):
        entry["reason_text"] = translate_reason(entry.get("reason"))
        entry["device_time"] = to_china(moment.device_time).isoformat()
    return data


@app.command()
def show(case_no: CaseNo, as_json: JsonFlag = False) -> None:
    """Show a case (state, history with superseded events and their reasons)."""
    from station.services.timeline import annotate, people, renumbered_lines

    with open_store() as store:
        view = store.get_case(case_no)
        names = people(store)
        renumbered = renumbered_lines(store, view) if view is not None else []
    if view is None:
        fail(_("There is no such case."))
    data = annotate(public_view(view), view, names, _catalog_item(view))
    data["renumbered"] = renumbered
    if as_json:
        print_json(data)
        return
    typer.echo(f"{view.case_number}  {data['state_name']}  {view.item_name}  {data['result_text']}")
    for line in renumbered:
        typer.echo(f"  {line}")
    for entry in data["history"]:
        note = f"  {entry['note']}" if entry["note"] else ""
        when = format_minute(datetime.fromisoformat(entry["device_time"]))
        who = entry["actor_name"]
        what, status = entry["kind_name"], entry["status_name"]
        typer.echo(f"  {when}  {what}  {who}  {status}{note}")


def _catalog_item(view: CaseView) -> Any:
    """The case's item as it was filed (its item version), else the current one, else None."""
    from daiban.context import home
    from station.services.catalogs import active_catalog

    catalog = active_catalog(home())
    filed = int(view.item_version) if view.item_version.isdigit() else None
    for version in (filed, None) if view.item_code else ():
        try:
            return catalog.get(view.item_code, version)
        except KeyError:
            continue
    return None


def _service(store: StationStore, actor: Actor) -> CaseService:
    """The case service of a command, acting as the signed-in ``actor``."""
    from station.services.cases import CaseService
    from station.services.catalogs import active_catalog

    return CaseService(store, active_catalog(store.data_dir), actor)


def _act(
    case_no: str,
    kind: EventKind,
    as_user: str | None,
    as_json: bool,
    reason: str | None = None,
    payload: dict[str, Any] | None = None,
) -> None:
    _decide(
        as_user, as_json, lambda service: service.act(case_no, kind, reason=reason, payload=payload)
    )


def _decide(as_user: str | None, as_json: bool, decide: Callable[[CaseService], CaseView]) -> None:
    """Run one act of the signed-in person (a service method: its own checks apply, as at
    the desk), and show the case as it left it."""
    from station.services.cases import ActionRefused

    require_user(as_user)
    with open_store() as store:
        service = _service(store, signed_in_actor(store, as_user))
        try:
            view = decide(service)
        except ActionRefused as refused:
            fail(refused.message)
    if as_json:
        print_json(public_view(view))
    else:
        typer.echo(f"{view.case_number}  {state_name(view.state)}")


@app.command()
def submit(case_no: CaseNo, as_user: AsUser = None, as_json: JsonFlag = False) -> None:
    """Submit a case taken in here to the township (报送)."""
    _act(case_no, EventKind.submitted, as_user, as_json)


@app.command()
def accept(case_no: CaseNo, as_user: AsUser = None, as_json: JsonFlag = False) -> None:
    """Accept a submitted case (受理; township or county station)."""
    _act(case_no, EventKind.accepted, as_user, as_json)


@app.command("return")
def return_case(
    case_no: CaseNo,
    reason: Reason = None,
    fields: Annotated[
        list[str] | None,
        typer.Option(
            "--field",
            help="A field the agent is to correct (bank_account, applicant.phone); repeatable.",
        ),
    ] = None,
    materials: Annotated[
        list[str] | None,
        typer.Option("--material", help="A material to supply or correct; repeatable."),
    ] = None,
    allow_more: Annotated[
        bool, typer.Option("--allow-more", help="Let the agent correct other fields too.")
    ] = False,
    as_user: AsUser = None,
    as_json: JsonFlag = False,
) -> None:
    """Return a case for correction (退回补正): why, and which fields and materials to correct."""
    why = reason or ""  # none: the service says a 退回补正 needs one
    _decide(  # the service's checks: a field or material the item has not is refused
        as_user,
        as_json,
        lambda service: service.return_for_correction(
            case_no, why, missing=materials or [], fields=fields or [], allow_more=allow_more
        ),
    )


@app.command()
def reject(
    case_no: CaseNo,
    reason: Reason = None,
    basis: Annotated[
        str | None, typer.Option("--basis", help="The legal basis (default: the item's own).")
    ] = None,
    apply_instead: Annotated[
        str | None,
        typer.Option(
            "--apply-instead",
            help="The body to apply to instead (required when outside this body's remit).",
        ),
    ] = None,
    as_user: AsUser = None,
    as_json: JsonFlag = False,
) -> None:
    """Reject a case (不予受理), with the reason."""
    why = reason or ""  # none: the service says a 不予受理 needs one

    def decide(service: CaseService) -> CaseView:
        from station.services.deciding import rejection_basis

        view = service.store.get_case(case_no)
        cited = basis or (rejection_basis(service.catalog, view) if view is not None else None)
        return service.reject(case_no, why, basis=cited, apply_instead=apply_instead)

    _decide(as_user, as_json, decide)


@app.command()
def forward(
    case_no: CaseNo,
    to: Annotated[str, typer.Option("--to", help="The department it goes to.")],
    as_user: AsUser = None,
    as_json: JsonFlag = False,
) -> None:
    """Forward an accepted case to a county department (转办)."""
    if not to.strip():
        fail(cli_text("--to: name the department the case goes to."))
    _act(case_no, EventKind.forwarded, as_user, as_json, payload={"to": to})


@app.command()
def complete(
    case_no: CaseNo,
    result: Annotated[
        str, typer.Option("--result", help="approved | denied | approved_deferred")
    ] = "approved",
    note: Annotated[
        str | None, typer.Option("--note", help="The result in words (required if denied).")
    ] = None,
    as_user: AsUser = None,
    as_json: JsonFlag = False,
) -> None:
    """Complete a case (办结)."""
    if result not in COMPLETION_RESULTS:
        fail(
            cli_text("--result: {result} is not one of {choices}.").format(
                result=result, choices="、".join(COMPLETION_RESULTS)
            )
        )
    payload = {"result": result, "note": note}
    _act(case_no, EventKind.completed, as_user, as_json, payload=payload)


@app.command()
def handover(
    case_no: CaseNo,
    how: Annotated[
        str, typer.Option("--how", help="How the result reached the resident.")
    ] = "当面送达",
    signed_by: Annotated[str, typer.Option("--signed-by")] = "",
    as_user: AsUser = None,
    as_json: JsonFlag = False,
) -> None:
    """Record that the result was handed over (送达)."""
    payload = {"how": how, "signed_by": signed_by}
    _act(case_no, EventKind.handed_over, as_user, as_json, payload=payload)


@app.command()
def withdraw(
    case_no: CaseNo,
    reason: Reason = None,
    as_user: AsUser = None,
    as_json: JsonFlag = False,
) -> None:
    """The applicant withdraws the case (撤件), with the reason."""
    _act(case_no, EventKind.withdrawn, as_user, as_json, reason)


@app.command()
def pause(
    case_no: CaseNo,
    kind: Annotated[
        str,
        typer.Option(
            "--kind", help="The procedure: 公示、调查、听证、检验、检测、检疫、鉴定 or 专家评审."
        ),
    ],
    reason: Reason = None,
    days: Annotated[
        int | None,
        typer.Option("--days", min=1, max=365, help="Calendar days it is expected to take."),
    ] = None,
    as_user: AsUser = None,
    as_json: JsonFlag = False,
) -> None:
    """Pause a case for a special procedure (特别程序): the time limit stops until resumed."""
    why = reason or ""  # none: the service says a 暂停 needs one
    _decide(
        as_user,
        as_json,
        lambda service: service.pause(case_no, kind, why, expected_days=days),
    )


@app.command()
def resume(case_no: CaseNo, as_user: AsUser = None, as_json: JsonFlag = False) -> None:
    """Resume a paused case (恢复): the time limit runs again from the next day."""
    _decide(as_user, as_json, lambda service: service.resume(case_no))


EXPORT_COLUMNS = (
    "case_number",
    "state",
    "item_code",
    "item_name",
    "applicant",
    "id_masked",
    "agent",
    "created_at",
    "received_at",
    "submitted_at",
    "accepted_at",
    "completed_at",
    "result",
)
"""The ledger's columns, in order (their headers are :func:`export_headers`)."""

CSV_BOM = "\ufeff"
"""UTF-8 byte order mark: without it Chinese Excel reads a UTF-8 CSV as GBK (乱码)."""


def export_headers() -> dict[str, str]:
    """The ledger's column headers, translated (Chinese by default)."""
    return {
        "case_number": _("Case number"),
        "state": _("State"),
        "item_code": _("Item code"),
        "item_name": _("Item"),
        "applicant": _("Applicant"),
        "id_masked": _("ID number (masked)"),
        "agent": _("Agent"),
        "created_at": _("Created (Beijing time)"),
        "received_at": _("Received (Beijing time)"),
        "submitted_at": _("Submitted (Beijing time)"),
        "accepted_at": _("Accepted (Beijing time)"),
        "completed_at": _("Completed (Beijing time)"),
        "result": _("Result"),
    }


def _csv_row(view: CaseView) -> dict[str, Any]:
    from station.services.timeline import RESULT_NAMES

    person = view.applicant
    return {
        "case_number": view.case_number,
        "state": state_name(view.state),
        "item_code": view.item_code,
        "item_name": view.item_name,
        "applicant": person.name if person else "",
        "id_masked": mask_id_number(person.id_number) if person and person.id_number else "",
        "agent": view.agent_name,
        # Excel reads "2026-12-02 00:30" as a date and time; an ISO offset it leaves as text.
        "created_at": format_minute(view.created_at),
        "received_at": format_minute(view.received_at),
        "submitted_at": format_minute(view.submitted_at),
        "accepted_at": format_minute(view.accepted_at),
        "completed_at": format_minute(view.completed_at),
        "result": _(RESULT_NAMES[view.result]) if view.result in RESULT_NAMES else "",
    }


def write_csv_ledger(handle: IO[str], views: Iterable[CaseView]) -> None:
    """Write the case ledger as CSV that Chinese Excel opens: BOM, Chinese headers, CRLF.

    Args:
        handle: a text stream opened with ``newline=""`` (or standard output).
        views: the cases, in ledger order.
    """
    handle.write(CSV_BOM)
    writer = csv.writer(handle)
    headers = export_headers()
    writer.writerow([headers[column] for column in EXPORT_COLUMNS])
    for view in views:
        row = _csv_row(view)
        writer.writerow([row[column] for column in EXPORT_COLUMNS])


@app.command("export")
def export_cases(
    fmt: Annotated[
        str | None,
        typer.Option("--format", help="jsonl | csv (default: as --out ends, else jsonl)"),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="File (default: standard output).")
    ] = None,
) -> None:
    """Export every case (JSON lines: whole cases; CSV: a ledger for Excel, ID numbers masked)."""
    if fmt is None:  # `--out all.csv` wrote JSON lines into a .csv file
        fmt = "csv" if out is not None and out.suffix.lower() == ".csv" else "jsonl"
    if fmt not in ("jsonl", "csv"):
        fail(_("Unknown format {fmt}; use jsonl or csv.").format(fmt=fmt))
    with open_store() as store:  # first: a station not found leaves the file as it was
        total = store.count_cases()
        with _output(out) as handle:
            bar = LazyProgress(cli_text("Exporting cases"), total=total)
            with bar:
                views = bar.track(store.iter_cases())
                if fmt == "csv":
                    write_csv_ledger(handle, views)
                else:
                    for view in views:
                        handle.write(
                            json.dumps(view.model_dump(mode="json"), ensure_ascii=False) + "\n"
                        )
    if out is not None:
        typer.echo(_("Exported {count} cases to {path}.").format(count=total, path=out))


@contextmanager
def _output(out: Path | None) -> Iterator[IO[str]]:
    """Standard output, or ``out`` written whole or not at all: into a hidden file beside
    it, renamed over it once complete (a failed export emptied yesterday's file), its
    folder made when missing (as ``print --out`` does); a folder that cannot be written
    is said in words, not as the error's class name."""
    if out is None:
        yield sys.stdout
        return
    partial = out.with_name(f".{out.name}.part")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        handle = partial.open("w", encoding="utf-8", newline="")
    except OSError as error:
        fail(cannot_write(out, error))
    try:
        with handle:
            yield handle
        os.replace(partial, out)
    except OSError as error:
        partial.unlink(missing_ok=True)
        fail(cannot_write(out, error))
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
