"""`sjg analyze` (run the rule catalogue for a settlement month) and `sjg hits` (export hits)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import Progress

from sanjianguan.cli.app import app, state
from sanjianguan.cli.output import HeadersOption, heading, narrow_table
from sanjianguan.engines.choices import EngineName
from sanjianguan.rules.choices import ExportFormat
from sanjianguan.tabular import Headers

if TYPE_CHECKING:
    from sanjianguan.analytics.month_run import StageSeconds
    from sanjianguan.rules.runner import RuleResult, RunSummary

console = Console()


@app.command("analyze")
def analyze_command(
    period: Annotated[str, typer.Option("--period", help="结算月 / settlement month YYYY-MM")],
    engine: Annotated[EngineName, typer.Option("--engine", help="计算引擎 / engine")] = EngineName.DUCKDB,
    rules: Annotated[
        str | None, typer.Option("--rules", help="只运行这些规则 / only these rule ids, e.g. C01,C02")
    ] = None,
    spark_master: Annotated[
        str | None,
        typer.Option(
            "--spark-master",
            help="Spark master URL: local[2] | spark://host:7077 | yarn (default [spark] master, local[2])",
        ),
    ] = None,
    parquet_dir: Annotated[
        str | None,
        typer.Option(
            "--parquet-dir", help="Spark 读取的 Parquet 目录 / Parquet layout (default <home>/parquet)"
        ),
    ] = None,
    export: Annotated[
        bool, typer.Option("--export/--no-export", help="Spark 运行前导出库 / export the store first")
    ] = True,
    indicators: Annotated[
        bool, typer.Option("--indicators/--no-indicators", help="同时计算指标 / also compute the indicators")
    ] = True,
) -> None:
    """运行规则目录 / run the rule catalogue for one settlement month and store the hits.

    Hits, the run's record and (with --indicators) the month's indicator values are stored
    together at the end: an interrupted run leaves the previous results as they were. Until
    then each rule's hits and each indicator's values wait in temporary tables of the store,
    not in memory. The summary gives each rule's hits, amount and seconds, then the run's
    seconds by stage (用时: shared views, rules, indicators, storing)."""
    from sanjianguan.analytics.month_run import analyse_month
    from sanjianguan.engines.open import RemoteExportError, open_engine
    from sanjianguan.rules.registry import load_catalogue, select

    ctx = state.context()
    chosen = select(load_catalogue(ctx.home), rules.split(",") if rules else None)
    with ctx.store() as con:
        try:
            runner_engine = open_engine(
                engine,
                con,
                ctx.home,
                master=spark_master,
                parquet_dir=parquet_dir,
                export=export,
                spark=ctx.settings.spark,
            )
        except RemoteExportError as exc:
            raise typer.BadParameter(str(exc), param_hint="--export") from exc
        try:
            with Progress(console=console, transient=True) as progress:
                task = progress.add_task(f"{period} 规则分析 / analysing", total=len(chosen))

                def advance(result: RuleResult) -> None:
                    progress.advance(task)

                month_run = analyse_month(
                    con,
                    runner_engine,
                    ctx.home,
                    chosen,
                    period,
                    with_indicators=indicators,
                    on_result=advance,
                )
        finally:
            runner_engine.close()
    if month_run.indicators is not None:
        from sanjianguan.cli.indicators import report_indicators

        report_indicators(month_run.indicators)
    summary = month_run.summary
    _print_summary(summary)
    _print_stages(month_run.seconds, with_indicators=month_run.indicators is not None)


def _print_stages(seconds: StageSeconds, *, with_indicators: bool) -> None:
    """用时: the run's wall seconds by stage (where a region's month goes)."""
    stages = [("共享视图", "views", seconds.views), ("规则", "rules", seconds.rules)]
    if with_indicators:
        stages.append(("指标", "indicators", seconds.indicators))
    stages.append(("保存", "storing", seconds.storing))
    table = narrow_table("用时(秒) / seconds")
    for zh, en, _ in stages:
        table.add_column(heading(zh, en), justify="right")
    table.add_row(*(f"{value:.1f}" for _, _, value in stages))
    console.print(table)


def _print_summary(summary: RunSummary) -> None:
    table = narrow_table(
        f"{summary.period} · {summary.engine} · KB v{summary.kb_version} · run {summary.run_id}"
    )
    table.add_column(heading("规则", "rule"))
    for zh, en in (("命中", "hits"), ("涉及金额(元)", "amount"), ("耗时(秒)", "seconds")):
        table.add_column(heading(zh, en), justify="right")
    for result in summary.results:
        table.add_row(result.rule_id, str(result.hit_count), str(result.amount), f"{result.seconds:.2f}")
    console.print(table)


@app.command("hits")
def hits_command(
    period: Annotated[str, typer.Option("--period", help="结算月 / settlement month YYYY-MM")],
    out: Annotated[Path, typer.Option("--out", help="输出文件 / output file")],
    fmt: Annotated[ExportFormat, typer.Option("--format", help="csv | parquet")] = ExportFormat.CSV,
    headers: HeadersOption = Headers.EN,
) -> None:
    """导出疑似问题 / export the hits of a settlement month (CSV: UTF-8 with BOM)."""
    from sanjianguan.rules.export import export_hits

    if fmt is ExportFormat.PARQUET and headers is Headers.ZH:
        raise typer.BadParameter("--headers zh 只适用于 CSV / only for --format csv", param_hint="--headers")
    with state.context().store(read_only=True) as con:
        rows = export_hits(con, period, fmt, out, headers)
    console.print(f"{rows} 条 / hits → {out}")
