"""Printing benchmark: ``python -m bench.print`` prints name=value lines.

receipt_a4_ms / receipt_80mm_ms: mean wall time to render one 帮代办收件回执
(target <= 50 ms), each with its own case number so nothing is served from a
cache (``*_cpu_ms``: the same in CPU time, steadier on a busy machine);
``*_progress_qr_ms``: the same receipt whose QR carries the county's progress-page URL
(longer than a case number: a denser code);
ledger_1000_s: seconds to render a 1,000-row 帮代办登记台账.
"""

from __future__ import annotations

import dataclasses
import time
from datetime import date

from printing.documents import render_ledger, render_receipt
from printing.fonts import find_cjk_font
from printing.sample import sample_case, sample_ledger_rows

RECEIPTS = 50


PUBLIC = "https://zwfw.example.gov.cn/daiban"
"""A county's public base URL, as long as a real one."""


def _receipt_ms(fmt: str, url: bool = False) -> tuple[float, float]:
    base = sample_case()
    cases = [
        dataclasses.replace(
            base,
            case_number=f"640522100201-20261122-{n:04d}",
            verify_url=f"{PUBLIC}/p/{n:022d}" if url else None,
        )
        for n in range(1, RECEIPTS + 1)
    ]
    start, cpu = time.perf_counter(), time.process_time()
    for case in cases:
        render_receipt(case, "80mm" if fmt == "80mm" else "a4-large" if fmt == "a4-large" else "a4")
    wall = (time.perf_counter() - start) / RECEIPTS * 1000
    return wall, (time.process_time() - cpu) / RECEIPTS * 1000


def main() -> None:
    """Run the benchmark and print the figures."""
    start = time.perf_counter()
    font = find_cjk_font(None)
    print(f"font_load_s={time.perf_counter() - start:.3f}")
    print(f"font={font.path or font.name}")
    render_receipt(sample_case())  # warm-up: imports and first subsetting
    for fmt in ("a4", "a4-large", "80mm"):
        wall, cpu = _receipt_ms(fmt)
        print(f"receipt_{fmt}_ms={wall:.1f}")
        print(f"receipt_{fmt}_cpu_ms={cpu:.1f}")
        wall, cpu = _receipt_ms(fmt, url=True)  # the QR carries the progress page's address
        print(f"receipt_{fmt}_progress_qr_ms={wall:.1f}")
    rows = sample_ledger_rows(1000, date(2026, 1, 1))
    start = time.perf_counter()
    ledger = render_ledger(
        rows, rows[0].received_on, rows[-1].received_on, "某某村便民服务站", "640522100201"
    )
    print(f"ledger_1000_s={time.perf_counter() - start:.2f}")
    print(f"ledger_1000_kb={len(ledger.pdf) / 1024:.0f}")


if __name__ == "__main__":
    main()
