"""`sjg serve`: the web API (and later the pages) on one port."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from sanjianguan.cli.app import app, state

if TYPE_CHECKING:
    from sanjianguan.context import Context

DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", 8000


def run_server(ctx: Context, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> None:
    """Serve the data folder's application until interrupted (Ctrl+C)."""
    import uvicorn

    from sanjianguan.web.app import create_app

    uvicorn.run(create_app(ctx), host=host, port=port)


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option("--host", help="监听地址 / address")] = DEFAULT_HOST,
    port: Annotated[int, typer.Option("--port", help="端口 / port")] = DEFAULT_PORT,
) -> None:
    """启动网页与 API 服务 / serve the API under /api/v1 (OpenAPI at /openapi.json)."""
    run_server(state.context(), host, port)
