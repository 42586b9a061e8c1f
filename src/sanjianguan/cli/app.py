"""The typer application and the global state shared by command modules."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from sanjianguan.context import Context

app = typer.Typer(no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)


@dataclass
class GlobalState:
    home: Path | None = None

    def context(self) -> Context:
        from sanjianguan.context import Context

        ctx = Context.open(self.home)
        ctx.on_store_wait = say_waiting
        return ctx


def say_waiting(seconds_left: float) -> None:
    """An open of the store is waiting for another process (e.g. the API reading): say so."""
    typer.secho(
        f"库正被其他进程使用，最多等待 {seconds_left:.0f} 秒… / "
        f"the store is in use by another process; waiting up to {seconds_left:.0f} s…",
        err=True,
        fg=typer.colors.YELLOW,
    )


state = GlobalState()
