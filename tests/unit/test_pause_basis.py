"""The 特别程序告知书 cites 行政许可法 §45 only for the procedures §45 names."""

from __future__ import annotations

from forms.catalog import load_catalog
from station.documents.decisions import PAUSE_CLAUSE, legal_basis
from sync.views import HistoryEntry

HOMESTEAD = load_catalog().get("640522-ZR-001")  # 宅基地: a 行政许可


def _paused(procedure: str) -> HistoryEntry:
    return HistoryEntry.model_construct(summary={"kind": procedure, "expected_days": 7})


def test_section_45_is_cited_for_an_appraisal_of_a_permit() -> None:
    assert HOMESTEAD.item_type == "行政许可"
    assert legal_basis("pause", HOMESTEAD, _paused("鉴定")) == PAUSE_CLAUSE
    assert legal_basis("pause", HOMESTEAD, _paused("听证")) == PAUSE_CLAUSE


def test_a_publication_is_not_put_under_section_45() -> None:
    # §45 lists 听证、招标、拍卖、检验、检测、检疫、鉴定和专家评审; the paper cited it for 公示
    assert legal_basis("pause", HOMESTEAD, _paused("公示")) == "有关规定"
    assert legal_basis("pause", HOMESTEAD, _paused("调查")) == "有关规定"
