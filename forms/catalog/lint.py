"""Checking catalog files a county writes by hand, every problem with its item, place and line.

Two passes over each item file: pydantic checks the structure (types, allowed
values, unknown keys), then cross-checks run on the raw data (duplicate keys,
rules naming unknown fields, promised limit above the legal one...), so one run
reports every mistake, not just the first.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from forms.catalog.lines import TomlLines
from forms.catalog.model import ServiceItem
from forms.messages import _

ITEM_TYPES = (
    "行政许可",
    "行政确认",
    "行政给付",
    "行政奖励",
    "行政裁决",
    "其他行政权力",
    "公共服务",
)
"""事项类型: the national set; which one an item is varies by province and is data."""

DERIVED_FACTS = ("relation", "applicant.age", "applicant.sex", "applicant.birth_date")


_LAST_KEY = re.compile(r"(.*?(?:\.| › )?)([^.›]*)$", re.S)
"""A place in an item (``fields[2].type``, ``材料“photo” › copies``): all but its last key, and it."""


@dataclass(frozen=True)
class Issue:
    """One problem in a catalog file."""

    source: str
    line: int | None
    item: str
    where: str
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        place = f"{self.source}:{self.line}" if self.line else self.source
        parts = [place, self.item, self.where_named, self.message]
        text = ": ".join(part for part in parts if part)
        return text if self.severity == "error" else f"{text} [{_('warning')}]"

    @property
    def where_named(self) -> str:
        """The place in the item with its last key in the 办事指南's words beside it:
        ``承诺时限（工作日）(promised_days)``, ``材料“photo” › 份数(copies)`` (the key alone
        when it has no words)."""
        from forms.catalog.diff import ATTRIBUTE_NAMES  # diff reads catalogs this module checks

        head, key = _LAST_KEY.match(self.where).groups()  # type: ignore[union-attr]
        named = ATTRIBUTE_NAMES.get(key.split("[")[0])
        return f"{head}{named}({key})" if named else self.where

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "file": self.source,
            "line": self.line,
            "item": self.item,
            "where": self.where,
            "message": self.message,
            "severity": self.severity,
        }


class CatalogError(ValueError):
    """A catalog that cannot be used; ``issues`` lists every problem."""

    def __init__(self, issues: Sequence[Issue]) -> None:
        self.issues = list(issues)
        super().__init__("\n".join(str(issue) for issue in self.issues))


_PYDANTIC_MESSAGES = {
    "missing": "required key is missing",
    "extra_forbidden": "unknown key (misspelt?)",
    "literal_error": "{input} is not allowed; use one of {expected}",
    "string_pattern_mismatch": "not in the required form",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "string_type": "must be text in quotes",
    "greater_than_equal": "must be at least {ge}",
    "less_than_equal": "must be at most {le}",
    "too_short": "must have at least {min_length} entries",
    "string_too_short": "must not be empty",
    "string_too_long": "at most {max_length} characters",
    "date_type": "must be a date, e.g. 2027-01-01",
    "date_parsing": "must be a date, e.g. 2027-01-01",
    "decimal_parsing": "must be a number",
    "decimal_max_places": "at most {decimal_places} decimal places",
    "greater_than": "must be more than {gt}",
    "decimal_type": "must be a number",
    "list_type": "must be a list [...]",
    "model_type": "must be a table",
    "dict_type": "must be a table",
}


def _pydantic_message(error: Any) -> str:
    if error["type"] == "value_error" and "error" in (error.get("ctx") or {}):
        return str(error["ctx"]["error"])  # our own validators' messages, already translated
    template = _PYDANTIC_MESSAGES.get(error["type"])
    if template is None:
        return str(error["msg"])
    context = {key: str(value) for key, value in (error.get("ctx") or {}).items()}
    context["input"] = str(error.get("input", ""))
    try:
        return _(template).format(**context)
    except KeyError:
        return str(error["msg"])


def describe_loc(loc: Sequence[str | int], raw: dict[str, Any]) -> str:
    """A readable place for a location: ``field "account" › type``."""
    words: list[str] = []
    node: Any = raw
    index = 0
    names = {
        "fields": _('field "{key}"'),
        "materials": _('material "{key}"'),
        "rules": _('rule "{key}"'),
        "groups": _('group "{key}"'),
        "holiday_tables": _('holiday table "{key}"'),
        "divisions": _('division "{key}"'),
    }
    while index < len(loc):
        part = loc[index]
        nxt = loc[index + 1] if index + 1 < len(loc) else None
        child = node.get(part) if isinstance(node, dict) and isinstance(part, str) else None
        if (
            isinstance(part, str)
            and part in names
            and isinstance(nxt, int)
            and isinstance(child, list)
        ):
            entry = child[nxt] if nxt < len(child) else {}
            ident = (
                entry.get("key") or entry.get("id") or entry.get("year") or entry.get("code")
                if isinstance(entry, dict)
                else None
            )
            words.append(names[part].format(key=ident if ident is not None else f"#{nxt + 1}"))
            node, index = entry, index + 2
            continue
        words.append(str(part) if not isinstance(part, int) else f"[{part + 1}]")
        node = (
            child
            if child is not None
            else (
                node[part]
                if isinstance(node, list) and isinstance(part, int) and part < len(node)
                else None
            )
        )
        index += 1
    return " › ".join(words)


class _Reporter:
    """Collects issues of one file, with lines."""

    def __init__(self, source: str, text: str, raw: dict[str, Any]) -> None:
        self.source, self.raw, self.lines = source, raw, TomlLines(text)
        code, name = raw.get("code", ""), raw.get("name", "")
        self.item = (
            f"{code} {name}".strip() if isinstance(code, str) and isinstance(name, str) else ""
        )
        self.issues: list[Issue] = []

    def add(self, loc: Sequence[str | int], message: str, severity: str = "error") -> None:
        self.issues.append(
            Issue(
                self.source,
                self.lines.line_of(loc),
                self.item,
                describe_loc(loc, self.raw),
                message,
                severity,
            )
        )


def parse_toml(text: str, source: str) -> tuple[dict[str, Any] | None, list[Issue]]:
    """Parse TOML text; a syntax error becomes an issue with its line."""
    try:
        return tomllib.loads(text), []
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        line = int(match.group(1)) if match else None
        message = _("TOML syntax error: {error}").format(error=exc)
        return None, [Issue(source, line, "", "", message)]


def lint_item_text(text: str, source: str) -> tuple[ServiceItem | None, list[Issue]]:
    """Check one item file's text.

    Returns:
        The item (None when there are errors) and every issue found.
    """
    raw, issues = parse_toml(text, source)
    if raw is None:
        return None, issues
    return lint_item_data(raw, text, source)


def lint_item_data(
    raw: dict[str, Any], text: str, source: str
) -> tuple[ServiceItem | None, list[Issue]]:
    """Check one item's parsed data; ``text`` is its source, for line numbers."""
    reporter = _Reporter(source, text, raw)
    item = _structure(ServiceItem, raw, reporter)
    _cross_check(raw, reporter)
    if any(issue.severity == "error" for issue in reporter.issues):
        return None, reporter.issues
    return item, reporter.issues


def _structure(model: type[BaseModel], raw: dict[str, Any], reporter: _Reporter) -> Any:
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        for error in exc.errors():
            reporter.add(tuple(error["loc"]), _pydantic_message(error))
        return None


def _entries(raw: dict[str, Any], key: str) -> list[tuple[int, dict[str, Any]]]:
    value = raw.get(key)
    if not isinstance(value, list):
        return []
    return [(index, entry) for index, entry in enumerate(value) if isinstance(entry, dict)]


def _cross_check(raw: dict[str, Any], report: _Reporter) -> None:
    item_type = raw.get("item_type")
    if isinstance(item_type, str) and item_type not in ITEM_TYPES:
        report.add(
            ("item_type",), _("must be one of {expected}").format(expected="、".join(ITEM_TYPES))
        )
    legal, promised = raw.get("legal_days"), raw.get("promised_days")
    if isinstance(legal, int) and isinstance(promised, int) and legal > 0 and promised > legal:
        message = _(
            "the promised limit ({promised} working days) exceeds the legal limit ({legal})"
        )
        report.add(("promised_days",), message.format(promised=promised, legal=legal))
    if isinstance(raw.get("fee"), str):
        message = _("a fee as text is read as free or as a fee that varies; write a [fee] table")
        report.add(("fee",), message, "warning")
    field_keys = _check_fields(raw, ("fields",), report)
    for index, group in _entries(raw, "groups"):
        field_keys |= _check_fields(group, ("groups", index, "fields"), report)
    material_keys = _unique(raw, ("materials",), "key", report)
    _unique(raw, ("rules",), "id", report)
    facts = set(field_keys) | set(DERIVED_FACTS)
    for key in _id_fields(raw):
        facts |= {f"{key}.age", f"{key}.sex", f"{key}.birth_date"}
    for index, rule in _entries(raw, "rules"):
        _check_rule(rule, ("rules", index), (field_keys, facts, material_keys), report)
        if rule.get("kind") in ("min_age", "max_age") and rule.get("field") is not None:
            if rule.get("field") not in _id_fields(raw):
                message = _("an age rule's field must be an id_number field, not {key}")
                report.add(("rules", index, "field"), message.format(key=rule.get("field")))
    for index, name in enumerate(raw.get("county_set") or []):
        if isinstance(name, str) and name not in ServiceItem.model_fields:
            report.add(
                ("county_set", index),
                _("{name} is not an item attribute").format(name=name),
                "warning",
            )


def _walk(raw: Any, loc: Sequence[str | int]) -> Any:
    """The raw value at ``loc``, or None when the path does not exist."""
    node = raw
    for part in loc:
        if isinstance(node, dict) and isinstance(part, str):
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        else:
            return None
    return node


def _unique(
    raw: dict[str, Any], loc: tuple[str | int, ...], key: str, report: _Reporter
) -> set[str]:
    node = _walk(raw, loc)
    seen: set[str] = set()
    for index, entry in enumerate(node if isinstance(node, list) else []):
        value = entry.get(key) if isinstance(entry, dict) else None
        if isinstance(value, str):
            if value in seen:
                report.add((*loc, index, key), _("{key} is used twice").format(key=value))
            seen.add(value)
    return seen


def _id_fields(raw: dict[str, Any]) -> set[str]:
    return {
        entry["key"]
        for _index, entry in _entries(raw, "fields")
        if entry.get("type") == "id_number" and isinstance(entry.get("key"), str)
    }


def _check_fields(raw: dict[str, Any], loc: tuple[str | int, ...], report: _Reporter) -> set[str]:
    keys = _unique(raw, loc, "key", report)
    for index, spec in enumerate(raw.get(str(loc[-1])) or []):
        if not isinstance(spec, dict):
            continue
        here = (*loc, index)
        kind, options = spec.get("type"), spec.get("options") or []
        if kind in ("choice", "multi_choice") and not options:
            report.add((*here, "type"), _("a {type} field needs options").format(type=kind))
        if options and kind not in ("choice", "multi_choice"):
            report.add((*here, "options"), _("options are only used by choice fields"), "warning")
        low, high = spec.get("min"), spec.get("max")
        if isinstance(low, int | float) and isinstance(high, int | float) and low > high:
            report.add((*here, "min"), _("min is greater than max"))
    return keys


def _check_rule(
    rule: dict[str, Any],
    loc: tuple[str | int, ...],
    known: tuple[set[str], set[str], set[str]],
    report: _Reporter,
) -> None:
    """Check one rule; ``known`` = (field keys, facts conditions may name, material keys)."""
    fields, facts, materials = known
    kind = rule.get("kind")
    if kind in ("min_age", "max_age") and rule.get("years") is None:
        report.add((*loc, "years"), _("an age rule needs years"))
    if kind == "required_when":
        if rule.get("field") not in fields:
            report.add(
                (*loc, "field"), _("no field has the key {key}").format(key=rule.get("field"))
            )
    if kind == "material_when" and rule.get("material") not in materials:
        report.add(
            (*loc, "material"), _("no material has the key {key}").format(key=rule.get("material"))
        )
    if kind in ("required_when", "material_when", "refuse_when") and not isinstance(
        rule.get("when"), dict
    ):
        report.add((*loc, "when"), _("this rule needs a when condition"))
    if kind == "any_material":
        listed = rule.get("materials") or []
        if len(listed) < 2:
            report.add((*loc, "materials"), _("list at least two materials"))
        for name in listed:
            if name not in materials:
                report.add((*loc, "materials"), _("no material has the key {key}").format(key=name))
    for part in ("when", "unless"):
        condition = rule.get(part)
        target = condition.get("field") if isinstance(condition, dict) else None
        if isinstance(target, str) and target not in facts:
            message = _("the condition names an unknown field {key}").format(key=target)
            report.add((*loc, part), message)


def lint_item_file(path: Path) -> tuple[ServiceItem | None, list[Issue]]:
    """Check one item file."""
    return lint_item_text(path.read_text(encoding="utf-8"), str(path))
