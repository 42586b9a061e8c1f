"""The application of `sjg serve --workers N` (N > 1): each worker process builds its own.

uvicorn starts worker processes that import an application by name; the data folder
and the pinned day (`--today`) reach them through the environment, the settings through
the data folder (`sjg.toml`, `SJG__...` variables) as in any other command.
"""

from __future__ import annotations

import os
from datetime import date

from fastapi import FastAPI

from sanjianguan.clock import clock_on
from sanjianguan.context import Context
from sanjianguan.web.app import create_app

ENV_HOME = "SJG_SERVE_HOME"
ENV_TODAY = "SJG_SERVE_TODAY"
FACTORY = "sanjianguan.web.asgi:app_from_environment"


def environment_for(home: str, today: date | None) -> dict[str, str]:
    """The variables a worker reads (`today` absent: the real clock)."""
    return {ENV_HOME: home, ENV_TODAY: today.isoformat() if today else ""}


def app_from_environment() -> FastAPI:
    """The application of the data folder `SJG_SERVE_HOME`, its clock on `SJG_SERVE_TODAY` if set."""
    today = os.environ.get(ENV_TODAY, "")
    ctx = Context.open(os.environ[ENV_HOME])
    return create_app(ctx, clock=clock_on(date.fromisoformat(today) if today else None))
