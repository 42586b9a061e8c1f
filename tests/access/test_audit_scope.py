"""审计日志的管辖范围: a user reads the events of the subjects it may see, nothing else."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from sanjianguan.access.audit_scope import audit_filter
from sanjianguan.cases import service
from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import AuditEvent
from tests.cases.harness import Harness, make_harness
from tests.cases.test_verification_queue import _sampled
from tests.workflow_db.fixtures import Clock


@pytest.fixture
def h(database: Database, clock: Clock, tmp_path: Path) -> Harness:
    harness = make_harness(database, clock, tmp_path / "home")
    _sampled(harness)  # county 511502: push, self-checks, a draw
    harness.run("province", service.push_period, "2026-02", "510104", now=clock.now)  # another city
    return harness


def _seen(h: Harness, username: str) -> set[tuple[str, str]]:
    with h.database.sessions() as session:
        rows = session.execute(select(AuditEvent).where(audit_filter(h.user(session, username)))).scalars()
        return {(row.event, row.subject_id) for row in rows}


def test_county_reads_its_own_events_only(h: Harness) -> None:
    county = _seen(h, "county")
    assert ("case.pushed", "2026-01/511502") in county
    assert ("case.sample_drawn", "2026-01/511502") in county
    assert {("case.self_checked", c) for c in ("q1", "q2", "q3")} <= county
    assert ("case.pushed", "2026-02/510104") not in county
    assert not any(subject == "c3" for _, subject in county)


def test_the_province_auditor_reads_both_cities(h: Harness) -> None:
    auditor = _seen(h, "auditor")
    assert {("case.pushed", "2026-01/511502"), ("case.pushed", "2026-02/510104")} <= auditor
    assert _seen(h, "county") < auditor


@pytest.mark.parametrize("username", ["hospital1", "expert", "investigator", "other_city"])
def test_roles_without_audit_read_see_nothing(h: Harness, username: str) -> None:
    assert _seen(h, username) == set()
