"""Run the due jobs once: compute each job's due slot, claim it, run it, record the outcome.

`run_due` is what every wake of the worker does (APScheduler's trigger, and once at
start for the catch-up); it takes `now`, so tests drive it with their own clock. A job
whose slot already succeeded is skipped, a slot claimed by a live worker is skipped, a
failure is recorded with its reason (`job_runs.error`) and retried at the next wake.
"""

from __future__ import annotations

import logging
import os
import socket
import traceback
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sanjianguan.calendar.table import calendar_for
from sanjianguan.calendar.workdays import china_date
from sanjianguan.scheduler import runs
from sanjianguan.scheduler.catalogue import JobSpec
from sanjianguan.scheduler.jobs import JobEnv
from sanjianguan.scheduler.slots import Monthly

log = logging.getLogger("sanjianguan.scheduler")


class Outcome(StrEnum):
    """What a wake did with one job."""

    RAN = "ran"  # 已运行
    FAILED = "failed"  # 运行失败（已记录原因，下次重试）
    DONE = "done"  # 本期已运行过
    HELD = "held"  # 另一进程正在运行或已运行


@dataclass(frozen=True)
class JobOutcome:
    job_id: str
    slot: str
    outcome: Outcome
    error: str | None = None


def worker_name() -> str:
    """host:pid, kept with each run (which worker ran it)."""
    return f"{socket.gethostname()}:{os.getpid()}"


def due_slot(env: JobEnv, job: JobSpec, now: datetime) -> str:
    """The job's latest slot whose time has come at `now`."""
    today = china_date(now)
    with env.database.sessions() as session:
        calendar = calendar_for(session)
    if isinstance(job.schedule, Monthly) and job.ready is not None:
        check = job.ready
        return job.schedule.slot_if_ready(today, calendar, lambda slot: check(env, slot, today))
    return job.schedule.slot(today, calendar)


def run_job(env: JobEnv, job: JobSpec, now: datetime, *, worker: str | None = None) -> JobOutcome:
    """Claim the job's due slot and run it (or say why not)."""
    slot = due_slot(env, job, now)
    if runs.done(env.database, job.job_id, slot):
        return JobOutcome(job.job_id, slot, Outcome.DONE)
    stale = timedelta(minutes=env.settings.scheduler.stale_minutes)
    held = runs.claim(
        env.database, job.job_id, slot, now=now, worker=worker or worker_name(), stale_after=stale
    )
    if held is None:
        return JobOutcome(job.job_id, slot, Outcome.HELD)
    try:
        result = job.run(env, now, slot)
    except Exception as exc:  # any failure is recorded and retried; the worker carries on
        reason = f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=8)}"
        log.exception("job %s (%s) failed", job.job_id, slot)
        runs.fail(env.database, held, now=now, error=reason)
        return JobOutcome(job.job_id, slot, Outcome.FAILED, f"{type(exc).__name__}: {exc}")
    runs.succeed(env.database, held, now=now, result=_plain(result.as_json()))
    return JobOutcome(job.job_id, slot, Outcome.RAN)


def run_due(
    env: JobEnv, jobs: list[JobSpec], now: datetime, *, worker: str | None = None
) -> list[JobOutcome]:
    """One wake: every job in catalogue order."""
    return [run_job(env, job, now, worker=worker) for job in jobs]


def _plain(value: object) -> dict[str, object]:
    """The result as JSON (dates as ISO strings)."""
    import json

    return dict(json.loads(json.dumps(value, default=str)))
