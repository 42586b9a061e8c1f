"""`sjg quality`: recompute and print the quality record (数据质控) of a settlement month."""

from __future__ import annotations

import json
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Group, RenderableType
from rich.table import Table

from sanjianguan.cli.app import app, state
from sanjianguan.cli.output import (
    HeadersOption,
    emit_csv,
    heading,
    label,
    narrow_table,
    needed_width,
    number,
    percent,
    render,
    width_of,
)
from sanjianguan.errors import SjgError
from sanjianguan.tabular import Headers

if TYPE_CHECKING:
    pass

PERCENT_COLUMNS = ("completeness", "validity", "consistency", "timeliness", "mapping", "score")


def _measure_columns() -> tuple[str, ...]:
    """Completeness … score, in report order (read lazily: the contract layer loads duckdb)."""
    from sanjianguan.quality.record import REPORT_COLUMNS

    return tuple(REPORT_COLUMNS[3:-1])


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
    headers: HeadersOption = Headers.EN,
) -> None:
    """数据质控：重算某月质控指标与上报责任事件 / quality record and reporting-duty events of a month."""
    from sanjianguan.quality.record import (
        REPORT_COLUMNS,
        REPORT_LABELS,
        quality_report,
        refresh_quality,
        store_pairs,
    )
    from sanjianguan.quality.reporting_duty import record_reporting_events

    ctx = state.context()
    today = _parse_date(as_of) if as_of else date.today()
    with ctx.store() as con:
        refresh_quality(con, ctx.settings, store_pairs(con, period), today)
        new = record_reporting_events(con, ctx.settings, period, today)
        rows = quality_report(con, period)
    typer.echo(f"新记录上报责任事件 {len(new)} 条 / {len(new)} new reporting-duty event(s)", err=True)
    if fmt is ReportFormat.csv:
        emit_csv(csv_rows(rows), REPORT_COLUMNS, REPORT_LABELS, headers, out)
        return
    text = render_report(rows, fmt)
    if out is None:
        typer.echo(text, nl=False)
        return
    out.write_text(text, encoding="utf-8")
    typer.echo(f"已写入 / written: {out}", err=True)


def _parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise SjgError(f"--as-of 应为 YYYY-MM-DD / --as-of must be YYYY-MM-DD, got {text!r}") from exc


def csv_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The report rows for CSV: the event names joined by `|`."""
    return [{**row, "events": "|".join(row["events"])} for row in rows]


def render_report(rows: list[dict[str, Any]], fmt: ReportFormat, width: int | None = None) -> str:
    """The report as JSON (English keys, full precision) or as the terminal table."""
    from sanjianguan.quality.record import REPORT_LABELS

    if fmt is ReportFormat.json:
        return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    width = width_of(width)
    if width >= needed_width([(REPORT_LABELS[c], c) for c in _measure_columns()], text_columns=2):
        return render(quality_table(rows), width)
    return render(quality_blocks(rows), width)


def quality_blocks(rows: list[dict[str, Any]]) -> Group:
    """The narrow-terminal form: one block per institution, measures as label–value pairs."""
    from sanjianguan.quality.record import REPORT_LABELS

    blocks: list[RenderableType] = []
    for row in rows:
        unit = " ".join(str(row[c]) for c in ("institution_id", "name", "region_code") if row[c])
        score = f"{label(REPORT_LABELS['score'], 'score')} {_cell('score', row['score'])}"
        blocks.append(f"[bold]{unit}[/bold]  {score}")
        grid = Table.grid(padding=(0, 2))
        for _ in range(2):
            grid.add_column()
            grid.add_column(justify="right")
        pairs = [(label(REPORT_LABELS[c], c), _cell(c, row[c])) for c in _measure_columns() if c != "score"]
        for left, right in zip(pairs[0::2], pairs[1::2], strict=True):
            grid.add_row(f"  {left[0]}", left[1], right[0], right[1])
        blocks.append(grid)
        blocks.append(f"  {label(REPORT_LABELS['events'], 'events')}：{_cell('events', row['events'])}\n")
    return Group(*blocks)


def quality_table(rows: list[dict[str, Any]]) -> Table:
    """机构 (编码、名称) · the measures (percentages; 数据量比 a ratio) · 上报责任事件."""
    from sanjianguan.quality.record import REPORT_LABELS

    table = narrow_table()
    table.add_column(heading("机构", "institution"), overflow="fold", ratio=1)
    for column in _measure_columns():
        table.add_column(heading(REPORT_LABELS[column], column), justify="right", overflow="fold")
    table.add_column(heading("上报责任事件", "events"), overflow="fold", ratio=1)
    for row in rows:
        unit = " ".join(str(row[c]) for c in ("institution_id", "name") if row[c])
        measures = [_cell(c, row[c]) for c in _measure_columns()]
        table.add_row(unit, *measures, _cell("events", row["events"]))
    return table


def _cell(column: str, value: Any) -> str:
    from sanjianguan.quality.reporting_duty import EVENT_LABELS

    if column == "events":
        return "、".join(EVENT_LABELS.get(e, e) for e in value) or "—"
    if value is None:
        return "—"
    if column in PERCENT_COLUMNS:
        return percent(value)
    return number(value, 2)
