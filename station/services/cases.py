"""Taking applications in and moving cases through their life, with the desk's rules.

The desk and ``daiban case ...`` both go through :class:`CaseService`, so a
script can do exactly what a person at the desk can do, and nothing more.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from forms.catalog import Catalog, OutsideCounty, ServiceItem, handling_division
from forms.clock import china_today
from forms.fieldtypes import is_phone
from forms.validation import (
    Problem,
    check_application,
    deferred_deadlines,
    has_errors,
    normalise_fields,
    normalise_person,
)
from station.services import _
from station.services.application import (
    ActionRefused,
    Actor,
    Application,
    Attachment,
    ValidationFailed,
)
from station.services.corrections import Correctable, changes, correctables
from station.services.deciding import ReviewerActions, completion_refusal, path_refusal
from station.services.names import action_name, role_name, state_name
from station.services.rules import check_rating, data_refusal
from station.store import EventStamp, NewEvent, RefusedByCentreRules, StationStore
from sync.blobs import store_blob
from sync.events import EventKind, Role
from sync.lifecycle import check_transition, find_transition
from sync.payloads import validate_payload
from sync.progress import PAYLOAD_KEY, new_progress_key
from sync.protocol import StationRole
from sync.reducer import CaseView
from sync.unresolved import UnresolvedView

__all__ = [
    "ActionRefused",
    "Actor",
    "Application",
    "Attachment",
    "CaseService",
    "ValidationFailed",
]

REASON_REQUIRED = frozenset(
    {EventKind.returned, EventKind.rejected, EventKind.withdrawn, EventKind.paused}
)
"""Actions that need a reason the resident or the agent can read."""

ROLES_AT_STATION: dict[StationRole, frozenset[Role]] = {
    StationRole.village: frozenset({Role.agent}),
    StationRole.township: frozenset({Role.agent, Role.reviewer}),
    StationRole.county: frozenset({Role.agent, Role.reviewer, Role.admin}),
}
"""A village station only takes in (收件): it can never accept (受理) in a township's name."""


DUPLICATE = "duplicate"
"""``Problem.rule`` of the 重复申请 warning (the desk asks before taking such a case in)."""

today_in_china = china_today
"""The calendar day in China now (case numbers and deadlines use it): ``forms.clock``'s."""


def warm_name_search() -> None:
    """Load the case search's pinyin tables now (a worker's part, ~0.8 s once): the
    first case taken in, or searched for by name, would otherwise wait for them."""
    from station.store.search import full_pinyin

    full_pinyin("张三")  # the phrase table is loaded once, for every name after


def _centre_problem(reason: str) -> Problem:
    """A problem for what the centre's own rules refuse (a safety net behind the desk's checks)."""
    found = re.search(r"payload: ([\w.\[\]]+): ", reason)
    where = found.group(1) if found else "payload"
    message = _("{field}: the centre would refuse this case ({reason})").format(
        field=where, reason=reason
    )
    return Problem(where, message)


def refusal(view: CaseView | None, kind: EventKind, role: Role) -> str | None:
    """Why ``role`` may not do ``kind`` to the case, translated; None when it may."""
    if view is None or not view.exists:
        return _("There is no such case.")
    if check_transition(view.state, kind, role) is None:
        return None
    values = {"action": action_name(kind), "state": state_name(view.state)}
    if view.state == "processing" and role is Role.reviewer:  # 转办: decided where it went
        where = view.forwarded_to or _("the deciding department")
        return _("The case was forwarded to {to}: it is decided there now.").format(to=where)
    if find_transition(view.state, kind) is None:
        return _("Cannot {action} while the case is {state}.").format(**values)
    return _("A {role} may not {action} while the case is {state}.").format(
        role=role_name(role), **values
    )


def duplicate_warning(
    store: StationStore, item_code: str, id_number: Any, *, besides: str = ""
) -> list[Problem]:
    """重复申请: a warning naming the applicant's open cases of this item here (other than
    case ``besides``: the one on the review page), or nothing."""
    numbers = open_duplicates(store, item_code, id_number, besides=besides)
    if not numbers:
        return []
    return [Problem("applicant.id_number", duplicate_text(numbers), "warning", rule=DUPLICATE)]


def open_duplicates(
    store: StationStore, item_code: str, id_number: Any, *, besides: str = ""
) -> list[str]:
    """The numbers of the applicant's open cases of this item here, but ``besides``."""
    found = store.open_cases_of(str(id_number or ""), item_code)
    return [number for number in found if number != besides]


def duplicate_text(numbers: list[str]) -> str:
    """重复申请's warning naming the applicant's open cases ``numbers``."""
    return _(
        "Duplicate application: this applicant already has an open case of this item ({cases})."
    ).format(cases="、".join(numbers))


NAME_MISMATCH = "name_mismatch"
"""The rule of a warning: the ID number is held here under another name."""


def name_warning(store: StationStore, id_number: Any, name: Any) -> list[Problem]:
    """A warning when the applicant's ID number is on a case here under another name (a
    digit or a character typed wrong: one of the two is not this person's), or nothing.
    Spaces and the ``·`` of a minority name do not count as a difference."""
    typed = _plain_name(name)
    if not typed:
        return []
    others = [
        (held, number)
        for held, number in store.names_of(str(id_number or ""))
        if _plain_name(held) != typed
    ]
    if not others:
        return []
    held, number = others[0]
    message = _(
        "This ID number is on case {case} here under the name {held}, not {name}: "
        "check the name and the ID number."
    ).format(case=number, held=held, name=str(name).strip())
    return [Problem("applicant.name", message, "warning", rule=NAME_MISMATCH)]


def _plain_name(name: Any) -> str:
    return re.sub(r"[\s·•．.]", "", str(name or ""))


class CaseService(ReviewerActions):
    """Cases at this station, acted on by one person (the reviewer's decisions: ``deciding``)."""

    def __init__(self, store: StationStore, catalog: Catalog, actor: Actor) -> None:
        self.store = store
        self.catalog = catalog
        self.actor = actor

    # intake -----------------------------------------------------------------

    def item(self, code: str) -> ServiceItem:
        """The catalog item, or ValidationFailed naming the unknown code."""
        try:
            return self.catalog.get(code)
        except KeyError:
            message = _("Unknown service item {code}.").format(code=code)
            raise ValidationFailed([Problem("item", message)]) from None

    def check(self, application: Application, today: date | None = None) -> list[Problem]:
        """Every problem of an application (errors block intake, warnings do not)."""
        return check_application(
            self.item(application.item_code),
            applicant=application.applicant,
            fields=application.fields,
            materials=application.materials,
            relation=application.relation,
            principal=application.principal,
            supply_by=application.supply_by,
            today=today or today_in_china(),
        )

    def intake_events(
        self, application: Application, *, receive: bool = True, today: date | None = None
    ) -> list[NewEvent]:
        """Validate an application and build its ``created`` (+ ``received``) events.

        The desk's checks (``check_application``) come first, then the payload is
        checked with the centre's own schema (``sync.payloads.validate_payload``);
        the store judges the events by the centre's rule again before it writes.

        Raises:
            ValidationFailed: with every blocking problem; nothing is written.
        """
        self._check_role(EventKind.created)
        day = today or today_in_china()
        problems = self.check(application, day)
        if has_errors(problems):
            raise ValidationFailed([p for p in problems if p.severity == "error"])
        payload = self._created_payload(application, day)
        payload |= self._routing(application)
        try:
            validate_payload(EventKind.created, payload)
        except ValueError as error:
            raise ValidationFailed([_centre_problem(str(error))]) from None
        events = [self._new(EventKind.created, payload)]
        if receive:
            events.append(self._new(EventKind.received, {}))
        return events

    def _routing(self, application: Application) -> dict[str, Any]:
        """区内通办: ``handling_division`` for a resident registered in another township."""
        division = self.store.require_identity().division
        try:
            handling = handling_division(
                self.item(application.item_code), application.residence_division, division
            )
        except OutsideCounty as refused:
            raise ValidationFailed([Problem("residence_division", str(refused))]) from None
        return {"handling_division": handling} if handling else {}

    def _created_payload(self, application: Application, day: date) -> dict[str, Any]:
        """The ``created`` payload: values as stored (normalised), 容缺 deadlines filled in."""
        item = self.item(application.item_code)
        principal = application.principal if application.relation != "self" else None
        return {
            "kind": "application",
            "item_code": item.code,
            "item_version": str(item.version),
            "item_name": item.name,
            "catalog_version": self._catalog_version(),
            "promised_days": item.promised_days,
            "applicant": normalise_person(application.applicant),
            "relation": application.relation,
            "principal": normalise_person(principal) if principal is not None else None,
            "fields": normalise_fields(item, application.fields),
            "materials": dict(application.materials),
            "supply_by": {
                key: when.isoformat()
                for key, when in deferred_deadlines(
                    item, application.materials, application.supply_by, day
                ).items()
            },
            "attachments": [a.model_dump(mode="json") for a in application.attachments],
            "commitment": application.commitment,
            "station_name": self._station_name(),
            "agent_name": self.actor.name,
            "agent_phone": self.actor.phone,
            PAYLOAD_KEY: new_progress_key(),  # the receipt's QR: the public progress page
        }

    def take_in(
        self,
        application: Application,
        *,
        draft_id: str | None = None,
        receive: bool = True,
        today: date | None = None,
    ) -> CaseView:
        """Validate and take an application in (收件), all in one transaction.

        With a draft id, one draft becomes at most one case: the case id is the
        draft id, the draft is deleted in the transaction that creates the case,
        and taking the same draft in again (F9 twice, a retry after a crash or a
        failed print) returns the case already made and writes nothing.

        Args:
            application: what the resident applies for.
            draft_id: the draft being taken in (a UUIDv7 string), if any.
            receive: also take it in (``received``), not just save it as a draft case.
            today: the intake day (default: today in China).

        Returns:
            The case, with its case number.

        Raises:
            ValidationFailed: the application has errors; nothing was written.
        """
        day = today or today_in_china()
        if draft_id is not None:
            made = self.store.get_case(draft_id)
            if made is not None:  # taken in already: only the draft may be left over
                self.store.delete_draft(draft_id)
                return made
        events = self.intake_events(application, receive=receive, today=day)
        try:
            if draft_id is None:
                return self.store.create_cases([events], day)[0]
            return self.store.create_case_once(
                events, day, draft_id=draft_id, receipt_owed=receive
            )[0]
        except RefusedByCentreRules as refused:
            raise ValidationFailed([_centre_problem(refused.reason)]) from None

    def attach(self, path: Path, material_key: str | None = None) -> Attachment:
        """Keep a scan in the blob store (on disk and fsynced) and describe it for an event.

        Call before the event that references it is written; the event's write
        queues the upload.
        """
        ref = store_blob(self.store.blob_dir, path)
        return Attachment(
            sha256=ref.sha256, name=ref.name, material_key=material_key, size=ref.size
        )

    def take_in_many(
        self, batches: Sequence[Sequence[NewEvent]], today: date | None = None
    ) -> list[CaseView]:
        """Write already validated intakes (from :meth:`intake_events`) in ONE transaction.

        Raises:
            ValidationFailed: an event the centre would refuse; nothing was written.
        """
        try:
            return self.store.create_cases(batches, today or today_in_china())
        except RefusedByCentreRules as refused:
            raise ValidationFailed([_centre_problem(refused.reason)]) from None

    def record_unresolved(
        self, *, what: str, why: str, contact: str, today: date | None = None
    ) -> UnresolvedView:
        """Record a 办不成事 request: a record of its own (``BCS-...``), never a case.

        Raises:
            ActionRefused: not an agent's station role, or what/why left blank.
        """
        self._check_role(EventKind.reported)
        if self.actor.role is not Role.agent:
            raise ActionRefused(
                _("A {role} cannot {action} at this station.").format(
                    role=role_name(self.actor.role), action=action_name(EventKind.reported)
                )
            )
        if not (what.strip() and why.strip()):
            raise ActionRefused(_("Say what was wanted and why it could not be done."))
        for number in re.findall(r"[\d０-９][\d０-９\s-]{5,}[\d０-９]", contact):
            if not is_phone(number):  # a number typed to be called back on must be one
                raise ActionRefused(
                    _(
                        "Contact: {number} is not a phone number (mobile: 11 digits; landline"
                        " with area code, e.g. 0954-1234567)"
                    ).format(number=number.strip())
                )
        payload = {"what": what.strip(), "why": why.strip(), "contact": contact.strip()}
        payload |= {"station_name": self._station_name(), "agent_name": self.actor.name}
        self._validate(EventKind.reported, payload)
        event = self._new(EventKind.reported, payload)
        return self.store.create_record(event, today or today_in_china())

    def unresolved(self, limit: int = 200) -> list[UnresolvedView]:
        """办不成事 records at this station, newest first."""
        return list(self.store.list_records(limit))

    # the lifecycle ------------------------------------------------------------

    def act(
        self,
        case_key: str,
        kind: EventKind,
        *,
        reason: str | None = None,
        payload: dict[str, Any] | None = None,
    ) -> CaseView:
        """Do one lifecycle action with the desk's rules.

        Args:
            case_key: case number or case id.
            kind: the action.
            reason: why (required to return, reject, withdraw or pause).
            payload: the action's other data (``to`` for forward, ``result`` to complete, ...).
                A 办结 the item's handling path does not let this level decide is refused.

        Returns:
            The case after the action.

        Raises:
            ActionRefused: not allowed, with a translated reason; nothing written.
        """
        kind = EventKind(kind)
        data = dict(payload or {})
        if reason is not None and reason.strip():
            data["reason"] = reason.strip()
        if kind in REASON_REQUIRED and not str(data.get("reason", "")).strip():
            raise ActionRefused(
                _("A reason is required to {action}.").format(action=action_name(kind))
            )
        self._check_role(kind)
        self._validate(kind, data)

        def allowed(view: CaseView | None) -> None:
            problem = refusal(view, kind, self.actor.role) or data_refusal(view, kind, data)
            problem = problem or path_refusal(self.catalog, view, kind, self.actor.role)
            problem = problem or completion_refusal(self.catalog, view, kind, data)
            if problem is not None:
                raise ActionRefused(problem)

        try:
            return self.store.append(
                case_key, [self._new(kind, data)], check=allowed, stamp=self._numbering(kind, data)
            )
        except KeyError:
            raise ActionRefused(_("There is no such case.")) from None

    def _numbering(self, kind: EventKind, payload: dict[str, Any]) -> EventStamp | None:
        """The 文号 a decision with a paper takes as it is written (None: not such a decision)."""
        from station.documents.decisions import numbering, paper_of

        if paper_of(kind, payload) is None:
            return None
        return numbering(self.store.require_identity(), self.catalog, self.actor.role)

    def supplement(
        self, case_key: str, materials: dict[str, str], attachments: Sequence[Attachment] = ()
    ) -> CaseView:
        """Record supplied materials (补充材料) and their scans."""
        payload = {
            "materials": materials,
            "attachments": [a.model_dump(mode="json") for a in attachments],
        }
        return self.act(case_key, EventKind.supplemented, payload=payload)

    def resubmit(self, case_key: str) -> CaseView:
        """Send a corrected case back to the township (补正后重新报送)."""
        return self.act(case_key, EventKind.resubmitted)

    def hand_over(self, case_key: str, *, how: str, signed_by: str) -> CaseView:
        """Record that the result reached the resident (送达)."""
        return self.act(
            case_key, EventKind.handed_over, payload={"how": how, "signed_by": signed_by}
        )

    def rate(self, case_key: str, rating: int | None, reason: str | None = None) -> CaseView:
        """Record the resident's 好差评 (1 very dissatisfied .. 5 very satisfied), once.

        Raises:
            ActionRefused: no level chosen, 1-2 without a reason, or already rated
                (a change is :meth:`correct_rating`).
        """
        check_rating(rating, reason)
        payload = {"rating": rating, "reason": (reason or "").strip() or None}
        return self.act(case_key, EventKind.rated, payload=payload)

    def correct_rating(
        self, case_key: str, rating: int | None, *, why: str, reason: str | None = None
    ) -> CaseView:
        """Change a saved rating by an audited ``rating_corrected`` event (who, why, old, new).

        Raises:
            ActionRefused: no rating saved, no reason for the change, the same level,
                or 1-2 without the resident's reason.
        """
        check_rating(rating, reason)
        if not why.strip():
            raise ActionRefused(_("Say why the rating is corrected."))
        view = self.store.get_case(case_key)
        if view is None or view.rating is None:
            raise ActionRefused(_("This case has no rating to correct."))
        payload = {
            "old": view.rating,
            "new": rating,
            "why": why.strip(),
            "reason": (reason or "").strip() or None,
        }
        if rating == view.rating:
            raise ActionRefused(_("The rating is already {rating}.").format(rating=rating))
        return self.act(case_key, EventKind.rating_corrected, payload=payload)

    def correction_form(self, case_key: str) -> list[Correctable]:
        """What the agent may correct on a returned case, with the current values."""
        view = self._returned(case_key)
        return correctables(self._item_of(view), view)

    def correct(self, case_key: str, values: dict[str, Any], today: date | None = None) -> CaseView:
        """补正更正: change the fields/materials the township named, old and new recorded.

        Args:
            case_key: case number or id.
            values: new values by path (``fields.bank_account``, ``materials.KEY``, ...).
            today: the day dates are judged against.

        Raises:
            ActionRefused: not returned, a path not named, a value its rules refuse
                (the message names the field), or nothing changes.
        """
        view = self._returned(case_key)
        found = changes(self._item_of(view), view, values, today or today_in_china())
        return self.act(case_key, EventKind.corrected, payload={"changes": found})

    def withdraw(self, case_key: str, reason: str) -> CaseView:
        """The applicant withdraws the case (撤件)."""
        return self.act(case_key, EventKind.withdrawn, reason=reason)

    def acknowledge(self, case_key: str) -> CaseView:
        """The agent has read why an event was superseded (clears the flag)."""
        return self.act(case_key, EventKind.acknowledged)

    # helpers --------------------------------------------------------------------

    def _returned(self, case_key: str) -> CaseView:
        view = self.store.get_case(case_key)
        problem = refusal(view, EventKind.corrected, self.actor.role)
        if problem is not None:
            raise ActionRefused(problem)
        assert view is not None
        return view

    def _item_of(self, view: CaseView) -> ServiceItem | None:
        try:
            return self.catalog.get(view.item_code)
        except KeyError:
            return None

    def _check_role(self, kind: EventKind) -> None:
        identity = self.store.identity()
        if identity is None:
            raise ActionRefused(_("This station is not enrolled yet."))
        if self.actor.role not in ROLES_AT_STATION[identity.role]:
            raise ActionRefused(
                _("A {role} cannot {action} at this station.").format(
                    role=role_name(self.actor.role), action=action_name(kind)
                )
            )

    def _station_name(self) -> str:
        identity = self.store.identity()
        return identity.name if identity else ""

    def _catalog_version(self) -> str:
        """The catalog this case is filed under, ``<number>:<version>`` (同源发布)."""
        from station.services.catalogs import catalog_label

        return catalog_label(self.store.data_dir, self.catalog)

    @staticmethod
    def _validate(kind: EventKind, payload: dict[str, Any]) -> None:
        try:
            validate_payload(kind, payload)
        except ValueError as error:
            raise ActionRefused(
                _("The details of this action are incomplete: {error}").format(error=error)
            ) from None

    def _new(self, kind: EventKind, payload: dict[str, Any]) -> NewEvent:
        return NewEvent(
            kind=kind, actor_id=self.actor.user_id, actor_role=self.actor.role, payload=payload
        )
