"""What the commands write: CSV exports (`--headers en|zh`) and terminal tables.

CSV: `sanjianguan.tabular` (UTF-8 with a BOM in a file, stable English ids by default,
`--headers zh` for Chinese headers, full precision).

Terminal tables (终端表格) follow one convention: every header is two lines, the Chinese
name above a short English name (`机构` over `institution`); a table shows the few
columns a person needs at 80 columns (the CSV has them all); long text wraps or is
folded, never widens the table; numbers are rounded here, for display only. A report
with too many columns for the terminal (`sjg quality` below ~120 columns) is printed as
one block per row instead, with the same bilingual labels (`label(zh, id)`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.cells import cell_len
from rich.console import Console, RenderableType
from rich.table import Table

from sanjianguan.tabular import Headers, csv_text, write_csv

HeadersOption = Annotated[
    Headers,
    typer.Option(
        "--headers",
        help="CSV 表头：en 稳定英文列名（默认）| zh 中文 / CSV header: stable ids (default) or Chinese",
    ),
]


def emit_csv(
    rows: Iterable[Mapping[str, Any]],
    columns: Sequence[str],
    labels: Mapping[str, str],
    headers: Headers,
    out: Path | None,
) -> None:
    """A CSV export to `out` (UTF-8 with BOM), or to standard output (no BOM) without one."""
    if out is None:
        typer.echo(csv_text(columns, rows, labels, headers), nl=False)
        return
    count = write_csv(out, columns, rows, labels, headers)
    typer.echo(f"{count} 行 / rows → {out}", err=True)


def heading(zh: str, en: str) -> str:
    """A column header of a terminal table: Chinese name over a short English name."""
    return f"{zh}\n{en}"


def label(zh: str, en: str) -> str:
    """The one-line form of a header, for vertical blocks: `完整性 completeness`."""
    return f"{zh} [dim]{en}[/dim]"


def needed_width(headers: Sequence[tuple[str, str]], text_columns: int = 0) -> int:
    """Cells a table of these two-line headers needs (text columns: 12 cells each)."""
    widths = [max(cell_len(zh), cell_len(column)) for zh, column in headers]
    return sum(widths) + 2 * len(headers) + 12 * text_columns


def width_of(width: int | None = None) -> int:
    """The given width, or the terminal's (`COLUMNS`, else the real size, else 80)."""
    return width if width is not None else Console().width


def narrow_table(title: str | None = None) -> Table:
    """A table drawn to fit the terminal: light borders, headers over two lines."""
    return Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)


def console() -> Console:
    """A console made at print time, so the terminal width (or `COLUMNS`) is the current one."""
    return Console()


def render(table: RenderableType, width: int | None = None) -> str:
    """The table as text at `width` cells (default: the terminal's width)."""
    out = Console(width=width, force_terminal=False, record=False)
    with out.capture() as captured:
        out.print(table)
    return captured.get()


def number(value: Any, places: int = 4) -> str:
    """A number rounded half-up for display (the exports keep every digit)."""
    if value is None:
        return ""
    if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
        quantum = Decimal(1).scaleb(-places)
        return str(Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP))
    return str(value)


def percent(value: Any, places: int = 1) -> str:
    """A fraction as a percentage for display (`0.666…` → `66.7%`)."""
    if value is None:
        return ""
    return f"{number(Decimal(str(value)) * 100, places)}%"
