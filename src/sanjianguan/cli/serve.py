"""`sjg serve`: the web API (and later the pages) on one port."""

from __future__ import annotations

from typing import Annotated

import typer

from sanjianguan.cli.app import app, state


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option("--host", help="监听地址 / address")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="端口 / port")] = 8000,
) -> None:
    """启动网页与 API 服务 / serve the API under /api/v1 (OpenAPI at /openapi.json)."""
    import uvicorn

    from sanjianguan.web.app import create_app

    uvicorn.run(create_app(state.context()), host=host, port=port)
