"""`sjg serve --today D`: the served application's clock reads D (deadlines, next moves)."""

from __future__ import annotations

from datetime import date

import pytest
import uvicorn
from fastapi import FastAPI
from typer.testing import CliRunner

from sanjianguan.cases.calendar import china_date
from sanjianguan.cli import _register
from sanjianguan.cli.app import app
from sanjianguan.context import Context
from sanjianguan.db.base import utcnow


def _served(ctx: Context, monkeypatch: pytest.MonkeyPatch, *options: str) -> FastAPI:
    """The application `sjg serve` would run (uvicorn is not started)."""
    served: list[FastAPI] = []
    monkeypatch.setattr(uvicorn, "run", lambda application, **_: served.append(application))
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
