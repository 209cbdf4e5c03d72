"""Station-wide key/value state: identity, gapless counters, the pull cursor."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, bindparam, insert, select, update
from sqlalchemy import delete as sql_delete

from station.store.tables import META

IDENTITY = "identity"
NEXT_STATION_SEQ = "next_station_seq"
PULL_CURSOR = "pull_cursor"
CLOCK_SKEW = "clock_skew_seconds"
CATALOG_VERSION = "catalog_version"
FTS_REBUILD = "fts_rebuild"
OWED_REBUILD = "owed_rebuild"
"""Set by migration 0013: the cases' ``owed_by`` is filled at the next open."""
PUBLIC_BASE_URL = "public_base_url"
"""The county's public base URL as the centre last said at hello (receipts' QR codes)."""
ID_HASH_KEY = "id_hash_key"
"""The station's random key of the cases' keyed ID hash (hex; migration 0007)."""
RENUMBERED = "renumbered"
"""The cases this station renumbered because the centre held their number (a PC restored
from an older backup numbered them again): a JSON list of ``{case_id, old, new, at}``, so
the desk asks for the receipt to be printed again under the new number (``renumbered``)."""
RESTORED = "restored_from"
"""Set by ``daiban station restore`` (the backup's UTC time) until the next sync succeeds:
a case taken in before then may get a number the centre already holds."""
ENROLL_KEY = "enroll_key"
"""The station's random key (hex) of its enrollment attempts: ``HMAC(key, code)`` is the
secret sent with a code, the same at every try (``StationStore.enroll_attempt``)."""
SAVE_FOLDER = "save_folder:"
"""With a name after it (``save_folder:reports``): the folder a desk's file export last
saved to, offered again the next time (``StationStore.save_folder``)."""
RECEIPT_OWED = "receipt_owed:"
"""With a case id after it (hex): a case taken in at the desk whose 收件回执 has not been
kept yet. Written in the take-in's transaction, removed once the receipt's PDF is kept, so
a power cut between F9 and the paper leaves the case and this reminder (value: when, UTC)."""
VIEWS_BEHIND = "views_behind"
"""Set while a pull holds cases' views in memory (``projection.HeldViews``): the central
sequence number after which events may be missing from the stored views."""


_GET = select(META.c.value).where(META.c.key == bindparam("at"))
_SET = update(META).where(META.c.key == bindparam("at")).values(value=bindparam("value"))
_ADD = insert(META)
"""Built once: a sync reads and writes a dozen keys, and a statement built anew each time
is built, and its cache key computed, each time."""


def get(conn: Connection, key: str) -> str | None:
    """The value of ``key``, or None."""
    return conn.execute(_GET, {"at": key}).scalar_one_or_none()


def put(conn: Connection, key: str, value: str) -> None:
    """Set ``key`` (insert or replace)."""
    changed = conn.execute(_SET, {"at": key, "value": value}).rowcount
    if not changed:
        conn.execute(_ADD, {"key": key, "value": value})


def delete(conn: Connection, key: str) -> None:
    """Remove ``key`` (nothing if absent)."""
    conn.execute(sql_delete(META).where(META.c.key == key))


def take(conn: Connection, key: str, count: int = 1) -> int:
    """Reserve ``count`` consecutive numbers of counter ``key``; return the first.

    Must run inside a write (``BEGIN IMMEDIATE``) transaction together with the
    rows that use the numbers: if that transaction rolls back, so does the
    counter, which is what keeps the sequence gapless.
    """
    current = get(conn, key)
    first = int(current) if current is not None else 1
    put(conn, key, str(first + count))
    return first


def raise_to(conn: Connection, key: str, at_least: int) -> None:
    """Make counter ``key`` at least ``at_least`` (never lowers it)."""
    current = get(conn, key)
    if current is None or int(current) < at_least:
        put(conn, key, str(at_least))


def case_counter_key(day: date) -> str:
    """The counter of case numbers for one day."""
    return f"case_seq:{day:%Y%m%d}"
