"""`sjg serve --today D`: the served application's clock reads D (deadlines, next moves).

`--workers N`: N processes serve the port, each building the application of the same data
folder and day (one Python process serves on one core at a time).
"""

from __future__ import annotations

import os
from datetime import date
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from sqlalchemy import inspect
from typer.testing import CliRunner

from sanjianguan.calendar.workdays import china_date
from sanjianguan.cli import _register
from sanjianguan.cli.app import app
from sanjianguan.cli.serve import MAX_AUTO_WORKERS, worker_count
from sanjianguan.context import Context
from sanjianguan.web.asgi import ENV_HOME, ENV_TODAY, FACTORY, app_from_environment
from sanjianguan.workflow_db.base import utcnow
from sanjianguan.workflow_db.connection import Database


def _served(ctx: Context, monkeypatch: pytest.MonkeyPatch, *options: str) -> FastAPI:
    """The application `sjg serve` would run in its one process (uvicorn is not started)."""
    application, kwargs = _run(ctx, monkeypatch, "--workers", "1", *options)
    assert isinstance(application, FastAPI)
    assert "workers" not in kwargs
    return application


def _run(ctx: Context, monkeypatch: pytest.MonkeyPatch, *options: str) -> tuple[object, dict[str, Any]]:
    """What `sjg serve` hands to uvicorn.run: the application (or its factory's name) and options."""
    served: list[tuple[object, dict[str, Any]]] = []
    monkeypatch.setattr(uvicorn, "run", lambda application, **kw: served.append((application, kw)))
    for name in (ENV_HOME, ENV_TODAY):
        monkeypatch.delenv(name, raising=False)
    _register()
    result = CliRunner().invoke(app, ["--home", str(ctx.home), "serve", *options])
    assert result.exit_code == 0, result.output
    return served[0]


def test_serve_today_pins_the_clock(ctx: Context, monkeypatch: pytest.MonkeyPatch) -> None:
    pinned = _served(ctx, monkeypatch, "--today", "2026-10-03")
    assert china_date(pinned.state.clock()) == date(2026, 10, 3)
    assert china_date(_served(ctx, monkeypatch).state.clock()) == china_date(utcnow())


def test_serve_rejects_a_bad_today(ctx: Context) -> None:
    _register()
    result = CliRunner().invoke(app, ["--home", str(ctx.home), "serve", "--today", "2026-13-01"])
    assert result.exit_code != 0
    assert "--today" in result.output


def test_serve_workers_run_the_same_application_in_each_process(
    ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    factory, kwargs = _run(ctx, monkeypatch, "--workers", "2", "--today", "2026-10-03")
    assert factory == FACTORY
    assert kwargs["workers"] == 2
    assert kwargs["factory"] is True
    # What a worker process builds: the same data folder, the clock on the same day.
    worker_app = app_from_environment()
    assert worker_app.state.home == ctx.home.resolve()
    assert china_date(worker_app.state.clock()) == date(2026, 10, 3)
    # The workflow store was migrated once, before the workers start.
    assert inspect(Database.for_home(ctx.home, ctx.settings).engine).has_table("users")


def test_serve_uses_every_core_by_default(ctx: Context, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    assert worker_count(0) == 2
    _factory, kwargs = _run(ctx, monkeypatch)
    assert kwargs["workers"] == 2
    monkeypatch.setattr(os, "cpu_count", lambda: 64)
    assert worker_count(0) == MAX_AUTO_WORKERS
    assert worker_count(3) == 3
