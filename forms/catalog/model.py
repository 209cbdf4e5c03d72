"""The service-item catalog model (政务服务事项目录): items, form fields, materials, rules.

Every model is frozen: a published item version never changes. The models only
check structure; cross-references (a rule naming an unknown field, duplicate
keys...) are checked by :mod:`forms.catalog.lint`, which reports every problem
with its line in the source file.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date
from decimal import Decimal
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from forms.messages import _

FieldType = Literal[
    "text",
    "long_text",
    "integer",
    "money",
    "date",
    "choice",
    "multi_choice",
    "boolean",
    "phone",
    "id_number",
    "uscc",
    "bank_account",
]
"""The closed set of field types."""

FIELD_TYPES: tuple[str, ...] = get_args(FieldType)

Level = Literal["village", "township", "county", "city", "province"]
"""Administrative levels of a handling path: 村 / 乡镇 / 县 / 市 / 省."""

LEVEL_NAMES: dict[str, str] = {
    "village": "村（社区）便民服务站",
    "township": "乡镇便民服务中心",
    "county": "县级部门",
    "city": "市级部门",
    "province": "省级部门",
}

RuleKind = Literal[
    "min_age", "max_age", "required_when", "material_when", "any_material", "refuse_when"
]
ConditionOp = Literal[
    "equals", "not_equals", "in", "not_in", "true", "false", "present", "absent", "gte", "lte"
]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class FieldSpec(_Frozen):
    """One form field (表单字段).

    Attributes:
        key: ASCII key of the value in the case's ``fields``.
        label: Chinese label shown on screen and paper.
        type: one of :data:`FIELD_TYPES`.
        required: must be filled in at intake.
        options: the allowed values of ``choice`` / ``multi_choice``.
        help: a hint shown under the input.
        min / max: bounds of ``integer`` and ``money`` values.
        max_length: longest ``text`` / ``long_text`` value.
        past_only: a ``date`` may not lie in the future (birth dates, dates of death).
        county_set: a figure in this field's definition is the county's to set.
    """

    key: str = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")
    label: str = Field(min_length=1, max_length=40)
    type: FieldType
    required: bool = False
    options: list[str] = Field(default_factory=list)
    help: str = ""
    min: Decimal | None = None
    max: Decimal | None = None
    max_length: int | None = Field(default=None, ge=1, le=5000)
    past_only: bool = False
    county_set: bool = False

    @property
    def unit(self) -> str:
        """What a ``money`` value counts: 元, or the unit its label names last in
        brackets (面积（平方米）: 平方米). The type is the catalog's decimal of two places
        (a closed set, read by every station's software); an area is not money."""
        if self.type != "money":
            return ""
        named = _LABEL_UNIT.search(self.label)
        return named.group(1) if named else "元"


_LABEL_UNIT = re.compile(r"[（(]([平方米千公里亩顷万元/月年人户天斤克吨%％]{1,5})[）)]\s*$")
"""A unit named last in a label, in brackets: 建筑高度（米）, 面积（平方米）, 金额（万元）;
a bracketed note that is not one (补贴（含税）) names none."""


class FieldGroup(_Frozen):
    """A repeating block of fields, e.g. the family members of a 低保 household.

    The value of a group in a case's ``fields`` is a list of dicts, one per row.
    Groups are containers, not field types: the set of field types stays closed.
    """

    key: str = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")
    label: str = Field(min_length=1, max_length=40)
    min_rows: int = Field(default=0, ge=0)
    max_rows: int = Field(default=20, ge=1, le=100)
    help: str = ""
    fields: list[FieldSpec] = Field(min_length=1)


MaterialHandling = Literal["returned", "copy", "kept", "shared"]
"""原件核验后退还，留存复印件 / 留存复印件 / 收取原件 / 免证办 (数据共享)."""


class MaterialSpec(_Frozen):
    """One application material (申请材料).

    Attributes:
        key: ASCII key used in a case's ``materials``.
        name: the material's name as printed on the 一次性告知书.
        copies: how many copies.
        original: an original (原件, shown and returned) rather than a copy (复印件).
        required: needed at intake (unless ``deferrable``).
        deferrable: 容缺 allowed: may be supplied after intake.
        shareable: obtainable by data sharing (免证办): the resident brings nothing.
        standard: the standard it must meet, printed on the 一次性告知书.
        handling: how the station handles it (``returned``: 原件核验后退还，留存复印件;
            ``copy``: 留存复印件; ``kept``: 收取原件; ``shared``: 免证办); when absent,
            an original is kept and anything else is a copy (see :attr:`handled`).
    """

    key: str = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")
    name: str = Field(min_length=1, max_length=80)
    copies: int = Field(default=1, ge=1, le=20)
    original: bool = False
    required: bool = True
    deferrable: bool = False
    shareable: bool = False
    standard: str = ""
    handling: MaterialHandling | None = None

    @property
    def handled(self) -> MaterialHandling:
        """How the station handles it: the catalog's word, else kept (original) or copy."""
        if self.handling is not None:
            return self.handling
        return "kept" if self.original else "copy"


class Condition(_Frozen):
    """When a rule applies: ``field`` compared with ``value`` by ``op``.

    ``field`` is a form field key, ``relation`` (self / relative / guardian / agent), or a
    fact derived from the applicant's ID: ``applicant.age``, ``applicant.sex``
    (``male`` / ``female``).
    """

    field: str = Field(min_length=1)
    op: ConditionOp = "equals"
    value: Any = None


class Rule(_Frozen):
    """An eligibility rule (受理条件) checked before a case is taken in.

    Kinds:
        ``min_age`` / ``max_age``: the applicant's age from the ID number, in ``years``.
        ``required_when``: ``field`` must be filled in when ``when`` holds.
        ``material_when``: ``material`` is needed when ``when`` holds.
        ``any_material``: at least one of ``materials`` is provided (or deferred).
        ``refuse_when``: the application is refused when ``when`` holds.

    Every rule applies only when its ``when`` holds (if it has one) and its
    ``unless`` does not.
    """

    id: str = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")
    kind: RuleKind
    title: str = Field(min_length=1, max_length=80)
    years: int | None = Field(default=None, ge=0, le=150)
    field: str | None = None
    material: str | None = None
    materials: list[str] = Field(default_factory=list)
    when: Condition | None = None
    unless: Condition | None = None
    county_set: bool = False


FREE_WORDS = ("不收费", "免费", "免收")
"""How an old catalog's fee text says the item is free (read as ``free = true``)."""


class Fee(_Frozen):
    """收费标准及依据: exactly one of ``free``, ``amount`` or ``varies``.

    Attributes:
        free: nothing is charged (免费).
        amount: a fixed charge in yuan (元), e.g. ``20`` or ``"12.50"``.
        varies: the resident pays a sum that depends on a choice or a yearly
            standard (医保缴费档次...), collected by another body: ``note`` says how.
        note: one sentence printed with the fee (required when it varies).
        basis: the document that sets the charge (or waives it).
    """

    free: bool = False
    amount: Decimal | None = Field(default=None, gt=0, le=100000, decimal_places=2)
    varies: bool = False
    note: str = Field(default="", max_length=120)
    basis: str = Field(default="", max_length=200)

    @model_validator(mode="after")
    def _one_kind(self) -> Fee:
        kinds = [self.free, self.amount is not None, self.varies]
        if sum(kinds) != 1:
            raise ValueError(
                _("a fee is exactly one of free = true, amount = ... or varies = true")
            )
        if self.varies and not self.note.strip():
            raise ValueError(_("a fee that varies needs a note saying how it is paid"))
        return self

    def words(self) -> str:
        """The fee as the county reads it in a catalog's changes: 免费, 10.00元 or 另行缴纳,
        with its note and basis (the diff showed the model's dict)."""
        if self.free:
            main = "免费"
        elif self.amount is not None:
            main = f"{self.amount:.2f}元"
        else:
            main = "按标准另行缴纳"
        extra = "；".join(x for x in (self.note, f"依据：{self.basis}" if self.basis else "") if x)
        return f"{main}（{extra}）" if extra else main

    @classmethod
    def from_text(cls, text: str) -> Fee:
        """The fee of an older catalog, which held it as free text.

        Text that starts by saying the item is free (不收费, 免费) is free, the rest
        of it kept as the note; anything else becomes a fee that varies, the whole
        text its note. No number is ever read out of the text.
        """
        words = text.strip()
        for free in FREE_WORDS:
            if words.startswith(free):
                rest = words.removeprefix(free).strip(" ；;。,，")
                if rest.startswith(("（", "(")) and rest.endswith(("）", ")")):
                    rest = rest[1:-1]
                return cls(free=True, note=rest[:120])
        if not words:
            return cls(free=True)
        return cls(varies=True, note=words[:120])

    @property
    def kind(self) -> Literal["free", "fixed", "varies"]:
        """``free``, ``fixed`` (an amount) or ``varies``."""
        if self.free:
            return "free"
        return "fixed" if self.amount is not None else "varies"

    def text(self) -> str:
        """The fee in words, as screens and paper show it: 免费, 20.00元, or the note."""
        if self.varies:
            return self.note
        main = "免费" if self.free else f"{self.amount:,.2f}元"
        return f"{main}（{self.note}）" if self.note else main


class HandlingPath(_Frozen):
    """Which level takes the application in (收件), accepts it (受理) and decides (办结)."""

    intake: Level = "village"
    accept: Level = "township"
    decide: Level = "county"
    department: str = ""
    forward_days: int = Field(default=3, ge=0, le=30)


class ServiceItem(_Frozen):
    """One version of a service item (政务服务事项)."""

    code: str = Field(pattern=r"^[A-Z0-9][A-Z0-9-]{2,63}$")
    name: str = Field(min_length=2, max_length=80)
    short_name: str = Field(default="", max_length=20)
    aliases: list[str] = Field(default_factory=list)
    version: int = Field(default=1, ge=1)
    item_type: str = Field(min_length=2, max_length=20)
    service_object: Literal["自然人", "法人", "自然人和法人"] = "自然人"
    handling_kind: Literal["即办件", "承诺件"] = "承诺件"
    path: HandlingPath = Field(default_factory=HandlingPath)
    legal_days: int = Field(ge=0, le=365)
    promised_days: int = Field(ge=0, le=365)
    limit_note: str = ""
    defer_days: int = Field(default=5, ge=1, le=60)
    """Working days a resident has to supply a 容缺 (deferred) material."""
    fee: Fee = Field(default_factory=lambda: Fee(free=True))
    """收费标准 (``[fee]``); an older catalog's fee text is still read (:meth:`Fee.from_text`)."""
    basis: str = Field(min_length=2)
    result: str = ""
    uses_commitment: bool = False
    contact: str = ""
    phone: str = ""
    fields: list[FieldSpec] = Field(min_length=1)
    groups: list[FieldGroup] = Field(default_factory=list)
    materials: list[MaterialSpec] = Field(min_length=1)
    rules: list[Rule] = Field(default_factory=list)
    county_set: list[str] = Field(default_factory=list)
    notes: str = ""

    @field_validator("fee", mode="before")
    @classmethod
    def _fee_from_text(cls, value: Any) -> Any:
        return Fee.from_text(value) if isinstance(value, str) else value

    @property
    def title(self) -> str:
        """The short name if there is one, else the name."""
        return self.short_name or self.name

    def field(self, key: str) -> FieldSpec:
        """The field with this key (top level or in a group).

        Raises:
            KeyError: no such field.
        """
        for spec in self.fields:
            if spec.key == key:
                return spec
        for group in self.groups:
            for spec in group.fields:
                if spec.key == key:
                    return spec
        raise KeyError(key)

    def material(self, key: str) -> MaterialSpec:
        """The material with this key.

        Raises:
            KeyError: no such material.
        """
        for spec in self.materials:
            if spec.key == key:
                return spec
        raise KeyError(key)

    def fingerprint(self) -> str:
        """SHA-256 of the item's canonical JSON: equal content, equal fingerprint."""
        return hashlib.sha256(canonical_json(self.model_dump(mode="json"))).hexdigest()


class HolidayTable(_Frozen):
    """A year's public holidays and 调休 make-up working days, as the county publishes it."""

    year: int = Field(ge=2000, le=2100)
    provisional: bool = False
    source: str = ""
    holidays: list[date] = Field(default_factory=list)
    workdays: list[date] = Field(default_factory=list)


DivisionLevel = Literal["county", "township", "village"]
"""The levels of the division table: 县 / 乡镇 / 村（社区）."""

DOCUMENT_WORDS: dict[str, str] = {
    "acceptance": "受",
    "correction": "补",
    "rejection": "不受",
    "pause": "特",
    "denial": "不许",
    "approval": "准许",
}
"""The word after an office's 文号 prefix, by document: 海城便民受〔2026〕15号."""


class Division(_Frozen):
    """One administrative division of the county and its service office (行政区划表).

    Attributes:
        code: 12-digit division code (统计用区划代码).
        level: county, township or village.
        name: the division's name (海城镇, 山门村).
        office: the service office that speaks in its name on paper
            (海原县海城镇便民服务中心).
        phone: the office's public phone, printed on its documents.
        prefix: the office's 文号 prefix (机关代字), e.g. 海城便民.
        address: the office's address (where to bring corrections, apply instead).
        county_set: the attributes whose values are the county's to set (to confirm
            before publication: phones, prefixes...).
    """

    code: str = Field(pattern=r"^\d{12}$")
    level: DivisionLevel
    name: str = Field(min_length=1, max_length=40)
    office: str = Field(default="", max_length=60)
    phone: str = Field(default="", max_length=40)
    prefix: str = Field(default="", max_length=16)
    address: str = Field(default="", max_length=80)
    county_set: list[str] = Field(default_factory=list)

    @property
    def township_code(self) -> str:
        """The township this division belongs to (itself for a township)."""
        return township_code(self.code)


def township_code(code: str) -> str:
    """The township (乡镇) of a 12-digit division: ``640522100201`` → ``640522100000``."""
    return code[:9] + "000" if len(code) == 12 else code


def county_code(code: str) -> str:
    """The county of a division as a 12-digit code: ``640522100201`` → ``640522000000``."""
    return code[:6] + "000000"


class Catalog(_Frozen):
    """A published catalog: the county's items at one catalog version."""

    county: str = ""
    division: str = Field(default="", pattern=r"^(\d{6}|\d{12})?$")
    version: str = Field(min_length=1, max_length=40)
    published: date | None = None
    items: list[ServiceItem] = Field(default_factory=list)
    holiday_tables: list[HolidayTable] = Field(default_factory=list)
    retired: list[ServiceItem] = Field(default_factory=list)
    """Earlier published versions still needed by cases filed under them."""
    divisions: list[Division] = Field(default_factory=list)
    """The county's division table (``divisions.toml``): townships, villages, their offices."""

    def division_entry(self, code: str) -> Division | None:
        """The division table's entry for ``code``, or None."""
        return next((entry for entry in self.divisions if entry.code == code), None)

    def township_of(self, code: str) -> Division | None:
        """The township (乡镇) entry a division belongs to, or None when the table lacks it."""
        return self.division_entry(township_code(code)) if len(code) == 12 else None

    def full_address(self, address: str, division: str) -> str:
        """A resident's address as paper writes it, from the county down: a form's 户籍地址
        is often typed from the village (山门村一组), which on a township's notice leaves
        the county and the township out. A village of the county that the address starts
        with gives them (the case's own township first, a village of the same name being
        possible in two); an address naming a township gets the county; one that names a
        county, a city or a district already is left as it is, and so is one the table
        cannot place."""
        text = address.strip()
        county = self.division_entry(county_code(division)) if len(division) == 12 else None
        if not text or county is None or county.name in text:
            return address
        if any(mark in text[:8] for mark in "省市县区旗"):
            return address  # names its own county (or somewhere else): as written
        townships = {e.code: e for e in self.divisions if e.level == "township"}
        if any(text.startswith(t.name) for t in townships.values()):
            return county.name + text
        own = township_code(division)
        villages = sorted(
            (e for e in self.divisions if e.level == "village" and text.startswith(e.name)),
            key=lambda e: (township_code(e.code) != own, e.code),
        )
        township = townships.get(township_code(villages[0].code)) if villages else None
        return f"{county.name}{township.name}{text}" if township is not None else address

    def county_office(self) -> Division | None:
        """The county's own entry (its 政务服务中心), or None."""
        return next((entry for entry in self.divisions if entry.level == "county"), None)

    def get(self, code: str, version: int | None = None) -> ServiceItem:
        """The current item with this code, or a given (possibly retired) version of it.

        Args:
            code: the item code.
            version: the version a case was filed under (None: the current one).

        Raises:
            KeyError: no item has this code (and version).
        """
        for item in [*self.items, *self.retired]:
            if item.code == code and version in (None, item.version):
                return item
        raise KeyError(code if version is None else f"{code} v{version}")

    @property
    def codes(self) -> list[str]:
        """Every item code, in catalog order."""
        return [item.code for item in self.items]


def canonical_json(data: Any) -> bytes:
    """Canonical JSON: sorted keys, no spaces, UTF-8 (the form checksums are taken over)."""
    return json.dumps(
        data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str
    ).encode("utf-8")
