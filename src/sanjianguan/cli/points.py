"""`sjg points`: the penalty-point tables (不良执业行为记分) in force for the data folder."""

from __future__ import annotations

import typer

from sanjianguan.cli.app import app, state

points_app = typer.Typer(no_args_is_help=True, help="不良执业行为记分 / penalty points: the tables")
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
