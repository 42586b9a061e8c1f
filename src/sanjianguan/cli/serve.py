"""`sjg serve`: the web API (and later the pages) on one port."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import typer

from sanjianguan.cli.app import app, state
from sanjianguan.clock import clock_on
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


def run_server(
    ctx: Context, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, today: date | None = None
) -> None:
    """Serve the data folder's application until interrupted (Ctrl+C); `today` pins its clock."""
    import uvicorn

    from sanjianguan.web.app import create_app

    uvicorn.run(create_app(ctx, clock=clock_on(today)), host=host, port=port)


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option("--host", help="监听地址 / address")] = DEFAULT_HOST,
    port: Annotated[int, typer.Option("--port", help="端口 / port")] = DEFAULT_PORT,
    today: TodayOption = None,
) -> None:
    """启动网页与 API 服务 / serve the API under /api/v1 (OpenAPI at /openapi.json)."""
    run_server(state.context(), host, port, today.date() if today else None)
