"""The secret a station sends with an enrollment code: the same at every try with that
code (typed again differently, the store reopened after a power cut), another for another
code, and another on another PC holding the same code."""

from __future__ import annotations

from pathlib import Path

from station.store import StationStore


def test_the_attempt_is_the_same_for_the_same_code_and_no_other(tmp_path: Path) -> None:
    store = StationStore.open(tmp_path / "pc")
    try:
        first = store.enroll_attempt("K7MQ-4XRP")
        assert store.enroll_attempt(" k7mq 4xrp ") == first  # as typed again by hand
        assert store.enroll_attempt("K7MQ-4XRQ") != first
        assert len(first) == 64 and "K7MQ" not in first.upper()
    finally:
        store.close()
    reopened = StationStore.open(tmp_path / "pc")  # after a power cut: the same secret
    try:
        assert reopened.enroll_attempt("K7MQ4XRP") == first
    finally:
        reopened.close()
    other = StationStore.open(tmp_path / "another-pc")  # the same code on another PC
    try:
        assert other.enroll_attempt("K7MQ-4XRP") != first
    finally:
        other.close()
