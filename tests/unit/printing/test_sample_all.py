"""``python -m printing.sample_all OUT/``: every paper of every sample case, read back."""

from __future__ import annotations

import subprocess
from pathlib import Path

from printing.sample_all import LONG_ADDRESS, render_all


def _text(path: Path) -> str:
    done = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, check=True)
    return "".join(done.stdout.decode("utf-8").split())


def test_every_paper_of_every_sample_case_is_written_and_reads_right(tmp_path: Path) -> None:
    written = {path.name for path in render_all(tmp_path)}
    assert len(written) == 43  # 5 cases × their papers, and the ledger
    assert "self-authorization.pdf" not in written  # nobody to authorise
    assert {"agent-authorization.pdf", "ledger.pdf", "rare-character-receipt-80mm.pdf"} <= written
    receipt = _text(tmp_path / "long-name-address-receipt-a4.pdf")
    assert "欧阳慕容雪梅" in receipt and LONG_ADDRESS in receipt
    assert "U+4DAE" in _text(tmp_path / "rare-character-receipt-a4.pdf")  # 䶮: said, not lost
    letter = _text(tmp_path / "agent-authorization.pdf")
    assert "64052219880315002X" in letter and "640522196406180024" in letter  # full, capital X
