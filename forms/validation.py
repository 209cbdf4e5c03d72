"""Checking an application before it is taken in (收件): fields, materials, eligibility rules.

``check_application`` returns every problem at once (一次性告知), each naming the
place it concerns (``applicant.id_number``, ``fields.household_size``,
``fields.members[1].id_number``, ``materials.id_card``, ``rule:min_age``) and
saying what is wrong in the current language. Errors block intake; warnings
(an unknown birthplace code, a card number failing Luhn) are shown but do not.

The applicant (申请人) is the resident the application is for: age rules read
the applicant's ID number. ``principal`` is the person acting for them when the
relation is not ``self`` (a relative, a guardian 监护人 acting for a minor or a
person without capacity, or another 受托人); a relative's or an agent's details
go on the 授权委托书, a guardian acts without one (法定代理).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from forms.catalog.model import Condition, FieldGroup, FieldSpec, MaterialSpec, Rule, ServiceItem
from forms.clock import china_today
from forms.fieldtypes import VALIDATORS, normalise, to_bool, to_date, to_money
from forms.identity import (
    IdInfo,
    IdNumberError,
    compact_id_number,
    mask_id_number,
    parse_id_number,
)
from forms.messages import _
from forms.workdays import supply_by as default_supply_by

__all__ = [
    "MATERIAL_STATES",
    "RELATIONS",
    "Severity",
    "IdInfo",
    "Problem",
    "applicant_specs",
    "check_application",
    "deferred_deadlines",
    "has_errors",
    "normalise_fields",
    "normalise_person",
    "supply_by_problem",
    "mask_id_number",
    "parse_id_number",
    "validate_field",
]

RELATIONS = ("self", "relative", "guardian", "agent")
"""Who files: the applicant in person, a relative, a guardian (监护人), or an agent
(代办员/受托人)."""
ADULT_AGE = 18
"""A representative (代办人/受托人) must be of full age (完全民事行为能力)."""

MATERIAL_STATES = ("provided", "deferred", "shared", "missing")
"""provided 已提交, deferred 容缺 (supplied later), shared 数据共享免提交, missing 未提交."""

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an application.

    Attributes:
        field: where: ``applicant.id_number``, ``fields.KEY``, ``materials.KEY``, ``rule:ID``.
        message: translated; names the field and says what is wrong.
        severity: ``error`` blocks intake, ``warning`` does not.
        rule: the eligibility rule's id when a rule found it.
    """

    field: str
    message: str
    severity: Severity = "error"
    rule: str | None = None


def has_errors(problems: list[Problem]) -> bool:
    """Whether any problem blocks intake."""
    return any(problem.severity == "error" for problem in problems)


def is_empty(value: Any) -> bool:
    """Whether a value counts as not filled in."""
    return value is None or (isinstance(value, str | list | tuple | dict) and not value)


def validate_field(
    spec: FieldSpec, value: Any, *, path: str | None = None, today: date | None = None
) -> Problem | None:
    """Check one value against its field spec.

    Args:
        spec: the field.
        value: what was entered (None or "" = empty).
        path: the problem's ``field`` (default ``fields.<key>``).
        today: the day dates are judged against (default: today in China).

    Returns:
        None when the value is good (or empty and optional), else the problem.
    """
    where = path or f"fields.{spec.key}"
    if isinstance(value, str):
        value = value.strip()
    if not is_empty(value):
        value = normalise(spec, value)
    if is_empty(value):
        if spec.required:
            return Problem(where, _("{label}: required").format(label=spec.label))
        return None
    verdict = VALIDATORS[spec.type](spec, value, today or china_today())
    if verdict is None:
        return None
    severity: Severity = "warning" if verdict[0] == "warning" else "error"
    return Problem(where, verdict[1], severity)


def applicant_specs(role: Literal["applicant", "principal"] = "applicant") -> list[FieldSpec]:
    """The fields every application records about the applicant (or the person acting)."""
    labels = {
        "applicant": (
            _("Applicant's name"),
            _("Applicant's ID number"),
            _("Applicant's phone"),
            _("Applicant's address"),
        ),
        "principal": (
            _("Representative's name"),
            _("Representative's ID number"),
            _("Representative's phone"),
            _("Representative's address"),
        ),
    }[role]
    return [
        FieldSpec(key="name", label=labels[0], type="text", required=True, max_length=40),
        FieldSpec(key="id_number", label=labels[1], type="id_number", required=True),
        FieldSpec(key="phone", label=labels[2], type="phone", required=True),
        FieldSpec(key="address", label=labels[3], type="text", max_length=100),
    ]


def check_application(
    item: ServiceItem,
    *,
    applicant: Mapping[str, Any],
    fields: Mapping[str, Any],
    materials: Mapping[str, str],
    relation: str = "self",
    principal: Mapping[str, Any] | None = None,
    supply_by: Mapping[str, Any] | None = None,
    today: date | None = None,
) -> list[Problem]:
    """Check a whole application against its item before it is taken in.

    Values are judged as they will be stored (``normalise_fields``), so the
    review and the take-in agree on every rule.

    Args:
        item: the service item (the version the case is filed under).
        applicant: name, id_number, phone, address of the applicant (申请人).
        fields: the form's values by field key; a group's value is a list of row dicts.
        materials: material key -> provided | deferred | shared | missing.
        relation: self, relative, guardian or agent.
        principal: the person acting for the applicant: name, ID number and phone
            are required whenever the relation is not ``self``.
        supply_by: 容缺 deadlines by material key, as typed (``YYYY-MM-DD``) or dates;
            a deferred material without one gets the item's default.
        today: the intake day (default: today in China).

    Returns:
        Every problem found (empty when the application can be taken in).
    """
    day = today or china_today()
    problems = _check_people(applicant, relation, principal, day)
    problems += _check_fields(item, fields, day)
    problems += _check_same_people(item, applicant, relation, principal, fields)
    fields = normalise_fields(item, fields)
    facts = _facts(item, normalise_person(applicant), relation, fields, day)
    needed = _needed_materials(item, facts, problems)
    problems += _check_materials(item, materials, needed)
    problems += _check_supply_by(item, materials, supply_by or {}, day)
    problems += _check_rules(item, facts, materials)
    problems += _check_disability_cert(fields, normalise_person(applicant))
    problems += _check_before_birth(item, fields, facts, problems)
    return problems


def _check_before_birth(
    item: ServiceItem, fields: Mapping[str, Any], facts: Mapping[str, Any], found: list[Problem]
) -> list[Problem]:
    """A date on the form before anyone it names was born (a 死亡日期 of 1930 for a man born
    in 1936 went in): a warning to check it, not a refusal."""
    births = [v for k, v in facts.items() if k.endswith(".birth_date") and isinstance(v, date)]
    if not births:
        return []
    born = min(births)  # before everyone named on the form was born
    flagged = {problem.field for problem in found}
    problems = []
    for spec in item.fields:
        value, where = fields.get(spec.key), f"fields.{spec.key}"
        if spec.type != "date" or where in flagged or not isinstance(value, str):
            continue
        try:
            day = date.fromisoformat(value)
        except ValueError:
            continue
        if day < born:
            message = _("{label}: {day} is before the birth date on the form ({born}); check it")
            text = message.format(label=spec.label, day=day.isoformat(), born=born.isoformat())
            problems.append(Problem(where, text, "warning"))
    return problems


DISABILITY_CERT = "disability_cert_number"
"""The catalog's key of the 残疾人证号 (第二代: the holder's ID number, then the category
and the grade, one digit each)."""
DISABILITY_CATEGORIES = {
    "1": "视力", "2": "听力", "3": "言语", "4": "肢体", "5": "智力", "6": "精神", "7": "多重",
}  # fmt: skip
DISABILITY_GRADES = {"1": "一级", "2": "二级", "3": "三级", "4": "四级"}


def _check_disability_cert(
    fields: Mapping[str, Any], applicant: Mapping[str, Any]
) -> list[Problem]:
    """A 第二代残疾人证号 read as the card is made: its first 18 characters the holder's ID
    number (the applicant's), then the category's digit and the grade's, which must be the
    category and grade chosen on the form (any text passed: a number ending 42, 肢体二级,
    went in with 视力一级 chosen). Warnings: a first-generation card, or a holder other
    than the applicant, is not refused."""
    number = str(fields.get(DISABILITY_CERT) or "").strip().upper()
    if not number:
        return []
    where = f"fields.{DISABILITY_CERT}"
    if len(number) != 20 or not number[:17].isdigit() or not number[18:].isdigit():
        message = _("Disability certificate number: a second-generation one has 20 characters, "
                    "the holder's ID number then the category and grade digits")  # fmt: skip
        return [Problem(where, message, "warning")]
    problems = []
    holder = str(applicant.get("id_number") or "").strip().upper()
    if len(holder) == 18 and number[:18] != holder:
        message = _("Disability certificate number: its first 18 characters are not the "
                    "applicant's ID number")  # fmt: skip
        problems.append(Problem(where, message, "warning"))
    for digit, names, key, what in (
        (number[18], DISABILITY_CATEGORIES, "disability_category", _("category")),
        (number[19], DISABILITY_GRADES, "disability_grade", _("grade")),
    ):
        chosen, meant = fields.get(key), names.get(digit)
        if chosen and meant != chosen:
            message = _(
                "Disability certificate number: its {what} digit {digit} means {meant}, "
                "not the {chosen} chosen"
            ).format(what=what, digit=digit, meant=meant or _("nothing"), chosen=chosen)
            problems.append(Problem(where, message, "warning"))
    return problems


def normalise_person(person: Mapping[str, Any]) -> dict[str, Any]:
    """An applicant's or principal's details as a case stores them (ID ``x`` → ``X``...)."""
    specs = {spec.key: spec for spec in applicant_specs()}
    return {
        key: normalise(specs[key], value) if key in specs and not is_empty(value) else value
        for key, value in person.items()
    }


def normalise_fields(item: ServiceItem, fields: Mapping[str, Any]) -> dict[str, Any]:
    """The form's values as a case stores them (see ``forms.fieldtypes.normalise``).

    Unknown keys and values of the wrong shape are kept as they are (the check
    reports them).
    """
    specs = {spec.key: spec for spec in item.fields}
    groups = {group.key: group for group in item.groups}
    out: dict[str, Any] = {}
    for key, value in fields.items():
        if key in specs and not is_empty(value):
            out[key] = normalise(specs[key], value)
        elif key in groups and isinstance(value, list):
            out[key] = [_normal_row(groups[key], row) for row in value]
        else:
            out[key] = value
    return out


def _normal_row(group: FieldGroup, row: Any) -> Any:
    if not isinstance(row, dict):
        return row
    specs = {spec.key: spec for spec in group.fields}
    return {
        key: normalise(specs[key], value) if key in specs and not is_empty(value) else value
        for key, value in row.items()
    }


def supply_limit(item: ServiceItem, day: date) -> date:
    """The latest 容缺 deadline for an intake on ``day``: ``defer_days`` working days on."""
    return default_supply_by(item, day).date


def deferred_deadlines(
    item: ServiceItem, materials: Mapping[str, str], supply_by: Mapping[str, Any], day: date
) -> dict[str, date]:
    """The 容缺 deadline of every deferred material: the one given, else the item's default.

    Call on an application ``check_application`` passed (a date given is then valid).
    """
    limit = supply_limit(item, day)
    return {
        key: to_date(supply_by.get(key)) or limit
        for key, state in materials.items()
        if state == "deferred"
    }


def _check_supply_by(
    item: ServiceItem, materials: Mapping[str, str], supply_by: Mapping[str, Any], day: date
) -> list[Problem]:
    problems: list[Problem] = []
    for key, value in supply_by.items():
        if is_empty(value.strip() if isinstance(value, str) else value):
            continue
        try:
            spec = item.material(key)
        except KeyError:
            message = _("{key}: this item has no such material").format(key=key)
            problems.append(Problem(f"materials.{key}", message))
            continue
        problem = supply_by_problem(item, spec, materials.get(key, "missing"), value, day)
        if problem is not None:
            problems.append(Problem(f"materials.{key}", problem))
    return problems


def supply_by_problem(
    item: ServiceItem | None, spec: MaterialSpec, state: str, value: Any, day: date
) -> str | None:
    """What is wrong with a 容缺 deadline as typed (None when it is fine or empty).

    Args:
        item: the service item (None: the item's limit is not checked).
        spec: the material.
        state: the material's state (a date is only for a deferred one).
        value: the date as typed, or a date.
        day: the intake day.

    Returns:
        A translated message naming the material, or None.
    """
    if is_empty(value.strip() if isinstance(value, str) else value):
        return None
    if state != "deferred":
        return _("{name}: a supply-by date is only for a deferred (容缺) material").format(
            name=spec.name
        )
    deadline = to_date(value)
    if deadline is None:
        return _("{name}: the supply-by date {value} is not a real date (YYYY-MM-DD)").format(
            name=spec.name, value=value
        )
    if deadline <= day:
        return _("{name}: the supply-by date must be after today").format(name=spec.name)
    if item is None:
        return None
    limit = supply_limit(item, day)
    if deadline > limit:
        return _(
            "{name}: the supply-by date may not be after {limit} ({days} working days for this item)"
        ).format(name=spec.name, limit=limit.isoformat(), days=item.defer_days)
    return None


def _check_person(
    person: Mapping[str, Any], role: Literal["applicant", "principal"], day: date
) -> list[Problem]:
    problems = [
        validate_field(spec, person.get(spec.key), path=f"{role}.{spec.key}", today=day)
        for spec in applicant_specs(role)
    ]
    return [problem for problem in problems if problem is not None]


def _check_people(
    applicant: Mapping[str, Any], relation: str, principal: Mapping[str, Any] | None, day: date
) -> list[Problem]:
    problems = _check_person(applicant, "applicant", day)
    if relation not in RELATIONS:
        problems.append(
            Problem(
                "relation",
                _("Relation: {value} is not self, relative, guardian or agent").format(
                    value=relation
                ),
            )
        )
    if relation != "self":
        problems += _check_person(principal or {}, "principal", day)
        info = _id_info(principal or {}, day)
        if info is not None and info.age_on(day) < ADULT_AGE:  # no legal capacity to act
            message = _(
                "Representative's ID number: the representative is {age}, under {adult};"
                " a minor cannot file for someone"
            ).format(age=info.age_on(day), adult=ADULT_AGE)
            problems.append(Problem("principal.id_number", message))
    elif principal and not all(is_empty(_stripped(v)) for v in principal.values()):
        message = _(
            "Representative: the applicant files in person; leave it empty, "
            "or choose who files for them"
        )
        problems.append(Problem("principal", message))
    return problems


SELF_RELATIONS = frozenset({"本人", "户主"})
"""Options of a row's relation that the applicant may hold (a 低保 household's 户主 is
often the applicant): a group offering one may list the applicant."""


def _same_id(value: Any) -> str:
    """An ID number as compared across the form ("" for none)."""
    return compact_id_number(value) if isinstance(value, str) else ""


def _check_same_people(
    item: ServiceItem,
    applicant: Mapping[str, Any],
    relation: str,
    principal: Mapping[str, Any] | None,
    fields: Mapping[str, Any],
) -> list[Problem]:
    """The same person where the form asks for another: the 代办人 with the applicant's ID
    number, one person in two rows of a group, the applicant as their own 配偶 or 子女.

    A group whose relation field offers 户主 or 本人 may list the applicant: a warning
    there, to check; an error elsewhere (the applicant cannot be their own relative)."""
    own = _same_id(applicant.get("id_number"))
    problems: list[Problem] = []
    if own and relation != "self" and _same_id((principal or {}).get("id_number")) == own:
        message = _(
            "Representative's ID number: the same as the applicant's; when the applicant"
            " comes in person, choose that they file themselves"
        )
        problems.append(Problem("principal.id_number", message))
    for group in item.groups:
        rows = fields.get(group.key)
        if not isinstance(rows, list):
            continue
        ids = [spec for spec in group.fields if spec.type == "id_number"]
        self_allowed = any(
            SELF_RELATIONS & set(spec.options) for spec in group.fields if spec.type == "choice"
        )
        for spec in ids:
            seen: dict[str, int] = {}
            for index, row in enumerate(rows):
                number = _same_id(row.get(spec.key)) if isinstance(row, dict) else ""
                if not number:
                    continue
                where = f"fields.{group.key}[{index}].{spec.key}"
                label = _("{group} #{n} {label}").format(
                    group=group.label, n=index + 1, label=spec.label
                )
                if number in seen:
                    message = _("{label}: the same ID number as row {other}; list a person once")
                    other = seen[number] + 1
                    problems.append(Problem(where, message.format(label=label, other=other)))
                    continue
                seen[number] = index
                if number == own and self_allowed:
                    message = _("{label}: the applicant's own ID number; check it")
                    problems.append(Problem(where, message.format(label=label), "warning"))
                elif number == own:
                    message = _("{label}: the applicant's own ID number; list the others here")
                    problems.append(Problem(where, message.format(label=label)))
    return problems


def _stripped(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _check_fields(item: ServiceItem, fields: Mapping[str, Any], day: date) -> list[Problem]:
    known = {spec.key for spec in item.fields} | {group.key for group in item.groups}
    problems = [
        Problem(f"fields.{key}", _("{key}: this item has no such field").format(key=key))
        for key in fields
        if key not in known
    ]
    for spec in item.fields:
        problem = validate_field(spec, fields.get(spec.key), today=day)
        if problem is not None:
            problems.append(problem)
    for group in item.groups:
        problems += _check_group(group, fields.get(group.key), day)
    return problems


def _check_group(group: FieldGroup, rows: Any, day: date) -> list[Problem]:
    where = f"fields.{group.key}"
    rows = [] if rows is None else rows
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        return [Problem(where, _("{label}: must be a list of rows").format(label=group.label))]
    if not group.min_rows <= len(rows) <= group.max_rows:
        message = _("{label}: {min} to {max} rows, not {count}")
        return [
            Problem(
                where,
                message.format(
                    label=group.label, min=group.min_rows, max=group.max_rows, count=len(rows)
                ),
            )
        ]
    problems: list[Problem] = []
    for index, row in enumerate(rows):
        for spec in group.fields:
            label = _("{group} #{n} {label}").format(
                group=group.label, n=index + 1, label=spec.label
            )
            problem = validate_field(
                spec.model_copy(update={"label": label}),
                row.get(spec.key),
                path=f"{where}[{index}].{spec.key}",
                today=day,
            )
            if problem is not None:
                problems.append(problem)
    return problems


def _id_info(person: Mapping[str, Any], day: date) -> IdInfo | None:
    number = person.get("id_number")
    if not isinstance(number, str):
        return None
    try:
        return parse_id_number(number, today=day)
    except IdNumberError:
        return None


def _facts(
    item: ServiceItem,
    applicant: Mapping[str, Any],
    relation: str,
    fields: Mapping[str, Any],
    day: date,
) -> dict[str, Any]:
    """What conditions look at: form fields, the relation, and facts read from ID numbers.

    The applicant's number gives ``applicant.age``, ``applicant.sex`` (male /
    female) and ``applicant.birth_date``; an ``id_number`` field ``KEY`` gives
    ``KEY.age``, ``KEY.sex`` and ``KEY.birth_date`` the same way.
    """
    facts: dict[str, Any] = dict(fields)
    facts["relation"] = relation
    people: dict[str, Any] = {"applicant": applicant.get("id_number")}
    people |= {spec.key: fields.get(spec.key) for spec in item.fields if spec.type == "id_number"}
    for prefix, number in people.items():
        info = _id_info({"id_number": number}, day)
        if info is not None:
            facts[f"{prefix}.age"] = info.age_on(day)
            facts[f"{prefix}.sex"] = info.sex
            facts[f"{prefix}.birth_date"] = info.birth_date
    return facts


def condition_holds(condition: Condition, facts: Mapping[str, Any]) -> bool:
    """Whether a rule's condition holds for these facts (unknown facts never satisfy a test)."""
    value = facts.get(condition.field)
    if isinstance(value, str):
        value = value.strip()
    op, target = condition.op, condition.value
    if op == "present":
        return not is_empty(value)
    if op == "absent":
        return is_empty(value)
    if op in ("true", "false"):
        return to_bool(value) is (op == "true")
    if op in ("gte", "lte"):
        number, bound = to_money(value), to_money(target)
        if number is None or bound is None:
            return False
        return number >= bound if op == "gte" else number <= bound
    chosen = value if isinstance(value, list) else [value]
    targets = target if isinstance(target, list) else [target]
    hit = any(choice in targets for choice in chosen)
    return hit if op in ("equals", "in") else (not is_empty(value) and not hit)


def needed_materials(
    item: ServiceItem,
    *,
    applicant: Mapping[str, Any],
    fields: Mapping[str, Any],
    relation: str = "self",
    today: date | None = None,
) -> set[str]:
    """The keys of the materials this application must bring as it stands: the item's
    required ones and those a ``material_when`` rule asks for now (代办人身份证 when a
    relative files), judged as ``check_application`` judges them.

    Args:
        item: the service item.
        applicant: the applicant's details as typed.
        fields: the form's values as typed.
        relation: self, relative, guardian or agent.
        today: the intake day (ages are counted on it; default: today in China).
    """
    day = today or china_today()
    fields = normalise_fields(item, fields)
    facts = _facts(item, normalise_person(applicant), relation, fields, day)
    return _needed_materials(item, facts, [])


def _needed_materials(
    item: ServiceItem, facts: Mapping[str, Any], problems: list[Problem]
) -> set[str]:
    needed = {material.key for material in item.materials if material.required}
    for rule in item.rules:
        if rule.kind == "material_when" and rule.material and rule_applies(rule, facts):
            needed.add(rule.material)
    return needed


def _material_problem(spec: MaterialSpec, state: str, needed: bool) -> str | None:
    if state not in MATERIAL_STATES:
        return _("{name}: {state} is not provided, deferred, shared or missing").format(
            name=spec.name, state=state
        )
    if state == "deferred" and not spec.deferrable:
        return _("{name}: may not be deferred (容缺) for this item").format(name=spec.name)
    if state == "shared" and not spec.shareable:
        return _("{name}: cannot be obtained by data sharing; it must be provided").format(
            name=spec.name
        )
    if state == "missing" and needed:
        if spec.deferrable:
            return _(
                "{name}: not provided; mark it deferred (容缺) if it will be supplied later"
            ).format(name=spec.name)
        return _("{name}: required").format(name=spec.name)
    return None


def _check_materials(
    item: ServiceItem, materials: Mapping[str, str], needed: set[str]
) -> list[Problem]:
    known = {material.key for material in item.materials}
    problems = [
        Problem(f"materials.{key}", _("{key}: this item has no such material").format(key=key))
        for key in materials
        if key not in known
    ]
    for spec in item.materials:
        message = _material_problem(spec, materials.get(spec.key, "missing"), spec.key in needed)
        if message is not None:
            rule = (
                _rule_requiring(item, spec.key)
                if spec.key in needed and not spec.required
                else None
            )
            problems.append(Problem(f"materials.{spec.key}", message, rule=rule))
    return problems


def _rule_requiring(item: ServiceItem, material: str) -> str | None:
    return next(
        (r.id for r in item.rules if r.kind == "material_when" and r.material == material), None
    )


def _check_rules(
    item: ServiceItem, facts: Mapping[str, Any], materials: Mapping[str, str]
) -> list[Problem]:
    problems: list[Problem] = []
    for rule in item.rules:
        problem = _check_rule(item, rule, facts, materials)
        if problem is not None:
            problems.append(problem)
    return problems


def rule_applies(rule: Rule, facts: Mapping[str, Any]) -> bool:
    """Whether a rule's ``when`` holds (or it has none) and its ``unless`` does not."""
    if rule.when is not None and not condition_holds(rule.when, facts):
        return False
    return rule.unless is None or not condition_holds(rule.unless, facts)


def _check_rule(
    item: ServiceItem, rule: Rule, facts: Mapping[str, Any], materials: Mapping[str, str]
) -> Problem | None:
    if rule.kind in ("min_age", "max_age"):
        return _check_age(item, rule, facts)
    if rule.kind == "material_when" or not rule_applies(rule, facts):
        return None
    if rule.kind == "refuse_when":
        message = _("{title}: this application cannot be accepted").format(title=rule.title)
        return Problem(f"rule:{rule.id}", message, rule=rule.id)
    if rule.kind == "required_when" and rule.field:
        if is_empty(facts.get(rule.field)):
            label = item.field(rule.field).label
            message = _("{title}: {label} is required in this case").format(
                title=rule.title, label=label
            )
            return Problem(f"fields.{rule.field}", message, rule=rule.id)
    if rule.kind == "any_material":
        states = [materials.get(key, "missing") for key in rule.materials]
        if not any(state in ("provided", "deferred", "shared") for state in states):
            names = "、".join(item.material(key).name for key in rule.materials)
            message = _("{title}: provide at least one of {names}").format(
                title=rule.title, names=names
            )
            return Problem(f"rule:{rule.id}", message, rule=rule.id)
    return None


def _check_age(item: ServiceItem, rule: Rule, facts: Mapping[str, Any]) -> Problem | None:
    age = facts.get(f"{rule.field or 'applicant'}.age")
    if age is None or rule.years is None:
        return None  # an invalid or missing number is reported on its own field
    if not rule_applies(rule, facts):
        return None
    too_young = rule.kind == "min_age" and age < rule.years
    too_old = rule.kind == "max_age" and age > rule.years
    if not (too_young or too_old):
        return None
    if rule.field:
        message = (
            _("{title}: {label} gives an age of {age}; this item requires at least {years}")
            if too_young
            else _("{title}: {label} gives an age of {age}; this item is for people up to {years}")
        )
        label = item.field(rule.field).label
    else:
        message = (
            _("{title}: the applicant is {age}; this item requires at least {years}")
            if too_young
            else _("{title}: the applicant is {age}; this item is for people up to {years}")
        )
        label = ""
    text = message.format(title=rule.title, label=label, age=age, years=rule.years)
    return Problem(f"rule:{rule.id}", text, rule=rule.id)


def amount(value: Any) -> Decimal | None:
    """A money field's value as a Decimal (None when empty or not a number)."""
    return to_money(value)
