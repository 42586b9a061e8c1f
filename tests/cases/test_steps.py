"""finish() records the deadline it sets: every deadline-setting step's audit event carries
the due date actually stored in its deadline row, read after the step (a reminder's
extended date, not the first one)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from sanjianguan.cases import service
from sanjianguan.cases.states import ReviewResult, SelfCheckOutcome
from sanjianguan.cases.steps import due_key
from sanjianguan.cases.transitions import DEADLINES, TRANSITIONS, CaseAction
from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import AuditEvent, Deadline
from tests.cases import test_walk as walk
from tests.cases.harness import Harness, make_harness, pdf
from tests.workflow_db.fixtures import Clock

A = CaseAction
# The steps this file checks, and the event field each records its due date in.
DUE_FIELDS: dict[CaseAction, tuple[str, str]] = {
    A.PUSH: ("case.pushed", "self_check_due"),  # per clue, in the push event
    A.REMIND: ("case.reminded", "second_due"),
    A.REQUEST_EVIDENCE: ("case.evidence_requested", "due_on"),
    A.NOTIFY: ("case.notified", "appeal_due"),
    A.APPEAL: ("case.appealed", "review_due"),
    A.ISSUE_RESPONSIBILITY_NOTICE: ("case.responsibility_notice", "rectification_due"),
}


@pytest.fixture
def h(database: Database, clock: Clock, tmp_path: Path) -> Harness:
    return make_harness(database, clock, tmp_path / "home")


def stored_due(h: Harness, clue_id: str, step: str) -> str:
    """The due date of the clue's deadline row of `step`, as stored now."""
    with h.database.sessions() as s:
        row = s.execute(
            select(Deadline).where(Deadline.clue_id == clue_id, Deadline.step == step)
        ).scalar_one()
        return row.due_on.isoformat()


def last_event(h: Harness, name: str, subject_id: str) -> AuditEvent:
    with h.database.sessions() as s:
        found = s.execute(
            select(AuditEvent)
            .where(AuditEvent.event == name, AuditEvent.subject_id == subject_id)
            .order_by(AuditEvent.seq.desc())
        ).scalars()
        return next(iter(found))


def assert_records_stored(h: Harness, action: CaseAction, clue_id: str, returned: Any = None) -> str:
    """The event of `action` on `clue_id` names the stored due date (and so does the result)."""
    (row,) = {t.opens for t in TRANSITIONS if t.action == action and t.opens}
    step = DEADLINES[row].step
    stored = stored_due(h, clue_id, step)
    name, field = DUE_FIELDS[action]
    event = last_event(h, name, clue_id)
    assert event.payload[field] == stored, (action, event.payload, stored)
    if due_key(row) in (event.after or {}):
        assert event.after is not None
        assert event.after[due_key(row)] == stored
    if returned is not None:
        assert returned == stored
    return stored


def test_every_deadline_setting_row_is_checked_here() -> None:
    assert {t.action for t in TRANSITIONS if t.opens} == set(DUE_FIELDS)


def test_reminder_and_evidence_request_record_the_stored_due_date(h: Harness) -> None:
    h.add_clues(["d1"], period="2025-01")
    pushed = h.run("county", service.push_period, "2025-01", "511502", now=h.clock.now)
    push_event = last_event(h, "case.pushed", f"2025-01/{pushed.region_code}")
    first = stored_due(h, "d1", "self_check")
    assert push_event.payload["self_check_due"] == {"d1": first}

    h.later(days=10)  # past the first deadline: the reminder extends it from today
    second = h.run("county", service.remind, "d1", now=h.clock.now)
    stored = assert_records_stored(h, A.REMIND, "d1", second)
    assert stored != first  # the check can tell the first date from the extended one

    h.run(
        "hospital1",
        service.self_check,
        "d1",
        outcome=SelfCheckOutcome.DISPUTED,
        explanation="已核查病历",
        files=[pdf()],
        store=h.store,
        now=h.clock.now,
    )
    due = h.run("county", service.request_evidence, "d1", text="请提供病程记录", now=h.clock.now)
    assert_records_stored(h, A.REQUEST_EVIDENCE, "d1", due)


def test_notice_appeal_and_responsibility_notice_record_the_stored_due_date(h: Harness) -> None:
    h.add_clues(["n1", "n2"], period="2025-02")
    walk.push(h, "2025-02")
    for clue_id in ("n1", "n2"):
        walk.self_check(h, clue_id, walk.CONFIRMED)
    (clue_id,) = {"n1", "n2"} - set(walk.sample(h, "2025-02"))
    walk.decide(h, clue_id)
    walk.notify(h, clue_id)
    assert_records_stored(h, A.NOTIFY, clue_id)
    h.later(days=1)
    h.run("hospital1", service.appeal, clue_id, reason="有新的证据", now=h.clock.now)
    assert_records_stored(h, A.APPEAL, clue_id)
    h.run("county", service.review, clue_id, result=ReviewResult.UPHELD, text="维持", now=h.clock.now)
    h.later(days=1)
    h.run("county", service.issue_responsibility_notice, clue_id, text="责任追究通知", now=h.clock.now)
    assert_records_stored(h, A.ISSUE_RESPONSIBILITY_NOTICE, clue_id)
