"""What each paper is called: its title on the page, and the name of the PDF kept of it.

A township reviewer looks for a paper in a folder (or on a USB stick) by its Chinese title,
so the file is named by it: ``受理通知书-640522100201-20261122-0007.pdf``. Every name the
desks and ``daiban print`` write is made here (:func:`paper_file_name`), and a paper never
replaces another one kept before it (:func:`free_path`).

No reportlab here: the desk names a paper without loading the renderer.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

RECEIPT = "帮代办收件回执"
NOTICE = "一次性告知书"
AUTHORIZATION = "授权委托书"
LEDGER = "帮代办登记台账"
ACCEPTANCE = "受理通知书"
REJECTION = "不予受理通知书"
CORRECTION = "补正告知书"
PAUSE = "特别程序告知书"
DENIAL = "不予行政许可决定书"
DENIAL_OTHER = "不予批准决定书"
APPROVAL = "准予行政许可决定书"
APPROVAL_OTHER = "办结通知书"
UNRESOLVED = "办不成事登记回执"
ENROLLMENT = "便民服务站注册单"

TITLES: dict[str, tuple[str, ...]] = {
    "receipt": (RECEIPT,),
    "notice": (NOTICE,),
    "authorization": (AUTHORIZATION,),
    "ledger": (LEDGER,),
    "acceptance": (ACCEPTANCE,),
    "rejection": (REJECTION,),
    "correction": (CORRECTION,),
    "pause": (PAUSE,),
    "denial": (DENIAL, DENIAL_OTHER),
    "approval": (APPROVAL, APPROVAL_OTHER),
    "unresolved": (UNRESOLVED,),
    "enrollment": (ENROLLMENT,),
}
"""Each document kind and the titles its paper can have (a 办结's depends on the item: a
行政许可's 准予 / 不予行政许可决定书, any other item's 办结通知书 / 不予批准决定书)."""

PAPER_WORDS = {"a4": "", "a4-large": "大字版", "80mm": "小票"}
"""How a file name says the paper it was made for (A4, the usual one, goes unsaid)."""

REPRINT = "补打"
"""Said in the name of a copy marked 补打, with the day: ``-补打20261123``."""

NOT_TAKEN_IN = "未收件"
"""Where the case number goes in the name of a paper printed before intake (a draft's
一次性告知书 or 授权委托书), followed by when it was printed."""

UNSAFE = frozenset('/\\:*?"<>|')
"""Characters Windows (or any system) refuses in a file name."""

PART_LIMIT = 40
"""The longest a name's part may be (a station's name); a name stays well under the 255
bytes a file system allows a file name (3 bytes a Chinese character)."""


def title_of(kind: str, permit: bool | None = None) -> str:
    """The title a paper of ``kind`` prints: ``permit`` chooses the 办结 paper's (a
    行政许可's, or any other item's); a kind without a Chinese title keeps its own."""
    titles = TITLES.get(kind, (kind,))
    return titles[1] if permit is False and len(titles) > 1 else titles[0]


def safe_part(text: str, limit: int = PART_LIMIT) -> str:
    """``text`` fit to be part of a file name on Windows, Linux and a USB stick: none of
    ``/ \\ : * ? " < > |`` nor a control character (each becomes ``_``), whitespace as one
    ``_``, no leading or trailing dot or ``_``, at most ``limit`` characters."""
    kept = "".join("_" if ch in UNSAFE or (ord(ch) < 32 or ord(ch) == 127) else ch for ch in text)
    joined = "_".join(kept.split())
    return joined[:limit].strip("._ ")


def paper_file_name(
    title: str, *keys: str, fmt: str = "a4", reprinted_on: date | None = None
) -> str:
    """The name of a paper's PDF: its title, whose it is, then the paper and 补打 when they
    are not the usual: ``帮代办收件回执-640522100201-20261122-0007-大字版-补打20261123.pdf``.

    Args:
        title: the paper's Chinese title (:func:`title_of`).
        keys: the case number, or what tells this paper from the others of its title (the
            station and the period, the station and the code's reference); each made safe
            (:func:`safe_part`), the empty ones left out.
        fmt: ``a4`` (unsaid), ``a4-large`` (大字版) or ``80mm`` (小票).
        reprinted_on: the day of a copy marked 补打.
    """
    words = PAPER_WORDS.get(fmt, safe_part(fmt))
    parts = [safe_part(title), *(safe_part(key) for key in keys), words]
    if reprinted_on is not None:
        parts.append(f"{REPRINT}{reprinted_on:%Y%m%d}")
    return "-".join(part for part in parts if part) + ".pdf"


def free_path(folder: Path, name: str) -> Path:
    """``folder / name``, or ``name（2）``, ``（3）``… when a paper is kept under it already: a
    second paper of the same name (a second 补正 or 特别程序 of one case, each a first print;
    a second 补打 the same day) never silently replaces the one kept before."""
    target = folder / name
    stem, dot, suffix = name.rpartition(".")
    number = 1
    while target.exists():
        number += 1
        target = folder / f"{stem}（{number}）{dot}{suffix}"
    return target


def _legacy_key(key: str) -> str:
    """The key as names were made before papers were named in Chinese (ASCII only)."""
    return "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_") else "_" for ch in key)


def printed(folder: Path, kind: str, key: str, fmt: str | None = None) -> bool:
    """Whether a paper of ``kind`` for ``key`` (a case number) is kept in ``folder``: under
    any title the kind has, on ``fmt`` paper only when given (the first 小票 after an A4
    receipt is the first of its kind), 补打 or not. The English names papers were kept
    under before (``<case>-<kind>-<fmt>[-reprint-<day>].pdf``) count too.
    """
    if not folder.is_dir():
        return False
    safe, legacy = safe_part(key), _legacy_key(key)
    titles = "|".join(re.escape(title) for title in TITLES.get(kind, (kind,)))
    if fmt is None:
        paper = "(?:-(?:" + "|".join(re.escape(w) for w in PAPER_WORDS.values() if w) + "))?"
        legacy_fmt = "(?:" + "|".join(re.escape(f) for f in PAPER_WORDS) + ")"
    else:
        words = PAPER_WORDS.get(fmt, safe_part(fmt))
        paper = re.escape(f"-{words}") if words else ""
        legacy_fmt = re.escape(fmt)
    pattern = re.compile(
        f"(?:{titles})-{re.escape(safe)}{paper}(?:-{REPRINT}\\d{{8}})?(?:（\\d+）)?\\.pdf"
        f"|{re.escape(legacy)}-{re.escape(kind)}-{legacy_fmt}(?:-reprint-\\d{{8}})?\\.pdf"
    )
    return any(
        pattern.fullmatch(path.name)
        for path in folder.iterdir()
        if safe in path.name or legacy in path.name  # a look at the name first: years of papers
    )
