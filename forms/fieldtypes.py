"""Validators of the closed set of field types, one per type.

Each validator takes the field's spec and a non-empty value and returns
``None`` when the value is good, or a ``(severity, message)`` pair. Messages are
translated and name the field by its label.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from forms.catalog.model import FieldSpec
from forms.identity import IdNumberError, luhn_ok, parse_id_number, uscc_problem
from forms.messages import _

Verdict = tuple[str, str] | None
"""None (good) or (severity, message)."""

Validator = Callable[[FieldSpec, Any, date], Verdict]

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?[1-9]\d{6,7}(-\d{1,6})?$")
_TRUE = {"true", "yes", "1", "是", "y"}
_FALSE = {"false", "no", "0", "否", "n"}
TEXT_MAX = 100
LONG_TEXT_MAX = 2000


def _error(message: str, spec: FieldSpec, **extra: Any) -> Verdict:
    return ("error", _(message).format(label=spec.label, **extra))


def _warning(message: str, spec: FieldSpec, **extra: Any) -> Verdict:
    return ("warning", _(message).format(label=spec.label, **extra))


def _text(spec: FieldSpec, value: Any, today: date) -> Verdict:
    if not isinstance(value, str):
        return _error("{label}: must be text", spec)
    limit = spec.max_length or (LONG_TEXT_MAX if spec.type == "long_text" else TEXT_MAX)
    if len(value) > limit:
        return _error("{label}: at most {limit} characters", spec, limit=limit)
    if spec.type == "text" and "\n" in value:
        return _error("{label}: must be a single line", spec)
    return None


def _integer(spec: FieldSpec, value: Any, today: date) -> Verdict:
    if isinstance(value, bool):
        return _error("{label}: must be a whole number", spec)
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
        value = int(value)
    if not isinstance(value, int):
        return _error("{label}: must be a whole number", spec)
    return _bounds(spec, Decimal(value))


def _bounds(spec: FieldSpec, number: Decimal) -> Verdict:
    if spec.min is not None and number < spec.min:
        return _error("{label}: must be at least {min}", spec, min=spec.min)
    if spec.max is not None and number > spec.max:
        return _error("{label}: must be at most {max}", spec, max=spec.max)
    return None


def to_money(value: Any) -> Decimal | None:
    """A money value as a Decimal, or None when it is not a number (floats are refused)."""
    if isinstance(value, bool) or isinstance(value, float):
        return None
    if isinstance(value, int | Decimal):
        return Decimal(value)
    if isinstance(value, str):
        try:
            number = Decimal(value.strip().replace(",", ""))
        except InvalidOperation:
            return None
        return number if number.is_finite() else None
    return None


def _money(spec: FieldSpec, value: Any, today: date) -> Verdict:
    number = to_money(value)
    if number is None:
        return _error("{label}: must be an amount in yuan, e.g. 1200.50", spec)
    if number < 0:
        return _error("{label}: may not be negative", spec)
    if number != number.quantize(Decimal("0.01")):
        return _error("{label}: at most two decimal places", spec)
    return _bounds(spec, number)


def to_date(value: Any) -> date | None:
    """A date value (``date`` or ``YYYY-MM-DD``) as a date, or None."""
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _date(spec: FieldSpec, value: Any, today: date) -> Verdict:
    day = to_date(value)
    if day is None:
        return _error("{label}: not a valid date (YYYY-MM-DD)", spec)
    if spec.past_only and day > today:
        return _error("{label}: may not be in the future", spec)
    return None


def _choices(value: Any) -> list[str] | None:
    if isinstance(value, str):
        return [part.strip() for part in re.split(r"[,，、]", value) if part.strip()]
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return list(value)
    return None


def _choice(spec: FieldSpec, value: Any, today: date) -> Verdict:
    if not isinstance(value, str) or value not in spec.options:
        return _error(
            "{label}: {value} is not one of the options ({options})",
            spec,
            value=value,
            options="、".join(spec.options),
        )
    return None


def _multi_choice(spec: FieldSpec, value: Any, today: date) -> Verdict:
    chosen = _choices(value)
    if chosen is None:
        return _error("{label}: must be a list of options", spec)
    for option in chosen:
        if option not in spec.options:
            return _error(
                "{label}: {value} is not one of the options ({options})",
                spec,
                value=option,
                options="、".join(spec.options),
            )
    return None


def to_bool(value: Any) -> bool | None:
    """A yes/no value (bool, or 是/否, true/false, 1/0) as a bool, or None."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    return None


def _boolean(spec: FieldSpec, value: Any, today: date) -> Verdict:
    if to_bool(value) is None:
        return _error("{label}: must be yes or no", spec)
    return None


def _phone(spec: FieldSpec, value: Any, today: date) -> Verdict:
    if not isinstance(value, str):
        return _error("{label}: not a phone number", spec)
    compact = re.sub(r"[\s()（）]", "", value)
    if _MOBILE.match(compact) or _LANDLINE.match(compact):
        return None
    if compact.startswith("1"):
        return _error("{label}: a mobile number has 11 digits and starts with 13-19", spec)
    return _error(
        "{label}: not a phone number (mobile: 11 digits; landline with area code, e.g. 0954-1234567)",
        spec,
    )


_ID_MESSAGES = {
    "length": "{label}: an ID number has 18 characters",
    "format": "{label}: 17 digits followed by a digit or X",
    "checksum": "{label}: the check code is wrong",
    "birth_date": "{label}: the birth date in the number is not a real date",
    "future": "{label}: the birth date in the number lies in the future",
}


def _id_number(spec: FieldSpec, value: Any, today: date) -> Verdict:
    if not isinstance(value, str):
        return _error(_ID_MESSAGES["length"], spec)
    try:
        info = parse_id_number(value, today=today)
    except IdNumberError as exc:
        return _error(_ID_MESSAGES[exc.reason], spec)
    if not info.area_known:
        return _warning(
            "{label}: area code {area} is not in the birthplace table; check it",
            spec,
            area=info.area_code,
        )
    return None


_USCC_MESSAGES = {
    "length": "{label}: a unified social credit code has 18 characters",
    "format": "{label}: contains a character not allowed in a credit code (no I, O, S, V, Z)",
    "checksum": "{label}: the check code is wrong",
}


def _uscc(spec: FieldSpec, value: Any, today: date) -> Verdict:
    problem = uscc_problem(value) if isinstance(value, str) else "length"
    return None if problem is None else _error(_USCC_MESSAGES[problem], spec)


def _bank_account(spec: FieldSpec, value: Any, today: date) -> Verdict:
    compact = re.sub(r"[\s-]", "", value) if isinstance(value, str) else ""
    if not compact.isdigit():
        return _error("{label}: digits only", spec)
    if not 12 <= len(compact) <= 19:
        return _error("{label}: must have 12 to 19 digits", spec)
    if not luhn_ok(compact):
        return _warning("{label}: the card number fails the Luhn check; read it again", spec)
    return None


VALIDATORS: dict[str, Validator] = {
    "text": _text,
    "long_text": _text,
    "integer": _integer,
    "money": _money,
    "date": _date,
    "choice": _choice,
    "multi_choice": _multi_choice,
    "boolean": _boolean,
    "phone": _phone,
    "id_number": _id_number,
    "uscc": _uscc,
    "bank_account": _bank_account,
}
