"""Paper from the desk: build a ``printing`` document from a case and keep/print it.

Everything goes through ``printing.jobs.produce`` (the same job as ``daiban
print``), so the font and rare-character warnings come back to the desk. Call
these from workers: they render PDFs and write files. A printer is optional;
the PDF is always kept in ``<data_dir>/documents`` first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from forms.catalog import ServiceItem
from forms.validation import deferred_deadlines
from printing.jobs import Document, produce
from printing.model import (
    CaseDocument,
    EnrollmentDocument,
    MaterialLine,
    MaterialStatus,
    Party,
    UnresolvedDocument,
)
from station.documents.prepare import document_for
from station.i18n import _
from station.services.desk import Desk
from sync.events import Role
from sync.reducer import CaseView
from sync.unresolved import UnresolvedView

DOCUMENT_NAMES = {
    "receipt": _("Receipt 收件回执"),
    "notice": _("One-time notice 一次性告知书"),
    "authorization": _("Authorization letter 授权委托书"),
    "acceptance": _("Acceptance notice 受理通知书"),
    "correction": _("Correction notice 补正告知书"),
    "rejection": _("Rejection notice 不予受理通知书"),
    "pause": _("Special-procedure notice 特别程序告知书"),
    "denial": _("Refusal 不予许可（批准）决定书"),
    "approval": _("Decision 准予行政许可决定书（办结通知书）"),
    "unresolved": _("Slip 办不成事登记回执"),
    "enrollment": _("Enrollment slip 注册单"),
}
"""What the clerk calls each document when it goes to the printer (its file is named by
its Chinese title: ``printing.names``)."""


@dataclass
class PaperOutcome:
    """What printing did: a line per document (where it went) and the warnings."""

    lines: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    printed: bool = True
    """Every document reached the printer (or none was asked for: kept as a PDF)."""

    def text(self) -> str:
        """What the clerk reads: where each document went, then any warning."""
        return "\n".join([*self.lines, *(f"⚠ {w}" for w in self.warnings)])


def case_document(
    desk: Desk, view: CaseView, *, reprint: bool = False, fmt: str | None = None
) -> CaseDocument:
    """The printing model of a case taken in at this station.

    The same mapping as ``daiban print`` (``station.documents``), so the desk and
    the command line put the same things on paper.

    Args:
        desk: who prints, where.
        view: the case (its own catalog version is looked up).
        reprint: mark the paper 补打 with today's date.
    """
    document = document_for(
        desk.store,
        desk.catalog(),
        "receipt",
        view.case_number,
        today=desk.clock().date(),
        reprint=reprint,
        fmt=fmt or desk.settings.paper_format,
    )
    assert isinstance(document, CaseDocument)
    return document


def keep_and_print(
    desk: Desk, kind: str, document: Document, outcome: PaperOutcome, paper: str | None = None
) -> None:
    """Keep the PDF under the data dir, send it to the printer if one is set; note what happened.

    ``paper`` overrides the station's paper for a receipt or notice (``a4-large``: 大字版).
    """
    printer = desk.settings.printer
    resident_slip = kind in ("receipt", "notice", "unresolved")  # the station's paper
    fmt = (paper or desk.settings.paper_format) if resident_slip else "a4"
    job = produce(
        kind,
        document,
        data_dir=Path(desk.settings.data_dir),
        fmt=fmt,
        printer=printer,
    )
    name = DOCUMENT_NAMES.get(kind, kind)
    permit = getattr(document, "permit", None)
    if kind == "denial" and permit is not None:  # named as its title reads
        name = _("Refusal 不予行政许可决定书") if permit else _("Refusal 不予批准决定书")
    if kind == "approval" and permit is not None:
        name = _("Decision 准予行政许可决定书") if permit else _("Notice 办结通知书")
    if printer:
        outcome.lines.append(f"{name}：{job.message}")
    else:
        # the file's name here, its folder once in the hint: a notice naming each paper by
        # its whole path stood 6–8 lines tall at 80 columns, over the page below it. The
        # name is the paper's title (受理通知书-<案号>.pdf): said once, not twice
        outcome.lines.append(_("Saved as PDF: {path}").format(path=job.path.name))
        if not desk.printer_hint_told:  # once a run, after the first paper saved
            outcome.warnings.append(_no_printer_hint(desk, job.path.parent))
            desk.printer_hint_told = True
    outcome.warnings += [w for w in job.warnings if w not in outcome.warnings]
    outcome.printed = outcome.printed and (job.printed or not printer)


def _no_printer_hint(desk: Desk, folder: Path) -> str:
    """Why a paper was saved and not printed, the ``folder`` it is in, and where a printer
    is set: 设置 (o) on the village and township homes and on the county's 看板."""
    if desk.role is Role.admin:
        return _(
            "No printer is set: the PDF is in {folder}; print it elsewhere, "
            "or set one under 设置 (o) on the dashboard (1)."
        ).format(folder=folder)
    return _(
        "No printer is set: the PDF is in {folder}; print it elsewhere, or set one under 设置 (o)."
    ).format(folder=folder)


SUPPLY_STATES = frozenset(
    {"draft", "received", "submitted", "returned", "accepted", "processing", "paused"}
)
"""The states in which a case still waits for what it lacks: a 一次性告知书 reprinted after
the case was decided, refused or withdrawn told the resident to bring it all the same."""


def print_intake_papers(
    desk: Desk, view: CaseView, *, reprint: bool = False, paper: str | None = None
) -> PaperOutcome:
    """收件回执, plus the 一次性告知书 when a material is deferred or missing.

    Args:
        desk: who prints, where.
        view: the case.
        reprint: mark the papers 补打.
        paper: this time on other paper than the station's (``a4-large`` for an elderly resident).

    Returns:
        One line per document saying where it went, and the warnings.
    """
    owed = view.case_id.hex in desk.store.receipts_owed()
    # a receipt never kept (a power cut after F9) is the first the resident gets, not a 补打
    doc = case_document(desk, view, reprint=reprint and not owed, fmt=paper)
    outcome = PaperOutcome()
    keep_and_print(desk, "receipt", doc, outcome, paper)
    if owed:
        desk.store.receipt_kept(view.case_id)
    if doc.deferred and view.state in SUPPLY_STATES:  # what to bring, while it can be brought
        keep_and_print(desk, "notice", doc, outcome, paper)
    return outcome


def _person(data: Any) -> Party | None:
    if not data:
        return None
    return Party(
        name=data.get("name", ""),
        id_number=data.get("id_number", ""),
        phone=data.get("phone", ""),
        address=data.get("address", "") or "",
    )


def draft_document(desk: Desk, draft: dict[str, Any], item: ServiceItem) -> CaseDocument:
    """A document of an application not taken in yet (the 授权委托书 is signed first)."""
    from forms.workdays import promised_due_date
    from station.documents.case import enquiry, next_step
    from station.documents.prepare import township_or_fallback

    now = desk.clock()
    identity = desk.store.require_identity()
    township = township_or_fallback(desk.store, identity, desk.catalog())
    resident = _person(draft.get("applicant")) or Party(name="")
    acting = _person(draft.get("principal"))
    agent = desk.user
    account = desk.store.find_account(agent.username) if agent else None
    return CaseDocument(
        case_number=str(draft.get("draft_id", "draft")),
        item_code=item.code,
        item_name=item.name,
        item_version=item.version,
        station_name=desk.station_name or identity.name,
        station_division=desk.division or identity.division,
        agent_name=agent.name if agent else "",
        agent_phone=account.phone if account else "",
        applicant=acting or resident,
        principal=resident if acting else None,
        relation=draft.get("relation", "relative"),
        received_at=now,
        promised_days=item.promised_days,
        due_date=promised_due_date(item, now.date()).date,
        next_step=next_step(item, township),
        enquiry=enquiry(item, ""),
        township_name=township,
        taken_in=False,  # no case yet: its papers are named 未收件 and when they were printed
    )


def print_authorization(desk: Desk, draft: dict[str, Any], item: ServiceItem) -> PaperOutcome:
    """The 授权委托书 for a take-in not filed by the resident themself."""
    outcome = PaperOutcome()
    keep_and_print(desk, "authorization", draft_document(desk, draft, item), outcome)
    return outcome


def _alternatives(item: ServiceItem, wanted: set[str]) -> dict[str, str]:
    """For materials of which one is enough (an ``any_material`` rule), what the notice
    says beside each: that one of them will do (the paper must not ask for all)."""
    notes: dict[str, str] = {}
    for rule in item.rules:
        if rule.kind == "any_material" and wanted & set(rule.materials):
            names = "、".join(item.material(key).name for key in rule.materials)
            for key in rule.materials:
                notes[key] = _("one of {names} is enough").format(names=names)
    return notes


def print_missing_notice(
    desk: Desk,
    draft: dict[str, Any],
    item: ServiceItem,
    missing: list[str],
    information: Sequence[str] = (),
) -> PaperOutcome:
    """The 一次性告知书 of an application not taken in: every required material it lacks.

    Args:
        desk: who prints, where.
        draft: the draft's data (who applies, for whom).
        item: the service item.
        missing: the keys of the materials the desk's check found missing, in any order
            (the paper lists them in the item's order, with their standards).
        information: what else the check found the resident must give (a rule's
            须登记…), told on the paper after the materials.
    """
    wanted = set(missing)
    chosen = draft.get("materials") or {}
    # 容缺 materials are on it too, as 容缺后补: a notice that says "these are all" must
    # not leave out what the case will still owe once it is taken in (the walkthrough's
    # second notice, printed at intake, named a material the first had not)
    deferred = {key for key, state in chosen.items() if state == "deferred"} - wanted
    # the dates intake will give them: the one typed (any form intake reads), else the
    # item's own limit from today; the notice at intake then says the same
    today = desk.clock().date()
    typed = {k: v for k, v in (draft.get("supply_by") or {}).items() if k in deferred}
    dates = deferred_deadlines(item, dict.fromkeys(deferred, "deferred"), typed, today)
    either = _alternatives(item, wanted)
    lines = tuple(
        MaterialLine(
            name=spec.name,
            copies=spec.copies,
            original=spec.original,
            status=MaterialStatus.missing if spec.key in wanted else MaterialStatus.deferred,
            standard="；".join(s for s in (either.get(spec.key, ""), spec.standard) if s),
            supply_by=dates.get(spec.key),
        )
        for spec in item.materials
        if spec.key in wanted or spec.key in deferred
    )
    doc = replace(
        draft_document(desk, draft, item),
        materials=lines,
        taken_in=False,
        information=tuple(information),
    )
    outcome = PaperOutcome()
    keep_and_print(desk, "notice", doc, outcome)
    return outcome


def papers_after_take_in(desk: Desk, view: CaseView) -> str:
    """The receipt (and notice) of a case just taken in, or why not and how to reprint.

    The case is stored already: a printing failure must neither undo nor repeat it.
    """
    failed = _(
        "Taken in, but the receipt did not print ({reason}). Reprint it from the case page (补打)."
    )
    return _told(desk, view.case_number, lambda: print_intake_papers(desk, view), failed)


def _told(desk: Desk, number: str, printing: Callable[[], PaperOutcome], failed: str) -> str:
    """What ``printing`` did, or ``failed`` with the reason: a failure is logged and said,
    never raised (what was printed for is stored already, and must not be undone or
    repeated)."""
    from station.services.failures import desk_logger

    try:
        return printing().text()
    except Exception as error:  # any printing failure is told, none is raised
        desk_logger(Path(desk.settings.data_dir)).error(
            "printing %s failed", number, exc_info=error
        )
        return failed.format(reason=str(error) or type(error).__name__)


def print_unresolved(desk: Desk, view: UnresolvedView, *, reprint: bool = False) -> PaperOutcome:
    """The 办不成事登记回执 for the resident: the record's number, what they wanted, why it
    could not be done here and how to ask after it (on the station's paper).

    Args:
        desk: who prints, where.
        view: the record.
        reprint: mark the slip 补打 with today's date.
    """
    # the phone of the agent who recorded it (a reprint by a colleague, or after the
    # agent moved away, must not put the colleague's number beside the recorder's name)
    recorder = next((a for a in desk.store.list_accounts() if a.user_id == view.reported_by), None)
    document = UnresolvedDocument(
        number=view.number,
        station_name=view.station_name or desk.station_name,
        agent_name=view.agent_name or (recorder.display_name if recorder else ""),
        agent_phone=recorder.phone if recorder and recorder.active else "",
        reported_at=view.reported_at or desk.clock(),
        what=view.what,
        why=view.why,
        contact=view.contact,
        reprinted_on=desk.clock().date() if reprint else None,
    )
    outcome = PaperOutcome()
    keep_and_print(desk, "unresolved", document, outcome)
    return outcome


def print_enrollment_slip(desk: Desk, code: Any) -> PaperOutcome:
    """The 注册单 of an enrollment code just issued (``county_admin.CodeRow``): the centre
    keeps only the code's hash, so once the dialog closes this paper is how the code
    reaches the station's PC (A4, kept as a PDF and printed if a printer is set)."""
    from sync.enroll_uri import parse_enroll_uri

    ticket = parse_enroll_uri(code.uri)
    signed_in = desk.user
    document = EnrollmentDocument(
        station_name=code.name,
        division=code.division,
        division_name=code.division_name or code.division,
        code=code.code,
        uri=code.uri,
        central_url=ticket.central,
        expires_at=code.expires_at,
        issued_by=signed_in.name if signed_in is not None else code.issued_by,
        fingerprint=ticket.fingerprint or "",
        ref=code.ref,  # with the station, what its file is named by
    )
    outcome = PaperOutcome()
    keep_and_print(desk, "enrollment", document, outcome)
    return outcome


def slip_after_record(desk: Desk, view: UnresolvedView) -> str:
    """The slip of a 办不成事 record just made, or why it did not print and how to reprint.

    The record is stored already: a printing failure must neither undo nor repeat it.
    """
    failed = _(
        "Recorded, but the slip did not print ({reason}). Reprint it from the list (P 补打)."
    )
    return _told(desk, view.number, lambda: print_unresolved(desk, view), failed)
