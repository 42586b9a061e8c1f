"""Walks clues through every path of the transition table, on SQLite and on PostgreSQL.

At the end the audit log must show every row of the table taken at least once, and the
hash chain must verify.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from sanjianguan.audit.verify import verify as verify_chain
from sanjianguan.calendar.workdays import china_date
from sanjianguan.cases import deadlines, service
from sanjianguan.cases.states import Decision, ReviewResult, SelfCheckOutcome, VerificationConclusion
from sanjianguan.cases.transitions import EVIDENCE_STATES, TRANSITIONS, CaseAction
from sanjianguan.errors import ConflictError
from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import AuditEvent, CaseDecision, Deadline, SamplingMember
from tests.cases.harness import Harness, make_harness, pdf
from tests.workflow_db.fixtures import Clock

CONFIRMED, DISPUTED = SelfCheckOutcome.CONFIRMED, SelfCheckOutcome.DISPUTED


@pytest.fixture
def h(database: Database, clock: Clock, tmp_path: Path) -> Harness:
    return make_harness(database, clock, tmp_path / "home")


def push(h: Harness, period: str) -> None:
    h.run("county", service.push_period, period, "511502", now=h.clock.now)


def self_check(h: Harness, clue_id: str, outcome: SelfCheckOutcome) -> None:
    h.run(
        "hospital1",
        service.self_check,
        clue_id,
        outcome=outcome,
        explanation="已核查病历",
        handling="已退费并约谈" if outcome is CONFIRMED else "",
        files=[pdf()] if outcome is DISPUTED else [],
        store=h.store,
        now=h.clock.now,
    )


def sample(h: Harness, period: str, include: list[str] | None = None) -> list[str]:
    result = h.run(
        "county", service.sample, period, "511502", seed="walk", include=include or [], now=h.clock.now
    )
    return result.drawn


def verify(h: Harness, clue_id: str, conclusion: VerificationConclusion) -> None:
    h.run(
        "investigator",
        service.verify,
        clue_id,
        conclusion=conclusion,
        record_text="现场核查记录",
        store=h.store,
        now=h.clock.now,
    )


def adjudicate(h: Harness, clue_id: str, votes: list[Decision]) -> None:
    h.run("adjudicator", service.open_adjudication, clue_id, reason="自查与核实不一致", now=h.clock.now)
    panel = h.run(
        "adjudicator", service.draw_panel, clue_id, specialty="内科", size=3, seed="s", now=h.clock.now
    )
    names = {u.id: n for n, u in h.org.users.items()}
    for expert_id, value in zip(panel, votes, strict=True):
        h.run(names[expert_id], service.vote, clue_id, value=value, opinion="依据诊疗规范", now=h.clock.now)
    h.run("adjudicator", service.rule, clue_id, text="多数意见", now=h.clock.now)


def decide(h: Harness, clue_id: str) -> CaseDecision:
    return h.run("county", service.decide, clue_id, reason="", now=h.clock.now)


def notify(h: Harness, clue_id: str) -> None:
    h.run("county", service.notify, clue_id, text="经认定存在不合理问题", now=h.clock.now)


def accountability(h: Harness, clue_id: str) -> None:
    h.run("county", service.issue_responsibility_notice, clue_id, text="责任追究通知", now=h.clock.now)
    h.run("hospital1", service.report_rectification, clue_id, report="已整改", store=h.store, now=h.clock.now)
    h.run("county", service.close, clue_id, reason="整改到位", now=h.clock.now)


def tick(h: Harness, day: date) -> deadlines.TickReport:
    return h.run(None, deadlines.tick, day)


def path_not_drawn_confirmed(h: Harness) -> None:
    """self-check confirmed, not drawn → decided unreasonable → notified → no appeal → accountability."""
    h.add_clues(["p1a", "p1b"], period="2025-01")
    push(h, "2025-01")
    self_check(h, "p1a", CONFIRMED)
    self_check(h, "p1b", CONFIRMED)
    drawn = sample(h, "2025-01")
    assert len(drawn) == 1
    undrawn = ({"p1a", "p1b"} - set(drawn)).pop()
    assert decide(h, undrawn).decision == "unreasonable"
    notify(h, undrawn)
    h.later(days=14)  # the 7-working-day appeal period runs out
    accountability(h, undrawn)
    assert h.status(undrawn) == "closed"


def path_verified_agree_reasonable(h: Harness) -> None:
    h.add_clues(["p2"], period="2025-02")
    push(h, "2025-02")
    self_check(h, "p2", DISPUTED)
    assert sample(h, "2025-02", include=["p2"]) == ["p2"]
    verify(h, "p2", VerificationConclusion.AGREE)
    assert decide(h, "p2").decision == "reasonable"
    h.run("county", service.close, "p2", now=h.clock.now)
    assert h.status("p2") == "closed"


def path_adjudicated_appeal_overturned(h: Harness) -> None:
    h.add_clues(["p3"], period="2025-03")
    push(h, "2025-03")
    self_check(h, "p3", DISPUTED)
    sample(h, "2025-03")
    verify(h, "p3", VerificationConclusion.DISAGREE)
    adjudicate(h, "p3", [Decision.UNREASONABLE, Decision.UNREASONABLE, Decision.REASONABLE])
    assert decide(h, "p3").basis == "ruling"
    notify(h, "p3")
    h.run("hospital1", service.appeal, "p3", reason="有新的证据", now=h.clock.now)
    assert h.status("p3") == "appealed"
    h.run("county", service.review, "p3", result=ReviewResult.OVERTURNED, text="证据充分", now=h.clock.now)
    h.run("county", service.close, "p3", now=h.clock.now)
    assert h.status("p3") == "closed"


def path_article_31_after_reminder(h: Harness) -> None:
    """No answer: office reminder, the second deadline passes, the tick decides unreasonable."""
    h.add_clues(["p4"], period="2025-04")
    push(h, "2025-04")
    h.run("county", service.remind, "p4", now=h.clock.now)
    report = tick(h, date(2026, 4, 30))
    assert "p4" in report.defaulted
    with h.database.sessions() as s:
        found = s.get(CaseDecision, "p4")
        assert found is not None
        assert (found.decision, found.basis) == ("unreasonable", "article_31")
    h.clock.now = h.clock.now.replace(month=5, day=6)
    notify(h, "p4")
    h.run("hospital1", service.appeal, "p4", reason="未收到通知", now=h.clock.now)
    h.run("county", service.review, "p4", result=ReviewResult.UPHELD, text="维持", now=h.clock.now)
    accountability(h, "p4")


def path_system_reminder_then_self_check(h: Harness) -> None:
    h.add_clues(["p5"], period="2025-05")
    push(h, "2025-05")  # 2026-03-16: due 2026-03-25
    assert "p5" in tick(h, date(2026, 3, 26)).reminded  # second deadline: 5 working days later
    h.clock.now = h.clock.now.replace(day=30)
    self_check(h, "p5", CONFIRMED)
    assert h.status("p5") == "self_checked"


def evidence_path(state: str) -> Callable[[Harness], None]:
    """In `state`: request evidence, supply it, request again, let it lapse: art. 31 default."""

    def run(h: Harness) -> None:
        clue_id, period = f"ev-{state}", f"2024-{EVIDENCE_STATES.index(state) + 1:02d}"  # type: ignore[arg-type]
        h.add_clues([clue_id], period=period)
        push(h, period)
        self_check(h, clue_id, DISPUTED)
        if state != "self_checked":
            sample(h, period, include=[clue_id])
        if state in ("verified", "adjudicating"):
            verify(h, clue_id, VerificationConclusion.DISAGREE)
        if state == "adjudicating":
            h.run("adjudicator", service.open_adjudication, clue_id, reason="复杂", now=h.clock.now)
        assert h.status(clue_id) == state
        h.run("investigator", service.request_evidence, clue_id, text="请提供病程记录", now=h.clock.now)
        h.run(
            "hospital1",
            service.supply_evidence,
            clue_id,
            files=[pdf("病程.pdf")],
            store=h.store,
            now=h.clock.now,
        )
        h.run("county", service.request_evidence, clue_id, text="请提供医嘱单", now=h.clock.now)
        assert clue_id in tick(h, date(2026, 4, 30)).defaulted
        assert h.status(clue_id) == "decided"

    return run


# Ordered so that no path ticks on a day before the events an earlier path recorded (the
# tick refuses a day in the past): the earliest tick first, the path that runs into May last.
PATHS: list[Callable[[Harness], None]] = [
    path_system_reminder_then_self_check,
    path_not_drawn_confirmed,
    path_verified_agree_reasonable,
    path_adjudicated_appeal_overturned,
    *(evidence_path(state.value) for state in EVIDENCE_STATES),
    path_article_31_after_reminder,
]


def taken_rows(h: Harness) -> set[tuple[str, str]]:
    """(from state, action) of every move in the audit log."""
    batch = {"case.pushed": ("generated", "push"), "case.sample_drawn": ("self_checked", "sample")}
    taken = set()
    with h.database.sessions() as s:
        for event in s.execute(select(AuditEvent)).scalars():
            if event.event in batch:
                taken.add(batch[event.event])
            elif event.subject_type == "clue" and event.payload.get("action") in set(CaseAction):
                assert event.before is not None
                taken.add((event.before["status"], event.payload["action"]))
    return taken


def test_every_path_of_the_table(h: Harness) -> None:
    start = h.clock.now
    for path in PATHS:
        h.clock.now = start  # each path starts on Monday 2026-03-16
        path(h)
    expected = {(row.source.value, row.action.value) for row in TRANSITIONS}
    assert expected - taken_rows(h) == set()
    with h.database.sessions() as s:
        assert verify_chain(s).ok
        assert s.execute(select(SamplingMember)).first() is not None


def test_tick_refuses_a_day_before_the_last_recorded_workflow_event(h: Harness) -> None:
    h.add_clues(["tp1"], period="2025-01")
    push(h, "2025-01")  # case.pushed, recorded today
    today = china_date(h.clock.now)
    with pytest.raises(ConflictError, match="早于已记录") as refused:
        tick(h, today - timedelta(days=1))
    assert refused.value.code == "tick_in_the_past"
    with h.database.sessions() as s:
        assert "case.reminded" not in s.execute(select(AuditEvent.event)).scalars().all()
    assert tick(h, today).reminded == []  # the same day is fine (idempotent per day)


def test_the_reminder_event_records_the_extended_deadline(h: Harness) -> None:
    # The reminder's second deadline used to be read before the reminder set it: the audit
    # event carried the first due date.
    h.add_clues(["rm1"], period="2025-01")
    push(h, "2025-01")
    h.run("county", service.remind, "rm1", now=h.clock.now)
    with h.database.sessions() as s:
        deadline = s.execute(select(Deadline).where(Deadline.clue_id == "rm1")).scalar_one()
        event = s.execute(select(AuditEvent).where(AuditEvent.event == "case.reminded")).scalar_one()
    assert deadline.due_on != deadline.first_due_on  # the reminder did extend it
    assert event.payload["second_due"] == deadline.due_on.isoformat()
