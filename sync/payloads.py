"""What each event kind carries: one pydantic model per payload.

The event envelope (``sync.events.Event``) is the same for every kind; the
``payload`` dict differs. These models document and check it. Unknown extra
keys are kept (a newer station may add some); known keys are type-checked.

``validate_payload(kind, payload)`` is what the station calls before it writes
an event and what the centre calls before it accepts one.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

from sync.events import EventKind

Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
"""A non-blank reason, shown to the agent or the resident."""

MaterialStatus = Literal["provided", "deferred", "shared", "missing"]
"""provided 已提供 / deferred 容缺 / shared 免证办 (data sharing) / missing 缺."""
_MATERIAL_STATUSES = ("provided", "deferred", "shared", "missing")

Relation = Literal["self", "relative", "guardian", "agent"]
"""Who came to the desk for the applicant: the applicant, a relative, a guardian (监护人: a
newborn's parent, the guardian of a person without capacity), an agent (委托)."""

CaseKind = Literal["application", "unresolved"]
"""An application (办件) or a 办不成事 record (what could not be done, and why)."""

Result = Literal["approved", "denied", "approved_deferred"]
"""通过 / 不通过 / 容缺通过."""


MAX_PROMISED_DAYS = 365
"""承诺时限: no service item promises more than a year; a larger count (a forged or corrupt
event) is refused at validation, so due dates and the county's statistics stay computable."""
MAX_ATTACHMENT_BYTES = 1 << 40
"""A bound on an attachment's announced size (the centre's upload limit is far lower)."""


class PayloadModel(BaseModel):
    """Base of every payload model: known keys checked, unknown ones kept."""

    model_config = ConfigDict(extra="allow", frozen=True)


class Person(PayloadModel):
    """An applicant or principal (申请人 / 委托人)."""

    name: Reason
    id_number: str = ""
    phone: str = ""
    address: str = ""


class Attachment(PayloadModel):
    """A scanned material, stored content-addressed by SHA-256."""

    sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
    name: str = ""
    size: int = Field(default=0, ge=0, le=MAX_ATTACHMENT_BYTES)
    material_key: str | None = None


class CreatedPayload(PayloadModel):
    """``created``: the whole application as taken in (or a 办不成事 record)."""

    kind: CaseKind = "application"
    item_code: str = ""
    item_version: str = ""
    item_name: str = ""
    catalog_version: str = ""
    """The station's catalog when the case was filed: ``<number>:<version>`` (同源发布)."""
    promised_days: int | None = Field(default=None, ge=0, le=MAX_PROMISED_DAYS)
    applicant: Person | None = None
    relation: Relation = "self"
    principal: Person | None = None
    fields: dict[str, Any] = Field(default_factory=dict)
    materials: dict[str, MaterialStatus] = Field(default_factory=dict)
    supply_by: dict[str, date] = Field(default_factory=dict)
    """容缺 materials: the day by which each must be supplied."""
    attachments: list[Attachment] = Field(default_factory=list)
    commitment: bool = False
    """告知承诺: the applicant signed the commitment."""
    station_name: str = ""
    agent_name: str = ""
    agent_phone: str = ""
    what: str = ""
    """办不成事: what the resident wanted done."""
    why: str = ""
    """办不成事: why it could not be done."""
    contact: str = ""
    """办不成事: how to reach the resident."""
    handling_division: str | None = Field(default=None, pattern=r"^\d{9}000$")
    """区内通办: the 12-digit division of the township (or the county) in charge, when
    the resident is registered elsewhere in the county; None: the taking station's
    township. The centre routes the case there (it must lie in the event's county)."""

    @field_validator("item_version", mode="before")
    @classmethod
    def _version_as_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) else value

    @model_validator(mode="after")
    def _complete(self) -> CreatedPayload:
        if self.kind == "application":
            if not self.item_code:
                raise ValueError("an application needs a service item code")
            if self.applicant is None:
                raise ValueError("an application needs an applicant")
        elif not (self.what.strip() and self.why.strip()):
            raise ValueError("an unresolved record needs what was asked and why it failed")
        return self


class EditedPayload(PayloadModel):
    """``edited``: fields/materials/supply_by are merged; applicant/principal replaced."""

    fields: dict[str, Any] | None = None
    applicant: Person | None = None
    principal: Person | None = None
    relation: Relation | None = None
    materials: dict[str, MaterialStatus] | None = None
    supply_by: dict[str, date] | None = None
    commitment: bool | None = None


class EmptyPayload(PayloadModel):
    """``received``, ``submitted``, ``resubmitted``, ``resumed``, ``discarded``."""


class AcceptedPayload(PayloadModel):
    """``accepted`` 受理: may set the promised limit and the officer in charge."""

    promised_days: int | None = Field(default=None, ge=0, le=MAX_PROMISED_DAYS)
    officer: str | None = None


class ReturnedPayload(PayloadModel):
    """``returned`` 退回补正: why, which materials are missing, which fields to correct."""

    reason: Reason
    missing: list[str] = Field(default_factory=list)
    """Material keys to supply or correct."""
    fields: list[str] = Field(default_factory=list)
    """Fields to correct: form field keys (``bank_account``) or person paths
    (``applicant.phone``)."""
    allow_more: bool = False
    """The reviewer lets the agent correct other fields and materials too."""
    reasons: dict[str, str] = Field(default_factory=dict)
    """Why each named item is to be corrected, by ``materials.KEY`` / ``fields.KEY`` /
    ``applicant.KEY`` (the 补正告知书's table and the village's correction list)."""

    @model_validator(mode="after")
    def _reasons_name_items(self) -> ReturnedPayload:
        named = {f"materials.{key}" for key in self.missing}
        named |= {path if "." in path else f"fields.{path}" for path in self.fields}
        for path in self.reasons:
            if path not in named:
                raise ValueError(f"{path!r} has a reason but is not named for correction")
        return self


CORRECTABLE_PREFIXES = ("fields.", "materials.", "applicant.", "principal.")
"""Where a correction may change a value: ``fields.bank_account``, ``materials.id_card``,
``applicant.phone``."""


class Change(PayloadModel):
    """One corrected value: what it was and what it is now."""

    old: Any = None
    new: Any = None


class CorrectedPayload(PayloadModel):
    """``corrected`` 补正更正: values changed while returned, each with its old value."""

    changes: dict[str, Change] = Field(min_length=1)
    """By path (see ``CORRECTABLE_PREFIXES``)."""

    @field_validator("changes")
    @classmethod
    def _paths(cls, value: dict[str, Change]) -> dict[str, Change]:
        for path, change in value.items():
            prefix = next((p for p in CORRECTABLE_PREFIXES if path.startswith(p)), None)
            if prefix is None or len(path) == len(prefix):
                raise ValueError(f"{path!r} is not a correctable field or material")
            if change.old == change.new:
                raise ValueError(f"{path!r} does not change")
            if prefix == "materials." and change.new not in _MATERIAL_STATUSES:
                raise ValueError(f"{path!r}: unknown material status {change.new!r}")
        return value


class SupplementedPayload(PayloadModel):
    """``supplemented`` 补充材料: material statuses merged, attachments added."""

    materials: dict[str, MaterialStatus] = Field(default_factory=dict)
    attachments: list[Attachment] = Field(default_factory=list)


class RejectedPayload(PayloadModel):
    """``rejected`` 不予受理: why, and where to apply instead."""

    reason: Reason
    apply_instead: str | None = None
    basis: str | None = None
    """The legal basis of the refusal (法律依据), as printed on the 不予受理通知书."""


ForwardTarget = Literal["department", "township"]
"""转办 to the deciding department of the handling path, or to another township."""


class ForwardedPayload(PayloadModel):
    """``forwarded`` 转办: the department (or township) the case goes to."""

    to: Reason
    target: ForwardTarget = "department"
    level: str | None = None
    """The level of the handling path that decides (``county``, ...), for a department."""
    division: str | None = Field(default=None, pattern=r"^\d{12}$")
    """The 12-digit division of the township the case goes to (区内通办)."""
    note: str | None = None


class PausedPayload(PayloadModel):
    """``paused`` 特别程序: why, and what kind (公示, 调查, 鉴定, ...)."""

    reason: Reason
    kind: str = ""
    expected_days: int | None = Field(default=None, ge=1, le=365)
    """How many days the procedure is expected to take (公示 usually 7)."""


class CompletedPayload(PayloadModel):
    """``completed`` 办结: 通过 / 不通过 / 容缺通过."""

    result: Result
    note: str | None = None


class HandedOverPayload(PayloadModel):
    """``handed_over`` 送达: how the result reached the resident, who signed."""

    how: Reason
    signed_by: str = ""


RATING_WORDS = {1: "非常不满意", 2: "不满意", 3: "基本满意", 4: "满意", 5: "非常满意"}
"""好差评 levels in the words the resident chose from (the 政务服务好差评 five levels)."""


class RatedPayload(PayloadModel):
    """``rated`` 好差评: 1 (very dissatisfied) .. 5 (very satisfied)."""

    rating: int = Field(ge=1, le=5)
    reason: str | None = None

    @model_validator(mode="after")
    def _reason_for_bad(self) -> RatedPayload:
        if self.rating <= 2 and not (self.reason or "").strip():
            raise ValueError("a rating of 2 or less needs a reason")
        return self


class RatingCorrectedPayload(PayloadModel):
    """``rating_corrected`` 更正好差评: an audited change of a saved rating (never an overwrite)."""

    old: int = Field(ge=1, le=5)
    """The rating as saved (must be the case's current rating)."""
    new: int = Field(ge=1, le=5)
    why: Reason
    """Why the rating is corrected (who asked, what was wrong)."""
    reason: str | None = None
    """The resident's reason for the new level (required for 1-2)."""

    @model_validator(mode="after")
    def _checked(self) -> RatingCorrectedPayload:
        if self.old == self.new:
            raise ValueError("the corrected rating is the same as the saved one")
        if self.new <= 2 and not (self.reason or "").strip():
            raise ValueError("a rating of 2 or less needs a reason")
        return self


class ReportedPayload(PayloadModel):
    """``reported`` 办不成事登记: what the resident wanted and why it could not be done."""

    what: Reason
    why: Reason
    contact: str = ""
    station_name: str = ""
    agent_name: str = ""


class WithdrawnPayload(PayloadModel):
    """``withdrawn`` 撤件: why the applicant withdrew."""

    reason: Reason


class AcknowledgedPayload(PayloadModel):
    """``acknowledged``: the agent has read why earlier events were superseded."""


class ClaimedPayload(PayloadModel):
    """``claimed`` 认领: a reviewer takes the case, so a colleague sees it is taken."""

    name: str = ""
    """The reviewer's name as shown to colleagues."""


class IdRevealedPayload(PayloadModel):
    """``id_revealed`` 查看完整号码: whose full ID number was shown (never the number)."""

    whose: Literal["applicant", "principal"] = "applicant"
    name: str = ""
    """Who looked, by name (the actor id names the account)."""


PAYLOADS: dict[EventKind, type[PayloadModel]] = {
    EventKind.created: CreatedPayload,
    EventKind.edited: EditedPayload,
    EventKind.discarded: EmptyPayload,
    EventKind.received: EmptyPayload,
    EventKind.submitted: EmptyPayload,
    EventKind.accepted: AcceptedPayload,
    EventKind.returned: ReturnedPayload,
    EventKind.supplemented: SupplementedPayload,
    EventKind.resubmitted: EmptyPayload,
    EventKind.rejected: RejectedPayload,
    EventKind.forwarded: ForwardedPayload,
    EventKind.paused: PausedPayload,
    EventKind.resumed: EmptyPayload,
    EventKind.completed: CompletedPayload,
    EventKind.handed_over: HandedOverPayload,
    EventKind.rated: RatedPayload,
    EventKind.withdrawn: WithdrawnPayload,
    EventKind.acknowledged: AcknowledgedPayload,
    EventKind.corrected: CorrectedPayload,
    EventKind.rating_corrected: RatingCorrectedPayload,
    EventKind.reported: ReportedPayload,
    EventKind.claimed: ClaimedPayload,
    EventKind.id_revealed: IdRevealedPayload,
}


def _describe(error: ValidationError) -> str:
    parts = []
    for item in error.errors():
        where = ".".join(str(p) for p in item["loc"])
        message = str(item["msg"]).removeprefix("Value error, ")
        parts.append(f"{where}: {message}" if where else message)
    return "; ".join(parts)


_BY_TEXT: dict[str, type[PayloadModel]] = {kind.value: model for kind, model in PAYLOADS.items()}
"""``PAYLOADS`` by the kind's text, looked up without calling the enum (once per event)."""


def validate_payload(kind: EventKind | str, payload: dict[str, Any]) -> PayloadModel:
    """Check an event's payload against its kind.

    Args:
        kind: the event kind.
        payload: the payload as it is (or will be) stored in the event.

    Returns:
        The parsed payload model.

    Raises:
        ValueError: the kind is unknown or the payload does not fit it; the
            message names the field and what is wrong (English, not translated).
    """
    model = _BY_TEXT.get(kind)  # a StrEnum member or its text: the same key
    if model is None:
        try:
            model = PAYLOADS[EventKind(kind)]
        except ValueError:
            raise ValueError(f"unknown event kind {kind!r}") from None
    try:
        return model.model_validate(payload)
    except ValidationError as error:
        raise ValueError(f"{EventKind(kind).value} payload: {_describe(error)}") from None
