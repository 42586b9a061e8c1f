"""`sjg inspections`: the yearly "double random" draw (双随机) as a logged system action."""

from __future__ import annotations

from typing import Annotated

import typer

from sanjianguan.cli.app import app, state

inspections_app = typer.Typer(no_args_is_help=True, help="双随机一公开 / inspections: seeded, logged draws")
app.add_typer(inspections_app, name="inspections")


@inspections_app.command("draw")
def draw(
    year: Annotated[int, typer.Option("--year", help="年度 / year")],
    region: Annotated[str, typer.Option("--region", help="6位行政区划代码 / region code")],
    seed: Annotated[str | None, typer.Option("--seed", help="随机种子（给定则可复现） / seed")] = None,
    extra: Annotated[int, typer.Option("--extra", help="加权加抽次数 / extra weighted visits")] = 0,
    inspectors: Annotated[int, typer.Option("--inspectors", help="每次检查人员数 / per visit")] = 2,
    item: Annotated[
        list[str] | None, typer.Option("--item", help="检查事项，可重复 / inspection item (repeatable)")
    ] = None,
) -> None:
    """抽取年度检查计划 / draw a year's inspection plan: every institution once, problems weighted."""
    from sqlalchemy import select

    from sanjianguan.bootstrap import open_database
    from sanjianguan.inspections import service
    from sanjianguan.workflow_db.base import utcnow
    from sanjianguan.workflow_db.models import InspectionVisit

    options = service.PlanOptions(
        extra_visits=extra, inspectors_per_visit=inspectors, items=item or service.DEFAULT_ITEMS
    )
    ctx = state.context()
    database = open_database(ctx.home, ctx.settings)
    try:
        with database.transaction() as session:
            plan = service.draw_plan(
                session, None, year=year, region_code=region, seed=seed, options=options, now=utcnow()
            )
            visits = session.execute(
                select(InspectionVisit).where(InspectionVisit.plan_id == plan.id).order_by(InspectionVisit.id)
            ).scalars()
            typer.echo(f"检查计划 / plan {plan.id}: {year} {plan.region_code}, 种子 / seed {plan.seed}")
            for visit in visits:
                team = ",".join(str(u) for u in service.inspectors(session, visit.id))
                typer.echo(f"  {visit.month:2d}月 {visit.institution_id} ({visit.round}) inspectors {team}")
    finally:
        database.dispose()
