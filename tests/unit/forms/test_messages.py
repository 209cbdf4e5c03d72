"""Every message the forms package can show has its Chinese translation."""

from __future__ import annotations

import ast
from pathlib import Path

from babel.messages.pofile import read_po

import forms

FORMS = Path(forms.__file__).parent
TRANSLATING_CALLS = {"_", "_error", "_warning"}


def message_ids() -> set[str]:
    found: set[str] = set()
    for path in FORMS.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                if node.func.id in TRANSLATING_CALLS and node.args:
                    first = node.args[0]
                    if isinstance(first, ast.Constant) and isinstance(first.value, str):
                        found.add(first.value)
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Dict):
                names = [t.id for t in node.targets if isinstance(t, ast.Name)]
                if any(name.endswith("_MESSAGES") for name in names):
                    found |= {
                        value.value
                        for value in node.value.values
                        if isinstance(value, ast.Constant) and isinstance(value.value, str)
                    }
    return found


def test_every_message_has_a_chinese_translation() -> None:
    po_path = FORMS / "locale" / "zh_CN" / "LC_MESSAGES" / "messages.po"
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale="zh_CN")
    translated = {message.id for message in catalog if message.id and message.string}
    ids = message_ids()
    assert len(ids) > 80
    assert sorted(ids - translated) == []
