"""`sjg synth`: generate a synthetic region with planted cases (合成测试数据)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sanjianguan.cli.app import app


@app.command()
def synth(
    out: Annotated[Path, typer.Argument(help="输出目录 / output folder")],
    scale: Annotated[str, typer.Option("--scale", help="tiny | county | city")] = "tiny",
    months: Annotated[int, typer.Option("--months", help="结算月份数 / settlement months")] = 3,
    seed: Annotated[int, typer.Option("--seed", help="随机种子 / seed (same seed, same bytes)")] = 1,
    start: Annotated[str, typer.Option("--start", help="首月 / first month YYYY-MM")] = "2025-01",
    fmt: Annotated[str, typer.Option("--format", help="parquet | csv")] = "parquet",
    hit_rate: Annotated[
        float | None,
        typer.Option(
            "--hit-rate",
            help="命中比例 0–0.2：每月约此比例的就诊落入某条规则(植入病例分布于各规则、机构和月份)；"
            "不给则只在末月植入少量病例 / share of each month's encounters with a hit, planted across "
            "rules, institutions and months (default: the few planted cases of the last month)",
        ),
    ] = None,
) -> None:
    """生成合成区域数据(含植入问题病例与答案) / generate a synthetic region with planted cases and truth."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from sanjianguan.synth import generate

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
    ) as bar:
        task = bar.add_task("生成 / generating", total=None)

        def report(done: int, total: int, label: str) -> None:
            bar.update(task, completed=done, total=total, description=f"生成 / generating {label}")

        summary = generate(out, scale, months, seed, start=start, progress=report, fmt=fmt, hit_rate=hit_rate)
    lines = summary.rows.get("fee_items", 0)
    typer.echo(
        f"{out}: {summary.rows.get('encounters', 0)} encounters, {lines} fee lines, "
        f"{summary.truth_rows} truth rows ({sum(summary.seconds_per_month):.1f} s)"
    )
