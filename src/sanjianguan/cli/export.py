"""`sjg export parquet`: one settlement month of the store to the Parquet layout a cluster reads."""

from __future__ import annotations

from typing import Annotated

import typer

from sanjianguan.cli.app import app, state

export_app = typer.Typer(no_args_is_help=True, help="导出 / export the store for other systems")
app.add_typer(export_app, name="export")


@export_app.command("parquet")
def parquet_command(
    to: Annotated[str, typer.Option("--to", help="Parquet 目录(本地或已挂载) / layout folder")],
    period: Annotated[str, typer.Option("--period", help="结算月 / settlement month YYYY-MM")],
) -> None:
    """按期导出 Parquet / add or replace one month in the cluster's Parquet layout (atomically).

    The month's partitions of every encounter table, and the master and KB tables whole;
    other months stay as they are (docs/scale.md)."""
    from sanjianguan.analytic_store.parquet_period import export_period

    with state.context().store(read_only=True) as con:
        counts = export_period(con, to, period)
    typer.echo(
        f"{period} → {to}: {counts.get('encounters', 0)} 就诊 / encounters, "
        f"{counts.get('fee_items', 0)} 费用明细 / fee lines, {len(counts)} 表 / tables"
    )
