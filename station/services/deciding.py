"""The township reviewer's decisions (受理, 退回补正, 不予受理, 转办, 暂停/恢复, 办结, 认领).

:class:`ReviewerActions` is mixed into ``CaseService``: every decision goes through
``CaseService.act`` (the lifecycle, the role at this station, the payload schema,
the catalog's handling path), so the desk and ``daiban case ...`` decide alike, as
the signed-in person.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from forms.catalog import Catalog, ServiceItem, township_code
from station.services import _
from station.services.application import ActionRefused
from station.store import EventStamp, NewEvent
from station.store.caselist import CLOSED_STATES
from sync.events import EventKind, Role
from sync.lifecycle import check_handling_path
from sync.reducer import CaseView

if TYPE_CHECKING:
    from station.services.application import Actor
    from station.store import StationStore

PAUSE_KINDS = ("公示", "调查", "听证", "检验", "检测", "检疫", "鉴定", "专家评审")
"""Special procedures (特别程序) that stop the clock; it restarts the day after they end
(行政许可法 第四十五条: 听证、检验、检测、检疫、鉴定和专家评审 are outside the time limit)."""

CLAIM_CLOSED = frozenset({*CLOSED_STATES, "completed"})
"""States a case is no longer worked on in: 认领 would only clutter its history."""

RESULTS = ("approved", "denied", "approved_deferred")
"""办结 results: 通过 / 不通过 / 容缺通过."""

LEVEL_NAMES = {
    "village": "village",
    "township": "township",
    "county": "county department",
    "city": "city department",
    "province": "province department",
}
"""Who decides, as the refusal names it (translated on use)."""


NOT_OUR_REMIT = "不属于本机关职权范围"
"""不予受理 for a matter another body decides: the notice must say which (行政许可法 §32)."""


def item_of(catalog: Catalog, view: CaseView | None) -> ServiceItem | None:
    """The case's service item, or None (办不成事, or a code the catalog does not know)."""
    if view is None or not view.item_code:
        return None
    try:
        return catalog.get(view.item_code)
    except KeyError:
        return None


def owed_materials(catalog: Catalog, view: CaseView | None) -> list[str]:
    """The names of the case's 容缺 materials not yet supplied (补交), in the item's order."""
    if view is None:
        return []
    owed = [key for key, state in view.materials.items() if state == "deferred"]
    item = item_of(catalog, view)
    names = {m.key: m.name for m in item.materials} if item is not None else {}
    order = list(names)
    owed.sort(key=lambda key: order.index(key) if key in names else len(order))
    return [names.get(key, key) for key in owed]


def completion_refusal(
    catalog: Catalog, view: CaseView | None, kind: EventKind, data: Mapping[str, Any]
) -> str | None:
    """Why a 办结's result does not fit the case's 容缺 materials (:func:`result_refusal`)."""
    if kind is not EventKind.completed:
        return None
    return result_refusal(str(data.get("result", "")), owed_materials(catalog, view))


def result_refusal(result: str, owed: Sequence[str]) -> str | None:
    """Why 办结 with ``result`` does not fit what is owed, translated; None when it fits.

    通过 needs every 容缺 material supplied; 容缺通过 is for a case that still owes one.
    """
    if result == "approved" and owed:
        return _(
            "Deferred (容缺) materials are still owed: {names}. The station that took the "
            "case in records them when the resident brings them; to complete it now, choose "
            "容缺通过."
        ).format(names="、".join(owed))
    if result == "approved_deferred" and not owed:
        return _("No deferred (容缺) material is owed: complete it as 通过.")
    return None


def path_refusal(
    catalog: Catalog, view: CaseView | None, kind: EventKind, role: Role
) -> str | None:
    """Why the item's handling path forbids ``kind`` by ``role``, translated; None if not.

    A township completes (办结) only items the catalog lets the township decide; the
    others must be forwarded (转办) to the department the handling path names.
    """
    item = item_of(catalog, view)
    level = item.path.decide if item is not None else None
    accept = item.path.accept if item is not None else None
    if check_handling_path(kind, role, level, accept) is None:
        return None
    assert item is not None and level is not None and accept is not None
    if kind is not EventKind.completed:
        return _(
            "{item} is accepted by the {level} (the catalog's handling path): "
            "the township cannot accept, return or reject it."
        ).format(item=item.title, level=_(LEVEL_NAMES.get(accept, accept)))
    return _(
        "{item} is decided by the {level} (the catalog's handling path): "
        "the township cannot complete it; forward it to {department}."
    ).format(
        item=item.title,
        level=_(LEVEL_NAMES.get(level, level)),
        department=item.path.department or _(LEVEL_NAMES.get(level, level)),
    )


def forward_target(catalog: Catalog, view: CaseView) -> str:
    """The deciding department the handling path names (the default 转办 target)."""
    item = item_of(catalog, view)
    if item is None:
        return ""
    return item.path.department or _(LEVEL_NAMES.get(item.path.decide, item.path.decide))


def township_problem(catalog: Catalog, code: str, name: str, own: str) -> str | None:
    """Why a case may not be forwarded (区内通办) to the township ``code`` named ``name``
    from the station of division ``own``, or None. A code the county's division table does
    not hold as a township (李旺镇 as 640522109999 was taken, and the case sat at the
    station that forwarded it), a name that is not that code's, or the station's own
    township are refused; without a division table (an older catalog) any code goes."""
    code, name = code.strip(), name.strip()
    if not (code.isdigit() and len(code) == 12):
        return _("Give the township's 12-digit division code.")
    if not catalog.divisions:
        return None
    entry = catalog.division_entry(code)
    if entry is None or entry.level != "township":
        return _("{code} is not a township in the county's division table.").format(code=code)
    if name and name not in entry.name and entry.name not in name:
        return _("Division {code} is {official}, not “{name}”.").format(
            code=code, official=entry.name, name=name
        )
    if code == township_code(own):
        return _("The case is already in this township.")
    return None


LICENSING_BASIS = "《中华人民共和国行政许可法》第三十二条"
"""The law a 行政许可 item's 不予受理 rests on (its §32: not in the body's remit)."""


def rejection_basis(catalog: Catalog, view: CaseView) -> str:
    """The legal basis a 不予受理 starts with: the 行政许可法's §32 for a 行政许可 item, the
    item's own basis (its catalog ``basis``) for any other (临时救助 is no 行政许可: its
    notice citing that law was wrong); the reviewer may change it."""
    from station.documents.decisions import PERMIT

    item = item_of(catalog, view)
    if item is None or item.item_type == PERMIT or not item.basis.strip():
        return LICENSING_BASIS
    return item.basis.strip()


_PERSON_PARTS = frozenset({"name", "id_number", "phone", "address"})


def _not_of_item(item: ServiceItem, missing: Sequence[str], fields: Sequence[str]) -> list[str]:
    """What a 退回补正 names that the item has not (a typo at the command line printed
    "更正“nonexistent”" on the 补正告知书)."""
    materials = {material.key for material in item.materials}
    known = {spec.key for spec in item.fields} | {group.key for group in item.groups}
    wrong = [key for key in missing if key not in materials]
    for path in fields:
        person, _dot, part = path.partition(".")
        if path in known or (person in ("applicant", "principal") and part in _PERSON_PARTS):
            continue
        wrong.append(path)
    return wrong


class ReviewerActions:
    """The decisions of a township reviewer; mixed into ``CaseService``."""

    if TYPE_CHECKING:  # provided by CaseService
        store: StationStore
        catalog: Catalog
        actor: Actor

        def act(
            self,
            case_key: str,
            kind: EventKind,
            *,
            reason: str | None = None,
            payload: dict[str, Any] | None = None,
        ) -> CaseView: ...

        def _check_role(self, kind: EventKind) -> None: ...

        @staticmethod
        def _validate(kind: EventKind, payload: dict[str, Any]) -> None: ...

        def _new(self, kind: EventKind, payload: dict[str, Any]) -> NewEvent: ...

        def _numbering(self, kind: EventKind, payload: dict[str, Any]) -> EventStamp | None: ...

    def accept(
        self,
        case_key: str,
        *,
        officer: str | None = None,
        promised_days: int | None = None,
    ) -> CaseView:
        """受理: the case is accepted by the signed-in reviewer (the officer in charge)."""
        payload: dict[str, Any] = {"officer": officer or self.actor.name or None}
        if promised_days is not None:
            payload["promised_days"] = promised_days
        return self.act(case_key, EventKind.accepted, payload=payload)

    def accept_many(self, keys: Sequence[str]) -> list[CaseView]:
        """批量受理: accept several cases in ONE transaction (all of them, or none).

        Raises:
            ActionRefused: one of them may not be accepted (the message names it);
                nothing was written.
        """
        from station.services.cases import refusal

        self._check_role(EventKind.accepted)
        payload = {"officer": self.actor.name or None}
        self._validate(EventKind.accepted, payload)

        def allowed(view: CaseView | None, _events: Sequence[NewEvent]) -> None:
            problem = refusal(view, EventKind.accepted, self.actor.role)
            if problem is not None:
                number = view.case_number if view is not None else ""
                raise ActionRefused(f"{number}: {problem}")

        items = [(key, [self._new(EventKind.accepted, dict(payload))]) for key in keys]
        try:
            return self.store.append_many(
                items, check=allowed, stamp=self._numbering(EventKind.accepted, payload)
            )
        except KeyError as missing:
            raise ActionRefused(
                _("There is no such case: {key}").format(key=missing.args[0])
            ) from None

    def return_for_correction(
        self,
        case_key: str,
        reason: str,
        *,
        missing: Sequence[str] = (),
        fields: Sequence[str] = (),
        allow_more: bool = False,
        reasons: Mapping[str, str] | None = None,
    ) -> CaseView:
        """退回补正 (township): why, and which materials and fields the agent is to correct.

        The clock stays stopped until the village resubmits (补正后重新报送).

        Args:
            case_key: case number or id.
            reason: why, as the agent and the resident will read it.
            missing: material keys to supply or correct.
            fields: form field keys (``bank_account``) or person paths (``applicant.phone``).
            allow_more: let the agent correct other fields and materials too.
            reasons: per item (``materials.KEY``, ``fields.KEY``, ``applicant.KEY``), why.
        """
        view = self.store.get_case(case_key)
        item = item_of(self.catalog, view) if view is not None else None
        unknown = _not_of_item(item, missing, fields) if item is not None else []
        if unknown:
            raise ActionRefused(
                _("Not a field or material of {item}: {names}").format(
                    item=item.title if item is not None else "", names="、".join(unknown)
                )
            )
        payload: dict[str, Any] = {
            "missing": list(missing),
            "fields": list(fields),
            "allow_more": allow_more,
            "reasons": {k: v.strip() for k, v in (reasons or {}).items() if v.strip()},
        }
        return self.act(case_key, EventKind.returned, reason=reason, payload=payload)

    def reject(
        self,
        case_key: str,
        reason: str,
        *,
        basis: str | None = None,
        apply_instead: str | None = None,
    ) -> CaseView:
        """不予受理: why, the legal basis, and where to apply instead.

        Raises:
            ActionRefused: the matter is outside this body's remit (不属于本机关职权范围) and
                no body to apply to is named (行政许可法 §32 requires telling the applicant).
        """
        if NOT_OUR_REMIT in reason and not (apply_instead or "").strip():
            raise ActionRefused(
                _(
                    "Where to apply instead: a matter outside this body's remit must name the "
                    "body to apply to (行政许可法第三十二条)."
                )
            )
        payload = {
            "basis": (basis or "").strip() or None,
            "apply_instead": (apply_instead or "").strip() or None,
        }
        return self.act(case_key, EventKind.rejected, reason=reason, payload=payload)

    def forward(
        self,
        case_key: str,
        to: str,
        *,
        township_division: str | None = None,
        note: str | None = None,
    ) -> CaseView:
        """转办: to the deciding department of the handling path, or to another township."""
        view = self.store.get_case(case_key)
        item = item_of(self.catalog, view)
        payload: dict[str, Any] = {"to": to.strip(), "note": (note or "").strip() or None}
        if township_division:
            own = self.store.require_identity().division
            problem = township_problem(self.catalog, township_division, to, own)
            if problem is not None:
                raise ActionRefused(problem)
            payload |= {"target": "township", "division": township_division.strip()}
        else:
            payload |= {"target": "department", "level": item.path.decide if item else None}
        return self.act(case_key, EventKind.forwarded, payload=payload)

    def pause(
        self,
        case_key: str,
        kind: str,
        reason: str,
        *,
        expected_days: int | None = None,
    ) -> CaseView:
        """暂停 for a special procedure (:data:`PAUSE_KINDS`): the clock stops until :meth:`resume`."""
        if kind not in PAUSE_KINDS:
            raise ActionRefused(
                _("Choose the procedure: {kinds}.").format(kinds="、".join(PAUSE_KINDS))
            )
        payload: dict[str, Any] = {"kind": kind, "expected_days": expected_days}
        return self.act(case_key, EventKind.paused, reason=reason, payload=payload)

    def resume(self, case_key: str) -> CaseView:
        """恢复: the special procedure ended; the clock restarts the day after."""
        return self.act(case_key, EventKind.resumed)

    def complete(self, case_key: str, result: str, note: str | None = None) -> CaseView:
        """办结 with 通过 / 不通过 / 容缺通过 — only where the handling path lets this level decide.

        Raises:
            ActionRefused: not allowed (the message says why: a county item is forwarded).
        """
        if result not in RESULTS:
            raise ActionRefused(_("Choose the result of the decision."))
        payload = {"result": result, "note": (note or "").strip() or None}
        return self.act(case_key, EventKind.completed, payload=payload)

    def claim(self, case_key: str) -> CaseView:
        """认领: take the case, so a colleague sees who is on it (an open case, once)."""
        view = self.store.get_case(case_key)
        if view is not None and view.state in CLAIM_CLOSED:
            raise ActionRefused(_("The case is closed: there is nothing to claim."))
        if view is not None and view.claimed_by == self.actor.user_id:
            raise ActionRefused(_("You have claimed this case already."))
        return self.act(case_key, EventKind.claimed, payload={"name": self.actor.name})

    def reveal_id(self, case_key: str, whose: str = "applicant") -> str:
        """查看完整号码: the full ID number, recorded as an ``id_revealed`` event first.

        Returns:
            The full ID number (shown on screen, never logged).

        Raises:
            ActionRefused: no such case or person.
        """
        view = self.store.get_case(case_key)
        person = getattr(view, whose, None) if view is not None else None
        if person is None or not person.id_number:
            raise ActionRefused(_("This case has no ID number to show."))
        payload = {"whose": whose, "name": self.actor.name}
        self.act(case_key, EventKind.id_revealed, payload=payload)
        return str(person.id_number)
