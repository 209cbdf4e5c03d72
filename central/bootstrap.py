"""Setting a central up and opening it from the command line."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlmodel import Session

from central.db import make_engine
from central.migrate import upgrade
from central.services.audit_check import prepare
from central.settings import (
    CentralSettings,
    ensure_secret,
    read_settings_file,
    write_settings_file,
)


def load_settings(data_dir: Path, db_url: str | None = None, **overrides: Any) -> CentralSettings:
    """The central's settings: ``central.toml`` in ``data_dir``, the environment, then these."""
    values: dict[str, Any] = {"data_dir": data_dir, **overrides}
    if db_url:
        values["db_url"] = db_url
    return CentralSettings(**values)


def init_central(data_dir: Path, db_url: str | None = None) -> CentralSettings:
    """Create the central: a generated secret in ``central.toml``, the database migrated.

    Idempotent: an existing secret is kept, migrations already applied are skipped.

    Args:
        data_dir: the central's directory (``data_dir()/central``).
        db_url: a database URL to remember (default: SQLite in ``data_dir``).

    Returns:
        The settings the central now runs with.
    """
    ensure_secret(data_dir)
    if db_url:
        values = read_settings_file(data_dir)
        values["db_url"] = db_url
        write_settings_file(data_dir, values)
    settings = load_settings(data_dir, db_url)
    settings.check_secret()
    engine = make_engine(settings.db_url)
    try:
        upgrade(engine)
        prepare(engine, settings)  # the audit key, 0600, outside the database
    finally:
        engine.dispose()
    return settings


@contextmanager
def open_session(settings: CentralSettings) -> Iterator[Session]:
    """A session on a migrated central database (for administrative commands)."""
    engine = make_engine(settings.db_url)
    try:
        upgrade(engine)
        prepare(engine, settings)
        with Session(engine, expire_on_commit=False) as session:
            yield session
    finally:
        engine.dispose()
