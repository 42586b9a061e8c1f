"""`sjg indicators`: compute, store and export level-2/3 and O/E indicators."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from sanjianguan.cli.analyze import EngineName, _engine
from sanjianguan.cli.app import app, state
from sanjianguan.indicators.choices import ExportFormat, Level

if TYPE_CHECKING:
    import duckdb

    from sanjianguan.engines.base import Engine
    from sanjianguan.indicators.runner import IndicatorRun
    from sanjianguan.indicators.scope import Scope

console = Console()


@app.command("indicators")
def indicators_command(
    period: Annotated[str | None, typer.Option("--period", help="结算月 / month YYYY-MM")] = None,
    year_: Annotated[
        str | None, typer.Option("--year", help="年度 / year YYYY (全年分子/全年分母 / year's num ÷ den)")
    ] = None,
    level: Annotated[Level, typer.Option("--level", help="统计层级 / level")] = Level.INSTITUTION,
    fmt: Annotated[ExportFormat, typer.Option("--format", help="table | csv | json")] = ExportFormat.TABLE,
    out: Annotated[Path | None, typer.Option("--out", help="输出文件 / output file")] = None,
    only: Annotated[
        str | None, typer.Option("--indicators", help="只计算这些指标 / only these ids (comma-separated)")
    ] = None,
    engine: Annotated[EngineName, typer.Option("--engine", help="计算引擎 / engine")] = EngineName.DUCKDB,
) -> None:
    """计算并导出指标 / compute, store and export the indicators of a month or a year."""
    from sanjianguan.indicators.export import export_rows
    from sanjianguan.indicators.runner import catalogue, run

    scope = _scope(period, year_)
    check_out(fmt, out)
    ctx = state.context()
    indicators, settings = catalogue(ctx.home, only.split(",") if only else None)
    with ctx.store() as con:
        runner_engine = _engine(engine, con, ctx.home, "local[2]", None, True, scope.first_period)
        try:
            result = run(con, runner_engine, indicators, scope, settings)
        finally:
            runner_engine.close()
        rows = export_rows(con, scope.label, level)
    _emit(rows, fmt, out, f"{scope.label} · {level.value} · {len(result.failing)} 项不达标 / failing")


def run_with_analysis(con: duckdb.DuckDBPyConnection, engine: Engine, home: Path, period: str) -> None:
    """The month's indicators after the rules (`sjg analyze --indicators`)."""
    from sanjianguan.indicators.runner import run_month

    _print_failing(run_month(con, engine, home, period))


def _scope(period: str | None, year_: str | None) -> Scope:
    from sanjianguan.indicators.model import IndicatorError
    from sanjianguan.indicators.scope import month, year

    if (period is None) == (year_ is None):
        raise typer.BadParameter(
            "须且只须给出 --period YYYY-MM 或 --year YYYY 之一 / give exactly one of them"
        )
    try:
        return month(period) if period is not None else year(str(year_))
    except IndicatorError as exc:
        raise typer.BadParameter(str(exc)) from exc


def check_out(fmt: ExportFormat, out: Path | None) -> None:
    """`--out` writes a file, so it needs a file format."""
    if out is not None and fmt is ExportFormat.TABLE:
        raise typer.BadParameter("--out 须配合 --format csv|json / --out needs --format csv or json")


def write_text(text: str, out: Path | None, rows: int) -> None:
    """An export to `out`, or to standard output without one."""
    if out is None:
        sys.stdout.write(text)
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    console.print(f"{rows} 行 / rows → {out}")


def _emit(rows: list[dict[str, object]], fmt: ExportFormat, out: Path | None, title: str) -> None:
    from sanjianguan.indicators.export import to_csv, to_json

    if fmt is ExportFormat.TABLE:
        _print_table(rows, title)
    else:
        write_text(to_csv(rows) if fmt is ExportFormat.CSV else to_json(rows), out, len(rows))


def _print_table(rows: list[dict[str, object]], title: str) -> None:
    from rich.table import Table

    table = Table(title=title)
    columns = ("institution_id", "department", "doctor_id", "indicator", "group")
    numbers = ("numerator", "denominator", "value")
    for column in (*columns, *numbers, "target", "failing"):
        table.add_column(column, justify="right" if column in numbers else "left")
    for row in rows:
        cells = [row[c] for c in (*columns, "numerator", "denominator", "value", "target")]
        failing = f"✗ {row['failing_reason']}" if row["failing"] else ""
        table.add_row(*("" if c is None else str(c) for c in cells), failing)
    console.print(table)


def _print_failing(result: IndicatorRun) -> None:
    failing = [j for j in result.failing if j.value.level is Level.INSTITUTION]
    console.print(
        f"{result.scope.label} 指标 / indicators: {len(result.judged)} 值 values, "
        f"{len(failing)} 项机构不达标 / failing at institutions"
    )
