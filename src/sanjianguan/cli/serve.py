"""`sjg serve`: the web API (and later the pages) on one port."""

from __future__ import annotations

import os
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer

from sanjianguan.cli.app import app, state

if TYPE_CHECKING:
    from sanjianguan.config import Settings
    from sanjianguan.context import Context

DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", 8000

TodayOption = Annotated[
    datetime | None,
    typer.Option(
        "--today",
        formats=["%Y-%m-%d"],
        help="把服务的当天定为该日（期限、可办事项按此计算）/ serve as if today were this date "
        "(default: today in China)",
    ),
]


WorkersOption = Annotated[
    int,
    typer.Option(
        "--workers",
        min=0,
        help="工作进程数，0 = 按 CPU 核数（至多 4）/ worker processes, 0 = one per CPU core (at most 4)",
    ),
]
MAX_AUTO_WORKERS = 4


def worker_count(requested: int) -> int:
    """`requested`, or (0) one per CPU core, at most MAX_AUTO_WORKERS."""
    return requested if requested > 0 else max(1, min(os.cpu_count() or 1, MAX_AUTO_WORKERS))


def run_server(
    ctx: Context,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    today: date | None = None,
    workers: int = 1,
) -> None:
    """Serve the data folder's application until interrupted (Ctrl+C); `today` pins its clock.

    One process serves requests on one core at a time (Python's GIL); `workers` > 1 runs
    that many processes on the same port (the workflow store's migrations run once, first).
    """
    import uvicorn

    from sanjianguan.clock import clock_on
    from sanjianguan.web.app import create_app

    if workers <= 1:
        uvicorn.run(
            create_app(ctx, clock=clock_on(today)), host=host, port=port, **proxy_options(ctx.settings)
        )
        return
    from sanjianguan.bootstrap import upgrade
    from sanjianguan.web.asgi import FACTORY, environment_for
    from sanjianguan.workflow_db.connection import Database

    database = Database.for_home(ctx.home, ctx.settings)
    upgrade(database.engine)
    database.dispose()
    os.environ.update(environment_for(str(ctx.home.resolve()), today))
    uvicorn.run(FACTORY, factory=True, workers=workers, host=host, port=port, **proxy_options(ctx.settings))


def proxy_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's proxy-header options: trusted only from `access.trusted_proxies` (none by default)."""
    trusted = settings.access.trusted_proxies
    return {"proxy_headers": bool(trusted), "forwarded_allow_ips": ",".join(trusted) if trusted else ""}


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option("--host", help="监听地址 / address")] = DEFAULT_HOST,
    port: Annotated[int, typer.Option("--port", help="端口 / port")] = DEFAULT_PORT,
    today: TodayOption = None,
    workers: WorkersOption = 0,
) -> None:
    """启动网页与 API 服务 / serve the API under /api/v1 (OpenAPI at /openapi.json)."""
    run_server(state.context(), host, port, today.date() if today else None, worker_count(workers))
