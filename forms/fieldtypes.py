"""Validators and normalisers of the closed set of field types, one per type.

Each validator takes the field's spec and a non-empty value and returns
``None`` when the value is good, or a ``(severity, message)`` pair. Messages are
translated and name the field by its label.

Each normaliser turns a value as typed into the value a case stores: full-width
digits made ASCII (１２３ → 123), money as a plain decimal (``¥1,234.50元`` →
``1234.50``, ``3.5万`` → ``35000``), dates as ``YYYY-MM-DD``, an ID number's trailing ``x`` as ``X``,
spaces out of phone and card numbers. A value that cannot be read is left as
typed, for its validator to refuse. Validators judge the normalised value.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from forms.catalog.model import FieldSpec
from forms.identity import (
    IdNumberError,
    compact_id_number,
    luhn_ok,
    parse_id_number,
    uscc_problem,
)
from forms.messages import _

Verdict = tuple[str, str] | None
"""None (good) or (severity, message)."""

Validator = Callable[[FieldSpec, Any, date], Verdict]
Normaliser = Callable[[FieldSpec, Any], Any]

EARLIEST_DATE = date(1900, 1, 1)
"""No date on a form lies before this (a year typed 1026 for 2026 is a typo)."""
FUTURE_YEARS = 2
"""A date that may lie in the future (预产期...) lies at most this many years ahead."""

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?[1-9]\d{6,7}(-\d{1,6})?$")
_MONEY = re.compile(r"^-?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")
"""A plain amount or one with thousands separators in the right places (1,234.50)."""
WAN = "万"
"""Ten thousand, as amounts are said: 3.5万 (元) is 35000."""
_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$|^(\d{4})(\d{2})(\d{2})$")
"""``2026-12-15`` (``/``, ``.`` or 年月日 between) or ``20261215``, as typed on a keypad."""
_DIGIT = re.compile(r"\d")
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
    if is_person_name(spec) and _DIGIT.search(value):
        return _error("{label}: a name has no digits", spec)
    return None


def is_person_name(spec: FieldSpec) -> bool:
    """Whether a text field holds a person's name (``name``, or a label ending in 姓名)."""
    return spec.type == "text" and (spec.key == "name" or spec.label.endswith("姓名"))


def ascii_text(value: str) -> str:
    """Full-width letters, digits and punctuation as ASCII (NFKC), spaces trimmed."""
    return unicodedata.normalize("NFKC", value).strip()


def _integer(spec: FieldSpec, value: Any, today: date) -> Verdict:
    if isinstance(value, bool):
        return _error("{label}: must be a whole number", spec)
    if isinstance(value, str) and re.fullmatch(r"-?[0-9]+", ascii_text(value)):
        value = int(ascii_text(value))
    if not isinstance(value, int):
        return _error("{label}: must be a whole number", spec)
    return _bounds(spec, Decimal(value))


def _bounds(spec: FieldSpec, number: Decimal) -> Verdict:
    if spec.min is not None and number < spec.min:
        return _error("{label}: must be at least {min}", spec, min=spec.min)
    if spec.max is not None and number > spec.max:
        return _error("{label}: must be at most {max}", spec, max=spec.max)
    return None


def to_money(value: Any, unit: str = "元") -> Decimal | None:
    """A money value as a Decimal, or None when it is not a number (floats are refused).

    Text may have full-width digits, a ``¥`` in front, ``元`` after and thousands
    separators in the right places: ``￥１,２３４.５０元`` is 1234.50; ``1,23`` is refused.
    An amount in yuan may be written in 万 as people say it: ``3.5万`` and ``1.2万元``
    are 35000 and 12000. Only in yuan: where the field counts another unit (万元,
    平方米), ``3.5万`` could mean either number and is refused.

    Args:
        value: as typed, stored or imported.
        unit: what the field counts (``FieldSpec.unit``).
    """
    if isinstance(value, bool) or isinstance(value, float):
        return None
    if isinstance(value, int | Decimal):
        return Decimal(value) if Decimal(value).is_finite() else None
    if not isinstance(value, str):
        return None
    text = ascii_text(value).replace(" ", "").removeprefix("¥").removesuffix("元")
    scale = 1
    if text.endswith(WAN):
        if unit != "元":
            return None
        text, scale = text.removesuffix(WAN), 10_000
    if not _MONEY.match(text):
        return None
    try:
        number = Decimal(text.replace(",", ""))
    except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
        return None
    if scale == 1:
        return number
    number *= scale  # 3.5万: 35000, never 35000.0 nor 3.5E+4
    return (
        number.quantize(Decimal(1)) if number == number.to_integral_value() else number.normalize()
    )


def _normal_money(spec: FieldSpec, value: Any) -> Any:
    number = to_money(value, spec.unit)
    return value if number is None else str(number)


def _money(spec: FieldSpec, value: Any, today: date) -> Verdict:
    number = to_money(value, spec.unit)
    if number is None:
        if spec.unit != "元" and isinstance(value, str) and WAN in value:
            return _error("{label}: a number of {unit}, written without 万", spec, unit=spec.unit)
        return _error("{label}: must be an amount in yuan, e.g. 1200.50", spec)
    if number < 0:
        return _error("{label}: may not be negative", spec)
    if number != number.quantize(Decimal("0.01")):
        return _error("{label}: at most two decimal places", spec)
    return _bounds(spec, number)


def to_date(value: Any) -> date | None:
    """A real date (a ``date``, or ``YYYY-MM-DD``; ``/``, ``.``, 年月日 or none also read), or None.

    ``2026-13-45`` and ``2026-02-30`` are None: not a day of the calendar.
    """
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        return None
    found = _DATE.match(ascii_text(value))
    if found is None:
        return None
    try:
        return date(*(int(part) for part in found.groups() if part is not None))
    except ValueError:
        return None


def _normal_date(value: Any) -> Any:
    day = to_date(value)
    return value if day is None else day.isoformat()


def latest_date(spec: FieldSpec, today: date) -> date:
    """The latest date a field accepts: today when it is past-only, else a few years ahead."""
    if spec.past_only:
        return today
    try:
        return today.replace(year=today.year + FUTURE_YEARS)
    except ValueError:  # 29 February, in a year that has none
        return today.replace(year=today.year + FUTURE_YEARS, day=28) + timedelta(days=1)


def _date(spec: FieldSpec, value: Any, today: date) -> Verdict:
    day = to_date(value)
    if day is None:
        return _error("{label}: not a valid date (YYYY-MM-DD)", spec)
    if spec.past_only and day > today:
        return _error("{label}: may not be in the future", spec)
    if day < EARLIEST_DATE:
        return _error("{label}: may not be before {earliest}", spec, earliest=EARLIEST_DATE)
    latest = latest_date(spec, today)
    if day > latest:
        return _error("{label}: may not be after {latest}", spec, latest=latest)
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
    compact = compact_phone(value)
    if _MOBILE.match(compact) or _LANDLINE.match(compact):
        return None
    if compact.startswith("1"):  # no local landline starts with 1: a mobile cut short
        return _error("{label}: a mobile number has 11 digits and starts with 13-19", spec)
    if compact.isdigit() and len(compact) in (7, 8):  # a local landline, its area code left out
        return _error("{label}: a landline needs its area code, e.g. 0954-1234567", spec)
    return _error(
        "{label}: not a phone number (mobile: 11 digits; landline with area code, e.g. 0954-1234567)",
        spec,
    )


def is_phone(value: str) -> bool:
    """Whether ``value`` is a mobile (11 digits, 13-19…) or a landline with its area code."""
    compact = compact_phone(value)
    return bool(_MOBILE.match(compact) or _LANDLINE.match(compact))


def compact_phone(value: str) -> str:
    """A phone number without spaces or brackets, full-width digits made ASCII."""
    return re.sub(r"[\s()]", "", ascii_text(value))


def _normal_phone(value: Any) -> Any:
    return compact_phone(value) if isinstance(value, str) else value


_ID_MESSAGES = {
    "length": "{label}: an ID number has 18 characters",
    "old15": "{label}: this is an old 15-digit number; enter the 18-digit ID number",
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


def _normal_id(value: Any) -> Any:
    return compact_id_number(value) if isinstance(value, str) else value


def _uscc(spec: FieldSpec, value: Any, today: date) -> Verdict:
    problem = uscc_problem(value) if isinstance(value, str) else "length"
    return None if problem is None else _error(_USCC_MESSAGES[problem], spec)


def compact_account(value: str) -> str:
    """A bank account number without spaces or hyphens, full-width digits made ASCII."""
    return re.sub(r"[\s-]", "", ascii_text(value))


def is_bank_card(number: str) -> bool:
    """Whether a compact account number is a UnionPay card's (16 to 19 digits from 62).

    Every such card number (the 社保卡 financial account included) passes the Luhn
    check; a passbook (存折) account number need not.
    """
    return number.startswith("62") and 16 <= len(number) <= 19


def _bank_account(spec: FieldSpec, value: Any, today: date) -> Verdict:
    compact = compact_account(value) if isinstance(value, str) else ""
    if not re.fullmatch(r"[0-9]+", compact):
        return _error("{label}: digits only", spec)
    if not 12 <= len(compact) <= 19:
        return _error("{label}: must have 12 to 19 digits", spec)
    if luhn_ok(compact):
        return None
    if is_bank_card(compact):
        return _error(
            "{label}: this card number is wrong (Luhn check); copy it from the card", spec
        )
    return _warning("{label}: the card number fails the Luhn check; read it again", spec)


def _normal_account(value: Any) -> Any:
    return compact_account(value) if isinstance(value, str) else value


def _normal_integer(value: Any) -> Any:
    if isinstance(value, str) and re.fullmatch(r"-?[0-9]+", ascii_text(value)):
        return int(ascii_text(value))
    return value


def _normal_boolean(value: Any) -> Any:
    answer = to_bool(value)
    return value if answer is None else answer


def _normal_choices(value: Any) -> Any:
    chosen = _choices(value)
    return value if chosen is None else chosen


def _stripped(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _normal_uscc(value: Any) -> Any:
    return re.sub(r"\s", "", ascii_text(value)).upper() if isinstance(value, str) else value


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


def _by_value(normal: Callable[[Any], Any]) -> Normaliser:
    """A normaliser that needs only the value (money needs the field's unit too)."""
    return lambda spec, value: normal(value)


NORMALISERS: dict[str, Normaliser] = {
    "text": _by_value(_stripped),
    "long_text": _by_value(_stripped),
    "integer": _by_value(_normal_integer),
    "money": _normal_money,
    "date": _by_value(_normal_date),
    "choice": _by_value(_stripped),
    "multi_choice": _by_value(_normal_choices),
    "boolean": _by_value(_normal_boolean),
    "phone": _by_value(_normal_phone),
    "id_number": _by_value(_normal_id),
    "uscc": _by_value(_normal_uscc),
    "bank_account": _by_value(_normal_account),
}


def normalise(spec: FieldSpec, value: Any) -> Any:
    """The value a case stores for what was typed (see the module docstring).

    Args:
        spec: the field.
        value: as typed or imported.

    Returns:
        The normalised value; a value that cannot be read comes back unchanged.
    """
    return NORMALISERS[spec.type](spec, value)
