"""`sjg serve`: the web API (and later the pages) on one port."""

from __future__ import annotations

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


def run_server(
    ctx: Context, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, today: date | None = None
) -> None:
    """Serve the data folder's application until interrupted (Ctrl+C); `today` pins its clock."""
    import uvicorn

    from sanjianguan.clock import clock_on
    from sanjianguan.web.app import create_app

    uvicorn.run(create_app(ctx, clock=clock_on(today)), host=host, port=port, **proxy_options(ctx.settings))


def proxy_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's proxy-header options: trusted only from `access.trusted_proxies` (none by default)."""
    trusted = settings.access.trusted_proxies
    return {"proxy_headers": bool(trusted), "forwarded_allow_ips": ",".join(trusted) if trusted else ""}


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option("--host", help="监听地址 / address")] = DEFAULT_HOST,
    port: Annotated[int, typer.Option("--port", help="端口 / port")] = DEFAULT_PORT,
    today: TodayOption = None,
) -> None:
    """启动网页与 API 服务 / serve the API under /api/v1 (OpenAPI at /openapi.json)."""
    run_server(state.context(), host, port, today.date() if today else None)
