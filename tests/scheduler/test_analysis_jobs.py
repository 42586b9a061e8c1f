"""The jobs on the analytic store: the month's analysis (early once the batches are in) and art. 24."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from sanjianguan.context import Context
from sanjianguan.rules.hits_table import ensure_tables
from sanjianguan.scheduler.catalogue import catalogue
from sanjianguan.scheduler.jobs import analysis as analysis_jobs
from sanjianguan.scheduler.runner import Outcome, due_slot, run_job
from sanjianguan.workflow_db.connection import Database
from tests.scheduler.harness import at, event_days, events, make_env


def _institutions(con: duckdb.DuckDBPyConnection) -> None:
    ensure_tables(con)
    con.execute(
        "INSERT INTO institutions (institution_id, name, region_code, connected_on) VALUES "
        "('H1', '一院', '511502', DATE '2025-01-01'), ('H2', '二院', '511503', DATE '2025-01-01')"
    )


def _arrive(con: duckdb.DuckDBPyConnection, institution: str, period: str, when: datetime) -> None:
    con.execute(
        "INSERT INTO batches (batch_id, institution_id, period, kind, status, received_at) "
        "VALUES (?, ?, ?, 'full', 'accepted', ?)",
        [f"b-{institution}-{period}", institution, period, when],
    )


@pytest.fixture
def env_ctx(database: Database, ctx: Context) -> tuple[Database, Context]:
    with ctx.store() as con:
        _institutions(con)
    return database, ctx


def test_the_analysis_runs_once_every_batch_is_in_or_on_its_day(
    env_ctx: tuple[Database, Context], monkeypatch: pytest.MonkeyPatch
) -> None:
    database, ctx = env_ctx
    env = make_env(database, ctx.home)
    env.store = ctx.store
    analysed: list[str] = []
    monkeypatch.setattr(analysis_jobs, "run_analysis", lambda con, home, period: analysed.append(period) or 0)
    (job,) = [j for j in catalogue(env.settings) if j.job_id == "analysis"]
    with ctx.store() as con:
        _arrive(con, "H1", "2025-09", datetime(2025, 10, 3, 9))
    assert due_slot(env, job, at(date(2025, 10, 4))) == "2025-09"  # H2 missing: not before the 8th
    with ctx.store() as con:
        _arrive(con, "H2", "2025-09", datetime(2025, 10, 4, 9))
    outcome = run_job(env, job, at(date(2025, 10, 5)))
    assert (outcome.slot, outcome.outcome) == ("2025-10", Outcome.RAN)  # both in: early
    assert run_job(env, job, at(date(2025, 10, 9))).outcome is Outcome.DONE
    assert analysed == ["2025-09"]
    (event,) = events(database, "scheduler.month_analysed")
    assert (event.subject_id, event.actor_name, event.payload["reason"]) == (
        "2025-09",
        "system",
        "batches_in",
    )


def test_the_analysis_on_its_day_without_every_batch(
    env_ctx: tuple[Database, Context], monkeypatch: pytest.MonkeyPatch
) -> None:
    database, ctx = env_ctx
    env = make_env(database, ctx.home)
    env.store = ctx.store
    monkeypatch.setattr(analysis_jobs, "run_analysis", lambda con, home, period: 0)
    (job,) = [j for j in catalogue(env.settings) if j.job_id == "analysis"]
    assert run_job(env, job, at(date(2025, 10, 8))).slot == "2025-10"
    assert events(database, "scheduler.month_analysed")[0].payload["reason"] == "analysis_day"


def test_reporting_duty_records_the_months_events_after_the_due_day(
    env_ctx: tuple[Database, Context], tmp_path: Path
) -> None:
    database, ctx = env_ctx
    env = make_env(database, ctx.home)
    env.store = ctx.store
    with ctx.store() as con:
        _arrive(con, "H1", "2025-09", datetime(2025, 10, 7, 9))  # due the 5th: late
    (job,) = [j for j in catalogue(env.settings) if j.job_id == "reporting_duty"]
    assert run_job(env, job, at(date(2025, 10, 5))).slot == "2025-09"  # the 6th is its day: August's slot
    outcome = run_job(env, job, at(date(2025, 10, 8)))
    assert (outcome.slot, outcome.outcome) == ("2025-10", Outcome.RAN)
    with ctx.store(read_only=True) as con:
        found = con.execute(
            "SELECT institution_id, event FROM reporting_events WHERE period = '2025-09'"
        ).fetchall()
    assert sorted(found) == [("H1", "late"), ("H2", "period_missing")]
    assert event_days(database, "scheduler.reporting_duty_recorded")[("2025-09", date(2025, 10, 8))] == 1
