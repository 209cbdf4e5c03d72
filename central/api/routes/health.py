"""GET /healthz and /readyz: for a load balancer, systemd or a monitoring probe.

Both outside the API prefix, without credentials, and with nothing but a status in
the answer (no version, no station, no personal data). ``/healthz`` says the process
answers; ``/readyz`` says it can serve: the database answers and its schema is at
the newest migration.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from central.api.routing import ReleasingRoute
from central.migrate import alembic_config

router = APIRouter(tags=["health"], route_class=ReleasingRoute)


@router.get("/healthz", summary="存活检查")
def healthz() -> dict[str, str]:
    """The process is alive and answering."""
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="就绪检查",
    responses={503: {"description": "数据库不可达或未迁移到最新版本"}},
)
def readyz(request: Request) -> Any:
    """Ready to serve: the database answers and its schema is at the newest migration."""
    problem = readiness_problem(request.app.state.engine)
    if problem:
        return JSONResponse({"status": "unavailable", "reason": problem}, status_code=503)
    return {"status": "ready"}


def readiness_problem(engine: Engine) -> str | None:
    """Why the centre cannot serve yet, or None.

    Args:
        engine: the centre's database engine.

    Returns:
        ``database unreachable``, ``schema not at head`` or None.
    """
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            current = set(MigrationContext.configure(connection).get_current_heads())
    except SQLAlchemyError:
        return "database unreachable"
    return None if current == _heads() else "schema not at head"


@cache
def _heads() -> frozenset[str]:
    """The newest revisions the code knows (read once: they do not change while running)."""
    return frozenset(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())
