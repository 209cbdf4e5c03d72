"""The legal basis a 不予受理 starts with follows the item's type (only a 行政许可 cites the
行政许可法: a 临时救助 notice citing it was wrong)."""

from __future__ import annotations

from uuid import uuid4

from forms.catalog import load_catalog
from station.services.deciding import LICENSING_BASIS, rejection_basis
from sync.reducer import CaseView


def test_only_a_licensing_item_starts_from_the_licensing_law() -> None:
    catalog = load_catalog()
    seen = set()
    for item in catalog.items:
        view = CaseView(
            case_id=uuid4(),
            case_number="640522100201-20261205-0001",
            division="640522100201",
            item_code=item.code,
            item_version=str(item.version),
        )
        basis = rejection_basis(catalog, view)
        seen.add(item.item_type)
        if item.item_type == "行政许可":
            assert basis == LICENSING_BASIS, item.code
        else:
            assert basis == item.basis.strip() and "行政许可法" not in basis, item.code
    assert {"行政许可", "行政给付", "公共服务"} <= seen
