"""The legal-basis sentence of the township's notices reads as an official writes it."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from printing.docs.decision import _according


@pytest.mark.parametrize(
    ("basis", "sentence"),
    [
        ("政务服务一次性告知的有关规定", "根据政务服务一次性告知的有关规定，"),
        (
            "《中华人民共和国行政许可法》第三十二条",
            "根据《中华人民共和国行政许可法》第三十二条的规定，",
        ),
        (
            "《宁夏回族自治区最低生活保障办法》的规定",
            "根据《宁夏回族自治区最低生活保障办法》的规定，",
        ),
    ],
)
def test_the_basis_is_said_once(basis: str, sentence: str) -> None:
    decision = SimpleNamespace(legal_basis=basis)
    assert _according(decision, "fallback") == sentence  # type: ignore[arg-type]
    assert "的规定的规定" not in _according(decision, "fallback")  # type: ignore[arg-type]
