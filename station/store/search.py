"""Search terms of a case and the full-text query a person's search box turns into.

People look a case up by the resident's name (or any characters of it), the
pinyin initials of the name (``zs`` for 张三), the ID number (whole: matched
by its keyed hash; last 4 or 6 digits: as terms), or the case number (whole or any
of its parts). SQLite FTS5 with the ``unicode61`` tokenizer keeps that fast at
100,000 cases; Chinese names are indexed character by character so a search
for part of a name works.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata
import weakref
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Engine

from station.store import meta

_ID_RE = re.compile(r"^\d{17}[\dXx]$")
_TOKEN_RE = re.compile(r"[\w]+", re.UNICODE)
_KEYS: weakref.WeakKeyDictionary[Engine, bytes] = weakref.WeakKeyDictionary()
ID_HASH_CHARS = 32
"""Hex characters of ``cases.id_hash`` kept (migration 0010 cut the earlier 64 down)."""


def id_hash(key: bytes, id_number: str) -> str:
    """HMAC-SHA256 (the station's ID key) of a normalised ID number: exact lookup without
    scanning, and no unsalted hash a dictionary of the 10^8 plausible numbers reverses.

    Args:
        key: the station's ID key (:func:`id_key`).
        id_number: as typed or stored.

    Returns:
        The digest's first 128 bits in hex (:data:`ID_HASH_CHARS`: as unique as the whole
        among a station's cases, half the bytes in the row and its index), or ``""`` for
        no number.
    """
    normal = id_number.strip().upper()
    if not normal:
        return ""
    digest = hmac.new(key, normal.encode("ascii", "replace"), hashlib.sha256).hexdigest()
    return digest[:ID_HASH_CHARS]


def cached_id_key(engine: Engine) -> bytes | None:
    """The ID key already read through ``engine``, or None."""
    return _KEYS.get(engine)


def id_key(conn: Connection) -> bytes:
    """The station's random ID key (``meta.ID_HASH_KEY``), made on first use when missing.

    Migration 0007 makes it for every database; one written at an older revision (a
    test, an old tool) gets it on its first write, and 0007 keeps it.

    Args:
        conn: a write transaction the first time (the key may be stored), any after.
    """
    key = _KEYS.get(conn.engine)
    if key is None:
        stored = meta.get(conn, meta.ID_HASH_KEY)
        if not stored:
            stored = secrets.token_bytes(32).hex()
            meta.put(conn, meta.ID_HASH_KEY, stored)
        key = _KEYS[conn.engine] = bytes.fromhex(stored)
    return key


def is_id_number(text: str) -> bool:
    """Whether ``text`` has the shape of an 18-character resident ID number."""
    return bool(_ID_RE.match(text.strip()))


def is_cjk(char: str) -> bool:
    """A Chinese character (a letter of no case: 汉字)."""
    return unicodedata.category(char) == "Lo"


def initials(name: str) -> str:
    """Pinyin initials of a Chinese name: 张三丰 -> ``zsf`` (other letters kept, lowercased)."""
    return _pinyin(name)[0]


def full_pinyin(name: str) -> str:
    """The name in toneless pinyin without spaces: 张三 -> ``zhangsan``."""
    return _pinyin(name)[1]


_OTHER = "\x00"
"""Marks a run of characters that have no pinyin (letters, digits, spaces)."""


@lru_cache(maxsize=32768)
def _pinyin(name: str) -> tuple[str, str]:
    """A name's initials and full pinyin from one conversion. The first letter of a
    toneless syllable is its FIRST_LETTER form; runs without pinyin keep their first
    character in the initials, none in the pinyin."""
    parts = [part for word in _segments(name) for part in _word_pinyin(word)]
    first = "".join(
        part.lstrip(_OTHER)[:1] for part in parts if part.lstrip(_OTHER).strip()
    ).lower()
    whole = "".join(part for part in parts if not part.startswith(_OTHER)).lower()
    return first, whole


def _segments(name: str) -> list[str]:
    """The name cut as pypinyin cuts it (its phrases, single characters, runs of others)."""
    return list(_converter().seg(name))


@lru_cache(maxsize=65536)
def _word_pinyin(word: str) -> tuple[str, ...]:
    """The toneless pinyin of one of ``_segments``' words, as pypinyin reads it in context.

    pypinyin converts a text word by word after cutting it, so a name's pinyin is its
    words' pinyin in turn; converting a whole name costs ~23 µs, and a township's catch-up
    paid it for every resident it had not seen. The words (surnames, the characters of
    given names, a few phrases) repeat from name to name: cached, a new name costs ~5 µs.
    """
    return tuple(_converter().lazy_pinyin([word], errors=_no_pinyin))


def _no_pinyin(run: str) -> str:
    return _OTHER + run


@lru_cache(maxsize=1)
def _converter() -> Any:
    from pypinyin.core import Pinyin  # loads a 0.5 s phrase table: only when needed

    return Pinyin()


def terms(
    case_number: str,
    name: str,
    id_number: str,
    principal: str = "",
    *phones: str,
) -> str:
    """The text indexed for one case: its number, the applicant's name (with its pinyin
    initials and full pinyin) and ID number's last digits, the 代办人's (``principal``)
    name, and the ``phones`` (the applicant's and the 代办人's): a relative who applied for
    a parent asks after the case by their own name or number, a resident by theirs."""
    parts = [case_number.replace("-", " "), case_number.replace("-", "")]
    for person in (name.strip(), principal.strip()):
        if person:
            parts += [person, " ".join(ch for ch in person if not ch.isspace())]
            parts += [initials(person), full_pinyin(person)]
    digits = id_number.strip().upper()
    if len(digits) >= 6:
        parts += [digits[-4:], digits[-6:]]
    for phone in phones:
        digits = "".join(ch for ch in phone if ch.isdigit())
        if len(digits) >= 7:  # the whole number, or its last four as people say them
            parts += [digits, digits[-4:]]
    return " ".join(p for p in parts if p)


def _quote(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def tokens(query: str) -> list[str]:
    """The words of a search box's text, as the search matches them one by one."""
    return _TOKEN_RE.findall(query.replace("-", " "))


def match_expression(query: str) -> str | None:
    """The FTS5 MATCH expression for a search box's text, or None for nothing to match.

    Every word must match: Chinese runs as a phrase of their characters, other
    words as prefixes (so ``6405`` finds every case number starting with it).
    """
    clauses = []
    for token in tokens(query):
        if any(is_cjk(ch) for ch in token):
            clauses.append(_quote(" ".join(token)))
        else:
            clauses.append(_quote(token.lower()) + "*")
    return " AND ".join(clauses) if clauses else None
