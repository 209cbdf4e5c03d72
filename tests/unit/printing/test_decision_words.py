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


@pytest.mark.parametrize(
    ("item", "words"),
    [
        ("临时救助申请", "提交的“临时救助申请”（办件编号"),  # not “临时救助申请”申请
        ("80周岁以上高龄津贴申领", "提交的“80周岁以上高龄津贴申领”（办件编号"),
        ("高龄津贴", "提交的“高龄津贴”申请（办件编号"),
    ],
)
def test_an_item_named_as_an_application_is_not_called_one_twice(item: str, words: str) -> None:
    from datetime import UTC, datetime

    from printing.docs.decision import _received

    case = SimpleNamespace(
        received_at=datetime(2026, 12, 5, 2, 0, tzinfo=UTC),
        station_name="山门村便民服务站",
        item_name=item,
        case_number="640522100201-20261205-0011",
    )
    assert words in _received(SimpleNamespace(case=case))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("reason", "sentence"),
    [
        ("经入户核查，申请人家庭收入超过标准。", "经入户核查，申请人家庭收入超过标准。"),
        ("申请人不具备申请资格。", "经审查，申请人不具备申请资格。"),
    ],
)
def test_a_reason_saying_how_it_was_found_is_not_prefixed_again(reason: str, sentence: str) -> None:
    from printing.docs.decision import _found

    assert _found(reason) == sentence  # it read 经审查，经入户核查…
