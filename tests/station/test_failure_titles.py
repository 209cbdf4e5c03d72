"""Every worker of the desk fails under a title that says what the person was doing."""

from __future__ import annotations

import re
from pathlib import Path

from station.screens.base import WHAT_FAILED

STATION = Path(__file__).resolve().parents[2] / "station"
GROUP = re.compile(r"group=\"([a-z-]+)\"")


def test_every_worker_group_has_its_own_failure_title() -> None:
    """A county page that could not be read said 刚才的操作没有完成 (the last action did
    not complete) when the administrator had only opened it."""
    sources = [*STATION.glob("screens/*.py"), *STATION.glob("widgets/*.py"), STATION / "app.py"]
    groups = {g for path in sources for g in GROUP.findall(path.read_text(encoding="utf-8"))}
    assert len(groups) > 20  # the pattern still finds the desk's workers
    assert sorted(groups - set(WHAT_FAILED)) == []


def test_a_county_page_that_cannot_be_read_is_named_in_chinese() -> None:
    from station.i18n import _

    title = _("{what} did not complete").format(what=_(WHAT_FAILED["county-accounts"]))
    assert title == "读取账号没有完成"
