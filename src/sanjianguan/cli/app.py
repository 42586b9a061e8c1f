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

        return Context.open(self.home)


state = GlobalState()
