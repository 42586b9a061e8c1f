"""`sjg growth`: growth alerts of items and drugs (异常增长) for a settlement month."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from sanjianguan.cli.app import app, state
from sanjianguan.cli.indicators import check_out, write_text
from sanjianguan.cli.output import HeadersOption, console, emit_csv, heading, narrow_table, number, percent
from sanjianguan.engines.choices import EngineName
from sanjianguan.indicators.choices import Comparison, ExportFormat
from sanjianguan.tabular import Headers

if TYPE_CHECKING:
    pass


@app.command("growth")
def growth_command(
    period: Annotated[str, typer.Option("--period", help="结算月 / settlement month YYYY-MM")],
    fmt: Annotated[ExportFormat, typer.Option("--format", help="table | csv | json")] = ExportFormat.TABLE,
    out: Annotated[Path | None, typer.Option("--out", help="输出文件 / output file")] = None,
    engine: Annotated[EngineName, typer.Option("--engine", help="计算引擎 / engine")] = EngineName.DUCKDB,
    headers: HeadersOption = Headers.EN,
) -> None:
    """异常增长预警 / items and drugs whose amount grew above the limit (环比 / 同比 growth)."""
    from sanjianguan.engines.open import open_engine
    from sanjianguan.indicators.export import to_json
    from sanjianguan.indicators.growth import GROWTH_COLUMNS, GROWTH_LABELS, as_rows, growth_alerts
    from sanjianguan.indicators.model import IndicatorError
    from sanjianguan.indicators.registry import builtin_indicators
    from sanjianguan.indicators.scope import month
    from sanjianguan.indicators.targets import load_settings

    try:
        month(period)
    except IndicatorError as exc:
        raise typer.BadParameter(str(exc), param_hint="--period") from exc
    check_out(fmt, out)
    ctx = state.context()
    rule = load_settings(ctx.home, builtin_indicators()).growth
    with ctx.store() as con:
        runner_engine = open_engine(engine, con, ctx.home)
        try:
            alerts = growth_alerts(runner_engine, period, rule)
        finally:
            runner_engine.close()
    rows = as_rows(alerts)
    title = (
        f"{period} 异常增长 / growth alerts: {len(rows)} "
        f"(> {rule.min_growth * 100:.0f}%, ≥ ¥{rule.min_amount})"
    )
    if fmt is ExportFormat.CSV:
        emit_csv(rows, GROWTH_COLUMNS, GROWTH_LABELS, headers, out)
    elif fmt is ExportFormat.JSON:
        write_text(to_json(rows), out, len(rows))
    else:
        console().print(growth_table(rows, title))


def growth_table(rows: list[dict[str, object]], title: str) -> Table:
    """The terminal table: institution, item (名称 and code), comparison, amounts, growth."""
    table = narrow_table(title)
    table.add_column(heading("机构", "institution"), overflow="fold")
    table.add_column(heading("项目", "item"), overflow="fold", ratio=1)
    table.add_column(heading("比较", "comparison"))
    for zh, column in (("本月(元)", "amount"), ("基期(元)", "base"), ("增长率", "growth")):
        table.add_column(heading(zh, column), justify="right")
    for row in rows:
        item = f"{row['item_name'] or ''}\n[dim]{row['item_code']}[/dim]"
        comparison = f"{Comparison(str(row['comparison'])).label_zh} {row['base_period']}"
        amounts = (number(row["amount"], 2), number(row["base_amount"], 2), percent(row["growth"]))
        table.add_row(str(row["institution_id"]), item, comparison, *amounts)
    return table
