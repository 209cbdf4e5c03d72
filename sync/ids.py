"""Identifiers made offline: UUIDv7 event and case ids, human case numbers."""

from __future__ import annotations

import re
from datetime import date
from uuid import UUID

from uuid6 import uuid7

CASE_NUMBER_RE = re.compile(r"^(?P<division>\d{12})-(?P<day>\d{8})-(?P<seq>\d{4,})$")


def new_id() -> UUID:
    """A time-ordered UUIDv7 (keeps SQLite and PostgreSQL B-trees append-only)."""
    return UUID(str(uuid7()))


def case_number(division: str, day: date, sequence: int) -> str:
    """The human case number, unique without asking anyone and ASCII only.

    Args:
        division: the station's 12-digit administrative-division code.
        day: the day the case was created at the station.
        sequence: the station's local sequence for that day, from 1.

    Returns:
        e.g. ``640522100201-20261122-0007``.
    """
    if not (len(division) == 12 and division.isdigit()):
        raise ValueError(f"division code must be 12 digits, got {division!r}")
    return f"{division}-{day:%Y%m%d}-{sequence:04d}"
