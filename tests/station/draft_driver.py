"""Run in a subprocess by the kill -9 test: sign in, start a take-in, type, then hang.

Prints ``SAVED`` once the draft's save worker has committed, then waits to be killed.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from station.app import make_app
from station.config import load_settings
from tests.station.helpers import log_in, settle


async def main(data_dir: Path) -> None:
    app = make_app(load_settings(data_dir))
    async with app.run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("8", "0", "enter", "enter")
        await settle(pilot)
        name = pilot.app.screen.query_one("FieldEditor Input")
        name.value = "马占福"  # type: ignore[attr-defined]
        await settle(pilot)
        sys.stdout.write("SAVED\n")
        sys.stdout.flush()
        await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1])))
