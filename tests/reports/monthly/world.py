"""A city's month walked through the loop, for the 工作月报/通报 tests.

Regions 宜宾市 (511500) with counties 翠屏区 (511502: H1) and 南溪区 (511503: H2); H3 is in
another city (510104) and must never appear. Settlement month 2026-02 (PERIOD):

- H1: c1 (no answer), m1 and m2 self-checked 属实 → decided 不合理 → notified; m1 then
  责任追究通知, 整改 and closed (整改到位); m2 appealed, upheld, 责任追究通知 (责任追究中);
  m3 disputed → drawn and verified "agree" → decided 合理; m4, m5 (rule C01) no answer.
- H2: c2 and n2 no answer, n1 self-checked 属实.
- H3: c3 (outside the city).
- January (2026-01): t1 at H1, for the trend.
- Penalty points approved in February (H1 staff, H2 staff), an interview (约谈) of H1 on
  2026-02-25; a March interview that February must not count.
- The analytic store: H1's batch of February arrived on time, H2 connected and missing.

The clues are pushed on 2026-03-16 (self-checks due 2026-03-25); the figures are read on
TODAY (2026-04-08), so the unanswered self-checks are late.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from sanjianguan.accountability.service import record_fact
from sanjianguan.cases import service
from sanjianguan.cases.states import ReviewResult, SelfCheckOutcome, VerificationConclusion
from sanjianguan.context import Context
from sanjianguan.points.config import load_points_config
from sanjianguan.points.recording import PartyKind, record_points
from sanjianguan.workflow_db.models import Clue, Region
from tests.cases.harness import Harness, pdf
from tests.rules.builder import StoreBuilder
from tests.workflow_db.fixtures import sample_clue

PERIOD = "2026-02"
TODAY = date(2026, 4, 8)
NOW = datetime(2026, 4, 8, 2, 0, tzinfo=UTC)
NAMES = {"511500": "宜宾市", "511502": "翠屏区", "511503": "南溪区", "510000": "四川省", "510104": "锦江区"}
AMOUNTS = {
    "c1": "100.00",
    "m1": "2000.50",
    "m2": "300.25",
    "m3": "50.00",
    "m4": "10.00",
    "m5": "20.00",
    "c2": "1234.56",
    "n1": "800.00",
    "n2": "99.99",
    "c3": "5000.00",
}


def _clues(h: Harness) -> None:
    with h.database.transaction() as session:
        for code, name in NAMES.items():
            region = session.get(Region, code)
            if region is not None:
                region.name = name
        for clue_id, institution, region in (
            ("m1", "H1", "511502"),
            ("m2", "H1", "511502"),
            ("m3", "H1", "511502"),
            ("m4", "H1", "511502"),
            ("m5", "H1", "511502"),
            ("n1", "H2", "511503"),
            ("n2", "H2", "511503"),
        ):
            session.add(sample_clue(clue_id, institution, region, PERIOD))
        session.add(sample_clue("t1", "H1", "511502", "2026-01"))
        session.flush()
        for clue_id, amount in AMOUNTS.items():
            clue = session.get(Clue, clue_id)
            assert clue is not None
            clue.amount_involved = Decimal(amount)
            if clue_id in ("m4", "m5"):
                clue.rule_id = "C01"


def _self_check(h: Harness, user: str, clue_id: str, outcome: SelfCheckOutcome) -> None:
    h.run(
        user,
        service.self_check,
        clue_id,
        outcome=outcome,
        explanation="已核查病历",
        handling="已退费" if outcome is SelfCheckOutcome.CONFIRMED else "",
        files=[pdf()] if outcome is SelfCheckOutcome.DISPUTED else [],
        store=h.store,
        now=h.clock.now,
    )


def _decide(h: Harness, clue_id: str, drawn: list[str]) -> None:
    if clue_id in drawn:
        h.run(
            "investigator",
            service.verify,
            clue_id,
            conclusion=VerificationConclusion.AGREE,
            record_text="现场核查记录",
            store=h.store,
            now=h.clock.now,
        )
    h.run("county", service.decide, clue_id, reason="", now=h.clock.now)


def walk(h: Harness) -> None:
    """The month above, through the workflow's own services (audited as in production)."""
    _clues(h)
    h.run("city", service.push_period, PERIOD, "511500", now=h.clock.now)
    for clue_id in ("m1", "m2"):
        _self_check(h, "hospital1", clue_id, SelfCheckOutcome.CONFIRMED)
    _self_check(h, "hospital1", "m3", SelfCheckOutcome.DISPUTED)
    _self_check(h, "hospital2", "n1", SelfCheckOutcome.CONFIRMED)
    sampled = h.run("county", service.sample, PERIOD, "511502", seed="月报", include=["m3"], now=h.clock.now)
    drawn = sampled.drawn
    for clue_id in ("m1", "m2", "m3"):
        _decide(h, clue_id, drawn)
    for clue_id in ("m1", "m2"):
        h.run("county", service.notify, clue_id, text="经认定存在不合理问题", now=h.clock.now)
    h.run("hospital1", service.appeal, "m2", reason="有新的证据", now=h.clock.now)
    h.run("county", service.review, "m2", result=ReviewResult.UPHELD, text="维持", now=h.clock.now)
    h.later(days=14)  # m1's appeal period runs out
    for clue_id in ("m1", "m2"):
        h.run("county", service.issue_responsibility_notice, clue_id, text="责任追究通知", now=h.clock.now)
    h.run("hospital1", service.report_rectification, "m1", report="已整改", store=h.store, now=h.clock.now)
    h.run("county", service.close, "m1", reason="整改到位", now=h.clock.now)
    _points_and_facts(h)
    h.clock.now = NOW


def _points_and_facts(h: Harness) -> None:
    config = load_points_config()
    for user, institution, doctor in (("county", "H1", "DOC-A"), ("city", "H2", "DOC-B")):
        h.run(
            user,
            record_points,
            config,
            party_kind=PartyKind.STAFF,
            party_id=doctor,
            institution_id=institution,
            item_code="S101",
            responsibility="一般",
            event_date=date(2026, 2, 10),
            approved_on=date(2026, 2, 20),
            department="医政医管科",
            description="不合理收费",
            now=h.clock.now,
        )
    for day in (date(2026, 2, 25), date(2026, 3, 2)):
        h.run(
            "county",
            record_fact,
            kind="interview",
            institution_id="H1",
            occurred_on=day,
            description="约谈院长",
            now=h.clock.now,
        )


def build_store(ctx: Context) -> Path:
    """H1 (511502) sent February on 2026-03-03 (on time); H2 (511503) connected, sent nothing."""
    with ctx.store() as con:
        build = StoreBuilder(con, PERIOD)
        build.institution("H1", region_code="511502", name="H1 医院", connected_on="2025-01-01")
        build.institution("H2", region_code="511503", name="H2 医院", connected_on="2025-01-01")
        build.institution("H3", region_code="510104", name="H3 医院", connected_on="2025-01-01")
        con.execute(
            "INSERT INTO batches (batch_id, institution_id, period, kind, received_at, status) "
            "VALUES ('B1', 'H1', ?, 'full', '2026-03-03 10:00:00', 'accepted')",
            [PERIOD],
        )
    return ctx.home


def walk_home(ctx: Context, evidence: Path) -> Context:
    """The month above in the data folder's own workflow store and analytic store (CLI, app)."""
    from sanjianguan.bootstrap import open_database
    from tests.cases.harness import make_harness
    from tests.workflow_db.fixtures import Clock

    database = open_database(ctx.home, ctx.settings)
    try:
        walk(make_harness(database, Clock(), evidence))
    finally:
        database.dispose()
    build_store(ctx)
    return ctx
