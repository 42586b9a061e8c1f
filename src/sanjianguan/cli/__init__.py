"""`sjg`, the command-line tool. Thin: every command calls a service function.

Each command group lives in its own module and registers itself on `app`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sanjianguan.cli.app import app, state
from sanjianguan.errors import SjgError


@app.callback()
def _global(
    home: Annotated[
        Path | None,
        typer.Option("--home", help="数据目录 / data folder (default: $SJG_HOME or ./sjg-data)"),
    ] = None,
) -> None:
    """医疗“三监管”信息化监管平台 — sanjianguan command-line tool."""
    state.home = home


def _register() -> None:
    # Imported for their side effect: each module adds its commands to `app`.
    from sanjianguan.cli import commands  # noqa: F401


def main() -> None:
    """Entry point: user errors print one clear line and exit 2 (rejected input: see each command)."""
    _register()
    try:
        app()
    except SjgError as exc:
        typer.secho(f"错误 / error: {exc}", err=True, fg=typer.colors.RED)
        raise SystemExit(2) from exc
