"""The FastAPI application factory: `create_app(ctx)`; migrations run on start.

The configuration (settings, ladder, points) is loaded here, once (`web.configuration`):
a broken file fails the start, and no request reads a configuration file.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime

from fastapi import FastAPI

from sanjianguan import __version__
from sanjianguan.bootstrap import upgrade
from sanjianguan.cases.settings import evidence_store
from sanjianguan.context import Context
from sanjianguan.web import errors, guard, pages, static_files
from sanjianguan.web.configuration import WebConfig
from sanjianguan.web.routes import api_router
from sanjianguan.workflow_db.base import utcnow
from sanjianguan.workflow_db.connection import Database

API_PREFIX = "/api/v1"


def create_app(
    ctx: Context, *, clock: Callable[[], datetime] = utcnow, database: Database | None = None
) -> FastAPI:
    """The web application of a data folder; `clock` and `database` can be injected (tests).

    Raises ConfigError (naming the file and the key) for a broken ladder or points file.
    """
    config = WebConfig.load(ctx)
    db = database or Database.for_home(ctx.home, ctx.settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        upgrade(db.engine)
        yield
        if database is None:
            db.dispose()

    app = FastAPI(
        title="医疗“三监管”平台 API",
        version=__version__,
        lifespan=lifespan,
        openapi_url="/openapi.json",
        docs_url=None,  # FastAPI's docs load from a CDN: static_files serves them offline
        redoc_url=None,
    )
    app.state.database, app.state.clock, app.state.config = db, clock, config
    app.state.home = ctx.home  # the evidence folder of the clue workflow lives under it
    app.state.evidence = evidence_store(ctx.home, config.cases)  # tests may put their own
    errors.install(app)
    guard.install(app, config.settings)  # login and body size checked before a body is read
    static_files.install(app)  # /static from the package; /docs and /redoc on it (offline)
    app.include_router(api_router, prefix=API_PREFIX)
    pages.install(app)  # the browser pages (web/pages/): login, the dashboard, ...
    return app
