"""Verifying the audit, whole or since the last signed heads, and keeping it verified.

``full_check`` walks every chain (``daiban central audit``, and once when the centre
starts); ``quick_check`` checks that the signed heads still hold and walks only the
links added since (cheap: run every ``audit_check_seconds`` by the running centre).
A clean check advances the signed heads, so rows deleted after it are found.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from central.services import audit_key
from central.services.audit_key import Head
from central.services.audit_rekey import first_key
from central.services.audit_verify import (
    ADMIN,
    CASES,
    EVENTS,
    HEADS,
    HEADS_FORGED,
    Finding,
    Report,
    Walk,
    check_head,
    walk_admin,
    walk_cases,
    walk_events,
)
from central.settings import CentralSettings

log = logging.getLogger("daiban.central.audit")
WALKERS = {EVENTS: walk_events, ADMIN: walk_admin}


def prepare(engine: Engine, settings: CentralSettings) -> bytes:
    """Load (or create, 0600) the audit key and attach it to ``engine``.

    The first key of a database upgraded from unkeyed chains re-keys them once, if
    they are intact (:mod:`central.services.audit_rekey`).
    """
    path = settings.audit_key_file
    if path.exists():
        key = audit_key.load_or_create(path)
    else:
        key, _rekeyed = first_key(engine, path)
    audit_key.attach(engine, key)
    return key


def full_check(connection: Connection, settings: CentralSettings, *, cases: bool = True) -> Report:
    """Walk every chain from its start, check the signed heads, advance them if clean.

    Args:
        connection: an open connection on an engine with its key attached.
        settings: where the key and heads live.
        cases: also fold every case's events against its stored state.

    Returns:
        The report (``ok`` when nothing was found).
    """
    key = audit_key.key_for(connection)
    heads = audit_key.read_heads(settings.audit_key_file, key)
    walks = {chain: walker(connection, key) for chain, walker in WALKERS.items()}
    _check_heads(connection, heads, walks)
    if cases:
        walks[CASES] = walk_cases(connection)
    report = Report(walks)
    _advance(settings, key, report)
    return report


def quick_check(connection: Connection, settings: CentralSettings) -> Report:
    """Check the signed heads and the links added since; advance the heads if clean."""
    key = audit_key.key_for(connection)
    heads = audit_key.read_heads(settings.audit_key_file, key)
    walks: dict[str, Walk] = {}
    for chain, walker in WALKERS.items():
        head = (heads or {}).get(chain)
        if head is None:
            walks[chain] = walker(connection, key)
            continue
        walks[chain] = Walk()
        check_head(connection, chain, head, walks[chain])
        if not walks[chain].findings:
            walks[chain] = walker(connection, key, head)
    if heads is None:
        walks[HEADS] = _forged_heads()
    report = Report(walks)
    _advance(settings, key, report)
    return report


def _check_heads(
    connection: Connection, heads: dict[str, Head] | None, walks: dict[str, Walk]
) -> None:
    if heads is None:
        walks[HEADS] = _forged_heads()
        return
    for chain, head in heads.items():
        if chain in walks:
            check_head(connection, chain, head, walks[chain])


def _forged_heads() -> Walk:
    walk = Walk()
    walk.add(Finding(HEADS, None, "audit.key.head", HEADS_FORGED))
    return walk


def _advance(settings: CentralSettings, key: bytes, report: Report) -> None:
    """Sign the newest verified links (never moving a head back)."""
    if not report.ok:
        return
    path = settings.audit_key_file
    heads = audit_key.read_heads(path, key) or {}
    for chain in WALKERS:
        walk = report.walks[chain]
        if walk.count and walk.last_seq >= getattr(heads.get(chain), "seq", 0):
            heads[chain] = Head(seq=walk.last_seq, hash=walk.last_hash, count=walk.count)
    audit_key.write_heads(path, key, heads)


def log_report(report: Report) -> None:
    """Log what a check found (no personal data: rows are named by sequence and case number)."""
    for finding in report.findings():
        log.error("audit: %s %s %s %s", finding.chain, finding.row, finding.problem, finding.detail)


async def watch(engine: Engine, settings: CentralSettings, state: Any) -> None:
    """The running centre's check: both chains whole once at start (cases are folded by
    ``daiban central audit`` only), then the newest links every ``audit_check_seconds``;
    the last report is kept on ``state.audit_report``."""
    check: Any = _chains_only
    while True:
        try:
            state.audit_report = await run_in_threadpool(_run, engine, settings, check)
        except SQLAlchemyError as error:  # not migrated yet, or the database is away: next time
            log.warning(
                "audit: check skipped, the database is not ready (%s)", type(error).__name__
            )
        else:
            log_report(state.audit_report)
            check = quick_check
        await asyncio.sleep(settings.audit_check_seconds)


def _chains_only(connection: Connection, settings: CentralSettings) -> Report:
    return full_check(connection, settings, cases=False)


def _run(engine: Engine, settings: CentralSettings, check: Any) -> Report:
    with engine.connect() as connection:
        report: Report = check(connection, settings)
        return report
