"""The jobs the worker runs, and when (from `[scheduler]` and `[quality] due_day`).

- `reporting_duty`, monthly, the day after `[quality] due_day`: art. 24 events of last month;
- `analysis`, monthly, once last month's batches are in, at the latest on `analysis_day`:
  analyse the month and generate its clues;
- `clues.push`, monthly, on `push_day` or the next working day: push last month's clues;
- `cases.tick`, daily: the clues' tick (reminders, art. 31 default, overdue flags), due-soon hook;
- `points.tick`, daily: point steps past due, monthly points returns (零报告) not filed;
- `county_returns`, daily: counties' monthly returns not received by the 10th.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sanjianguan.config import Settings
from sanjianguan.scheduler.jobs import JobEnv, JobResult, analysis, daily, push
from sanjianguan.scheduler.slots import Daily, Monthly, Schedule

JobFn = Callable[[JobEnv, datetime, str], JobResult]
Ready = Callable[[JobEnv, str, date], bool]


@dataclass(frozen=True)
class JobSpec:
    """One job: its id, schedule, function and (monthly) readiness check before its day."""

    job_id: str
    schedule: Schedule
    run: JobFn
    zh: str
    ready: Ready | None = None


def _daily(fn: Callable[[JobEnv, datetime], JobResult]) -> JobFn:
    def run(env: JobEnv, now: datetime, slot: str) -> JobResult:
        return fn(env, now)

    run.__name__ = fn.__name__
    return run


def catalogue(settings: Settings) -> list[JobSpec]:
    """Every job, in the order a wake runs them (analysis before the push, tick after it)."""
    s = settings.scheduler
    jobs = [
        JobSpec(
            "reporting_duty",
            Monthly(settings.quality.due_day + 1),
            analysis.reporting_duty,
            "上报责任事件（第二十四条）",
        ),
        JobSpec("analysis", Monthly(s.analysis_day), analysis.analysis, "月度分析", ready=analysis.ready),
        JobSpec("clues.push", Monthly(s.push_day, working_day=True), push.push, "推送线索"),
        JobSpec("cases.tick", Daily(), _daily(daily.cases_tick), "线索每日任务"),
        JobSpec("points.tick", Daily(), _daily(daily.points_tick), "记分期限"),
        JobSpec("county_returns", Daily(), _daily(daily.county_returns), "县区月报逾期"),
    ]
    return [job for job in jobs if job.job_id not in s.disabled]


def job_ids() -> list[str]:
    """All job ids (the defaults), for `sjg worker status` and the docs."""
    return [job.job_id for job in catalogue(Settings())]
