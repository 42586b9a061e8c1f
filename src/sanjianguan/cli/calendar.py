"""`sjg calendar`: the official holiday calendar (load a year from a file, show a year).

A year loaded goes into the workflow store (deadlines) and, as a copy, into the data
folder's `calendar/<year>.csv` (the indicators' working days: `calendar.analysis`)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from sanjianguan.calendar.workdays import china_date
from sanjianguan.cli.app import app, state

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from sanjianguan.workflow_db.models import User

# The database layer is imported inside each function: `sjg --help` must not load it.

PROVISIONAL = "（暂定）"

calendar_app = typer.Typer(
    no_args_is_help=True, help="法定节假日日历 / official holiday calendar: load a year, show a year"
)
app.add_typer(calendar_app, name="calendar")

TodayOption = Annotated[
    datetime | None,
    typer.Option("--today", formats=["%Y-%m-%d"], help="当天日期 / today's date (default: today in China)"),
]


def warn_calendar(session: Session, today: date, *, provisional: bool = False) -> None:
    """Print the office's warnings: deadlines just computed provisionally, a year to load."""
    from sanjianguan.calendar.table import calendar_for, status

    if provisional:
        typer.echo(
            f"警告：部分期限为暂定{PROVISIONAL}，所在年度的法定节假日日历尚未载入 / "
            "warning: some deadlines are provisional: their year's official calendar is not loaded"
        )
    warning = status(calendar_for(session), today).warning
    if warning:
        typer.echo(warning)


def _operator(session: Session, username: str | None) -> User | None:
    """The office user who loads (None: the system operator of the command line)."""
    from sanjianguan.access import users
    from sanjianguan.errors import NotFoundError, PermissionDeniedError
    from sanjianguan.workflow_db.models import Role

    if username is None:
        return None
    user = users.find_user(session, username)
    if user is None:
        raise NotFoundError(f"用户不存在：{username}", f"no such user: {username}")
    if user.role is not Role.OFFICE:
        raise PermissionDeniedError(
            f"只有办公室用户可以载入日历：{username}",
            f"only an office user may load the calendar: {username}",
        )
    return user


@calendar_app.command("load")
def load(
    file: Annotated[Path, typer.Argument(help="日历文件 CSV（date,kind,name）/ calendar file")],
    by: Annotated[str | None, typer.Option("--by", help="办公室用户名 / office username")] = None,
    today: TodayOption = None,
) -> None:
    """载入一年的法定节假日和调休上班日 / replace one year's holidays and make-up days (audited)."""
    from sanjianguan.bootstrap import open_database
    from sanjianguan.calendar.analysis import write_year
    from sanjianguan.calendar.files import read_year_file
    from sanjianguan.calendar_load import load_year
    from sanjianguan.workflow_db.base import utcnow

    data = read_year_file(file)
    ctx = state.context()
    database = open_database(ctx.home, ctx.settings)
    try:
        with database.transaction() as session:
            now = utcnow()
            report = load_year(session, data, user=_operator(session, by), now=now)
            # The analysis (indicators' working days) reads the data folder's copy, written
            # before the store commits: a copy that cannot be written loads nothing.
            copy = write_year(ctx.home, data)
            replaced = f"，替换 / replaces {report.replaced}" if report.replaced else ""
            typer.echo(
                f"{report.year}: 已载入 / loaded {data.source} (sha256 {data.sha256[:12]}…){replaced}; "
                f"法定节假日 / holidays {report.holidays}, 调休上班 / make-up days {report.workdays}"
            )
            typer.echo(f"分析用副本 / copy for the analysis: {copy}")
            typer.echo(f"重算暂定期限 / provisional deadlines recomputed: {len(report.recomputed)}")
            for line in report.recomputed:
                typer.echo(f"  {line}")
            warn_calendar(session, today.date() if today else china_date(now))
    finally:
        database.dispose()


@calendar_app.command("show")
def show(
    year: Annotated[int, typer.Argument(help="年度 / year")],
    today: TodayOption = None,
) -> None:
    """显示一年的法定节假日和调休上班日，及是否已正式载入 / a year's entries and whether it is official."""
    from sanjianguan.bootstrap import open_database
    from sanjianguan.calendar.days import KIND_ZH
    from sanjianguan.calendar.table import calendar_for
    from sanjianguan.workflow_db.base import utcnow
    from sanjianguan.workflow_db.models import CalendarYear

    ctx = state.context()
    database = open_database(ctx.home, ctx.settings)
    try:
        with database.transaction() as session:
            calendar = calendar_for(session)
            loaded = session.get(CalendarYear, year)
            if loaded is not None:
                typer.echo(
                    f"{year}: 正式日历 / official (来源 / source {loaded.source}, "
                    f"载入 / loaded {loaded.loaded_at.isoformat(timespec='seconds')})"
                )
            else:
                typer.echo(
                    f"{year}: 未载入{PROVISIONAL}：仅周末和固定日期节日 / not loaded: provisional, "
                    "weekends and fixed-date holidays only"
                )
            for entry in calendar.entries(year):
                typer.echo(f"{entry.day.isoformat()}\t{KIND_ZH[entry.kind]}\t{entry.name}")
            warn_calendar(session, today.date() if today else china_date(utcnow()))
    finally:
        database.dispose()
