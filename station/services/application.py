"""An application as the desk or ``daiban case import`` hands it over, and the service's errors."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from forms.validation import Problem
from sync.events import Role


class Attachment(BaseModel):
    """A scan already in the blob store."""

    model_config = ConfigDict(frozen=True)

    sha256: str
    name: str = ""
    material_key: str | None = None
    size: int = 0


class Application(BaseModel):
    """What a resident applies for; the same shape as a ``daiban case import`` line."""

    model_config = ConfigDict(extra="forbid")

    item_code: str
    """事项编码 of the service item."""
    applicant: dict[str, Any]
    """name, id_number, phone, address."""
    relation: Literal["self", "relative", "guardian", "agent"] = "self"
    principal: dict[str, Any] | None = None
    """The relative, guardian or agent acting for the applicant (same keys as applicant)."""
    fields: dict[str, Any] = Field(default_factory=dict)
    materials: dict[str, Literal["provided", "deferred", "shared", "missing"]] = Field(
        default_factory=dict
    )
    supply_by: dict[str, date | str] = Field(default_factory=dict)
    """容缺: the day each deferred material must be supplied by, as typed (checked at
    intake, with a message naming the material); a deferred one without a date gets
    the item's default (``defer_days`` working days)."""
    attachments: list[Attachment] = Field(default_factory=list)
    commitment: bool = False
    """告知承诺 signed by the applicant."""
    residence_division: str = ""
    """The resident's 户籍 division (12 digits) when registered elsewhere in the county:
    the case goes to the township in charge there (区内通办); empty: this township."""


@dataclass(frozen=True)
class Actor:
    """Who acts at the desk (or the import actor of a script)."""

    user_id: str
    role: Role
    name: str = ""
    phone: str = ""


class ValidationFailed(Exception):
    """The application cannot be taken in; nothing was written."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in problems))
        self.problems = problems


class ActionRefused(Exception):
    """The action is not allowed; the message is translated and says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
