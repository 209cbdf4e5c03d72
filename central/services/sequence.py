"""Central sequence numbers, handed out in commit order.

Every transaction that writes events (or changed accounts) first takes a row
lock on the ``events`` counter row: ``UPDATE counter SET value = value``. On
PostgreSQL the row lock is held until commit, so a second push (from any
worker) waits at this statement until the first has committed, and then reads
the first one's final value. Pushes are therefore serialised at the counter,
which is exactly what makes *sequence order = commit order*: a reader that sees
seq N+1 can never later find a newly committed N, so a pull cursor never skips
a late commit. On SQLite the same statement takes the database's write lock
(the first statement of the transaction is a write, so there is no stale read
snapshot to upgrade), with the same effect. The serialised section is short
(one batch's Core executemany), which the measured figures allow for.

Why one counter for the whole database, still: with group commit the lock has one
holder per worker, and in the 500-station storm the serialised work is ~1 s of the
centre's ~27 s of CPU (docs/scale.md, "The sequence counter"). A counter per county
first needs an audit chain per county (``audit.last_hash`` reads the one chain's newest
link under this lock); the plan and its order are in docs/scale.md. The invariant is
tested by ``tests/central/test_sequence.py`` (a push holding its numbers uncommitted
while another comes in: the puller gets both).
"""

from __future__ import annotations

from sqlalchemy import Connection, bindparam, update

from central.models import COUNTER_TABLE, EVENTS_COUNTER

_counter = COUNTER_TABLE.c
_LOCK = (
    update(COUNTER_TABLE)
    .where(_counter.name == bindparam("counter"))
    .values(value=_counter.value)
    .returning(_counter.value)
)
_LOCK_WITH_HEAD = (
    update(COUNTER_TABLE)
    .where(_counter.name == bindparam("counter"))
    .values(value=_counter.value)
    .returning(_counter.value, _counter.head)
)
_SET = (
    update(COUNTER_TABLE).where(_counter.name == bindparam("counter")).values(value=bindparam("to"))
)
_SET_HEAD = (
    update(COUNTER_TABLE)
    .where(_counter.name == bindparam("counter"))
    .values(value=bindparam("to"), head=bindparam("head"))
)
"""Built once (every push runs both)."""


def lock_counter(connection: Connection, name: str = EVENTS_COUNTER) -> int:
    """Lock the counter row for this transaction and return its current value.

    Must be the first statement of the transaction (see the module docstring).
    """
    value = connection.execute(_LOCK, {"counter": name}).scalar_one_or_none()
    if value is None:
        raise RuntimeError(f"counter {name!r} is missing; run `daiban central init`")
    return int(value)


def lock_counter_head(connection: Connection, name: str = EVENTS_COUNTER) -> tuple[int, str | None]:
    """``lock_counter``, and the audit chain's newest link the row holds (``head``, which
    ``audit.last_hash`` reads): one statement, where a push made two."""
    row = connection.execute(_LOCK_WITH_HEAD, {"counter": name}).one_or_none()
    if row is None:
        raise RuntimeError(f"counter {name!r} is missing; run `daiban central init`")
    return int(row[0]), row[1]


def set_counter(
    connection: Connection, value: int, name: str = EVENTS_COUNTER, *, head: str | None = None
) -> None:
    """Store the last value handed out (the row is already locked by this transaction),
    and ``head``, the audit chain's newest link, when the transaction added links."""
    if head is None:
        connection.execute(_SET, {"counter": name, "to": value})
    else:
        connection.execute(_SET_HEAD, {"counter": name, "to": value, "head": head})


def take_one(connection: Connection, name: str = EVENTS_COUNTER) -> int:
    """Lock the counter, advance it by one and return the new value."""
    value = lock_counter(connection, name) + 1
    set_counter(connection, value, name)
    return value
