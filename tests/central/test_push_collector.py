"""A push applies its batch with Python's cycle collector paused, and always turns it back on.

The collector is the process's: a push that left it off (after an error, or while another
push still runs) would leave the whole server collecting nothing.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlmodel import Session

from central.services.audit import verify_audit
from central.services.progress import record_keys
from sync.collector import collector_paused


@pytest.fixture(autouse=True)
def _collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if was:
        gc.enable()
    else:
        gc.disable()


def test_a_batch_applies_with_the_collector_off_and_it_is_on_again_after(
    enroll: Any, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    village = enroll()
    seen: list[bool] = []

    def watching(*args: Any, **kwargs: Any) -> None:
        seen.append(gc.isenabled())
        record_keys(*args, **kwargs)

    monkeypatch.setattr("central.services.push.record_keys", watching)
    results = village.push(village.new_case())

    assert [r["status"] for r in results] == ["applied"] * 3
    assert seen == [False]
    assert gc.isenabled()
    assert verify_audit(session=session).ok


def test_overlapping_applies_turn_it_on_when_the_last_one_ends() -> None:
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    states: dict[str, bool] = {}

    def second() -> None:
        first_in.wait()
        with collector_paused():
            second_in.set()
            first_out.wait()
            states["second, after the first ended"] = gc.isenabled()

    worker = threading.Thread(target=second)
    worker.start()
    with collector_paused():
        first_in.set()
        second_in.wait()
    first_out.set()
    worker.join()

    assert states == {"second, after the first ended": False}
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off() -> None:
    gc.disable()
    with collector_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()
