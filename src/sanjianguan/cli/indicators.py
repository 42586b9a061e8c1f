"""`sjg indicators`: compute, store and export level-2/3 and O/E indicators."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.cells import cell_len
from rich.table import Table

from sanjianguan.cli.app import app, state
from sanjianguan.cli.output import HeadersOption, console, emit_csv, heading, narrow_table, number
from sanjianguan.engines.choices import EngineName
from sanjianguan.indicators.choices import ExportFormat, Level
from sanjianguan.tabular import Headers

if TYPE_CHECKING:
    from sanjianguan.indicators.runner import IndicatorTally
    from sanjianguan.indicators.scope import Scope

_REASONS = {"target": "未达标值", "peer_outlier": "同级离群"}
_UNIT_COLUMNS = {
    Level.INSTITUTION: (),
    Level.DEPARTMENT: (("科室", "department", "department"),),
    Level.DOCTOR: (("医师", "doctor", "doctor_id"),),
}
_NAME_CELLS = 28  # the indicator's 中文名 stays on one line up to this width


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
    headers: HeadersOption = Headers.EN,
) -> None:
    """计算并导出指标 / compute, store and export the indicators of a month or a year.

    The values replace the scope's earlier ones at the end, in one transaction: an
    interrupted run leaves them as they were. Until then each indicator's values wait in a
    temporary table of the store, not in memory.
    """
    from sanjianguan.engines.open import open_engine
    from sanjianguan.indicators.export import EXPORT_COLUMNS, EXPORT_LABELS, export_rows, to_json
    from sanjianguan.indicators.runner import analysis_scope, catalogue, run

    scope = _scope(period, year_)
    check_out(fmt, out)
    ctx = state.context()
    scope = analysis_scope(ctx.home, scope)
    indicators, settings = catalogue(ctx.home, only.split(",") if only else None)
    with ctx.store() as con:
        runner_engine = open_engine(engine, con, ctx.home)
        try:
            result = run(con, runner_engine, indicators, scope, settings)
        finally:
            runner_engine.close()
        rows = export_rows(con, scope.label, level)
    print_skipped(result)
    if fmt is ExportFormat.CSV:
        emit_csv(rows, EXPORT_COLUMNS, EXPORT_LABELS, headers, out)
    elif fmt is ExportFormat.JSON:
        write_text(to_json(rows), out, len(rows))
    else:
        _print_table(rows, level, headline(scope.label, level, rows))


def headline(label: str, level: Level, rows: list[dict[str, object]]) -> str:
    """The table's title: the failing rows counted at the level shown (not all levels)."""
    failing = sum(1 for row in rows if row["failing"])
    return f"{label} · {level.value} · {len(rows)} 值 values · {failing} 项不达标 / failing"


def report_indicators(result: IndicatorTally) -> None:
    """What `sjg analyze --indicators` says of the month's indicators: skipped, then failing."""
    print_skipped(result)
    _print_failing(result)


def print_skipped(result: IndicatorTally) -> None:
    """Warn about each indicator the run could not compute (its year's calendar is not loaded).

    On standard error: standard output may be the CSV or JSON export."""
    for skipped in result.skipped:
        typer.echo(skipped.warning, err=True)


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
    typer.echo(f"{rows} 行 / rows → {out}", err=True)


def _print_table(rows: list[dict[str, object]], level: Level, title: str) -> None:
    console().print(indicator_table(rows, level, title))


def indicator_table(rows: list[dict[str, object]], level: Level, title: str) -> Table:
    """The terminal table: unit, indicator (中文名 and id), value, target, verdict."""
    table = narrow_table(title)
    units = (("机构", "institution", "institution_id"), *_UNIT_COLUMNS[level])
    for zh, en, _ in units:
        table.add_column(heading(zh, en), overflow="fold")
    longest = max((cell_len(str(row["indicator_name"])) for row in rows), default=0)
    table.add_column(heading("指标", "indicator"), overflow="fold", min_width=min(longest, _NAME_CELLS))
    table.add_column(heading("值", "value"), justify="right")
    table.add_column(heading("标值", "target"), justify="right")
    table.add_column(heading("不达标", "failing"), overflow="fold")
    for row in rows:
        name = f"{row['indicator_name']}\n[dim]{row['indicator']} ({row['group']})[/dim]"
        verdict = (
            f"✗ {_REASONS.get(str(row['failing_reason']), row['failing_reason'])}" if row["failing"] else ""
        )
        unit = ["" if row[c] is None else str(row[c]) for _, _, c in units]
        table.add_row(*unit, name, number(row["value"]), number(row["target"]), verdict)
    return table


def _print_failing(result: IndicatorTally) -> None:
    failing = [j for j in result.failing if j.value.level is Level.INSTITUTION]
    console().print(
        f"{result.scope.label} 指标 / indicators: {result.value_count} 值 values, "
        f"{len(failing)} 项机构不达标 / failing at institutions"
    )
