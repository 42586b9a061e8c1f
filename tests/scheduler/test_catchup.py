"""Catch-up: a worker stopped mid-month and restarted days later runs each job once, not once
per missed day; and the push is never half done."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from sanjianguan.cases import intake
from sanjianguan.cases.states import ClueStatus
from sanjianguan.scheduler.catalogue import catalogue
from sanjianguan.scheduler.jobs.push import push
from sanjianguan.scheduler.runner import Outcome, run_due
from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import Clue, PushBatch
from tests.scheduler.harness import at, days, event_days, make_env, runs_of
from tests.workflow_db.fixtures import sample_clue, seed_org

DAILY = ("cases.tick", "points.tick", "county_returns")


def _clues(database: Database, *specs: tuple[str, str, str, str]) -> None:
    with database.transaction() as session:
        for clue_id, institution, region, period in specs:
            session.add(sample_clue(clue_id, institution, region, period))


def test_restart_mid_month_runs_each_job_once_for_the_missed_span(database: Database, tmp_path: Path) -> None:
    seed_org(database.sessions())
    _clues(database, ("A1", "H1", "511502", "2026-02"))  # seed_org's own clues are of 2026-02 too
    env = make_env(database, tmp_path)  # push on the 15th (2026-03-16: the 15th is a Sunday)
    jobs = [j for j in catalogue(env.settings) if j.job_id not in ("analysis", "reporting_duty")]
    for day in days(date(2026, 3, 2), date(2026, 3, 10)):
        run_due(env, jobs, at(day))
    # down from 03-11 to 03-19: the push day (Monday 03-16) passes while the worker is down
    restarted = run_due(env, jobs, at(date(2026, 3, 20), 9))
    assert {(o.job_id, o.slot, o.outcome) for o in restarted} == {
        ("clues.push", "2026-03", Outcome.RAN),
        *((job, "2026-03-20", Outcome.RAN) for job in DAILY),
    }
    again = run_due(env, jobs, at(date(2026, 3, 20), 15))  # a second wake the same day
    assert {o.outcome for o in again} == {Outcome.DONE}
    for job in DAILY:
        slots = [r.slot for r in runs_of(database, job)]
        assert slots == [*(d.isoformat() for d in days(date(2026, 3, 2), date(2026, 3, 10))), "2026-03-20"]
    assert [r.slot for r in runs_of(database, "clues.push")] == ["2026-02", "2026-03"]
    pushed = event_days(database, "case.pushed")
    assert pushed == {("2026-02/511502", date(2026, 3, 20)): 1, ("2026-02/511503", date(2026, 3, 20)): 1,
                      ("2026-02/510104", date(2026, 3, 20)): 1}  # fmt: skip


def test_catch_up_push_takes_every_month_left_behind(database: Database, tmp_path: Path) -> None:
    seed_org(database.sessions())
    _clues(database, ("J1", "H1", "511502", "2026-01"), ("F1", "H1", "511502", "2026-03"))
    result = push(make_env(database, tmp_path), at(date(2026, 4, 20)), "2026-04")
    assert result.summary["pushed"] == {"2026-01/511502": 1, "2026-02/510104": 1, "2026-02/511502": 1,
                                        "2026-02/511503": 1, "2026-03/511502": 1}  # fmt: skip
    assert {n.institution_id for n in result.notifications} == {"H1", "H2", "H3"}


def test_a_failing_push_leaves_its_region_unpushed_and_the_retry_completes_it(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_org(database.sessions())
    _clues(database, ("P2", "H1", "511502", "2026-02"), ("P3", "H1", "511502", "2026-02"))
    real = intake.open_deadline
    calls: list[str] = []

    def failing(session: Any, clue_id: str, step: str) -> Any:
        calls.append(clue_id)
        if len(calls) == 3:  # 510104 (c3) is pushed; 511502's second clue (c1, P2, P3) fails
            raise RuntimeError("connection lost")
        return real(session, clue_id, step)

    monkeypatch.setattr(intake, "open_deadline", failing)
    env = make_env(database, tmp_path)
    jobs = [j for j in catalogue(env.settings) if j.job_id == "clues.push"]
    (first,) = run_due(env, jobs, at(date(2026, 3, 16)))
    assert first.outcome is Outcome.FAILED
    with database.sessions() as session:
        status = {row.id: row.status for row in session.execute(select(Clue.id, Clue.status))}
        assert status == {"c3": ClueStatus.PUSHED, "c1": ClueStatus.GENERATED, "P2": ClueStatus.GENERATED,
                          "P3": ClueStatus.GENERATED, "c2": ClueStatus.GENERATED}  # fmt: skip
        assert [b.region_code for b in session.scalars(select(PushBatch))] == ["510104"]
    (row,) = runs_of(database, "clues.push")
    assert row.error is not None
    assert "connection lost" in row.error
    monkeypatch.setattr(intake, "open_deadline", real)
    (second,) = run_due(env, jobs, at(date(2026, 3, 16), 2))
    assert second.outcome is Outcome.RAN
    with database.sessions() as session:
        assert set(session.scalars(select(Clue.status))) == {ClueStatus.PUSHED}
        assert len(session.scalars(select(PushBatch)).all()) == 3
