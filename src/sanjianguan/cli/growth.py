"""`sjg growth`: growth alerts of items and drugs (异常增长) for a settlement month."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from sanjianguan.cli.analyze import EngineName, _engine
from sanjianguan.cli.app import app, state
from sanjianguan.cli.indicators import check_out, write_text
from sanjianguan.indicators.choices import ExportFormat

console = Console()


@app.command("growth")
def growth_command(
    period: Annotated[str, typer.Option("--period", help="结算月 / settlement month YYYY-MM")],
    fmt: Annotated[ExportFormat, typer.Option("--format", help="table | csv | json")] = ExportFormat.TABLE,
    out: Annotated[Path | None, typer.Option("--out", help="输出文件 / output file")] = None,
    engine: Annotated[EngineName, typer.Option("--engine", help="计算引擎 / engine")] = EngineName.DUCKDB,
) -> None:
    """异常增长预警 / items and drugs whose amount grew above the limit (环比 / 同比 growth)."""
    from sanjianguan.indicators.export import to_csv, to_json
    from sanjianguan.indicators.growth import GROWTH_COLUMNS, as_rows, growth_alerts
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
        runner_engine = _engine(engine, con, ctx.home, "local[2]", None, True, period)
        try:
            alerts = growth_alerts(runner_engine, period, rule)
        finally:
            runner_engine.close()
    rows = as_rows(alerts)
    title = (
        f"{period} 异常增长 / growth alerts: {len(rows)} "
        f"(> {rule.min_growth * 100:.0f}%, ≥ ¥{rule.min_amount})"
    )
    if fmt is ExportFormat.TABLE:
        _print_table(rows, title)
    else:
        write_text(to_csv(rows, GROWTH_COLUMNS) if fmt is ExportFormat.CSV else to_json(rows), out, len(rows))


def _print_table(rows: list[dict[str, object]], title: str) -> None:
    from rich.table import Table

    from sanjianguan.indicators.growth import GROWTH_COLUMNS

    table = Table(title=title)
    numbers = ("amount", "base_amount", "increase", "growth")
    for column in GROWTH_COLUMNS:
        table.add_column(column, justify="right" if column in numbers else "left")
    for row in rows:
        table.add_row(*("" if row[c] is None else str(row[c]) for c in GROWTH_COLUMNS))
    console.print(table)
