"""How daiban starts another copy of itself (the demo's centre, a served desk's tab).

From source that is this Python running ``daiban.cli``; in the built station
executable (PyInstaller) ``sys.executable`` is the program itself, which takes
daiban's own arguments and rejects Python's ``-c``.
"""

from __future__ import annotations

import sys


def is_frozen() -> bool:
    """Whether this process is the built station executable."""
    return bool(getattr(sys, "frozen", False))


def daiban_argv() -> list[str]:
    """The words that start daiban again; append its arguments (``central serve ...``)."""
    if is_frozen():
        return [sys.executable]
    return [sys.executable, "-c", "from daiban.cli import main; main()"]
