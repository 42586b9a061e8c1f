"""A county (511502) whose clues went through the loop, for the county return's tests.

Clues of 511502: j1, j2 (H1) and j4 (H4) of 2026-01, c1 (H1, 2026-02, from `seed_org`),
m1 (H1, 2026-03, pushed on 10 April: after March ended), n1 (H1, 2027-01: next year).
Another county (511503): k1 and c2 (H2). The loop: January pushed on 16 February,
self-checked on the 17th (j1 confirmed, j2 disputed, j4 confirmed), j2 drawn and
verified (agree) on the 18th, j1 and j4 decided; February pushed on 16 March; March
pushed on 10 April. Table 2: a confirmed proposal on a doctor of H1, an interview and an
administrative penalty of H1, an institution's and a staff member's points, a referral of
j1 and j1's rectification; H2 (the other county) has an interview that must not appear.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sanjianguan.calendar.workdays import start_of_day
from sanjianguan.cases import service
from sanjianguan.cases.states import SelfCheckOutcome, VerificationConclusion
from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import (
    AccountabilityEvent,
    AccountabilityProposal,
    Institution,
    Mitigation,
    PointRecord,
    PointState,
    ProposalStatus,
    Rectification,
    Referral,
    Role,
)
from tests.cases.harness import Harness, make_harness, pdf
from tests.workflow_db.fixtures import Clock, _user, sample_clue

COUNTY, OTHER = "511502", "511503"


def at(day: date, hour: int = 10) -> datetime:
    """`hour` o'clock China time of `day`, as aware UTC."""
    return start_of_day(day) + timedelta(hours=hour)


def build(database: Database, home: Path) -> Harness:
    clock = Clock(now=at(date(2026, 2, 16)))
    h = make_harness(database, clock, home)
    with database.transaction() as session:
        session.add(Institution(id="H4", name="H4 卫生院", region_code=COUNTY))
        session.flush()
        for cid, inst, region, period in (
            ("j1", "H1", COUNTY, "2026-01"),
            ("j2", "H1", COUNTY, "2026-01"),
            ("j4", "H4", COUNTY, "2026-01"),
            ("m1", "H1", COUNTY, "2026-03"),
            ("n1", "H1", COUNTY, "2027-01"),
            ("k1", "H2", OTHER, "2026-01"),
        ):
            session.add(sample_clue(cid, inst, region, period))
        h.org.users["hospital4"] = _user(session, "hospital4", Role.INSTITUTION, None, "H4")
        h.org.users["county2"] = _user(session, "county2", Role.OFFICE, OTHER, None)
    _walk(h)
    _table2(h)
    return h


def _walk(h: Harness) -> None:
    now = h.clock.now
    h.run("county", service.push_period, "2026-01", COUNTY, now=now)
    h.run("county2", service.push_period, "2026-01", OTHER, now=now)
    now = at(date(2026, 2, 17))
    for name, cid, outcome in (
        ("hospital1", "j1", SelfCheckOutcome.CONFIRMED),
        ("hospital1", "j2", SelfCheckOutcome.DISPUTED),
        ("hospital4", "j4", SelfCheckOutcome.CONFIRMED),
    ):
        h.run(
            name, service.self_check, cid, outcome=outcome, explanation="已核查", handling="已整改",
            files=[pdf()], store=h.store, now=now,
        )  # fmt: skip
    now = at(date(2026, 2, 18))
    rate = Decimal("0.01")
    h.run("county", service.sample, "2026-01", COUNTY, rate=rate, seed="t", include=["j2"], now=now)
    h.run(
        "investigator", service.verify, "j2", conclusion=VerificationConclusion.AGREE, record_text="现场核查",
        store=h.store, now=now,
    )  # fmt: skip
    for cid in ("j1", "j4", "j2"):
        if h.status(cid) in ("self_checked", "verified"):
            h.run("county", service.decide, cid, reason="认定", now=now)
    h.run("county", service.push_period, "2026-02", COUNTY, now=at(date(2026, 3, 16)))
    h.run("county", service.push_period, "2026-03", COUNTY, now=at(date(2026, 4, 10)))
    h.clock.now = at(date(2026, 4, 11))


def _table2(h: Harness) -> None:
    day = at(date(2026, 2, 20))
    county = h.org.users["county"].id
    with h.database.transaction() as session:
        session.add(
            AccountabilityProposal(
                key="art17_each/doctor/DOC-j1/2026-01", row_id="art17_each", article="17",
                subject_kind="doctor", subject_id="DOC-j1", institution_id="H1", region_code=COUNTY,
                year=2026, window="cycle", period="2026-01", threshold=1, times=1,
                action="医疗机构可对责任医务人员提醒谈话", evidence=[], self_reported=False,
                status=ProposalStatus.CONFIRMED, mitigation=Mitigation.NONE, proposed_at=day, updated_at=day,
                decided_at=day, decided_by=county,
            )
        )  # fmt: skip
        for kind, inst, region in (
            ("interview", "H1", COUNTY),
            ("admin_penalty", "H1", COUNTY),
            ("interview", "H2", OTHER),
        ):
            session.add(
                AccountabilityEvent(
                    kind=kind, institution_id=inst, region_code=region, occurred_on=date(2026, 3, 2),
                    description="登记", recorded_at=day, recorded_by=county,
                )
            )  # fmt: skip
        for party, points in (("institution", 2), ("staff", 3)):
            session.add(
                PointRecord(
                    party_kind=party, party_id="H1" if party == "institution" else "DOC-j1",
                    institution_id="H1", region_code=COUNTY, item_code="I-01", item_text="记分",
                    level=1, points=points, exempt=False, state=PointState.ACTIVE,
                    event_date=date(2026, 3, 1), approved_on=date(2026, 3, 5), year=2026,
                    department="卫生健康局", description="记分", notice_due=date(2026, 3, 8),
                    report_due=date(2026, 3, 15), late=[], created_at=day,
                )
            )  # fmt: skip
        referral = Referral(
            clue_id="j1", department="insurance", region_code=COUNTY, reason="移送", sent_at=day
        )
        session.add(referral)
        session.add(Rectification(clue_id="j1", report="已整改", reported_at=day))
