"""The Alembic migrations build exactly the models' schema, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from central.db import make_engine
from central.migrate import upgrade
from central.models import CentralModel


def test_migrations_match_the_models_and_run_twice(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        upgrade(engine)
        upgrade(engine)  # idempotent: every worker runs it at start-up
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, CentralModel.metadata) == []
            counter = connection.exec_driver_sql("SELECT value FROM counter WHERE name='events'")
            assert counter.scalar_one() == 0
    finally:
        engine.dispose()
