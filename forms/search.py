"""Finding a service item as the agent types: Chinese, full pinyin or initials (``gljt`` → 高龄津贴).

Pinyin is computed once, when the index is built (pypinyin is slow); a query
only walks precomputed syllable lists, so searching on every keystroke is cheap.
A pinyin query may mix whole syllables and initials (``gaoljt``, ``gaolingjintie``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from forms.catalog.model import Catalog, ServiceItem

_SPLIT = re.compile(r"[\s'’·,，、]+")


@dataclass(frozen=True)
class _Name:
    """One searchable name of an item (its name, short name or an alias)."""

    text: str
    syllables: tuple[str, ...]
    weight: int  # name and short name rank above aliases


@cache
def _syllables(text: str) -> tuple[str, ...]:
    """Pinyin syllables of a name (cached: rebuilding an index for the same names is cheap)."""
    from pypinyin import Style, lazy_pinyin  # a 0.4 s phrase table: load on first index

    parts: list[str] = []
    for chunk in lazy_pinyin(text, style=Style.NORMAL):
        token = chunk.lower().replace("ü", "v")
        if token.isalnum():
            parts.append(token)
    return tuple(parts)


def _match_from(query: str, syllables: tuple[str, ...], start: int) -> int | None:
    """How many syllables from ``start`` were typed in full, if ``query`` matches there."""

    @cache
    def best(position: int, index: int) -> int | None:
        if position == len(query):
            return 0
        if index == len(syllables):
            return None
        syllable = syllables[index]
        results = []
        for length in range(len(syllable), 0, -1):
            if query.startswith(syllable[:length], position):
                rest = best(position + length, index + 1)
                if rest is not None:
                    results.append(rest + (length == len(syllable)))
        return max(results) if results else None

    return best(0, start)


def pinyin_position(query: str, text: str) -> int | None:
    """At which syllable of ``text`` a pinyin ``query`` (initials, whole syllables or a mix:
    ``qs``, ``qinshu``) first matches, or None (a drop-down's choices, typed into)."""
    syllables = _syllables(text)
    for start in range(len(syllables)):
        if _match_from(query.lower(), syllables, start) is not None:
            return start
    return None


class CatalogIndex:
    """A search index over a catalog's items, built once."""

    def __init__(self, catalog: Catalog) -> None:
        """Build the index (computes pinyin for every name and alias)."""
        self._entries: list[tuple[ServiceItem, list[_Name]]] = []
        for item in catalog.items:
            names = [_Name(item.name, _syllables(item.name), 2)]
            if item.short_name:
                names.append(_Name(item.short_name, _syllables(item.short_name), 2))
            names += [_Name(alias, _syllables(alias), 1) for alias in item.aliases]
            self._entries.append((item, names))

    def search(self, query: str, limit: int = 10) -> list[ServiceItem]:
        """Items matching ``query``, best first.

        Args:
            query: Chinese text, full pinyin, pinyin initials, a mix, or an item code.
            limit: at most this many items.
        """
        compact = "".join(_SPLIT.split(query.strip())).lower()
        if not compact:
            return []
        scored = []
        for order, (item, names) in enumerate(self._entries):
            score = max(self._score(compact, item, name) for name in names)
            if score > 0:
                scored.append((-score, order, item))
        scored.sort(key=lambda entry: (entry[0], entry[1]))
        return [item for _score, _order, item in scored[:limit]]

    @staticmethod
    def _score(query: str, item: ServiceItem, name: _Name) -> float:
        text = name.text.lower()
        if query == item.code.lower():
            return 1000
        if query == text:
            return 900 + name.weight
        if text.startswith(query):
            return 800 + name.weight + len(query) / max(len(text), 1)
        if query in text:
            return 700 + name.weight - text.index(query) / 100
        if query.isascii() and query.isalnum():
            found = _pinyin_score(query, name)
            if found:
                return found
        code = item.code.lower()
        if code.startswith(query):
            return 100
        if len(query) >= 3 and query.replace("-", "") in code.replace("-", ""):
            return 90  # a part of the code, with or without its dashes: YB-001, yb001
        return 0


def _pinyin_score(query: str, name: _Name) -> float:
    best = 0.0
    for start, syllable in enumerate(name.syllables):
        if syllable[0] != query[0]:
            continue
        whole = _match_from(query, name.syllables, start)
        if whole is not None:
            score = (600 if start == 0 else 400) + name.weight * 10 + whole - start / 100
            best = max(best, score)
    return best


def text_score(query: str, text: str) -> float:
    """How well ``query`` finds ``text``: Chinese as typed, full pinyin or initials (0: not at all).

    For short lists searched by name (the desk's commands): ``sk`` finds 收件,
    ``bd`` finds 补打, ``同步`` finds 立即同步.

    Args:
        query: what the person typed.
        text: a name shown to them.

    Returns:
        A score, higher is better; 0 when it does not match.
    """
    compact = "".join(_SPLIT.split(query.strip())).lower()
    if not compact:
        return 0
    lowered = text.lower()
    if compact in lowered:
        return 700 - lowered.index(compact) / 100
    if compact.isascii() and compact.isalnum():
        return _pinyin_score(compact, _Name(text, _syllables(text), 1))
    return 0
