"""Helpers of the scheduler tests: an environment on a test store, China-time moments, events."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import select

from sanjianguan.calendar.workdays import CHINA
from sanjianguan.config import SchedulerSettings, Settings
from sanjianguan.scheduler.jobs import JobEnv
from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import AuditEvent, JobRun


def at(day: date, hour: int = 1) -> datetime:
    """`hour` o'clock on `day`, China time (the worker's daily wake)."""
    return datetime.combine(day, time(hour), tzinfo=CHINA)


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def make_env(database: Database, home: Path, **scheduler: object) -> JobEnv:
    settings = Settings(scheduler=SchedulerSettings.model_validate(scheduler))
    return JobEnv(database=database, home=home, settings=settings)


def events(database: Database, name: str) -> list[AuditEvent]:
    with database.sessions() as session:
        return list(
            session.scalars(select(AuditEvent).where(AuditEvent.event == name).order_by(AuditEvent.seq))
        )


def event_days(database: Database, name: str) -> Counter[tuple[str, date]]:
    """(subject, China date) of each event `name`: a Counter, to see that each happened once."""
    from sanjianguan.calendar.workdays import china_date

    return Counter((e.subject_id, china_date(e.occurred_at)) for e in events(database, name))


def runs_of(database: Database, job_id: str) -> list[JobRun]:
    with database.sessions() as session:
        return list(session.scalars(select(JobRun).where(JobRun.job_id == job_id).order_by(JobRun.slot)))
