"""Find the line of a TOML key from a validation location such as ``("fields", 2, "type")``.

tomllib keeps no positions, so the source text is scanned: ``[[fields]]``
headers are counted to find the third field, then ``type = ...`` is looked up
inside that block. Good enough for the files an administrator writes by hand.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\"-]+)\s*\]\]?")
_KEY = re.compile(r"^\s*([A-Za-z0-9_-]+)\s*=")


@dataclass(frozen=True)
class _Header:
    line: int  # 0-based
    name: str
    is_array: bool


class TomlLines:
    """Line lookup over one TOML text."""

    def __init__(self, text: str) -> None:
        """Index the table headers of ``text``."""
        self.lines = text.splitlines()
        self.headers: list[_Header] = []
        for number, line in enumerate(self.lines):
            match = _HEADER.match(line)
            if match and not _KEY.match(line):
                self.headers.append(
                    _Header(number, match.group(2).replace('"', ""), match.group(1) == "[[")
                )

    def _region_end(self, start: int, name: str) -> int:
        """End (exclusive) of the block opened at ``start``: the next header not inside it."""
        for header in self.headers:
            if header.line > start and not header.name.startswith(name + "."):
                return header.line
        return len(self.lines)

    def _own_end(self, start: int) -> int:
        for header in self.headers:
            if header.line > start:
                return header.line
        return len(self.lines)

    def _key_line(self, header_line: int, key: str) -> int | None:
        """Line of ``key = `` directly in the block opened at ``header_line`` (-1: top level)."""
        for number in range(header_line + 1, self._own_end(header_line)):
            match = _KEY.match(self.lines[number])
            if match and match.group(1) == key:
                return number
        return None

    def line_of(self, loc: Sequence[str | int]) -> int | None:
        """1-based line of the key at ``loc``, or of its nearest enclosing table."""
        start, end, prefix = 0, len(self.lines), ""
        best: int | None = None
        index = 0
        while index < len(loc):
            key = str(loc[index])
            following = loc[index + 1] if index + 1 < len(loc) else None
            name = f"{prefix}.{key}" if prefix else key
            tables = [h for h in self.headers if h.name == name and start <= h.line < end]
            arrays = [h for h in tables if h.is_array]
            if arrays and isinstance(following, int):
                if following >= len(arrays):
                    return best
                header = arrays[following]
                start, end, prefix = header.line, self._region_end(header.line, name), name
                best, index = header.line + 1, index + 2
                continue
            if tables and not tables[0].is_array:
                header = tables[0]
                start, end, prefix = header.line, self._region_end(header.line, name), name
                best, index = header.line + 1, index + 1
                continue
            line = self._key_line(start if best is not None else -1, key)
            return line + 1 if line is not None else best
        return best
