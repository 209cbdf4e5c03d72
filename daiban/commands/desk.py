"""``daiban`` with no command: open the station desk."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from daiban.context import fail
from daiban.i18n import _


def open_desk(
    data_dir: Path, demo_accounts: Sequence[Any] = (), language: str | None = None
) -> None:
    """Open the Textual desk for the station whose files are in ``data_dir``.

    Args:
        data_dir: the station's data directory (``--data-dir`` / ``DAIBAN_HOME``).
        demo_accounts: accounts to show on the login screen (``daiban demo`` only).
        language: ``--lang`` / ``DAIBAN_LANG``; None: the station's setting.
    """
    from forms.i18n import set_language
    from station.config import load_settings

    settings = load_settings(data_dir)
    # Before the desk's modules are imported: key descriptions are translated at import.
    set_language(language or settings.language)
    from station.app import make_app
    from station.store import StationStore

    store = StationStore.open(settings.data_dir)
    try:
        if store.identity() is None:
            fail(
                _(
                    "This station is not enrolled yet: run `daiban station enroll --central URL "
                    "--code CODE` (or `daiban demo` for a demonstration)."
                )
            )
        make_app(settings, store=store, demo_accounts=demo_accounts).run()
    finally:
        store.close()
