"""The public progress page's key and address (扫码查询进度), shared by station and centre.

A case's key is 128 random bits made at take-in and carried in its ``created``
payload (``progress_key``): the receipt printed offline already carries the
address, and the centre learns the key when the case syncs. A random key, not an
HMAC of the case number, because a station cannot hold the centre's secret (a
stolen laptop would then let anyone derive every case's address) and a random
key needs nothing at print time but the county's base URL.
"""

from __future__ import annotations

import re
import secrets

PAYLOAD_KEY = "progress_key"
"""The ``created`` payload's key carrying the case's progress key."""
PAGE_PREFIX = "/p/"
"""The public page's path at the county's public base URL: ``<base>/p/<key>``."""
KEY_PATTERN = re.compile(r"^[A-Za-z0-9_-]{22}$")
"""A key as made by :func:`new_progress_key`: 16 bytes, URL-safe base64 without padding."""


def new_progress_key() -> str:
    """A fresh unguessable key (128 random bits, 22 URL-safe ASCII characters)."""
    return secrets.token_urlsafe(16)


def is_progress_key(value: str) -> bool:
    """True when ``value`` has the shape of a progress key (says nothing of whether it exists)."""
    return bool(KEY_PATTERN.match(value))


def progress_url(base_url: str, key: str) -> str | None:
    """The public page of a case, or None when the county has no public URL or no key.

    Args:
        base_url: the county's public base URL (``https://zwfw.example.gov.cn``).
        key: the case's progress key (empty for cases taken in by older software).

    Returns:
        ``<base>/p/<key>`` (ASCII, for the QR code), or None.
    """
    base = base_url.strip().rstrip("/")
    if not base or not is_progress_key(key) or not base.isascii():
        return None
    return f"{base}{PAGE_PREFIX}{key}"


def masked_name(name: str) -> str:
    """A name as the public page shows it: 王*芳, 李*, 欧**娜; only first and last kept.

    Args:
        name: the full name.

    Returns:
        The name with every character but the first (and the last, for three or more) masked.
    """
    name = name.strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return f"{name[0]}*"
    return f"{name[0]}{'*' * (len(name) - 2)}{name[-1]}"
