"""A clue and a penalty-point record walked across the 2025 National Day holiday by the worker.

2025: 10-01..10-08 off; Sunday 09-28 and Saturday 10-11 are make-up working days. The
worker wakes every day at 01:00 China time (`run_due`) from 09-26 to 10-25. With
`push_day = 28` the push falls on the make-up Sunday 09-28; the clue's self-check is due
7 working days later, 10-14 (09-29, 09-30, 10-09, 10-10, 10-11 Sat, 10-13, 10-14); the
tick reminds on 10-15 and sets the last deadline 5 working days on, 10-22; it defaults
(art. 31) on 10-23. The point record, approved on Friday 09-26, owes its notice by 09-29
and its report by 10-06 (calendar days); its appeal, filed Friday 10-10, is to be
decided in 10 working days, by 10-23 (the make-up Saturday counts). Each action happens
once, on its day.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from sanjianguan.calendar.workdays import china_date
from sanjianguan.cases.states import ClueStatus
from sanjianguan.points import service as points
from sanjianguan.points.config import load_points_config
from sanjianguan.points.overdue import overdue_points
from sanjianguan.points.recording import PartyKind
from sanjianguan.scheduler.catalogue import catalogue
from sanjianguan.scheduler.hooks import (
    DEADLINE_SOON,
    ESCALATION,
    NEW_CLUES,
    OVERDUE,
    Deliver,
    Notification,
    keep,
)
from sanjianguan.scheduler.runner import Outcome, run_due
from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import Clue, Deadline, JobRun, User
from tests.scheduler.harness import at, days, event_days, events, make_env
from tests.workflow_db.fixtures import sample_clue, seed_org

FIRST, LAST = date(2025, 9, 26), date(2025, 10, 25)


def _user(database: Database, name: str) -> User:
    with database.sessions() as session:
        found = session.scalar(select(User).where(User.username == name))
        assert found is not None
        return found


def _walk(database: Database, home: Path, forward: Deliver = keep) -> tuple[dict[date, list[str]], int]:
    """Wake daily; the office and the hospital act on their days at 10:00. Returns the
    notifications by day (kind:subject) and the point record's id; each wake's notifications
    are also handed to `forward` (test_walk_messages: the message centre)."""
    with database.transaction() as session:
        session.add(sample_clue("W1", "H1", "511502", period="2025-08"))
    env = make_env(database, home, push_day=28)
    jobs = [j for j in catalogue(env.settings) if j.job_id not in ("analysis", "reporting_duty")]
    config = load_points_config(home)
    told: dict[date, list[str]] = {}
    delivered: list[str] = []

    def deliver(session: Session, notes: Sequence[Notification], now: datetime) -> None:
        delivered.extend(f"{n.kind}:{n.subject}" for n in notes)
        forward(session, notes, now)

    env.deliver = deliver
    record_id = 0
    for day in days(FIRST, LAST):
        delivered.clear()
        outcomes = run_due(env, jobs, at(day))
        assert all(o.outcome is not Outcome.FAILED for o in outcomes), outcomes
        told[day] = list(delivered)
        office_at = at(day, 10)
        with database.transaction() as session:
            county = session.get(User, _user(database, "county").id)
            hospital = session.get(User, _user(database, "hospital1").id)
            assert county is not None
            assert hospital is not None
            if day == FIRST:
                record_id = points.record_points(
                    session, county, config, party_kind=PartyKind.STAFF, party_id="DOC-X",
                    institution_id="H1", item_code="S201", responsibility="重要",
                    event_date=day, approved_on=day, department="医政医管科",
                    description="超限定条件用药", now=office_at,
                ).id  # fmt: skip
            elif day == date(2025, 10, 9):
                points.serve_notice(session, county, config, record_id, received_on=day, now=office_at)
                points.report(session, county, config, record_id, now=office_at)
            elif day == date(2025, 10, 10):
                points.register(session, county, record_id, now=office_at)
                points.file_appeal(session, hospital, config, record_id, reason="情节较轻", now=office_at)
    return told, record_id


@pytest.fixture
def walked(database: Database, tmp_path: Path) -> tuple[Database, dict[date, list[str]], int]:
    seed_org(database.sessions())
    told, record_id = _walk(database, tmp_path)
    return database, told, record_id


def test_the_clue_is_pushed_reminded_and_defaulted_once_on_the_right_days(
    walked: tuple[Database, dict[date, list[str]], int],
) -> None:
    database, told, _ = walked
    assert event_days(database, "case.pushed") == {("2025-08/511502", date(2025, 9, 28)): 1}
    assert event_days(database, "case.reminded") == {("W1", date(2025, 10, 15)): 1}
    assert event_days(database, "case.defaulted") == {("W1", date(2025, 10, 23)): 1}
    with database.sessions() as session:
        clue = session.get(Clue, "W1")
        assert clue is not None
        assert clue.status == ClueStatus.DECIDED
        deadline = session.scalar(
            select(Deadline).where(Deadline.clue_id == "W1", Deadline.step == "self_check")
        )
        assert deadline is not None
        assert (deadline.first_due_on, deadline.due_on, deadline.reminded_on) == (
            date(2025, 10, 14),
            date(2025, 10, 22),
            date(2025, 10, 15),
        )
    # the hooks: new clues on the push day; due soon within 2 working days; overdue and escalation
    assert "new_clues:new_clues:2025-08:H1" in told[date(2025, 9, 28)]
    soon = f"{DEADLINE_SOON}:deadline_soon:W1:self_check:2025-10-14"
    assert soon in told[date(2025, 10, 11)]  # the make-up Saturday: 10-13, 10-14 are the next 2 working days
    assert soon not in told[date(2025, 10, 10)]
    assert f"{OVERDUE}:overdue:W1:self_check" in told[date(2025, 10, 15)]
    assert f"{ESCALATION}:escalation:W1:default" in told[date(2025, 10, 23)]
    assert all(
        not n.startswith(NEW_CLUES) for d, notes in told.items() if d != date(2025, 9, 28) for n in notes
    )


def test_each_point_deadline_is_flagged_once_on_the_day_after_it(
    walked: tuple[Database, dict[date, list[str]], int],
) -> None:
    database, told, record_id = walked
    flagged = event_days(database, "points.deadline_overdue")
    assert flagged == {(str(record_id), date(2025, 9, 30)): 1, (str(record_id), date(2025, 10, 7)): 1,
                       (str(record_id), date(2025, 10, 24)): 1}  # fmt: skip
    with database.sessions() as session:
        steps = {(s.step, s.due_on) for s in overdue_points(session, date(2025, 10, 25))}
    assert steps == {("appeal_decision", date(2025, 10, 23))}  # notice and report were done late
    assert f"{OVERDUE}:overdue:point:{record_id}:notice" in told[date(2025, 9, 30)]
    assert f"{OVERDUE}:overdue:point:{record_id}:appeal_decision" in told[date(2025, 10, 24)]


def test_every_job_ran_once_a_day_and_the_push_once(
    walked: tuple[Database, dict[date, list[str]], int],
) -> None:
    database, _, _ = walked
    with database.sessions() as session:
        rows = session.execute(select(JobRun.job_id, JobRun.slot, JobRun.attempts)).all()
    by_job: dict[str, list[str]] = {}
    for job_id, slot, attempts in rows:
        assert attempts == 1
        by_job.setdefault(job_id, []).append(slot)
    walk = [d.isoformat() for d in days(FIRST, LAST)]
    for job_id in ("cases.tick", "points.tick", "county_returns"):
        assert sorted(by_job[job_id]) == walk
    assert sorted(by_job["clues.push"]) == ["2025-08", "2025-09"]  # before 09-28: August's slot (done, empty)


def test_the_monthly_points_returns_and_county_returns_are_flagged_after_the_10th(
    walked: tuple[Database, dict[date, list[str]], int],
) -> None:
    database, _, _ = walked
    returns = Counter(
        (e.subject_id, e.payload["month"], e.payload["department"], china_date(e.occurred_at))
        for e in events(database, "points.monthly_return_overdue")
    )
    september = [key for key in returns if key[1] == "2025-09"]
    assert len(september) == 7 * 3  # 7 scoring departments × the 3 counties
    assert {key[3] for key in september} == {date(2025, 10, 11)}  # the 11th (a make-up Saturday)
    assert set(returns.values()) == {1}
    county = event_days(database, "report.county_return_overdue")
    assert county[("511502/2025-09", date(2025, 10, 11))] == 1
    assert set(county.values()) == {1}
