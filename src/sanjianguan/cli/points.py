"""`sjg points`: the penalty-point tables (不良执业行为记分) in force, and the steps past due."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer

from sanjianguan.cli.app import app, state

points_app = typer.Typer(
    no_args_is_help=True, help="不良执业行为记分 / penalty points: the tables, the overdue list"
)
app.add_typer(points_app, name="points")


@points_app.command("table")
def table() -> None:
    """显示记分标准 / the staff and institution point tables, bands and deadlines."""
    from sanjianguan.points.config import load_points_config

    config = load_points_config(state.context().home)
    staff = config.staff
    typer.echo("医务人员 / staff:")
    for code, item in sorted(staff.items.items()):
        low, high = staff.levels[item.level]
        typer.echo(f"  {code}  {low}-{high}分  {item.text}")
    typer.echo(
        f"  ≥{staff.suspend_at}分暂停 {staff.suspend_months[0]}-{staff.suspend_months[1]} 个月；"
        f"≥{staff.terminate_at}分终止（{staff.bar_years}年，一次记满{staff.bar_years_at_once}年）"
    )
    typer.echo("医疗机构 / institutions:")
    for code, item in sorted(config.institution.items.items()):
        typer.echo(f"  {code}  {config.institution.points[item.level - 1]}分  {item.text}")
    for band in config.institution.bands:
        typer.echo(f"  {band.label}（≥{band.min}）：{band.sanction}")


# Tab-separated for scripts, as `sjg cases overdue`; the last line is the total.
OVERDUE_COLUMNS = ("record_id", "institution_id", "region_code", "step", "due_on", "days_overdue")


@points_app.command("overdue")
def overdue(
    today: Annotated[
        datetime | None,
        typer.Option(
            "--today", formats=["%Y-%m-%d"], help="当天日期 / today's date (default: today in China)"
        ),
    ] = None,
) -> None:
    """记分逾期清单 / point steps past due (notice, report, register, appeal decision), oldest first."""
    from sanjianguan.bootstrap import open_database
    from sanjianguan.calendar.workdays import china_date
    from sanjianguan.points.overdue import overdue_points
    from sanjianguan.workflow_db.base import utcnow

    day = today.date() if today else china_date(utcnow())
    ctx = state.context()
    database = open_database(ctx.home, ctx.settings)
    try:
        with database.sessions() as session:
            steps = overdue_points(session, day)
    finally:
        database.dispose()
    typer.echo("\t".join(OVERDUE_COLUMNS))
    for s in steps:
        days = (day - s.due_on).days
        typer.echo(f"{s.record_id}\t{s.institution_id}\t{s.region_code or '-'}\t{s.step}\t{s.due_on}\t{days}")
    typer.echo(f"共 / total: {len(steps)}")
