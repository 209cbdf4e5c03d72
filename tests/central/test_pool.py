"""The centre's pool keeps the connections a burst opened (no cold server process per burst)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import create_engine, event
from sqlalchemy.pool import NullPool

from central import db
from central.db import POOL_CONNECTIONS, make_engine


def test_the_connections_a_burst_opened_answer_the_next_burst(db_url: str) -> None:
    """At 9 a.m. requests come in bursts. A pool that closed its connections beyond a
    smaller size after each burst opened them again at the next: on PostgreSQL each one a
    new server process, cold. Two bursts of a full pool open the pool's connections once."""
    engine = make_engine(db_url)
    opened: list[Any] = []
    event.listen(engine, "connect", lambda dbapi_connection, _record: opened.append(1))
    try:
        for _burst in range(2):
            connections = [engine.connect() for _ in range(POOL_CONNECTIONS)]
            for connection in connections:
                assert connection.exec_driver_sql("SELECT 1").scalar() == 1
            for connection in connections:
                connection.close()
        assert len(opened) == POOL_CONNECTIONS
        assert engine.pool.checkedin() == POOL_CONNECTIONS  # type: ignore[attr-defined]
    finally:
        engine.dispose()


def _counting_pings(engine: Any) -> list[int]:
    """Count the pings the pool sends from now on (the dialect's own ``do_ping``)."""
    pings: list[int] = []
    ping = engine.dialect.do_ping

    def counted(dbapi_connection: Any) -> bool:
        pings.append(1)
        return bool(ping(dbapi_connection))

    engine.dialect.do_ping = counted
    return pings


def _backend(engine: Any) -> int:
    with engine.connect() as connection:
        return int(connection.exec_driver_sql("SELECT pg_backend_pid()").scalar())


@pytest.mark.postgres
def test_a_connection_given_back_a_moment_ago_is_handed_out_without_a_ping(pg_url: str) -> None:
    """In the 9 a.m. wave a request takes a connection three or four times per station's
    sync: a ping each time was a round trip and a statement for the database each time."""
    engine = make_engine(pg_url)
    try:
        pings = _counting_pings(engine)
        backends = {_backend(engine) for _ in range(5)}
        assert len(backends) == 1  # the same pooled connection, five times
        assert pings == []
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_an_idle_connection_the_database_dropped_is_replaced_before_a_request_meets_it(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A restarted database (or a firewall dropping quiet connections overnight) leaves
    the pool holding dead connections: the first request of the morning gets a new one,
    not an error."""
    engine = make_engine(pg_url)
    other = create_engine(pg_url, poolclass=NullPool)
    try:
        pings = _counting_pings(engine)
        dropped = _backend(engine)
        with other.connect() as admin:
            admin.exec_driver_sql(f"SELECT pg_terminate_backend({dropped})")
            admin.commit()
        monkeypatch.setattr(db, "IDLE_PING_S", 0.0)  # as if it sat unused past the limit
        assert _backend(engine) != dropped
        assert len(pings) == 1
    finally:
        engine.dispose()
        other.dispose()
