"""`sjg cases`: the scheduled side of the clue workflow (generate, push, daily tick, overdue list)."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import typer

from sanjianguan.calendar.workdays import china_date, start_of_day
from sanjianguan.cli.app import app, state

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

# Services are imported inside each command: `sjg --help` must not load the database layer.

cases_app = typer.Typer(
    no_args_is_help=True, help="线索办理 / clue workflow: generate, push, daily tick, overdue"
)
app.add_typer(cases_app, name="cases")

TodayOption = Annotated[
    datetime | None,
    typer.Option("--today", formats=["%Y-%m-%d"], help="当天日期 / today's date (default: today in China)"),
]


def _any_provisional(session: Session, clue_ids: list[str]) -> bool:
    """Whether an open deadline of these clues is provisional (the tick just set or moved it)."""
    from sqlalchemy import select

    from sanjianguan.workflow_db.models import Deadline

    if not clue_ids:
        return False
    found = session.execute(
        select(Deadline.id).where(
            Deadline.clue_id.in_(clue_ids), Deadline.closed_at.is_(None), Deadline.provisional.is_(True)
        )
    ).first()
    return found is not None


def _today(value: datetime | None) -> date:
    from sanjianguan.workflow_db.base import utcnow

    return value.date() if value is not None else china_date(utcnow())


@cases_app.command("generate")
def generate(
    period: Annotated[str, typer.Option("--period", help="数据期间 / period YYYY-MM")],
) -> None:
    """生成线索 / make clues of a period's rule hits and failing level-2 indicators (re-runs add only new)."""
    from sanjianguan.bootstrap import open_database
    from sanjianguan.clues.generate import generate_clues
    from sanjianguan.workflow_db.base import utcnow

    ctx = state.context()
    database = open_database(ctx.home, ctx.settings)
    try:
        with ctx.store(read_only=True) as con, database.transaction() as session:
            report = generate_clues(session, con, period, now=utcnow())
    finally:
        database.dispose()
    typer.echo(
        f"{period}: 新线索 / new clues {report.created}, 已有 / already present {report.already_present}, "
        f"无辖区 / without region {report.without_region}"
    )


@cases_app.command("push")
def push(
    period: Annotated[str, typer.Option("--period", help="数据期间 / period YYYY-MM")],
    region: Annotated[str, typer.Option("--region", help="6位行政区划代码 / region code")],
) -> None:
    """推送线索 / push a period's generated clues of a region (one audited system action).

    Nothing left to push is not an error (a scheduled push may find the month already
    pushed): it says so and exits 0.
    """
    from sanjianguan.bootstrap import open_database
    from sanjianguan.cases import service
    from sanjianguan.cli.calendar import warn_calendar
    from sanjianguan.errors import ConflictError
    from sanjianguan.workflow_db.base import utcnow

    ctx = state.context()
    database = open_database(ctx.home, ctx.settings)
    try:
        with database.transaction() as session:
            now = utcnow()
            result = service.push_period(session, None, period, region, now=now)
            typer.echo(
                f"已推送 / pushed: {len(result.clue_ids)} 条线索 / clues ({period}, {result.region_code})"
            )
            if result.provisional:
                typer.echo(f"暂定期限 / provisional deadlines: {len(result.provisional)}")
            warn_calendar(session, china_date(now), provisional=bool(result.provisional))
    except ConflictError as exc:
        if exc.code != "nothing_to_push":
            raise
        typer.echo(f"无需推送 / nothing to push: {exc}")
    finally:
        database.dispose()


@cases_app.command("tick")
def tick(today: TodayOption = None) -> None:
    """每日任务 / daily job: reminders, the art. 31 default, overdue flags (idempotent per day)."""
    from sanjianguan.bootstrap import open_database
    from sanjianguan.cases import deadlines
    from sanjianguan.cli.calendar import warn_calendar
    from sanjianguan.workflow_db.base import utcnow

    day = _today(today)
    ctx = state.context()
    database = open_database(ctx.home, ctx.settings)
    try:
        with database.transaction() as session:
            report = deadlines.tick(session, day, now=start_of_day(day) if today else utcnow())
            typer.echo(
                f"{day.isoformat()}: 催办 / reminded {len(report.reminded)}, "
                f"判定不合理 / defaulted {len(report.defaulted)}, 逾期标记 / flagged {len(report.flagged)}"
            )
            touched = [*report.reminded, *report.defaulted, *report.flagged]
            warn_calendar(session, day, provisional=_any_provisional(session, touched))
    finally:
        database.dispose()
    for label, ids in (
        ("reminded", report.reminded),
        ("defaulted", report.defaulted),
        ("flagged", report.flagged),
    ):
        for clue_id in ids:
            typer.echo(f"  {label}: {clue_id}")


# The overdue list is tab-separated for scripts; its header names the columns.
# `provisional` is true where the due date was counted in a year whose calendar is not loaded.
OVERDUE_COLUMNS = (
    "clue_id",
    "institution_id",
    "region_code",
    "status",
    "step",
    "due_on",
    "days_overdue",
    "provisional",
)


@cases_app.command("overdue")
def overdue(today: TodayOption = None) -> None:
    """逾期事项 / open deadlines past due (every region), oldest first."""
    from sqlalchemy import select

    from sanjianguan.bootstrap import open_database
    from sanjianguan.cases import deadlines
    from sanjianguan.workflow_db.models import Clue, Deadline

    day = _today(today)
    ctx = state.context()
    database = open_database(ctx.home, ctx.settings)
    try:
        with database.transaction() as session:
            rows = session.execute(
                select(Deadline, Clue)
                .join(Clue, Clue.id == Deadline.clue_id)
                .where(deadlines.past_due(day))
                .order_by(Deadline.due_on, Clue.id)
            ).all()
            typer.echo("\t".join(OVERDUE_COLUMNS))
            for deadline, clue in rows:
                typer.echo(
                    f"{clue.id}\t{clue.institution_id}\t{clue.region_code or '-'}\t{clue.status}\t"
                    f"{deadline.step}\t{deadline.due_on.isoformat()}\t{(day - deadline.due_on).days}\t"
                    f"{'true' if deadline.provisional else 'false'}"
                )
            typer.echo(f"共 / total: {len(rows)}")
    finally:
        database.dispose()


@cases_app.command("stats")
def stats(
    username: Annotated[
        str, typer.Option("--as", help="以该用户的辖区统计 / count as this user (their jurisdiction)")
    ],
    period: Annotated[
        str | None,
        typer.Option("--period", help="结算月 YYYY-MM，默认最近有线索的月份 / month (default: latest)"),
    ] = None,
    today: TodayOption = None,
) -> None:
    """线索统计 / a user's dashboard figures as JSON (the call of GET /api/v1/statistics/clues)."""
    from sanjianguan.access.users import find_user
    from sanjianguan.bootstrap import open_database
    from sanjianguan.clues.rulebook import RuleBook
    from sanjianguan.errors import NotFoundError
    from sanjianguan.period import Period
    from sanjianguan.web.routes.statistics import dashboard_figures

    day = _today(today)
    month = str(Period.parse(period)) if period else None
    ctx = state.context()
    database = open_database(ctx.home, ctx.settings)
    try:
        with database.sessions() as session:
            user = find_user(session, username)
            if user is None or not user.is_active:
                raise NotFoundError.no_such("用户", "user", username)
            figures = dashboard_figures(
                session,
                user,
                RuleBook.for_home(ctx.home),
                month,
                now=start_of_day(day),
                home=ctx.home,
                settings=ctx.settings,
            )
            typer.echo(figures.model_dump_json(indent=2))
    finally:
        database.dispose()
