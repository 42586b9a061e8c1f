"""`sjg`, the command-line tool. Thin: every command calls a service function.

Each command group lives in its own module and registers itself on `app`.
"""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path
from typing import Annotated

import typer

from sanjianguan.cli.app import app, state
from sanjianguan.errors import SjgError

EXIT_USER_ERROR = 2  # bad input, bad configuration, a refused request: one clear line
EXIT_INTERNAL_ERROR = 70  # EX_SOFTWARE: an unexpected error, logged with an error id
EXIT_INTERRUPTED = 130  # Ctrl-C


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


def main(argv: list[str] | None = None) -> None:
    """Entry point: no error reaches the person as a traceback.

    A user error (SjgError) prints one clear line and exits 2; an unexpected one prints a
    bilingual message with an error id and exits 70, its traceback going to the data
    folder's `logs/sjg.log` (`sanjianguan.errorlog`). `SJG_DEBUG=1` re-raises instead.
    """
    _register()
    args = sys.argv[1:] if argv is None else argv
    try:
        app(args=args, prog_name="sjg")
    except SjgError as exc:
        typer.secho(f"错误 / error: {exc}", err=True, fg=typer.colors.RED)
        raise SystemExit(EXIT_USER_ERROR) from exc
    except KeyboardInterrupt:
        typer.secho("已中断 / interrupted", err=True, fg=typer.colors.RED)
        raise SystemExit(EXIT_INTERRUPTED) from None
    except Exception as exc:
        if os.environ.get("SJG_DEBUG") == "1":
            raise
        _internal_error(exc, args)
        raise SystemExit(EXIT_INTERNAL_ERROR) from None


def _internal_error(exc: Exception, args: list[str]) -> None:
    """Log the traceback with a new error id and tell the person the id, never the traceback."""
    from sanjianguan.config import resolve_home
    from sanjianguan.errorlog import internal_message, report

    try:
        home: Path | None = resolve_home(state.home)
    except Exception:  # no data folder: the log goes to the temp dir
        home = None
    error_id, log = report(exc, home=home, where="命令 / command: " + shlex.join(["sjg", *args]))
    zh, en = internal_message(error_id)
    typer.secho(f"错误 / error: {zh} / {en}", err=True, fg=typer.colors.RED)
    if log is not None:
        typer.secho(f"详情 / details: {log}", err=True)
