"""Every message a person can see has its Chinese text: each ``_("...")`` of every package is in
the zh_CN catalog of the translator that module imports."""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("forms", "station", "printing", "central", "daiban")
"""Packages whose modules translate with ``_``, the command line among them (its commands
speak through their package's translator too; sync translates reasons by code, in
``sync.messages``)."""


def _catalog_dir(module: str) -> Path | None:
    """The folder whose ``locale`` the translator of ``module`` reads (None: not a translator)."""
    path = ROOT / Path(*module.split("."))
    if path.is_dir():  # ``from station.services import _``: the package's own catalog
        return path if (path / "locale").is_dir() else None
    folder = path.parent
    return folder if (folder / "locale").is_dir() else None


@cache
def _messages() -> list[tuple[Path, int, Path, str]]:
    found = []
    for package in PACKAGES:
        for source in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(source.read_text(encoding="utf-8"))
            catalog = None
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and any(
                    (a.asname or a.name) == "_" for a in node.names
                ):
                    catalog = _catalog_dir(node.module or "")
            if catalog is None:
                continue
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name)
                    and node.func.id == "_"
                    and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)
                ):
                    found.append((source, node.lineno, catalog, node.args[0].value))
    return found


@cache
def _translated(catalog: Path) -> set[str]:
    po = catalog / "locale" / "zh_CN" / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as handle:
        return {str(m.id) for m in read_po(handle, locale="zh_CN") if m.id and m.string}


def test_every_message_has_its_chinese_text() -> None:
    missing = []
    for source, line, catalog, message in _messages():
        if message not in _translated(catalog):  # each catalog read once (cached)
            missing.append(f"{source.relative_to(ROOT)}:{line}: {message!r}")
    assert not missing, "no zh_CN text for:\n" + "\n".join(missing)


@pytest.mark.parametrize("package", PACKAGES)
def test_the_scan_finds_messages(package: str) -> None:
    """The check above is not vacuous: messages are found where packages translate."""
    assert any(str(s).startswith(str(ROOT / package)) for s, *_ in _messages())


@pytest.mark.parametrize(
    "po",
    sorted(ROOT.glob("*/locale/zh_CN/LC_MESSAGES/messages.po"))
    + sorted(ROOT.glob("*/*/locale/zh_CN/LC_MESSAGES/messages.po")),
    ids=lambda path: str(path.relative_to(ROOT).parents[3]),
)
def test_no_message_is_translated_twice(po: Path) -> None:
    """A second entry for a msgid silently replaced the first (站点 became 服务站 where the
    first was meant, or the other way), and ``msgfmt`` refuses such a catalog. (Read as
    text: babel's reader keeps the last of two entries without a word.)"""
    seen: set[tuple[str, str]] = set()
    twice = []
    for block in po.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.splitlines() if not line.startswith("#")]
        context, msgid, part = "", "", ""
        for line in lines:
            if line.startswith(("msgctxt ", "msgid ", "msgstr ", "msgid_plural ")):
                part = line.split(" ", 1)[0]
                line = line.split(" ", 1)[1]
            if part == "msgctxt":
                context += line.strip()
            elif part == "msgid":
                msgid += line.strip()
        if msgid and msgid != '""':
            if (context, msgid) in seen:
                twice.append(msgid)
            seen.add((context, msgid))
    assert twice == []
