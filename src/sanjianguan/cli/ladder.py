"""`sjg ladder`: the accountability ladder (责任追究阶梯): show the configured rows, run a year."""

from __future__ import annotations

from typing import Annotated

import typer

from sanjianguan.cli.app import app, state

ladder_app = typer.Typer(no_args_is_help=True, help="责任追究阶梯 / accountability ladder: show, run")
app.add_typer(ladder_app, name="ladder")


@ladder_app.command("show")
def show() -> None:
    """显示阶梯 / the configured ladder (built-in rows with the data folder's ladder.toml applied)."""
    from sanjianguan.accountability.config import load_ladder

    ladder = load_ladder(state.context().home)
    for r in ladder.rows:
        flag = "" if r.enabled else "  [停用 / disabled]"
        typer.echo(f"{r.id}  第{r.article}条  {r.condition_zh()} → {r.action}{flag}")


@ladder_app.command("run")
def run(
    year: Annotated[int, typer.Option("--year", help="年度 / calendar year")],
    region: Annotated[str, typer.Option("--region", help="6位行政区划代码 / region code")],
    until: Annotated[
        str | None, typer.Option("--until", help="计至周期 / count cycles up to YYYY-MM")
    ] = None,
) -> None:
    """运行阶梯 / propose actions for a region's year (a system action; a person confirms each)."""
    from sanjianguan.accountability.config import load_ladder
    from sanjianguan.accountability.service import run_ladder
    from sanjianguan.accountability.sources import analytic_inputs
    from sanjianguan.bootstrap import open_database
    from sanjianguan.workflow_db.base import utcnow

    ctx = state.context()
    ladder = load_ladder(ctx.home)
    failures, duty = analytic_inputs(ctx.home, ctx.settings, year)
    database = open_database(ctx.home, ctx.settings)
    try:
        with database.transaction() as session:
            result = run_ladder(
                session,
                None,
                ladder,
                year,
                region,
                until=until,
                failures=failures,
                duty_events=duty,
                now=utcnow(),
            )
    finally:
        database.dispose()
    typer.echo(
        f"{region} {year}: 新建议 / created {len(result.created)}, "
        f"重新计次 / recounted {len(result.updated)}, "
        f"撤回 / withdrawn {len(result.withdrawn)}, 不变 / unchanged {result.unchanged}"
    )
