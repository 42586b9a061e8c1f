"""`sjg quarantine`: every quarantined row of a batch (隔离行) — list it, export it as CSV."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from sanjianguan.cli.app import app, state

if TYPE_CHECKING:
    from sanjianguan.analytic_store.quarantine import QuarantineRow

quarantine_app = typer.Typer(no_args_is_help=True, help="隔离区 / quarantined rows of a batch: list, export")
app.add_typer(quarantine_app, name="quarantine")

BatchOption = Annotated[
    str, typer.Option("--batch", help="批次编号(或唯一前缀，sjg ingest 显示) / batch ID or a unique prefix")
]
HEADINGS = ("表 / table", "文件 / file", "行 / row", "字段 / field", "值 / value", "原因 / reason")


@quarantine_app.command("list")
def list_command(batch: BatchOption) -> None:
    """列出批次的全部隔离行(不截断)与总数 / every quarantined row of a batch, and the total."""
    from sanjianguan.analytic_store.quarantine import quarantine_rows

    with state.context().store(read_only=True) as con:
        rows = quarantine_rows(con, batch)
    typer.echo(_table_text(rows), nl=False)
    typer.echo(f"共 {len(rows)} 行隔离 / {len(rows)} quarantined row(s)")


@quarantine_app.command("export")
def export_command(
    batch: BatchOption,
    out: Annotated[Path, typer.Option("--out", help="CSV 文件(UTF-8 带 BOM) / CSV file (UTF-8 with BOM)")],
) -> None:
    """把批次的全部隔离行导出为 CSV / write every quarantined row of a batch to a CSV file."""
    from sanjianguan.analytic_store.quarantine import quarantine_rows

    with state.context().store(read_only=True) as con:
        rows = quarantine_rows(con, batch)
    out.write_text(csv_text(rows), encoding="utf-8-sig", newline="")
    typer.echo(f"已写入 {len(rows)} 行 / {len(rows)} row(s) written: {out}", err=True)


def csv_text(rows: list[QuarantineRow]) -> str:
    """The rows as CSV with the stable English column ids of `EXPORT_COLUMNS`."""
    from sanjianguan.analytic_store.quarantine import EXPORT_COLUMNS

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=EXPORT_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(r.as_dict() for r in rows)
    return buffer.getvalue()


def _table_text(rows: list[QuarantineRow]) -> str:
    table = Table(*HEADINGS)
    for r in rows:
        table.add_row(r.table_name, r.file, str(r.row_number), r.field, r.value or "", r.reason)
    buffer = io.StringIO()
    Console(file=buffer, width=200, force_terminal=False).print(table)
    return buffer.getvalue()
