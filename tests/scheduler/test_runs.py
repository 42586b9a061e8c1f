"""One run only: the `job_runs` lock on SQLite and PostgreSQL, retries and stale runs."""

from __future__ import annotations

import threading
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from sanjianguan.scheduler import runs
from sanjianguan.scheduler.catalogue import JobSpec
from sanjianguan.scheduler.jobs import JobEnv, JobResult
from sanjianguan.scheduler.runner import Outcome, run_job
from sanjianguan.scheduler.slots import Daily
from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import RunStatus
from tests.scheduler.harness import at, make_env, runs_of

NOW = at(date(2025, 9, 30))
HOUR = timedelta(hours=1)


def _claim(database: Database, now: datetime = NOW, worker: str = "w1") -> runs.Claim | None:
    return runs.claim(database, "job", "2025-09-30", now=now, worker=worker, stale_after=HOUR)


def test_a_slot_is_claimed_once_then_done(database: Database) -> None:
    first = _claim(database)
    assert first is not None
    assert first.attempt == 1
    assert _claim(database, worker="w2") is None  # held by a live worker
    runs.succeed(database, first, now=NOW, result={"n": 1})
    assert _claim(database, NOW + 2 * HOUR, worker="w2") is None  # succeeded: never again
    assert runs.done(database, "job", "2025-09-30")


def test_a_failure_keeps_its_reason_and_is_retried(database: Database) -> None:
    first = _claim(database)
    assert first is not None
    runs.fail(database, first, now=NOW, error="OperationalError: the store was down")
    (row,) = runs_of(database, "job")
    assert (row.status, row.error) == (RunStatus.FAILED, "OperationalError: the store was down")
    again = _claim(database, NOW + HOUR, worker="w2")
    assert again is not None
    assert again.attempt == 2
    runs.succeed(database, again, now=NOW + HOUR, result={})
    (row,) = runs_of(database, "job")
    assert (row.status, row.attempts, row.error, row.worker) == (RunStatus.SUCCEEDED, 2, None, "w2")


def test_a_run_left_running_by_a_killed_worker_is_taken_over_when_stale(database: Database) -> None:
    assert _claim(database) is not None  # then the worker dies
    assert _claim(database, NOW + HOUR / 2, worker="w2") is None
    taken = _claim(database, NOW + 2 * HOUR, worker="w2")
    assert taken is not None
    assert taken.attempt == 2


def _counting_job(calls: list[str], pause: float) -> JobSpec:
    def run(env: JobEnv, now: datetime, slot: str) -> JobResult:
        calls.append(slot)
        time.sleep(pause)  # long enough for the other worker to try meanwhile
        return JobResult({"slot": slot})

    return JobSpec("race", Daily(), run, "竞争")


def test_two_workers_racing_run_the_job_once(db_url: str, tmp_path: Path) -> None:
    """Two workers (each its own engine and connections, as two processes) wake at once."""
    calls: list[str] = []
    job = _counting_job(calls, pause=0.3)
    barrier = threading.Barrier(2)
    outcomes: list[Outcome] = []

    def worker(name: str) -> None:
        database = Database.from_url(db_url)
        try:
            barrier.wait()
            outcomes.append(run_job(make_env(database, tmp_path), job, NOW, worker=name).outcome)
        finally:
            database.dispose()

    threads = [threading.Thread(target=worker, args=(f"w{n}",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert calls == ["2025-09-30"]
    assert sorted(outcomes) == sorted([Outcome.RAN, Outcome.HELD]) or sorted(outcomes) == sorted(
        [Outcome.RAN, Outcome.DONE]
    )


def test_a_failing_job_is_recorded_and_retried_at_the_next_wake(database: Database, tmp_path: Path) -> None:
    attempts: list[int] = []

    def flaky(env: JobEnv, now: datetime, slot: str) -> JobResult:
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("the analytic store is locked")
        return JobResult({"ok": True})

    job = JobSpec("flaky", Daily(), flaky, "不稳定")
    env = make_env(database, tmp_path)
    failed = run_job(env, job, NOW, worker="w1")
    assert (failed.outcome, failed.error) == (Outcome.FAILED, "RuntimeError: the analytic store is locked")
    (row,) = runs_of(database, "flaky")
    assert row.error is not None
    assert "the analytic store is locked" in row.error
    assert run_job(env, job, NOW + HOUR, worker="w1").outcome is Outcome.RAN
    assert run_job(env, job, NOW + 2 * HOUR, worker="w1").outcome is Outcome.DONE
    (row,) = runs_of(database, "flaky")
    assert (row.status, row.attempts, row.error, row.result) == (
        RunStatus.SUCCEEDED,
        2,
        None,
        {"ok": True, "notifications": 0},
    )


def test_the_settings_know_every_job_and_only_those() -> None:
    from typing import get_args

    from sanjianguan.config import JobId, Settings, load_settings
    from sanjianguan.errors import ConfigError
    from sanjianguan.scheduler.catalogue import job_ids

    assert set(get_args(JobId)) == set(job_ids())
    settings = load_settings(Path("/nonexistent"), {"SJG__SCHEDULER__DISABLED": "analysis,clues.push"})
    assert settings.scheduler.disabled == ["analysis", "clues.push"]
    assert Settings().scheduler.disabled == []
    with pytest.raises(ConfigError, match=r"scheduler\.disabled"):
        load_settings(Path("/nonexistent"), {"SJG__SCHEDULER__DISABLED": "analyse"})
