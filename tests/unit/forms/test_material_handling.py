"""What the station does with a resident's certificate: shown and handed back, not kept."""

from __future__ import annotations

import pytest

from forms.catalog import load_catalog
from printing.fmt import material_form
from printing.model import MaterialLine


@pytest.mark.parametrize("code", ["640522-CL-001", "640522-CL-002"])
def test_a_disability_certificate_is_checked_and_handed_back(code: str) -> None:
    """The receipt said 原件1份 已收取: the resident's certificate kept at the station."""
    spec = load_catalog().get(code).material("disability_cert")
    line = MaterialLine(spec.name, spec.copies, spec.original, handling=spec.handled)
    assert material_form(line) == "原件核验后退还，留存复印件1份"


@pytest.mark.parametrize(("code", "copies"), [("640522-MZ-001", 1), ("640522-CL-003", 3)])
def test_a_photo_is_counted_in_prints_not_as_a_photocopy(code: str, copies: int) -> None:
    """The 补正 table printed the photo as 复印件1份 (photocopy, one copy)."""
    item = load_catalog().get(code)
    spec = next(m for m in item.materials if "照片" in m.name)
    line = MaterialLine(spec.name, spec.copies, spec.original, handling=spec.handled)
    assert material_form(line) == f"{copies}张"
