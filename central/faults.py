"""TEST-ONLY fault injection for the centre's crash tests (tests/e2e/test_central_faults.py).

``DAIBAN_CENTRAL_FAULT=<point>`` or ``<point>:<n>`` makes the central process
kill itself with SIGKILL the n-th time (default: the first) a request passes
``point``; ``<point>:5xx`` makes every pass answer 503 instead (the centre is
"down" for that endpoint while everything else works), ``<point>:5xx:<n>``
only the first n passes.

Points:
    ``after_push_commit``: the push transaction committed, its answer not sent.
    ``mid_pull_page``: the pull page was queried, the response not yet written.
    ``mid_blob``: a blob chunk was stored (fsynced and committed), its answer not sent.
    ``push``: before a push batch is applied (used with ``:5xx``).
    ``after_enroll_commit``: an enrollment code was spent and the station stored, its
    credential not sent.

The variable is read once at import; when it is unset, ``fault_point`` returns
after one comparison. Hits are counted per process (per worker). Never set it
outside tests.
"""

from __future__ import annotations

import os
import signal
import threading

from fastapi import HTTPException

FAULT_ENV = "DAIBAN_CENTRAL_FAULT"
_SPEC = os.environ.get(FAULT_ENV) or None
_POINT, _, _WHEN = (_SPEC or "").partition(":")
_hits = 0
_lock = threading.Lock()


def fault_point(name: str) -> None:
    """Die here (SIGKILL) or answer 503, if the test-only ``DAIBAN_CENTRAL_FAULT`` names ``name``.

    Raises:
        HTTPException: 503, when the point is configured as ``<point>:5xx``.
    """
    if _SPEC is None or name != _POINT:
        return
    global _hits
    with _lock:
        _hits += 1
        hit = _hits
    if _WHEN.startswith("5xx"):
        limit = _WHEN.partition(":")[2]
        if not limit or hit <= int(limit):
            raise HTTPException(503, "test fault: the centre is unavailable")
    elif hit == (int(_WHEN) if _WHEN else 1):
        os.kill(os.getpid(), signal.SIGKILL)
