"""Every document in every format for a set of cases a person would check by eye.

``python -m printing.sample_all OUT/`` writes one PDF per case, document and format:
the resident in person, a relative for an old man (容缺: the passbook later), the
station's agent for a disabled woman, a long 复姓 name, a 60-character address, a
rare character (䶮) — receipts (A4, A4 大字版 and 80 mm), 一次性告知书 (A4 and 80 mm), the
授权委托书, the township's 受理 / 补正 / 不予受理 notices, and a ledger of them all.
Render the pages with ``pdftoppm -png`` and look at them.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable
from pathlib import Path

from printing.documents import (
    render_acceptance,
    render_authorization,
    render_correction,
    render_ledger,
    render_notice,
    render_receipt,
    render_rejection,
)
from printing.model import CaseDocument, Party
from printing.pages import RenderedDocument
from printing.sample import (
    sample_acceptance,
    sample_case,
    sample_correction,
    sample_ledger_rows,
    sample_rejection,
)

LONG_ADDRESS = "宁夏回族自治区中卫市海原县海城镇山门村第三村民小组东侧新农村安置点二期十八号楼二单元五层五零二室"
"""Sixty characters: the longest address a form lets through."""


def cases() -> dict[str, CaseDocument]:
    """The cases by a short ASCII name (file names)."""
    base = sample_case()  # a relative (the son) for an 83-year-old, the passbook under 容缺
    old = base.principal
    assert old is not None
    self_case = dataclasses.replace(
        base,
        case_number="640522100201-20261122-0008",
        applicant=dataclasses.replace(old, phone="13895409876"),
        principal=None,
        relation="self",
        materials=tuple(m for m in base.materials if not m.name.startswith("代办人")),
    )
    agent_case = dataclasses.replace(
        base,
        case_number="640522100201-20261122-0009",
        applicant=Party("李秀兰", "64052219880315002X", "13909541234", "海原县海城镇某某村"),
        principal=Party("田桂花", "640522196406180024", "", "海原县海城镇某某村五组"),
        relation="agent",
    )
    long_name = dataclasses.replace(
        self_case,
        case_number="640522100201-20261122-0010",
        applicant=Party("欧阳慕容雪梅", "640522195112240028", "13995123456", LONG_ADDRESS),
    )
    rare = dataclasses.replace(
        self_case,
        case_number="640522100201-20261122-0011",
        applicant=Party("马䶮", "64052219490505001X", "13995120000", "海原县海城镇某某村"),
    )
    return {
        "self": self_case,
        "relative-deferred": base,
        "agent": agent_case,
        "long-name-address": long_name,
        "rare-character": rare,
    }


def documents(case: CaseDocument) -> dict[str, Callable[[], RenderedDocument]]:
    """Every document of one case, by file name."""

    def decision(
        make: Callable[[], object], render: Callable[..., RenderedDocument]
    ) -> Callable[[], RenderedDocument]:
        return lambda: render(dataclasses.replace(make(), case=case))  # type: ignore[type-var]

    return {
        "receipt-a4": lambda: render_receipt(case, "a4"),
        "receipt-a4-large": lambda: render_receipt(case, "a4-large"),
        "receipt-80mm": lambda: render_receipt(case, "80mm"),
        "notice-a4": lambda: render_notice(case, "a4"),
        "notice-80mm": lambda: render_notice(case, "80mm"),
        "authorization": lambda: render_authorization(case),
        "acceptance": decision(sample_acceptance, render_acceptance),
        "correction": decision(sample_correction, render_correction),
        "rejection": decision(sample_rejection, render_rejection),
    }


def render_all(out: Path) -> list[Path]:
    """Write every document of every case (and a ledger) into ``out``; return the files."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, case in cases().items():
        for kind, render in documents(case).items():
            if kind.startswith("notice") and not case.deferred:
                continue  # no 一次性告知书 when nothing is missing
            if kind == "authorization" and case.relation == "self":
                continue  # the resident came in person: nobody to authorise
            path = out / f"{name}-{kind}.pdf"
            path.write_bytes(render().pdf)
            written.append(path)
    rows = sample_ledger_rows(40)
    ledger = render_ledger(
        rows, rows[0].received_on, rows[-1].received_on, "某某村便民服务站", "640522100201"
    )
    (out / "ledger.pdf").write_bytes(ledger.pdf)
    written.append(out / "ledger.pdf")
    return written


def main() -> None:
    """``python -m printing.sample_all OUT/``."""
    if len(sys.argv) != 2:
        sys.exit("usage: python -m printing.sample_all OUT/")
    for path in render_all(Path(sys.argv[1])):
        print(path)  # noqa: T201 - a script's output


if __name__ == "__main__":
    main()
