"""The take-in (收件) being filled: a plain dict-shaped draft, saved on every change.

No Textual here: the screen edits an :class:`IntakeDraft` and saves ``to_data()``
with ``store.save_draft``; the same data becomes the ``Application`` given to
``CaseService.take_in``.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

ROW_PATH = re.compile(r"(?P<group>[a-z][a-z0-9_]*)\[(?P<index>\d+)\]\.(?P<field>[a-z][a-z0-9_]*)")
"""A path inside a repeating group: ``members[1].name``."""

STEPS = ("item", "applicant", "form", "materials", "review")
"""The steps of the guided take-in, in order."""


@dataclass
class IntakeDraft:
    """Everything typed so far for one take-in."""

    draft_id: str
    step: int = 0
    item_code: str = ""
    item_name: str = ""
    applicant: dict[str, Any] = field(default_factory=dict)
    relation: str = "self"
    principal: dict[str, Any] = field(default_factory=dict)
    fields: dict[str, Any] = field(default_factory=dict)
    materials: dict[str, str] = field(default_factory=dict)
    supply_by: dict[str, str] = field(default_factory=dict)
    """容缺 deadlines as ISO dates (JSON-friendly)."""
    commitment: bool = False
    """The applicant made the 告知承诺."""
    residence_division: str = ""
    """区内通办: the township of the applicant's 户籍 when it is not this station's (else "")."""
    attachments: list[dict[str, Any]] = field(default_factory=list)
    """Scans already in the blob store: sha256, name, size, material_key."""
    item_materials: dict[str, str] | None = None
    """The materials' states as the chosen item started them (None: not known, as in a
    draft saved before this was kept): to tell a take-in left as it was opened."""

    @classmethod
    def from_data(cls, draft_id: str, data: dict[str, Any]) -> IntakeDraft:
        """A draft from what ``save_draft`` stored (unknown keys ignored)."""
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        known["draft_id"] = draft_id
        return cls(**known)

    def to_data(self) -> dict[str, Any]:
        """JSON-ready data for ``save_draft``."""
        return asdict(self)

    def set(self, path: str, value: Any) -> None:
        """Set one value by its path: ``applicant.name``, ``fields.KEY``, ``fields.KEY[i].SUB``."""
        section, _, key = path.partition(".")
        target: dict[str, Any] = getattr(self, section)
        row_path = ROW_PATH.fullmatch(key)
        if row_path is not None:
            rows = self.fields.setdefault(row_path["group"], [])
            index = int(row_path["index"])
            rows.extend({} for _ in range(index + 1 - len(rows)))
            target, key = rows[index], row_path["field"]
        if value is None or value == "" or value == []:
            target.pop(key, None)
        else:
            target[key] = value

    def resize_group(self, key: str, rows: int) -> None:
        """Keep ``rows`` rows of a repeating group (new ones empty)."""
        current = list(self.fields.get(key) or [])
        current = current[:rows] + [{} for _ in range(rows - len(current))]
        self.fields[key] = current

    def set_material(self, key: str, state: str, supply_text: str) -> None:
        """Record a material's state and its 容缺 date exactly as typed (checked at take-in)."""
        self.materials[key] = state
        if state == "deferred" and supply_text.strip():
            self.supply_by[key] = supply_text.strip()
        else:
            self.supply_by.pop(key, None)

    def choose_item(self, code: str, name: str, materials: dict[str, str]) -> None:
        """Pick the service item; a different item starts its form and materials afresh."""
        if code != self.item_code:
            self.fields = {}
            self.materials = dict(materials)
            self.supply_by = {}
            self.commitment = False
            self.attachments = []
            self.item_materials = dict(materials)
        self.item_code, self.item_name = code, name

    def is_empty(self) -> bool:
        """Nothing was chosen or typed yet (such a draft is not kept)."""
        typed = [self.applicant, self.principal, self.fields]
        return not self.item_code and not any(v for part in typed for v in part.values())

    def untouched(self) -> bool:
        """Nothing typed, ticked, dated or attached beyond the item chosen (such a draft is
        not kept either: home listed an item picked and left at once as 未填申请人)."""
        if self.is_empty():
            return True
        if _holds_value([self.applicant, self.principal, self.fields]):
            return False
        return (
            self.materials == self.item_materials
            and not self.supply_by
            and not self.attachments
            and not self.commitment
            and not self.residence_division
            and self.relation == "self"
        )

    def application(self) -> dict[str, Any]:
        """The keyword arguments of ``station.services.cases.Application``."""
        return {
            "item_code": self.item_code,
            "applicant": dict(self.applicant),
            "relation": self.relation,
            "principal": dict(self.principal) if self.relation != "self" else None,
            "fields": dict(self.fields),
            "materials": dict(self.materials),
            "supply_by": dict(self.supply_by),  # as typed: a wrong date is named, not dropped
            "attachments": [dict(a) for a in self.attachments],
            "commitment": self.commitment,
            "residence_division": self.residence_division,
        }


def step_of(path: str) -> str:
    """The take-in step where the field at ``path`` is edited."""
    head = path.split(".", 1)[0]
    steps = {"applicant": "applicant", "principal": "applicant", "relation": "applicant"}
    steps |= {"fields": "form", "materials": "materials", "supply_by": "materials"}
    return steps.get(head, "review" if head != "item" else "item")


def fix_at(item: Any, path: str) -> str:
    """Where the problem at ``path`` is put right: a rule's own path (``rule:ID``) at what
    it asks for, the first of the materials it names (须提供身份证或户口簿: the
    materials step); other paths as they are (the check page for what no field holds)."""
    if not path.startswith("rule:") or item is None:
        return path
    rule = next((r for r in item.rules if r.id == path[5:]), None)
    if rule is not None and rule.kind == "any_material" and rule.materials:
        return f"materials.{rule.materials[0]}"
    return path


def _holds_value(value: Any) -> bool:
    """Whether anything was given in ``value`` (dicts and lists of rows looked through: an
    empty row of a repeating group is nothing given; 否, a yes/no field's False, is an
    answer: the field starts empty)."""
    if isinstance(value, dict):
        return any(_holds_value(v) for v in value.values())
    if isinstance(value, list):
        return any(_holds_value(v) for v in value)
    return value is not None and value != ""
