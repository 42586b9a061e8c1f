"""`sjg map`: code mapping (对码) — load a mapping file, list the unmapped work queue."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from sanjianguan.cli.app import app, state
from sanjianguan.cli.output import HeadersOption, heading, narrow_table, render
from sanjianguan.tabular import Headers, csv_text

if TYPE_CHECKING:
    pass

map_app = typer.Typer(no_args_is_help=True, help="对码：院内编码 → 医保编码 / code mapping")
app.add_typer(map_app, name="map")

QUEUE_COLUMNS = ("institution_id", "local_code", "item_name", "lines", "amount")
QUEUE_HEADINGS = ("机构编码", "院内编码", "项目名称", "明细条数", "金额(元)")
QUEUE_LABELS = dict(zip(QUEUE_COLUMNS, QUEUE_HEADINGS, strict=True))
_QUEUE_ENGLISH = ("institution", "local code", "item", "lines", "amount")


class QueueFormat(StrEnum):
    table = "table"
    csv = "csv"


@map_app.command("load")
def load_command(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="对码文件 csv/xlsx/parquet / mapping file")
    ],
) -> None:
    """导入对码文件并重新对码已入库的费用明细 / load a mapping file and re-map stored fee lines."""
    from sanjianguan.analytic_store.codemap import load_code_map

    ctx = state.context()
    with ctx.store() as con:
        report = load_code_map(con, file)
    typer.echo(
        f"已导入 {file.name}：{report.entries} 条对码，{len(report.institutions)} 家机构，"
        f"重新对码费用明细 {report.lines_remapped} 条 / loaded {report.entries} mapping(s) for "
        f"{len(report.institutions)} institution(s), {report.lines_remapped} fee line(s) re-mapped"
    )


@map_app.command("unmapped")
def unmapped_command(
    institution: Annotated[str | None, typer.Option("--institution", help="机构编码 / institution")] = None,
    period: Annotated[str | None, typer.Option("--period", help="结算月份 YYYY-MM / period")] = None,
    fmt: Annotated[QueueFormat, typer.Option("--format", help="输出格式 / output format")] = (
        QueueFormat.table
    ),
    headers: HeadersOption = Headers.EN,
) -> None:
    """未对码清单（金额从大到小）/ unmapped local codes, largest amount first."""
    from sanjianguan.analytic_store.codemap import unmapped_queue

    ctx = state.context()
    with ctx.store(read_only=True) as con:
        rows = unmapped_queue(con, institution, period)
    if fmt is QueueFormat.csv:
        typer.echo(csv_text(QUEUE_COLUMNS, rows, QUEUE_LABELS, headers), nl=False)
    else:
        typer.echo(_table_text(rows), nl=False)


def _table_text(rows: list[dict[str, Any]]) -> str:
    table = narrow_table()
    for zh, en in zip(QUEUE_HEADINGS, _QUEUE_ENGLISH, strict=True):
        numeric = en in ("lines", "amount")
        table.add_column(heading(zh, en), justify="right" if numeric else "left", overflow="fold")
    for row in rows:
        table.add_row(*("" if row[c] is None else str(row[c]) for c in QUEUE_COLUMNS))
    return render(table)
