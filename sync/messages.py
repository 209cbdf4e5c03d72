"""Translating what sync says to people (superseded reasons, bundle refusals, errors).

Reasons travel between station and centre in English (msgids) and are stored
that way; each end translates them when it shows them. Some carry a value
(a state, a role, a status code): ``translate_reason`` matches those patterns
and translates the template and the value.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from forms.i18n import translator

_ = translator(__file__)

_STATES = {
    "draft": "draft",
    "received": "received",
    "submitted": "submitted",
    "returned": "returned for correction",
    "accepted": "accepted",
    "processing": "processing",
    "paused": "paused",
    "completed": "completed",
    "delivered": "delivered",
    "rejected": "rejected",
    "withdrawn": "withdrawn",
    "discarded": "discarded",
}
_LEVELS = {
    "village": "village",
    "township": "township",
    "county": "county",
    "city": "city",
    "province": "province",
}
_ROLES = {
    "agent": "village agent",
    "reviewer": "township reviewer",
    "admin": "county administrator",
}


def _state(value: str) -> str:
    return _(_STATES.get(value, value))


def _role(value: str) -> str:
    return _(_ROLES.get(value, value))


_PATTERNS: list[tuple[re.Pattern[str], str, Callable[[dict[str, str]], dict[str, str]]]] = [
    (
        re.compile(r"^not allowed while the case is (?P<state>\w+)$"),
        "not allowed while the case is {state}",
        lambda g: {"state": _state(g["state"])},
    ),
    (
        re.compile(r"^a (?P<role>\w+) may not do this while the case is (?P<state>\w+)$"),
        "a {role} may not do this while the case is {state}",
        lambda g: {"role": _role(g["role"]), "state": _state(g["state"])},
    ),
    (
        re.compile(r"^(?P<path>[\w.]+) was not named for correction$"),
        "{path} was not named for correction",
        lambda g: g,
    ),
    (
        re.compile(r"^a (?P<role>\w+) may not record what could not be done$"),
        "a {role} may not record what could not be done",
        lambda g: {"role": _role(g["role"])},
    ),
    (
        re.compile(r"^the catalog has this item decided by the (?P<level>\w+): forward it$"),
        "the catalog has this item decided by the {level}: forward it",
        lambda g: {"level": _(_LEVELS.get(g["level"], g["level"]))},
    ),
    (
        re.compile(
            r"^the catalog has this item accepted by the (?P<level>\w+): not by the township$"
        ),
        "the catalog has this item accepted by the {level}: not by the township",
        lambda g: {"level": _(_LEVELS.get(g["level"], g["level"]))},
    ),
    (
        re.compile(r"^invalid payload: (?P<detail>.*)$", re.S),
        "the data of this action is invalid: {detail}",
        lambda g: g,
    ),
    (
        re.compile(r"^the station's token expired on (?P<date>[\d-]+): enroll this station again$"),
        "the station's token expired on {date}: enroll this station again",
        lambda g: g,
    ),
    (
        re.compile(r"^the centre refused the request \((?P<code>\d+)\): (?P<detail>.*)$", re.S),
        "the centre refused the request ({code}): {detail}",
        lambda g: {**g, "detail": translate_reason(g["detail"])},
    ),
    (
        re.compile(r"^the centre is not answering \((?P<code>\d+)\)$"),
        "the centre is not answering ({code})",
        lambda g: g,
    ),
    (
        re.compile(r"^the centre cannot be reached: (?P<detail>.*)$", re.S),
        "the centre cannot be reached: {detail}",
        lambda g: {"detail": transport_detail(g["detail"])},
    ),
    (  # a request the centre took, and no answer came (CentralNoAnswer)
        re.compile(r"^the centre did not answer: (?P<detail>.*)$", re.S),
        "the centre did not answer: {detail}",
        lambda g: {"detail": transport_detail(g["detail"])},
    ),
    (
        re.compile(r"^the centre did not answer \((?P<code>\d+)\)$"),
        "the centre did not answer ({code})",
        lambda g: g,
    ),
    (
        re.compile(r"^the centre's answer was not understood: (?P<detail>.*)$", re.S),
        "the centre's answer was not understood: {detail}",
        lambda g: g,
    ),
    (
        re.compile(
            r"^the centre accepts event schema (?P<low>\d+)-(?P<high>\d+), "
            r"this station writes (?P<mine>\d+): upgrade$"
        ),
        "the centre accepts event schema {low}-{high}, this station writes {mine}: upgrade",
        lambda g: g,
    ),
    (
        re.compile(
            r"^the file is (?P<size>[\d.]+) MB; attachments may be at most (?P<limit>\d+) MB$"
        ),
        "the file is {size} MB; attachments may be at most {limit} MB",
        lambda g: g,
    ),
]


_TRANSPORT = [
    (re.compile(r"timed? ?out|timeout", re.I), "the connection timed out"),
    (
        re.compile(r"connection refused", re.I),
        "the connection was refused (the centre may not be running)",
    ),
    (
        re.compile(
            r"name or service not known|getaddrinfo|nodename nor servname|name resolution", re.I
        ),
        "the centre's address was not found",
    ),
    (re.compile(r"network is unreachable|no route to host", re.I), "the network is down"),
    (re.compile(r"connection reset|broken pipe|disconnected", re.I), "the connection was cut off"),
    (
        re.compile(r"missing an 'http://' or 'https://' protocol|unsupported protocol", re.I),
        "the centre's address must begin with http:// or https://",
    ),
    (
        re.compile(r"certificate verify failed|CERTIFICATE_VERIFY_FAILED", re.I),
        "the centre's certificate is not one this PC trusts: enroll with the QR's link "
        "(--uri), or give the certificate's fingerprint (--fingerprint)",
    ),
    (
        re.compile(r"WRONG_VERSION_NUMBER|record layer failure|http_request", re.I),
        "the centre does not answer HTTPS at this address (is it http://?)",
    ),
]
"""What the network library says (English, from the operating system) as a person reads it."""


def transport_detail(detail: str) -> str:
    """Why the centre could not be reached, in the current language (the library's own
    words when they are none of the usual ones)."""
    for pattern, message in _TRANSPORT:
        if pattern.search(detail):
            return _(message)
    return detail


def translate_reason(reason: str | None) -> str:
    """A sync reason or error message in the current language.

    Args:
        reason: an English message from ``sync`` (a lifecycle or supersede
            reason, a bundle refusal, a client error), or None.

    Returns:
        The translation; text sync does not know is returned unchanged.
    """
    if not reason:
        return ""
    for pattern, template, values in _PATTERNS:
        match = pattern.match(reason)
        if match:
            return _(template).format(**values(match.groupdict()))
    return _(reason)


def write_error_text(path: object, reason: str) -> str:
    """Why a bundle could not be written, in the current language, naming the path."""
    return _("cannot write the bundle to {path}: {reason}").format(path=path, reason=_(reason))
