"""``daiban print ...``: documents (回执, 告知书, 委托书, 台账, 受理/不予受理/补正通知).

Each command prints a case of the station's store (``CASE_NO``), or the ledger of
a period (``--from DATE --to DATE``); ``--from-json FILE`` prints a document from
the fields of the ``printing.model`` dataclasses instead. The PDF is always kept
(under ``<data-dir>/documents/``, named by its Chinese title and the case number:
``受理通知书-<案号>.pdf``), and its path shown, whatever the printer does.
A second print of a case's document, or ``--reprint``, is marked 补打 with the date.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from daiban.context import JsonFlag, fail, home, print_json
from daiban.outfiles import cannot_write
from daiban.signin import AsUser
from forms.clock import china_today
from printing import jobs
from printing.i18n import _
from printing.model import CaseDocument, DecisionDocument

if TYPE_CHECKING:
    from printing.jobs import Document

app = typer.Typer(no_args_is_help=True)

CaseNo = Annotated[
    str | None,
    typer.Argument(help="Case number (or case id) in this station's store.", show_default=False),
]
FromJson = Annotated[
    Path | None,
    typer.Option(
        "--from-json",
        help="JSON file with the document's fields.",
        exists=True,
        dir_okay=False,
        readable=True,
    ),
]
Out = Annotated[
    Path | None,
    typer.Option(
        "--out",
        help="Write the PDF here (a case's or ledger's PDF is kept in <data-dir>/documents/ too).",
    ),
]
Format = Annotated[
    str, typer.Option("--format", help="Paper: a4, a4-large (大字版) or 80mm (thermal roll).")
]
Printer = Annotated[str | None, typer.Option("--printer", help="Print on this printer.")]
Send = Annotated[bool, typer.Option("--print", help="Print on the default printer.")]
Reprint = Annotated[
    bool,
    typer.Option(
        "--reprint",
        help="Mark the copy 补打 with today's date (automatic on a second print on the same paper).",
    ),
]
Start = Annotated[
    str | None,
    typer.Option("--from", help="Ledger: first intake day (YYYY-MM-DD).", show_default=False),
]
End = Annotated[
    str | None,
    typer.Option("--to", help="Ledger: last intake day (YYYY-MM-DD).", show_default=False),
]
Font = Annotated[
    Path | None, typer.Option("--font", help="CJK TrueType font (.ttf/.ttc) to embed.")
]


def _t(message: str) -> str:
    """Translate a message of the station's documents (imported only when needed)."""
    from station.documents.i18n import _ as translate

    return translate(message)


@dataclass(frozen=True)
class Job:
    """What the clerk asked for, whatever the document's source."""

    kind: str
    out: Path | None
    fmt: str
    printer: str | None
    send: bool
    reprint: bool
    font: Path | None
    as_json: bool

    @property
    def wants_print(self) -> bool:
        """A printer was asked for (``--print`` or ``--printer``)."""
        return self.send or self.printer is not None


def _report(job: Job, result: jobs.JobResult, extra: dict[str, Any] | None = None) -> None:
    """Say where the PDF went; exit non-zero when printing was asked for and failed."""
    for warning in result.warnings:
        typer.echo(_("Warning: {warning}").format(warning=warning), err=True)
    shown = job.out or result.path
    if job.as_json:
        print_json(
            {
                "path": str(shown),
                "printed": result.printed,
                "message": result.message,
                "warnings": result.warnings,
                **(extra or {}),
            }
        )
    elif not job.wants_print:
        typer.echo(_("PDF written: {path}").format(path=shown))
        if shown != result.path:  # --out: the copy kept under its own name is said too
            typer.echo(_("Also kept as {path}").format(path=result.path))
    if job.wants_print and not result.printed:
        fail(result.message)
    if job.wants_print and not job.as_json:
        typer.echo(result.message)


def _from_json(job: Job, source: Path) -> None:
    """Print a document given as JSON (the dataclass fields); ``--reprint`` marks it 补打."""
    try:
        raw: Any = json.loads(source.read_text(encoding="utf-8"))
        document = jobs.load_document(job.kind, raw)
        if job.reprint:
            document = jobs.mark_reprint(document, china_today())
        result = jobs.produce(
            job.kind,
            document,
            data_dir=home(),
            fmt=job.fmt,
            out=job.out,
            send=job.send,
            printer=job.printer,
            font=job.font,
        )
    except (ValueError, TypeError, KeyError, OSError) as exc:
        fail(f"{source}: {exc}")
    _report(job, result)


def _keep_and_copy(job: Job, document: Document) -> jobs.JobResult:
    """Keep the PDF under ``<data-dir>/documents/`` (always), print it, copy it to ``--out``."""
    from printing.printer import keep_pdf

    try:
        result = jobs.produce(
            job.kind,
            document,
            data_dir=home(),
            fmt=job.fmt,
            send=job.send,
            printer=job.printer,
            font=job.font,
        )
    except (ValueError, OSError) as exc:
        fail(str(exc))
    if job.out is not None:
        try:
            keep_pdf(result.path.read_bytes(), job.out)
        except OSError as error:  # the copy the person asked for: where, and why in words
            fail(cannot_write(job.out, error))
    return result


def _from_store(job: Job, case_no: str, as_user: str | None = None) -> None:
    """Print a document of a case in this station's store (a decision as ``--as``, if given)."""
    from daiban.commands.station import open_store
    from daiban.signin import signed_in_actor
    from station.documents import CaseNotFound, NotApplicable, document_for
    from station.services.catalogs import active_catalog

    if job.fmt not in jobs.FORMATS[job.kind]:
        message = _("A {kind} cannot be printed on {fmt} paper (use {allowed})")
        allowed = ", ".join(jobs.FORMATS[job.kind])
        fail(message.format(kind=job.kind, fmt=job.fmt, allowed=allowed))
    with open_store() as store:
        officer = signed_in_actor(store, as_user) if as_user else None
        try:
            document = document_for(
                store,
                active_catalog(store.data_dir),
                job.kind,
                case_no,
                today=china_today(),
                reprint=job.reprint,
                officer=officer,
                fmt=job.fmt,
            )
        except (CaseNotFound, NotApplicable) as exc:
            fail(str(exc))
    result = _keep_and_copy(job, document)
    case = document.case if isinstance(document, DecisionDocument) else document
    reprinted = case.reprinted_on if isinstance(case, CaseDocument) else None
    _report(
        job,
        result,
        {
            "kept": str(result.path),
            "reprinted_on": reprinted.isoformat() if reprinted else None,
        },
    )


def _run(job: Job, case_no: str | None, source: Path | None, as_user: str | None = None) -> None:
    if (case_no is None) == (source is None):
        fail(_t("Give a case number or --from-json FILE (one of the two)."))
    if source is not None:
        _from_json(job, source)
    elif case_no is not None:
        _from_store(job, case_no, as_user)


CASE_DOCUMENTS = {
    "receipt": "Print a case's 帮代办收件回执 (A4 with stub, or 80 mm).",
    "notice": "Print the 一次性告知书 of what is missing or deferred (容缺).",
    "authorization": "Print the 授权委托书 pre-filled for the case's item.",
}

DECISION_DOCUMENTS = {
    "acceptance": "Print the township's 受理通知书 for an accepted case (with its 文号).",
    "rejection": "Print the township's 不予受理通知书 for a rejected case (with its 文号).",
    "correction": "Print the township's 补正告知书 for a case returned for correction.",
    "pause": "Print the township's 特别程序告知书 for a paused case (公示, 听证, 鉴定 …).",
    "denial": "Print the 不予许可决定书 (or 不予批准决定书) of a case refused at 办结.",
    "approval": "Print the 准予行政许可决定书 (or 办结通知书) of a case approved at 办结.",
}
"""The township's papers: ``--as`` names the officer printed on them (else who decided)."""


def _case_document_command(kind: str, summary: str) -> None:
    """Register ``daiban print KIND``: the case documents take the same options."""

    def command(
        case_no: CaseNo = None,
        source: FromJson = None,
        out: Out = None,
        fmt: Format = "a4",
        printer: Printer = None,
        send: Send = False,
        reprint: Reprint = False,
        font: Font = None,
        as_json: JsonFlag = False,
    ) -> None:
        job = Job(kind, out, fmt, printer, send, reprint, font, as_json)
        _run(job, case_no, source)

    command.__doc__ = summary
    app.command(kind)(command)


def _decision_document_command(kind: str, summary: str) -> None:
    """Register ``daiban print KIND`` for a township paper: the case options and ``--as``."""

    def command(
        case_no: CaseNo = None,
        source: FromJson = None,
        out: Out = None,
        fmt: Format = "a4",
        printer: Printer = None,
        send: Send = False,
        reprint: Reprint = False,
        font: Font = None,
        as_user: AsUser = None,
        as_json: JsonFlag = False,
    ) -> None:
        job = Job(kind, out, fmt, printer, send, reprint, font, as_json)
        _run(job, case_no, source, as_user)

    command.__doc__ = summary
    app.command(kind)(command)


for _kind, _summary in CASE_DOCUMENTS.items():
    _case_document_command(_kind, _summary)
for _kind, _summary in DECISION_DOCUMENTS.items():
    _decision_document_command(_kind, _summary)


def _day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(_t("{option}: not a date (YYYY-MM-DD): {text}").format(option=option, text=text))


def _ledger_from_store(job: Job, start: str | None, end: str | None) -> None:
    """Print the ledger of this station's cases taken in from ``start`` to ``end``."""
    from daiban.commands.station import open_store
    from station.documents import NotApplicable, ledger_document
    from station.services.catalogs import active_catalog

    if start is None or end is None:
        fail(_t("Give the ledger's period: --from DATE --to DATE (or --from-json FILE)."))
    first, last = _day(start, "--from"), _day(end, "--to")
    with open_store() as store:
        try:
            document = ledger_document(store, active_catalog(store.data_dir), first, last)
        except NotApplicable as exc:
            fail(str(exc))
    result = _keep_and_copy(job, document)
    _report(job, result, {"kept": str(result.path), "rows": len(document.rows)})


@app.command()
def ledger(
    start: Start = None,
    end: End = None,
    source: FromJson = None,
    out: Out = None,
    fmt: Format = "a4",
    printer: Printer = None,
    send: Send = False,
    font: Font = None,
    as_json: JsonFlag = False,
) -> None:
    """Print the 帮代办登记台账 for a period (A4 landscape, IDs masked)."""
    job = Job("ledger", out, fmt, printer, send, False, font, as_json)
    if source is not None:
        if start is not None or end is not None:
            fail(_t("Give either --from/--to or --from-json FILE, not both."))
        _from_json(job, source)
    else:
        _ledger_from_store(job, start, end)
