"""`sjg demo`: the whole pipeline on a synthetic region, in the current data folder."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from sanjianguan.cli.app import app, state
from sanjianguan.demo import DemoOptions, DemoResult, run_demo

console = Console()


@app.command()
def demo(
    scale: Annotated[str, typer.Option(help="规模 / scale: tiny|county|city")] = "county",
    months: Annotated[int, typer.Option(help="月数 / months of data", min=1, max=36)] = 3,
    seed: Annotated[int, typer.Option(help="随机种子 / seed")] = 2025,
) -> None:
    """演示 / Demo: generate a region, load its KB and batches, check quality, run the rules."""
    ctx = state.context()
    options = DemoOptions(scale=scale, months=months, seed=seed)
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("生成 / generating", total=None)

        def advance(done: int, total: int, label: str) -> None:
            progress.update(task, completed=done, total=total, description=label)

        result = run_demo(ctx, options, lambda text: console.print(text, markup=False), advance)
    _print(result)
    console.print(
        f"\n数据目录 / data folder: {ctx.home}\n"
        f"下一步 / next: sjg --home {ctx.home} status | quality --period P | hits --period P --out hits.csv"
    )


def _print(result: DemoResult) -> None:
    if result.analysis is None:
        return
    table = Table(title=f"{result.analysis.period} 规则命中 / hits per rule")
    for header in ("规则 rule", "命中 hits", "涉及金额 amount (元)"):
        table.add_column(header)
    for rule in result.analysis.results:
        if rule.hits:
            table.add_row(rule.rule_id, str(len(rule.hits)), f"{rule.amount:,.2f}")
    console.print(table)
    console.print(f"报送义务事件 / reporting-duty events recorded: {result.events}")
