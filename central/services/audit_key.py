"""The audit key and the signed head of each chain: kept on disk, never in the database.

The links of both audit chains (events, administrative acts) are HMAC-SHA256 with
this key, so whoever can write the database but not the centre's data directory
cannot recompute a chain after changing it. The head file (``<key>.head``) holds,
for each chain, the newest verified link, its sequence number and the count of
links, signed with the same key: deleting the newest rows leaves the chain shorter
than its signed head.

The key is found through the engine the caller works on (:func:`attach`), so the
services that append links keep their signatures.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import secrets
import weakref
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine

from sync.files import write_private

KEY_BYTES = 32
_KEYS: weakref.WeakKeyDictionary[Engine, bytes] = weakref.WeakKeyDictionary()


class AuditKeyError(RuntimeError):
    """No audit key for this database (it must come from the centre's data directory)."""


@dataclass(frozen=True)
class Head:
    """The newest link of one chain as last verified."""

    seq: int
    hash: str
    count: int


def load_or_create(path: Path) -> bytes:
    """The key in ``path``; a new random one (file mode 0600) when there is none.

    Args:
        path: the key file (``audit_key_path`` in the settings).

    Returns:
        The key's bytes.
    """
    if path.exists():
        return bytes.fromhex(path.read_text(encoding="ascii").strip())
    key = secrets.token_bytes(KEY_BYTES)
    write_private(path, key.hex() + "\n", exclusive=True)
    return key


def attach(engine: Engine, key: bytes) -> None:
    """Remember ``key`` as the audit key of everything done through ``engine``."""
    _KEYS[engine] = key


def key_for(connection: Connection) -> bytes:
    """The audit key of the connection's engine.

    Raises:
        AuditKeyError: the engine was made without one (see :func:`attach`).
    """
    key = _KEYS.get(connection.engine)
    if key is None:
        raise AuditKeyError("no audit key attached to this database engine")
    return key


def mac(key: bytes, text: str) -> str:
    """HMAC-SHA256 of ``text`` with the audit key, hex."""
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()


def head_path(key_path: Path) -> Path:
    """Where the signed heads live: beside the key."""
    return key_path.with_name(key_path.name + ".head")


def read_heads(key_path: Path, key: bytes) -> dict[str, Head] | None:
    """The signed heads by chain name; ``{}`` when never written, None when the file
    is there but its signature does not hold (edited, or another key)."""
    path = head_path(key_path)
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        body = data["heads"]
    except (ValueError, KeyError, TypeError):
        return None
    if not hmac.compare_digest(str(data.get("mac", "")), mac(key, _canonical(body))):
        return None
    return {name: Head(**value) for name, value in body.items()}


def write_heads(key_path: Path, key: bytes, heads: dict[str, Head]) -> None:
    """Sign and store the heads (replacing the file atomically, mode 0600)."""
    body = {name: asdict(head) for name, head in sorted(heads.items())}
    text = json.dumps({"heads": body, "mac": mac(key, _canonical(body))}, indent=1)
    write_private(head_path(key_path), text + "\n")


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def remove_heads(key_path: Path) -> None:
    """Forget the heads (tests; a re-keyed centre)."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(head_path(key_path))
