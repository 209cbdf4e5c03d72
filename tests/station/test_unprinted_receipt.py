"""A power cut between F9 and the paper: the case is kept (one transaction), and the next
start says its 收件回执 was never printed (nothing said so: ``p 补打`` printed it, had the
agent known to)."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from datetime import date
from pathlib import Path

from station.app import DaibanApp
from station.services.cases import CaseService
from station.services.paper import papers_after_take_in, print_intake_papers
from station.services.today import read_home
from station.store import StationStore
from sync.ids import new_id
from tests.station.cases_seed import AGENT, allowance, take_in
from tests.station.conftest import shipped_catalog

NEVER_PRINTED = "收件回执没有打出"


def _attention(app: DaibanApp) -> list[str]:
    return [line.text for line in dict(read_home(app.desk).sections)["需处理"]]


def _taken_in_at_the_desk(store: StationStore, name: str) -> object:
    """As the intake screen's F9 does: a draft becomes the case (and nothing more: the
    power went before the paper)."""
    service = CaseService(store, shipped_catalog(), AGENT)
    draft_id = str(new_id())
    return service.take_in(allowance(name), draft_id=draft_id, today=date(2026, 11, 23))


def _text(pdf: Path) -> str:
    done = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, check=True)
    return re.sub(r"\s+", "", done.stdout.decode("utf-8"))


def test_a_receipt_cut_off_by_the_power_is_asked_for_until_printed(
    desk: Callable[..., DaibanApp], store: StationStore, station_dir: Path
) -> None:
    cut_off = _taken_in_at_the_desk(store, "马占福")
    printed = _taken_in_at_the_desk(store, "张桂兰")
    app = desk()
    papers_after_take_in(app.desk, printed)  # F9's paper, as the screen prints it
    imported = take_in(store, "杨志强")  # `daiban case import`: no receipt was ever due

    (line,) = [text for text in _attention(app) if NEVER_PRINTED in text]
    assert line.startswith(f"{cut_off.case_number}  马占福  ")
    assert "打开办件按 p 补打，交给群众" in line
    assert imported.case_number not in "".join(_attention(app))

    # the case page's p: the first receipt the resident gets, so not marked 补打
    print_intake_papers(app.desk, cut_off, reprint=True)
    (pdf,) = (station_dir / "documents").glob(f"帮代办收件回执-{cut_off.case_number}*.pdf")
    assert pdf.name == f"帮代办收件回执-{cut_off.case_number}.pdf"  # no 补打 in its name
    words = _text(pdf)
    assert "马占福" in words and cut_off.case_number in words and "补打" not in words
    assert not [text for text in _attention(app) if NEVER_PRINTED in text]

    # and a second p is a reprint again
    print_intake_papers(app.desk, cut_off, reprint=True)
    receipts = (station_dir / "documents").glob(f"帮代办收件回执-{cut_off.case_number}*")
    assert sorted(p.name for p in receipts) == [
        f"帮代办收件回执-{cut_off.case_number}-补打20261123.pdf",
        f"帮代办收件回执-{cut_off.case_number}.pdf",
    ]


def test_taking_the_same_draft_in_again_does_not_ask_for_a_printed_receipt(
    desk: Callable[..., DaibanApp], store: StationStore
) -> None:
    """F9 again after the paper (a retry): the case already made is returned, and no
    reminder is written for it."""
    service = CaseService(store, shipped_catalog(), AGENT)
    draft_id = str(new_id())
    view = service.take_in(allowance("马占福"), draft_id=draft_id, today=date(2026, 11, 23))
    app = desk()
    papers_after_take_in(app.desk, view)
    again = service.take_in(allowance("马占福"), draft_id=draft_id, today=date(2026, 11, 23))
    assert again.case_number == view.case_number
    assert store.receipts_owed() == []
