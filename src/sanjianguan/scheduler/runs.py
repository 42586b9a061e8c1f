"""One run only: the `job_runs` lock in the workflow store.

A worker claims (job, slot) by inserting its row before running the job. The unique key
(job_id, slot) makes a second worker's insert fail: that worker skips (the same on
SQLite, whose writers queue on BEGIN IMMEDIATE, and on PostgreSQL, whose second insert
waits for the first transaction and then fails). A failed run is claimed again by the
next wake (a conditional UPDATE: only one of two racing workers changes the row), and so
is a run still `running` after the stale limit (its worker was killed).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import JobRun, RunStatus

ERROR_MAX = 4000  # characters of a failure's reason kept in `job_runs.error`


@dataclass(frozen=True)
class Claim:
    """A run this worker holds: run it, then `succeed` or `fail`."""

    run_id: int
    job_id: str
    slot: str
    attempt: int


def claim(
    database: Database, job_id: str, slot: str, *, now: datetime, worker: str, stale_after: timedelta
) -> Claim | None:
    """Take (job, slot) for this worker; None when it is done, or held by a live worker."""
    try:
        with database.transaction() as session:
            row = JobRun(
                job_id=job_id, slot=slot, status=RunStatus.RUNNING, attempts=1, worker=worker, started_at=now
            )
            session.add(row)
            session.flush()
            return Claim(row.id, job_id, slot, 1)
    except IntegrityError:
        pass
    return _retake(database, job_id, slot, now=now, worker=worker, stale_after=stale_after)


def _retake(
    database: Database, job_id: str, slot: str, *, now: datetime, worker: str, stale_after: timedelta
) -> Claim | None:
    """A failed run, or a stale running one, changes hands; a succeeded or live one does not."""
    retry = or_(
        JobRun.status == RunStatus.FAILED,
        and_(JobRun.status == RunStatus.RUNNING, JobRun.started_at < now - stale_after),
    )
    with database.transaction() as session:
        changed = session.execute(
            update(JobRun)
            .where(JobRun.job_id == job_id, JobRun.slot == slot, retry)
            .values(
                status=RunStatus.RUNNING,
                attempts=JobRun.attempts + 1,
                worker=worker,
                started_at=now,
                finished_at=None,
            )
            .execution_options(synchronize_session=False)
        )
        if changed.rowcount != 1:  # type: ignore[attr-defined]
            return None
        row = session.execute(select(JobRun).where(JobRun.job_id == job_id, JobRun.slot == slot)).scalar_one()
        return Claim(row.id, job_id, slot, row.attempts)


def succeed(database: Database, held: Claim, *, now: datetime, result: dict[str, Any]) -> None:
    """The run finished: what it did is kept, any earlier failure's reason is cleared."""
    _finish(database, held, RunStatus.SUCCEEDED, now=now, error=None, result=result)


def fail(database: Database, held: Claim, *, now: datetime, error: str) -> None:
    """The run failed: its reason is kept and the next wake retries it."""
    _finish(database, held, RunStatus.FAILED, now=now, error=error[-ERROR_MAX:], result=None)


def _finish(
    database: Database,
    held: Claim,
    status: RunStatus,
    *,
    now: datetime,
    error: str | None,
    result: dict[str, Any] | None,
) -> None:
    with database.transaction() as session:
        row = session.get(JobRun, held.run_id)
        assert row is not None
        row.status, row.finished_at, row.error, row.result = status, now, error, result


def done(database: Database, job_id: str, slot: str) -> bool:
    """Whether (job, slot) already succeeded (the worker's cheap check before claiming)."""
    with database.sessions() as session:
        status = session.scalar(select(JobRun.status).where(JobRun.job_id == job_id, JobRun.slot == slot))
    return status is RunStatus.SUCCEEDED


@dataclass(frozen=True)
class JobState:
    """A job as `sjg worker status` shows it: its latest run and its latest error."""

    job_id: str
    last_slot: str | None
    last_status: RunStatus | None
    last_started: datetime | None
    last_finished: datetime | None
    last_error: str | None
    runs: int


def job_states(database: Database, job_ids: list[str]) -> dict[str, JobState]:
    """The latest run of each job (by start) and the latest recorded error."""
    states: dict[str, JobState] = {}
    with database.sessions() as session:
        for job_id in job_ids:
            latest = session.scalars(
                select(JobRun)
                .where(JobRun.job_id == job_id)
                .order_by(JobRun.started_at.desc(), JobRun.id.desc())
            ).first()
            error = session.scalars(
                select(JobRun.error)
                .where(JobRun.job_id == job_id, JobRun.error.is_not(None))
                .order_by(JobRun.started_at.desc(), JobRun.id.desc())
            ).first()
            count = session.scalar(select(func.count()).select_from(JobRun).where(JobRun.job_id == job_id))
            states[job_id] = JobState(
                job_id=job_id,
                last_slot=latest.slot if latest else None,
                last_status=latest.status if latest else None,
                last_started=latest.started_at if latest else None,
                last_finished=latest.finished_at if latest else None,
                last_error=error,
                runs=int(count or 0),
            )
    return states
