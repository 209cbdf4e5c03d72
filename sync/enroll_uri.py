"""What a station PC scans to enroll: ``daiban://enroll?central=URL&code=CODE``.

A URI with query parameters, so more can be added without breaking older readers
(issue 13 adds the centre's certificate fingerprint): a reader takes the parameters
it knows and ignores the others.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlencode, urlsplit

from sync.tls import normalise_fingerprint

SCHEME = "daiban"
ACTION = "enroll"
FINGERPRINT = "fingerprint"
"""The parameter carrying the SHA-256 (hex) of the centre's TLS certificate."""


@dataclass(frozen=True)
class EnrollTicket:
    """The centre's address and the one-time code, plus any later parameters."""

    central: str
    code: str
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def fingerprint(self) -> str | None:
        """The SHA-256 of the centre's certificate the station must pin (None: not given)."""
        return self.extra.get(FINGERPRINT) or None


def normalise_code(code: str) -> str:
    """A code as the centre keys it: upper case, without the spaces and dashes people type
    (``k7mq-4xrp`` is ``K7MQ4XRP``)."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def enroll_uri(central: str, code: str, **extra: str) -> str:
    """``daiban://enroll?central=…&code=…[&more=…]``.

    Args:
        central: the centre's base URL as the station reaches it.
        code: the one-time code (``K7MQ-4XRP``).
        **extra: further parameters (e.g. ``fingerprint``), appended in order.
    """
    values = {"central": central, "code": code, **extra}
    if not values.get(FINGERPRINT):
        values.pop(FINGERPRINT, None)  # a centre on plain HTTP has no certificate to pin
    query = urlencode(values)
    return f"{SCHEME}://{ACTION}?{query}"


def parse_enroll_uri(uri: str) -> EnrollTicket:
    """Read an enrollment URI back.

    Raises:
        ValueError: not a ``daiban://enroll`` URI, without its centre or code, or with a
            fingerprint that is not a SHA-256.
    """
    parts = urlsplit(uri.strip())
    if parts.scheme != SCHEME or parts.netloc != ACTION:
        raise ValueError(f"not a {SCHEME}://{ACTION} URI: {uri!r}")
    values = {key: found[0] for key, found in parse_qs(parts.query).items()}
    central, code = values.pop("central", ""), values.pop("code", "")
    if not central or not code:
        raise ValueError(f"the enrollment URI lacks the centre or the code: {uri!r}")
    if values.get(FINGERPRINT):
        values[FINGERPRINT] = normalise_fingerprint(values[FINGERPRINT])
    return EnrollTicket(central, code, values)
