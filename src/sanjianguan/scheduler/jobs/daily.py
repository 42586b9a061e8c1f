"""The daily jobs: the clues' tick (`sjg cases tick`) and the penalty points' tick.

`cases_tick` is the existing daily tick (self-check reminders, the art. 31 default,
materials/appeal/review/rectification deadlines), plus the due-soon and overdue hooks.
`points_tick` flags the point steps past due (notice, report, register, appeal decision)
and the monthly points returns (零报告 included) not filed by the 10th.
Both are idempotent for a day, and run in one transaction each.
"""

from __future__ import annotations

from datetime import datetime

from sanjianguan.calendar.remaining import DueText
from sanjianguan.calendar.table import calendar_for
from sanjianguan.calendar.workdays import china_date
from sanjianguan.cases import deadlines
from sanjianguan.points import overdue as points_overdue
from sanjianguan.points.config import load_points_config
from sanjianguan.scheduler.jobs import JobEnv, JobResult
from sanjianguan.scheduler.jobs import reminders as hook
from sanjianguan.submissions.overdue_returns import flag_missing


def cases_tick(env: JobEnv, now: datetime) -> JobResult:
    """每日任务: the clues' deadlines for today (China date of `now`)."""
    today = china_date(now)
    with env.database.transaction() as session:
        report = deadlines.tick(session, today, now=now)
        notes = hook.tick_notifications(session, report)
        notes += hook.long_overdue(session, today)
        notes += hook.due_soon(session, today, env.settings.scheduler.remind_working_days)
        env.deliver(session, notes, now)
    summary = {
        "today": today.isoformat(),
        "reminded": report.reminded,
        "defaulted": report.defaulted,
        "flagged": report.flagged,
    }
    return JobResult(summary, notes)


def points_tick(env: JobEnv, now: datetime) -> JobResult:
    """记分期限: flag each point step past due once, and each missing monthly return."""
    today = china_date(now)
    config = load_points_config(env.home)
    with env.database.transaction() as session:
        steps = points_overdue.tick(session, today, now=now)
        returns = points_overdue.flag_missing_returns(session, config, today, now=now)
        notes = hook.points_notifications(steps, returns, DueText(calendar_for(session), today))
        env.deliver(session, notes, now)
    summary = {
        "today": today.isoformat(),
        "steps": [f"{s.record_id}:{s.step}" for s in steps],
        "returns": [f"{r.region_code}/{r.month}/{r.department}" for r in returns],
    }
    return JobResult(summary, notes)


def county_returns(env: JobEnv, now: datetime) -> JobResult:
    """县区月报: flag each county whose stamped return of a month had not come by the 10th."""
    today = china_date(now)
    with env.database.transaction() as session:
        missing = flag_missing(session, today, now=now)
        notes = hook.county_return_notifications(missing, DueText(calendar_for(session), today))
        env.deliver(session, notes, now)
    return JobResult(
        {"today": today.isoformat(), "missing": [f"{m.region_code}/{m.period}" for m in missing]}, notes
    )
