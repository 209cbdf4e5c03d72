"""A catalog folder with errors, as the county desk says it: every error (to ten), each
field in the 办事指南's words, and 未发布 only when publishing was asked for."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any, cast

import pytest

from forms.catalog.loader import SHIPPED_CATALOG
from forms.i18n import set_language
from station.services.application import ActionRefused
from station.services.catalog_desk import check_catalog_folder, publish_catalog_from_desk

NO_CENTRE = cast(Any, None)
"""The folder is refused before the centre is asked (the line is never used)."""


def _broken(folder: Path) -> Path:
    shutil.copytree(SHIPPED_CATALOG, folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    first, second = sorted((folder / "items").glob("*.toml"))[:2]
    text = first.read_text("utf-8")
    text = re.sub(r"(?m)^promised_days = .*$", 'promised_days = "五"', text, count=1)
    first.write_text(re.sub(r'(?m)^name = ".*"$', 'name = ""', text, count=1), "utf-8")
    text = second.read_text("utf-8")
    second.write_text(re.sub(r"(?m)^legal_days = .*$", "legal_days = -3", text, count=1), "utf-8")
    return folder


def test_every_error_is_listed_in_words_and_a_check_publishes_nothing_it_says(
    tmp_path: Path,
) -> None:
    """It said 事项目录有3处错误，未发布。第一处：…promised_days: 应为整数 after F8 (a check)."""
    set_language("zh_CN")
    folder = _broken(tmp_path / "catalog")
    with pytest.raises(ActionRefused) as checked:
        check_catalog_folder(NO_CENTRE, folder)
    lines = str(checked.value).splitlines()
    assert lines[0] == "检查发现事项目录有3处错误：" and "未发布" not in str(checked.value)
    assert len(lines) == 4
    assert any("名称(name): 不能为空" in line for line in lines)
    assert any("承诺时限（工作日）(promised_days): 应为整数" in line for line in lines)
    assert any("法定时限（工作日）(legal_days): 不能小于0" in line for line in lines)
    assert str(folder) not in lines[1]  # the file's name, not the whole path again
    with pytest.raises(ActionRefused) as published:
        publish_catalog_from_desk(NO_CENTRE, folder)
    assert str(published.value).splitlines()[0] == "事项目录有3处错误，未发布："
