"""The one factory of the county intake API: ``create_app(settings)``.

Tests, the CLI and uvicorn workers (``app_from_env``) all build the app here.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI, Request, status
from fastapi.responses import JSONResponse
from fastapi_offline import FastAPIOffline
from sqlalchemy.exc import DataError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from central.api.docs import DESCRIPTION, TAGS, install_summaries
from central.api.gzip_request import GzipRequestMiddleware, JsonGZipMiddleware
from central.api.limits import MAX_BUNDLE_BYTES, RequestLimitMiddleware
from central.api.openapi import install as install_openapi
from central.api.routes import (
    admin,
    at_once,
    auth,
    blobs,
    bundles,
    catalog,
    dashboard,
    enroll,
    health,
    hello,
    loops,
    progress,
    pull,
    push,
    token_renew,
)
from central.api.routes import reports as report_routes
from central.api.shedding import ArrivalMiddleware, pool_exhausted_handler
from central.db import make_engine
from central.logging_setup import RequestIdMiddleware, setup_logging
from central.migrate import upgrade
from central.services import audit_check
from central.settings import CentralSettings
from sync.protocol import API_PREFIX


def api_routers() -> list[APIRouter]:
    """Every router of the API, each to be included under ``sync.protocol.API_PREFIX``.

    Included into the app one by one, not through one router that includes them all:
    FastAPI matches an included router by walking its own included routers (and checks
    each one's routes for changes at every request), so a nested tree cost a station's
    sync ~4 % of the centre's instructions in routing alone. The routes of a station's
    sync come first: routers are tried in order.
    """
    modules = (
        at_once,
        hello,
        push,
        pull,
        enroll,
        auth,
        blobs,
        bundles,
        catalog,
        admin,
        dashboard,
        loops,
        token_renew,
        report_routes,
    )
    return [module.router for module in modules]


def create_app(settings: CentralSettings) -> FastAPI:
    """Build the API for ``settings``: engine, migrations, routes, gzip both ways.

    Args:
        settings: the central's settings; the secret is checked here.

    Returns:
        The FastAPI app (``app.state.engine`` and ``app.state.settings`` set).

    Raises:
        InsecureSecretError: the secret is the placeholder and that is not allowed.
    """
    settings.check_secret()
    setup_logging(settings.data_dir)
    engine = make_engine(settings.db_url)
    if settings.migrate_on_start:
        upgrade(engine)
    audit_check.prepare(engine, settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        watcher = None
        if settings.audit_check_seconds > 0:
            watcher = asyncio.create_task(audit_check.watch(engine, settings, app.state))
        yield
        if watcher is not None:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
        engine.dispose()

    app = FastAPIOffline(
        title="daiban central",
        version="1",
        description=DESCRIPTION,
        openapi_tags=TAGS,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    for router in api_routers():
        app.include_router(router, prefix=API_PREFIX)
    app.include_router(progress.router)  # GET /p/{key}: public, outside the API prefix
    app.include_router(health.router)  # /healthz, /readyz: no credentials
    install_summaries(app)
    install_openapi(app)
    app.add_exception_handler(OverflowError, _out_of_range)
    app.add_exception_handler(DataError, _out_of_range)
    app.add_exception_handler(PoolTimeout, pool_exhausted_handler(settings.shed_retry_after_s))
    app.add_middleware(JsonGZipMiddleware, minimum_size=1024, skip_prefix=f"{API_PREFIX}/blobs/")
    app.add_middleware(GzipRequestMiddleware, max_bytes=settings.max_request_bytes)
    app.add_middleware(  # counts the bytes as sent, before gzip inflates them
        RequestLimitMiddleware,
        max_bytes=settings.max_request_bytes,
        read_timeout=settings.read_timeout_seconds,
        stream_limits={
            f"{API_PREFIX}/blobs/": settings.max_blob_bytes,
            f"{API_PREFIX}/bundles": MAX_BUNDLE_BYTES,
        },
    )
    app.add_middleware(ArrivalMiddleware)  # when it arrived: see central.api.shedding
    app.add_middleware(RequestIdMiddleware)  # outermost: every answer carries the id
    return app


OUT_OF_RANGE = "a number or date in the request is out of the range the centre stores"


async def _out_of_range(_request: Request, _error: Exception) -> JSONResponse:
    """A number past 64 bits or a date past year 9999 is invalid input (422), not a fault."""
    return JSONResponse({"detail": OUT_OF_RANGE}, status.HTTP_422_UNPROCESSABLE_CONTENT)


def app_from_env() -> FastAPI:
    """Factory for ``uvicorn central.app:app_from_env --factory`` (settings from env/file).

    A worker's modules, app and settings live as long as it does: they are moved out of
    the cycle collector's way (``gc.freeze``), so a collection during the 9 a.m. wave
    walks only the requests' own objects, not the whole server.
    """
    app = create_app(CentralSettings())
    gc.collect()
    gc.freeze()
    return app
