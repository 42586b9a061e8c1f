"""A case record for every kind of notice, walked through the real loop where the loop makes it.

Clue `n1` (H1, county 511502): pushed, self-check disputed, drawn, verification disagrees,
a panel of three rules unreasonable (2 against 1), the county decides and notifies, the
appeal period runs out and the county issues the responsibility notice (so it has a
verification, a ruling, a notified decision and a rectification deadline). The seed's
clue `c2` (H2, county 511503) is another county's, for the scope tests. The
accountability proposal, the interview and the point records are recorded as rows (the
ladder and the point table have their own tests).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sanjianguan.cases import service
from sanjianguan.cases.states import Decision, SelfCheckOutcome, VerificationConclusion
from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import (
    AccountabilityEvent,
    AccountabilityProposal,
    Mitigation,
    PointRecord,
    PointState,
    ProposalStatus,
    Region,
)
from tests.cases.harness import Harness, make_harness
from tests.cases.test_walk import adjudicate, decide, notify, push, sample, self_check, verify
from tests.workflow_db.fixtures import Clock

PERIOD = "2025-06"


@dataclass
class World:
    h: Harness
    proposal: str
    interview: str
    staff_points: str
    institution_points: str

    @property
    def clock(self) -> Clock:
        return self.h.clock


def walk_clue(h: Harness) -> None:
    h.add_clues(["n1"], period=PERIOD)
    push(h, PERIOD)
    self_check(h, "n1", SelfCheckOutcome.DISPUTED)
    sample(h, PERIOD, include=["n1"])
    verify(h, "n1", VerificationConclusion.DISAGREE)
    adjudicate(h, "n1", [Decision.UNREASONABLE, Decision.UNREASONABLE, Decision.REASONABLE])
    decide(h, "n1")
    notify(h, "n1")


def record_rows(h: Harness, now: datetime) -> tuple[str, str, str, str]:
    """A confirmed proposal, an interview and two point records (staff, institution) of H1."""
    county = h.org.users["county"].id
    with h.database.transaction() as s:
        s.get(Region, "511502").name = "翠屏区"  # type: ignore[union-attr]
        proposal = AccountabilityProposal(
            key="row-2:doctor:DOC-n1:2026",
            row_id="row-2",
            article="第十九条",
            subject_kind="doctor",
            subject_id="DOC-n1",
            institution_id="H1",
            region_code="511502",
            department="DEPT-n1",
            doctor_id="DOC-n1",
            year=2026,
            window="year",
            period="2026",
            threshold=3,
            times=4,
            action="约谈医师并通报批评",
            evidence=[{"clue_id": "n1"}],
            self_reported=False,
            status=ProposalStatus.CONFIRMED,
            mitigation=Mitigation.LIGHTER,
            final_action="约谈医师",
            decision_reason="主动退费，从轻处理",
            proposed_at=now,
            updated_at=now,
            decided_at=now,
            decided_by=county,
        )
        fact = AccountabilityEvent(
            kind="interview",
            institution_id="H1",
            region_code="511502",
            occurred_on=date(2026, 3, 10),
            description="约谈H1负责人，通报重复收费问题并提出整改要求",
            reference="",
            recorded_at=now,
            recorded_by=county,
        )
        records = [
            PointRecord(
                party_kind=kind,
                party_id=party,
                institution_id="H1",
                region_code="511502",
                item_code=code,
                item_text=text,
                level=2,
                responsibility="主要" if kind == "staff" else None,
                points=pts,
                exempt=False,
                state=PointState.ACTIVE,
                event_date=date(2026, 3, 1),
                approved_on=date(2026, 3, 10),
                year=2026,
                department="卫生健康局",
                description=f"{text}（检查发现）",
                notice_due=date(2026, 3, 13),
                notified_on=None,
                received_on=None,
                appeal_due=None,
                report_due=date(2026, 3, 20),
                reported_on=None,
                register_due=None,
                registered_on=None,
                late=[],
                created_at=now,
                created_by=county,
            )
            for kind, party, code, text, pts in (
                ("staff", "DOC-n1", "S-07", "违反诊疗规范重复收费", 4),
                ("institution", "H1", "I-03", "未按规定公示收费标准", 2),
            )
        ]
        s.add_all([proposal, fact, *records])
        s.flush()
        return str(proposal.id), str(fact.id), str(records[0].id), str(records[1].id)


def make_world(database: Database, clock: Clock, home: Path) -> World:
    h = make_harness(database, clock, home)
    walk_clue(h)
    h.later(days=14)  # the 7-working-day appeal period runs out
    h.run("county", service.issue_responsibility_notice, "n1", text="请落实责任追究并整改", now=h.clock.now)
    ids = record_rows(h, h.clock.now)
    return World(h, *ids)
