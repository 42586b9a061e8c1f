"""`sjg worker`'s APScheduler on the workflow store, under a controllable clock (time-machine).

The jobs live in the store's `apscheduler_jobs` table and survive a restart; wakes missed
while the worker was down fire once when it resumes (coalesced), not once per missed day;
the status shows last run, next run and last error.
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from typer.testing import CliRunner

from sanjianguan.errors import InvalidInputError
from sanjianguan.scheduler import worker
from sanjianguan.scheduler.jobs import JobEnv
from sanjianguan.scheduler.runner import JobOutcome
from sanjianguan.workflow_db.base import utcnow
from sanjianguan.workflow_db.connection import Database
from tests.scheduler.harness import at, make_env, runs_of
from tests.workflow_db.fixtures import seed_org

DAILY = ("cases.tick", "points.tick", "county_returns")


def _env(database: Database, home: Path) -> JobEnv:
    env = make_env(database, home, disabled=["analysis", "reporting_duty"])
    return env


def _wait_for(database: Database, expected: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if sum(len(runs_of(database, job)) for job in (*DAILY, "clues.push")) >= expected:
            return
        time.sleep(0.1)


def test_jobs_survive_a_restart_and_a_missed_span_fires_once(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_org(database.sessions())
    env = _env(database, tmp_path)
    with time_machine.travel(at(date(2026, 3, 10), 9), tick=True):
        scheduler, outcomes = worker.start(env, utcnow)
        scheduler.shutdown(wait=True)
    assert {o.slot for o in outcomes if o.job_id in DAILY} == {"2026-03-10"}
    upcoming = worker.next_runs(env)
    assert set(upcoming) == {*DAILY, "clues.push", worker.DELIVER_JOB}
    assert upcoming["cases.tick"] == at(date(2026, 3, 11))  # 01:00 China time, the next day
    woken: Counter[str] = Counter()
    real = worker.wake

    def counting(job_id: str) -> JobOutcome | None:
        woken[job_id] += 1
        return real(job_id)

    monkeypatch.setattr(worker, "wake", counting)  # the stored reference resolves to it at the restart
    with time_machine.travel(at(date(2026, 3, 20), 9), tick=True):  # down 03-11 .. 03-19
        scheduler, outcomes = worker.start(env, utcnow, catch_up=False)  # APScheduler's own catch-up
        _wait_for(database, 3 * 2 + 2)
        time.sleep(0.5)  # room for any second firing
        scheduler.shutdown(wait=True)
    assert woken == Counter(dict.fromkeys((*DAILY, "clues.push"), 1))
    for job in DAILY:
        assert [r.slot for r in runs_of(database, job)] == ["2026-03-10", "2026-03-20"]
    assert [r.slot for r in runs_of(database, "clues.push")] == ["2026-02", "2026-03"]
    assert worker.next_runs(env)["cases.tick"] == at(date(2026, 3, 21))


def test_status_shows_last_run_next_run_and_last_error(ctx_home: Path) -> None:
    from sanjianguan.cli import _register
    from sanjianguan.cli.app import app

    _register()
    runner = CliRunner()
    with time_machine.travel(datetime(2026, 3, 16, 2, tzinfo=at(date(2026, 3, 16)).tzinfo), tick=False):
        ran = runner.invoke(app, ["--home", str(ctx_home), "worker", "run", "--job", "cases.tick"])
        assert ran.exit_code == 0, ran.output
        assert "cases.tick\t2026-03-16\tran" in ran.output
        again = runner.invoke(app, ["--home", str(ctx_home), "worker", "run", "--job", "cases.tick"])
        assert "cases.tick\t2026-03-16\tdone" in again.output
        status = runner.invoke(app, ["--home", str(ctx_home), "worker", "status"])
    assert status.exit_code == 0, status.output
    lines = [line.split("\t") for line in status.output.strip().splitlines()]
    assert lines[0] == list(worker_status_columns())
    tick = next(line for line in lines if line[0] == "cases.tick")
    assert tick[2:4] == ["2026-03-16", "成功"]
    push = next(line for line in lines if line[0] == "clues.push")
    assert push[3] == "未运行 / never"
    unknown = runner.invoke(app, ["--home", str(ctx_home), "worker", "run", "--job", "nope"])
    assert isinstance(unknown.exception, InvalidInputError)  # `sjg` turns it into exit 2
    assert unknown.exception.code == "unknown_job"


def worker_status_columns() -> tuple[str, ...]:
    from sanjianguan.cli.worker import STATUS_COLUMNS

    return STATUS_COLUMNS


@pytest.fixture
def ctx_home(ctx: object, home: Path) -> Path:
    return home


def test_the_worker_sends_the_message_centres_deliveries_every_few_minutes(
    database: Database, tmp_path: Path
) -> None:
    from sanjianguan.config import MessagesSettings
    from sanjianguan.messages import service
    from sanjianguan.messages.kinds import MessageKind
    from tests.messages.test_webhook import Gateway

    org = seed_org(database.sessions())
    gateway = Gateway()
    env = _env(database, tmp_path)
    env.settings = env.settings.model_copy(
        update={"messages": MessagesSettings(webhook_url=gateway.url, deliver_minutes=5)}
    )
    start = at(date(2026, 3, 10), 9)
    try:
        with time_machine.travel(start, tick=False):
            with database.transaction() as s:
                hospital = s.get(type(org.users["hospital1"]), org.users["hospital1"].id)
                assert hospital is not None
                service.notify(
                    s, [hospital], MessageKind.OVERDUE, title="已逾期", body="线索 c1", link=None,
                    now=utcnow(), subject="o:c1",
                )  # fmt: skip
            scheduler = worker.build(env, utcnow)
            scheduler.shutdown(wait=True)
            assert worker.next_runs(env)[worker.DELIVER_JOB] == start + timedelta(minutes=5)
            report = worker.deliver_messages()  # what APScheduler calls at that time
        assert report is not None
        assert len(report.sent) == 1
        assert [p["title"] for p in gateway.received] == ["已逾期"]
        env.settings = env.settings.model_copy(update={"messages": MessagesSettings(deliver_minutes=0)})
        worker.build(env, utcnow).shutdown(wait=True)
        assert worker.DELIVER_JOB not in worker.next_runs(env)  # 0: left out of the worker
    finally:
        gateway.close()
