"""补正更正: what a returned case may have corrected, and checking the new values.

The township names the fields and materials to correct when it returns a case
(``returned``: ``fields``, ``missing``, ``allow_more``); the agent changes exactly
those (or any, when the township allowed more), each value checked with the
item's own field rules, and a ``corrected`` event carries the old and new values.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from forms.catalog import ServiceItem
from forms.catalog.model import FieldSpec
from forms.validation import MATERIAL_STATES, applicant_specs, is_empty, validate_field
from station.services import _
from station.services.application import ActionRefused
from sync.reducer import CaseView, correctable

MATERIAL_NAMES = {
    "provided": "provided",
    "deferred": "deferred (容缺)",
    "shared": "by data sharing",
    "missing": "missing",
}
"""Material statuses as the correction form names them (translated on use)."""


@dataclass(frozen=True)
class Correctable:
    """One value the agent may correct, with what it holds now."""

    path: str
    """``fields.KEY``, ``materials.KEY``, ``applicant.KEY`` or ``principal.KEY``."""
    label: str
    current: Any
    spec: FieldSpec | None = None
    """The field's rules (None for a material)."""

    @property
    def is_material(self) -> bool:
        """A material (its status is chosen), not a typed value."""
        return self.path.startswith("materials.")


def _person_spec(path: str) -> FieldSpec | None:
    section, _dot, key = path.partition(".")
    if section not in ("applicant", "principal"):
        return None
    specs = applicant_specs("applicant" if section == "applicant" else "principal")
    return next((s for s in specs if s.key == key), None)


def _current(view: CaseView, path: str) -> Any:
    section, _dot, key = path.partition(".")
    if section == "fields":
        return view.fields.get(key)
    if section == "materials":
        return view.materials.get(key)
    person = view.applicant if section == "applicant" else view.principal
    return getattr(person, key, None) if person is not None else None


def describe(item: ServiceItem | None, view: CaseView, path: str) -> Correctable:
    """What ``path`` is (label, rules, current value) for the correction form."""
    section, _dot, key = path.partition(".")
    spec: FieldSpec | None = None
    label = key
    if section == "fields" and item is not None:
        try:
            spec = item.field(key)
            label = spec.label
        except KeyError:
            pass
    elif section == "materials" and item is not None:
        try:
            label = item.material(key).name
        except KeyError:
            pass
    else:
        spec = _person_spec(path)
        label = spec.label if spec else path
    return Correctable(path=path, label=label, current=_current(view, path), spec=spec)


def named_paths(view: CaseView) -> list[str]:
    """The paths the township named when it returned the case, in a stable order."""
    fields = [p if "." in p else f"fields.{p}" for p in view.correct_fields]
    return [*fields, *(f"materials.{key}" for key in view.missing)]


def named_lines(item: ServiceItem | None, view: CaseView) -> list[str]:
    """What the township named in its 补正, one line each, with the reason it gave for it
    (``《高龄津贴申请审批表》：缺村委会盖章``): for the village's case page (what the agent
    must bring or correct) and the township's review page (what it asked for)."""
    out = []
    for path in named_paths(view):
        label = describe(item, view, path).label
        reason = view.correct_reasons.get(path, "")
        out.append(f"  · {label}：{reason}" if reason else f"  · {label}")
    return out


def correctables(item: ServiceItem | None, view: CaseView) -> list[Correctable]:
    """Everything the correction form offers: what was named, or every field if more is allowed."""
    paths = named_paths(view)
    if view.allow_more and item is not None:
        paths += [f"fields.{spec.key}" for spec in item.fields]
        paths += [f"materials.{spec.key}" for spec in item.materials]
    unique = list(dict.fromkeys(paths))
    return [describe(item, view, path) for path in unique]


def _same(old: Any, new: Any) -> bool:
    return (is_empty(old) and is_empty(new)) or old == new


def changes(
    item: ServiceItem | None, view: CaseView, values: dict[str, Any], today: date
) -> dict[str, dict[str, Any]]:
    """The ``corrected`` payload's changes: each new value checked, each old value recorded.

    Args:
        item: the case's service item (its field rules), if the catalog has it.
        view: the case, returned for correction.
        values: new values by path; unchanged ones are left out.
        today: the day dates are judged against.

    Returns:
        ``{path: {"old": ..., "new": ...}}`` for the values that change.

    Raises:
        ActionRefused: a path the township did not name (and did not allow more),
            a value its field's rules refuse (the message names the field), or nothing changes.
    """
    out: dict[str, dict[str, Any]] = {}
    for path, raw in values.items():
        target = describe(item, view, path)
        if not correctable(view, path):
            raise ActionRefused(
                _("{field} was not named for correction.").format(field=target.label)
            )
        new = raw.strip() if isinstance(raw, str) else raw
        _check_value(target, new, today)
        if not _same(target.current, new):
            out[path] = {"old": target.current, "new": None if is_empty(new) else new}
    if not out:
        raise ActionRefused(_("Nothing was changed."))
    return out


def _check_value(target: Correctable, new: Any, today: date) -> None:
    if target.is_material:
        if new not in MATERIAL_STATES:
            raise ActionRefused(
                _("{field}: choose whether it is provided.").format(field=target.label)
            )
        return
    if target.spec is None:
        return
    problem = validate_field(target.spec, new, path=target.path, today=today)
    if problem is not None and problem.severity == "error":
        raise ActionRefused(problem.message)
