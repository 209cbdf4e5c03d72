"""The centre's pool keeps the connections a burst opened (no cold server process per burst)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

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
