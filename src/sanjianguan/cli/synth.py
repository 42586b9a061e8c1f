"""`sjg synth`: generate a synthetic region with planted cases (合成测试数据)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sanjianguan.cli.app import app


@app.command()
def synth(
    out: Annotated[Path, typer.Argument(help="输出目录 / output folder")],
    scale: Annotated[str | None, typer.Option("--scale", help="tiny | county | city (默认 tiny)")] = None,
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
    institutions: Annotated[
        int | None,
        typer.Option(
            "--institutions",
            help="机构数 9–892（tiny 9、county 44、city 892），按预设的医院/卫生院/诊所比例在其间取任意规模；"
            "与 --scale 二选一 / institutions of the region, any size from tiny to city with the presets' "
            "proportions of hospitals, health centres and clinics (instead of --scale)",
        ),
    ] = None,
) -> None:
    """生成合成区域数据(含植入问题病例与答案) / generate a synthetic region with planted cases and truth."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from sanjianguan.errors import ConfigError
    from sanjianguan.synth import generate

    if scale is not None and institutions is not None:
        raise ConfigError("--scale 与 --institutions 只能给一个 / give --scale or --institutions, not both")

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
    ) as bar:
        task = bar.add_task("生成 / generating", total=None)

        def report(done: int, total: int, label: str) -> None:
            bar.update(task, completed=done, total=total, description=f"生成 / generating {label}")

        summary = generate(
            out,
            scale or "tiny",
            months,
            seed,
            start=start,
            progress=report,
            fmt=fmt,
            hit_rate=hit_rate,
            institutions=institutions,
        )
    lines = summary.rows.get("fee_items", 0)
    typer.echo(
        f"{out}: {summary.rows.get('encounters', 0)} encounters, {lines} fee lines, "
        f"{summary.truth_rows} truth rows, {summary.institutions} institutions "
        f"({sum(summary.seconds_per_month):.1f} s)"
    )
