"""Two worker processes woken at once (`sjg worker run`, separate interpreters) on one store:
each job's slot runs once, on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

import sanjianguan
from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import AuditEvent, JobRun
from tests.workflow_db.fixtures import seed_org

SRC = Path(sanjianguan.__file__).resolve().parent.parent
MAIN = "from sanjianguan.cli import main; main()"


def test_two_processes_run_each_slot_once(db_url: str, database: Database, tmp_path: Path) -> None:
    seed_org(database.sessions())
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("SJG")},
        "PYTHONPATH": str(SRC),
        "SJG__DB__URL": db_url,
        "SJG__SCHEDULER__DISABLED": "analysis, reporting_duty",
    }
    argv = [
        sys.executable,
        "-c",
        MAIN,
        "--home",
        str(tmp_path / "home"),
        "worker",
        "run",
        "--today",
        "2026-03-16",
    ]
    workers = [
        subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in (1, 2)
    ]
    outputs = [w.communicate(timeout=180) for w in workers]
    assert [w.returncode for w in workers] == [0, 0], outputs
    with database.sessions() as session:
        runs = session.execute(select(JobRun.job_id, JobRun.slot, JobRun.attempts)).all()
        pushed = session.scalars(select(AuditEvent.subject_id).where(AuditEvent.event == "case.pushed")).all()
    day = "2026-03-16"
    expected = [
        ("cases.tick", day, 1),
        ("clues.push", "2026-03", 1),
        ("county_returns", day, 1),
        ("points.tick", day, 1),
    ]
    assert sorted(runs) == expected
    assert sorted(pushed) == ["2026-02/510104", "2026-02/511502", "2026-02/511503"]  # once each
    ran = [line for out, _ in outputs for line in out.splitlines() if line.endswith("\tran")]
    assert len(ran) == 4  # each job ran in one of the two processes; the other found it held or done
