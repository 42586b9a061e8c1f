"""`sjg quality`: recompute and print the quality record (数据质控) of a settlement month."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from sanjianguan.cli.app import app, state
from sanjianguan.errors import SjgError

# Chinese headings of the table format, in REPORT_COLUMNS order.
HEADINGS = (
    "机构编码",
    "机构名称",
    "区划",
    "完整性",
    "有效性",
    "一致性",
    "及时性",
    "数据量比",
    "对码率",
    "综合得分",
    "上报责任事件",
)
PERCENT_COLUMNS = ("completeness", "validity", "consistency", "timeliness", "mapping", "score")


class ReportFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


@app.command("quality")
def quality_command(
    period: Annotated[str, typer.Option("--period", help="结算月份 YYYY-MM / settlement month")],
    fmt: Annotated[ReportFormat, typer.Option("--format", help="输出格式 / output format")] = (
        ReportFormat.table
    ),
    out: Annotated[Path | None, typer.Option("--out", help="写入文件 / write to this file")] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="判定日 YYYY-MM-DD / evaluation date (default: today)")
    ] = None,
) -> None:
    """数据质控：重算某月质控指标与上报责任事件 / quality record and reporting-duty events of a month."""
    from sanjianguan.contract.quality import quality_report, refresh_quality, store_pairs
    from sanjianguan.contract.reporting_duty import record_reporting_events

    ctx = state.context()
    today = _parse_date(as_of) if as_of else date.today()
    with ctx.store() as con:
        refresh_quality(con, ctx.settings, store_pairs(con, period), today)
        new = record_reporting_events(con, ctx.settings, period, today)
        rows = quality_report(con, period)
    typer.echo(f"新记录上报责任事件 {len(new)} 条 / {len(new)} new reporting-duty event(s)", err=True)
    text = render_report(rows, fmt)
    if out is None:
        typer.echo(text, nl=False)
        return
    out.write_text(text, encoding="utf-8-sig" if fmt is ReportFormat.csv else "utf-8")
    typer.echo(f"已写入 / written: {out}", err=True)


def _parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise SjgError(f"--as-of 应为 YYYY-MM-DD / --as-of must be YYYY-MM-DD, got {text!r}") from exc


def render_report(rows: list[dict[str, Any]], fmt: ReportFormat) -> str:
    """The report as text in one of the formats (csv/json keep the English column names)."""
    from sanjianguan.contract.quality import REPORT_COLUMNS

    if fmt is ReportFormat.json:
        return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    if fmt is ReportFormat.csv:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=REPORT_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows({**row, "events": "|".join(row["events"])} for row in rows)
        return buffer.getvalue()
    return _table_text(rows)


def _table_text(rows: list[dict[str, Any]]) -> str:
    from sanjianguan.contract.quality import REPORT_COLUMNS

    table = Table(*HEADINGS)
    for row in rows:
        cells = [_cell(column, row[column]) for column in REPORT_COLUMNS]
        table.add_row(*cells)
    buffer = io.StringIO()
    Console(file=buffer, width=200, force_terminal=False).print(table)
    return buffer.getvalue()


def _cell(column: str, value: Any) -> str:
    from sanjianguan.contract.reporting_duty import EVENT_LABELS

    if column == "events":
        return "、".join(EVENT_LABELS.get(e, e) for e in value) or "—"
    if value is None:
        return "—"
    if column in PERCENT_COLUMNS:
        return f"{value:.1%}"
    if column == "volume":
        return f"{value:.2f}"
    return str(value)
