"""``daiban print ...``: documents (回执, 告知书, 委托书, 台账, 不予受理/补正通知).

For now each command reads its document from ``--from-json FILE`` (the fields of
the ``printing.model`` dataclasses); a later step reads cases from the station
store. The PDF is always kept, and its path shown, whatever the printer does.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from daiban.context import DataDir, JsonFlag, data_dir, fail, print_json
from printing import jobs
from printing.i18n import _

app = typer.Typer(no_args_is_help=True)

FromJson = Annotated[
    Path,
    typer.Option(
        "--from-json",
        help="JSON file with the document's fields.",
        exists=True,
        dir_okay=False,
        readable=True,
    ),
]
Out = Annotated[
    Path | None, typer.Option("--out", help="Write the PDF here (default: <data-dir>/documents/).")
]
Format = Annotated[str, typer.Option("--format", help="Paper: a4 or 80mm (thermal roll).")]
Printer = Annotated[str | None, typer.Option("--printer", help="Print on this printer.")]
Send = Annotated[bool, typer.Option("--print", help="Print on the default printer.")]
Reprint = Annotated[bool, typer.Option("--reprint", help="Mark the copy 补打 with today's date.")]
Font = Annotated[
    Path | None, typer.Option("--font", help="CJK TrueType font (.ttf/.ttc) to embed.")
]


def _run(
    kind: str,
    source: Path,
    out: Path | None,
    fmt: str,
    printer: str | None,
    send: bool,
    reprint: bool,
    font: Path | None,
    home: Path | None,
    as_json: bool,
) -> None:
    try:
        raw: Any = json.loads(source.read_text(encoding="utf-8"))
        document = jobs.load_document(kind, raw)
        if reprint:
            document = jobs.mark_reprint(document, date.today())
        result = jobs.produce(
            kind,
            document,
            data_dir=data_dir(home),
            fmt=fmt,
            out=out,
            send=send,
            printer=printer,
            font=font,
        )
    except (ValueError, TypeError, KeyError, OSError) as exc:
        fail(f"{source}: {exc}")
    for warning in result.warnings:
        typer.echo(_("Warning: {warning}").format(warning=warning), err=True)
    wanted_print = send or printer is not None
    if as_json:
        print_json(
            {
                "path": str(result.path),
                "printed": result.printed,
                "message": result.message,
                "warnings": result.warnings,
            }
        )
    elif not wanted_print:
        typer.echo(_("PDF written: {path}").format(path=result.path))
    if wanted_print and not result.printed:
        fail(result.message)
    if wanted_print and not as_json:
        typer.echo(result.message)


@app.command()
def receipt(
    source: FromJson,
    out: Out = None,
    fmt: Format = "a4",
    printer: Printer = None,
    send: Send = False,
    reprint: Reprint = False,
    font: Font = None,
    data_dir: DataDir = None,
    as_json: JsonFlag = False,
) -> None:
    """Print a case's 帮代办收件回执 (A4 with stub, or 80 mm)."""
    _run("receipt", source, out, fmt, printer, send, reprint, font, data_dir, as_json)


@app.command()
def notice(
    source: FromJson,
    out: Out = None,
    fmt: Format = "a4",
    printer: Printer = None,
    send: Send = False,
    reprint: Reprint = False,
    font: Font = None,
    data_dir: DataDir = None,
    as_json: JsonFlag = False,
) -> None:
    """Print the 一次性告知书 of what is missing."""
    _run("notice", source, out, fmt, printer, send, reprint, font, data_dir, as_json)


@app.command()
def authorization(
    source: FromJson,
    out: Out = None,
    fmt: Format = "a4",
    printer: Printer = None,
    send: Send = False,
    reprint: Reprint = False,
    font: Font = None,
    data_dir: DataDir = None,
    as_json: JsonFlag = False,
) -> None:
    """Print the 授权委托书 pre-filled for the case's item."""
    _run("authorization", source, out, fmt, printer, send, reprint, font, data_dir, as_json)


@app.command()
def ledger(
    source: FromJson,
    out: Out = None,
    fmt: Format = "a4",
    printer: Printer = None,
    send: Send = False,
    font: Font = None,
    data_dir: DataDir = None,
    as_json: JsonFlag = False,
) -> None:
    """Print the 帮代办登记台账 for a date range (A4 landscape)."""
    _run("ledger", source, out, fmt, printer, send, False, font, data_dir, as_json)


@app.command()
def rejection(
    source: FromJson,
    out: Out = None,
    fmt: Format = "a4",
    printer: Printer = None,
    send: Send = False,
    reprint: Reprint = False,
    font: Font = None,
    data_dir: DataDir = None,
    as_json: JsonFlag = False,
) -> None:
    """Print the township's 不予受理通知书."""
    _run("rejection", source, out, fmt, printer, send, reprint, font, data_dir, as_json)


@app.command()
def correction(
    source: FromJson,
    out: Out = None,
    fmt: Format = "a4",
    printer: Printer = None,
    send: Send = False,
    reprint: Reprint = False,
    font: Font = None,
    data_dir: DataDir = None,
    as_json: JsonFlag = False,
) -> None:
    """Print the township's 补正告知书."""
    _run("correction", source, out, fmt, printer, send, reprint, font, data_dir, as_json)
