"""What a new catalog changes against the published one (the county reads it before publishing).

Items are matched by code: added, removed, or changed — and within a changed item
its form fields, materials, time limits (时限), fee (收费) and anything else. The
division table and the holiday tables are compared too, since they travel with
the catalog. :meth:`CatalogDiff.lines` gives readable lines, :meth:`CatalogDiff.as_dict`
the same as data (``--json``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from pydantic import BaseModel

from forms.catalog.model import Catalog, Fee, FieldSpec, ServiceItem
from forms.messages import _

Action = Literal["added", "removed", "changed"]

TIME_ATTRIBUTES = ("handling_kind", "legal_days", "promised_days", "limit_note", "defer_days")
"""An item's time limits (时限)."""
_OWN_SECTIONS = {"fields", "groups", "materials", "fee", "version", *TIME_ATTRIBUTES}


@dataclass(frozen=True)
class Change:
    """One thing added, removed or changed: a field, a material, a time limit, the fee …"""

    section: str
    """``field``, ``material``, ``time``, ``fee``, ``other``, ``division`` or ``holidays``."""
    key: str
    label: str
    action: Action
    details: list[tuple[str, Any, Any]] = field(default_factory=list)
    """For ``changed``: (attribute, before, after)."""


@dataclass(frozen=True)
class ItemChange:
    """An item present in both catalogs whose content differs."""

    code: str
    name: str
    old_version: int
    new_version: int
    changes: list[Change]


@dataclass(frozen=True)
class CatalogDiff:
    """The differences between the published catalog and a new one."""

    old_version: str
    new_version: str
    added: list[tuple[str, str]] = field(default_factory=list)
    """(code, name) of new items."""
    removed: list[tuple[str, str]] = field(default_factory=list)
    changed: list[ItemChange] = field(default_factory=list)
    tables: list[Change] = field(default_factory=list)
    """Changes to the division table and the holiday tables."""

    @property
    def empty(self) -> bool:
        """Nothing differs (the header's version and date aside)."""
        return not (self.added or self.removed or self.changed or self.tables)

    def as_dict(self) -> dict[str, Any]:
        """The diff as JSON-ready data."""
        return {
            "old_version": self.old_version,
            "new_version": self.new_version,
            "added": [{"code": code, "name": name} for code, name in self.added],
            "removed": [{"code": code, "name": name} for code, name in self.removed],
            "changed": [_jsonable(asdict(item)) for item in self.changed],
            "tables": [_jsonable(asdict(change)) for change in self.tables],
        }

    def lines(self) -> list[str]:
        """Readable lines (Chinese first), one per change."""
        lines = [
            _("Catalog {old} → {new}").format(old=self.old_version, new=self.new_version),
        ]
        if self.empty:
            return [*lines, _("No differences.")]
        for code, name in self.added:
            lines.append(_("+ new item {code} {name}").format(code=code, name=name))
        for code, name in self.removed:
            lines.append(_("- removed item {code} {name}").format(code=code, name=name))
        for item in self.changed:
            lines.append(
                _("~ changed item {code} {name} (version {old} → {new})").format(
                    code=item.code, name=item.name, old=item.old_version, new=item.new_version
                )
            )
            lines += [f"    {_change_line(change)}" for change in item.changes]
        lines += [f"  {_change_line(change)}" for change in self.tables]
        return lines


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _section_name(section: str) -> str:
    names = {
        "field": _("form field"),
        "material": _("material"),
        "time": _("time limit"),
        "fee": _("fee"),
        "other": _("item"),
        "division": _("division table"),
        "holidays": _("holiday table"),
    }
    return names.get(section, section)


ATTRIBUTE_NAMES = {
    # an item (办事指南 / 实施清单 terms)
    "name": "名称", "short_name": "简称", "aliases": "别名", "item_type": "事项类型",
    "service_object": "服务对象", "handling_kind": "办件类型", "path": "办理层级",
    "legal_days": "法定时限（工作日）", "promised_days": "承诺时限（工作日）",
    "limit_note": "时限说明", "defer_days": "容缺补齐时限（工作日）", "fee": "收费",
    "basis": "设定依据", "result": "办理结果", "uses_commitment": "告知承诺制",
    "contact": "咨询单位", "phone": "咨询电话", "rules": "校验规则", "county_set": "县可调整项",
    "notes": "备注", "groups": "表格分组",
    # a form field, a material
    "label": "名称", "type": "类型", "required": "必填", "options": "选项", "help": "填写提示",
    "min": "最小值", "max": "最大值", "max_length": "最多字数", "past_only": "不晚于当天",
    "copies": "份数", "original": "原件", "deferrable": "可容缺", "shareable": "可共享免提交",
    "standard": "材料要求", "handling": "办理方式",
    # a division, a holiday table
    "level": "层级", "office": "办理机构", "prefix": "文号前缀", "address": "地址",
    "provisional": "暂定", "source": "来源", "holidays": "放假日期", "workdays": "调休上班日期",
}  # fmt: skip
"""The catalog's attributes in the words of the 办事指南 (the diff named them by their
TOML keys: legal_days: 0 → 5)."""


def _attribute_name(name: str) -> str:
    return ATTRIBUTE_NAMES.get(name, name)


def _value(value: Any) -> str:
    if isinstance(value, Fee):
        return value.words()
    plain = _jsonable(value)
    if isinstance(plain, bool):
        return "是" if plain else "否"
    if plain is None or plain == "" or plain == []:
        return "无"
    text = "、".join(map(str, plain)) if isinstance(plain, list) else str(plain)
    return text if len(text) <= 60 else text[:57] + "…"


def _change_line(change: Change) -> str:
    section = _section_name(change.section)
    label = f"{change.key}「{change.label}」" if change.label else change.key
    if change.action == "added":
        return _("added {section} {label}").format(section=section, label=label)
    if change.action == "removed":
        return _("removed {section} {label}").format(section=section, label=label)
    details = "；".join(
        f"{_attribute_name(name)}：{_value(before)} → {_value(after)}"
        for name, before, after in change.details
    )
    if not label:
        return _("changed {section}: {details}").format(section=section, details=details)
    return _("changed {section} {label}: {details}").format(
        section=section, label=label, details=details
    )


def _attribute_changes(
    before: BaseModel, after: BaseModel, skip: Iterable[str] = ()
) -> list[tuple[str, Any, Any]]:
    old, new = before.model_dump(mode="json"), after.model_dump(mode="json")
    return [
        (name, old.get(name), new.get(name))
        for name in sorted(set(old) | set(new))
        if name not in skip and old.get(name) != new.get(name)
    ]


def _keyed(
    section: str,
    before: Sequence[Any],
    after: Sequence[Any],
    key: str,
    label: str,
) -> list[Change]:
    """Changes between two lists of models matched by ``key`` (a field's key, a material's key …)."""
    old = {getattr(entry, key): entry for entry in before}
    new = {getattr(entry, key): entry for entry in after}
    changes = [
        Change(section, str(name), str(getattr(new[name], label, "")), "added")
        for name in new
        if name not in old
    ]
    changes += [
        Change(section, str(name), str(getattr(old[name], label, "")), "removed")
        for name in old
        if name not in new
    ]
    for name in new.keys() & old.keys():
        details = _attribute_changes(old[name], new[name])
        if details:
            label_text = str(getattr(new[name], label, ""))
            changes.append(Change(section, str(name), label_text, "changed", details))
    return sorted(changes, key=lambda change: (change.action, change.key))


def _all_fields(item: ServiceItem) -> list[FieldSpec]:
    grouped = [
        spec.model_copy(update={"key": f"{group.key}.{spec.key}"})
        for group in item.groups
        for spec in group.fields
    ]
    return [*item.fields, *grouped]


def _item_changes(old: ServiceItem, new: ServiceItem) -> list[Change]:
    changes = _keyed("field", _all_fields(old), _all_fields(new), "key", "label")
    groups = _attribute_changes(old, new, skip=set(ServiceItem.model_fields) - {"groups"})
    if groups and not changes:  # a group's own label or row limits
        changes.append(Change("field", "groups", "", "changed", groups))
    changes += _keyed("material", old.materials, new.materials, "key", "name")
    times = [
        (name, getattr(old, name), getattr(new, name))
        for name in TIME_ATTRIBUTES
        if getattr(old, name) != getattr(new, name)
    ]
    if times:
        changes.append(Change("time", "", "", "changed", times))
    if _jsonable(old.fee) != _jsonable(new.fee):
        changes.append(Change("fee", "", "", "changed", [("fee", old.fee, new.fee)]))
    other = _attribute_changes(old, new, skip=_OWN_SECTIONS)
    if other:
        changes.append(Change("other", "", "", "changed", other))
    return changes


def _table_changes(old: Catalog, new: Catalog) -> list[Change]:
    changes = _keyed("division", old.divisions, new.divisions, "code", "name")
    changes += _keyed("holidays", old.holiday_tables, new.holiday_tables, "year", "source")
    return changes


def diff_catalogs(old: Catalog, new: Catalog) -> CatalogDiff:
    """What ``new`` changes against ``old`` (its current items; retired versions aside).

    Args:
        old: the published catalog.
        new: the catalog about to be published.

    Returns:
        Items added, removed and changed (with what changed in each), and table changes.
    """
    before = {item.code: item for item in old.items}
    after = {item.code: item for item in new.items}
    changed = []
    for code in new.codes:
        if code in before and before[code].fingerprint() != after[code].fingerprint():
            old_item, new_item = before[code], after[code]
            changes = _item_changes(old_item, new_item)
            changed.append(
                ItemChange(code, new_item.name, old_item.version, new_item.version, changes)
            )
    return CatalogDiff(
        old_version=old.version,
        new_version=new.version,
        added=[(item.code, item.name) for item in new.items if item.code not in before],
        removed=[(item.code, item.name) for item in old.items if item.code not in after],
        changed=changed,
        tables=_table_changes(old, new),
    )
