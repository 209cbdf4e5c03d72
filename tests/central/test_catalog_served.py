"""The catalog a county serves before it publishes one (version 0, from its files)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from sqlmodel import Session

from central.services import catalog_versions
from central.services.catalog_versions import served_catalog
from forms.catalog import SHIPPED_CATALOG


def test_an_unpublished_catalog_edited_on_disk_is_served_within_a_second(
    session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before a county publishes, every pull announces the configured catalog's version: its
    files are looked at again at most once a second (not a stat of every item per pull),
    so an edit is announced by the pulls after that second."""
    folder = tmp_path / "county-catalog"
    shutil.copytree(SHIPPED_CATALOG, folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    now = [1000.0]
    monkeypatch.setattr(catalog_versions, "_clock", lambda: now[0])
    before = served_catalog(session=session, path=folder)
    assert before.number == 0
    header = folder / "catalog.toml"
    text = re.sub(r'(?m)^version = ".*"$', 'version = "2099.1.1"', header.read_text("utf-8"))
    header.write_text(text, encoding="utf-8")
    now[0] += catalog_versions.RECHECK_S / 2
    assert served_catalog(session=session, path=folder).version == before.version
    now[0] += catalog_versions.RECHECK_S
    assert served_catalog(session=session, path=folder).version == "2099.1.1"
