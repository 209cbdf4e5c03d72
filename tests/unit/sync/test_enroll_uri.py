"""What a station PC scans to enroll: the centre's address and the code, extensible."""

from __future__ import annotations

import pytest

from sync.enroll_uri import enroll_uri, parse_enroll_uri


def test_the_uri_carries_the_centre_and_the_code_and_reads_back() -> None:
    uri = enroll_uri("https://county.example:8765", "K7MQ-4XRP")
    assert uri == "daiban://enroll?central=https%3A%2F%2Fcounty.example%3A8765&code=K7MQ-4XRP"
    ticket = parse_enroll_uri(uri)
    assert (ticket.central, ticket.code, ticket.extra) == (
        "https://county.example:8765",
        "K7MQ-4XRP",
        {},
    )


def test_a_later_parameter_is_kept_and_an_older_reader_still_finds_centre_and_code() -> None:
    uri = enroll_uri("http://10.0.0.5:8765", "ABCD-EFGH", fingerprint="sha256:ab12")
    ticket = parse_enroll_uri(uri)
    assert ticket.code == "ABCD-EFGH" and ticket.extra == {"fingerprint": "sha256:ab12"}


@pytest.mark.parametrize(
    "uri", ["https://county.example", "daiban://enroll?code=X", "daiban://other?central=a&code=b"]
)
def test_anything_else_is_refused(uri: str) -> None:
    with pytest.raises(ValueError):
        parse_enroll_uri(uri)
