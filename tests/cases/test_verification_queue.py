"""调查核实 queue: the sampled clues of a jurisdiction, working days, where materials may be asked."""

from __future__ import annotations

from pathlib import Path

import pytest

from sanjianguan.calendar.remaining import working_days_left
from sanjianguan.calendar.table import calendar_for
from sanjianguan.calendar.workdays import china_date
from sanjianguan.cases import service
from sanjianguan.cases.states import SelfCheckOutcome
from sanjianguan.cases.verification import verification_queue
from sanjianguan.errors import PermissionDeniedError
from sanjianguan.workflow_db.connection import Database
from tests.cases.harness import Harness, make_harness, pdf
from tests.workflow_db.fixtures import Clock


@pytest.fixture
def h(database: Database, clock: Clock, tmp_path: Path) -> Harness:
    return make_harness(database, clock, tmp_path / "home")


def _sampled(h: Harness) -> None:
    """q1, q2 self-checked (disputed) and drawn; q3 self-checked, not drawn; c3 in another city."""
    h.add_clues(["q1", "q2", "q3"], period="2026-01")
    h.run("county", service.push_period, "2026-01", "511502", now=h.clock.now)
    for clue_id in ("q1", "q2", "q3"):
        h.run(
            "hospital1",
            service.self_check,
            clue_id,
            outcome=SelfCheckOutcome.DISPUTED,
            explanation="不属实",
            handling="",
            files=[pdf()],
            store=h.store,
            now=h.clock.now,
        )
    h.run("county", service.sample, "2026-01", "511502", seed="q", include=["q1", "q2"], now=h.clock.now)


def test_queue_is_the_sampled_clues_with_dates(h: Harness) -> None:
    _sampled(h)
    drawn_on = china_date(h.clock.now)
    h.run("investigator", service.request_evidence, "q2", text="请提供病历", now=h.clock.now)
    h.later(days=3)
    today = china_date(h.clock.now)
    with h.database.sessions() as session:
        user = h.user(session, "investigator")
        queue = verification_queue(session, user, today=today)
        calendar = calendar_for(session)
        assert [i.clue.id for i in queue.to_verify] == ["q1", "q2"]
        assert queue.to_verify_total == 2
        q1, q2 = queue.to_verify
        assert (q1.drawn_on, q1.drawn_reason) == (drawn_on, "selected")
        assert q1.working_days_since_drawn == calendar.working_days_between(drawn_on, today)
        assert q1.evidence_due is None
        assert q2.evidence_due is not None
        assert q2.evidence_days_left == working_days_left(calendar, today, q2.evidence_due)
        assert [i.clue.id for i in queue.may_request] == ["q1", "q3"]  # q2 has an open request
        assert queue.may_request_total == 2


def test_scope_and_permission(h: Harness) -> None:
    _sampled(h)
    with h.database.sessions() as session, pytest.raises(PermissionDeniedError):
        verification_queue(session, h.user(session, "county"), today=china_date(h.clock.now))
    with h.database.transaction() as session:  # the investigator moved to another county
        h.user(session, "investigator").region_code = "511503"
    with h.database.sessions() as session:
        queue = verification_queue(session, h.user(session, "investigator"), today=china_date(h.clock.now))
        assert (queue.to_verify, queue.to_verify_total, queue.may_request) == ([], 0, [])
