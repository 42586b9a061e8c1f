"""驾驶舱的数字 (cases/statistics.py, cases/progress.py, cases/store_figures.py): the figures
around the month's counts, each over the clues or institutions the user may see."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from sanjianguan.cases import intake
from sanjianguan.cases.evidence import EvidenceStore
from sanjianguan.cases.states import SelfCheckOutcome
from sanjianguan.cases.statistics import Count, StoreFigures, clue_counts, top
from sanjianguan.cases.store_figures import figures
from sanjianguan.clues.rulebook import RuleBook
from sanjianguan.config import Settings
from sanjianguan.indicators.results_table import INDICATOR_VALUES_DDL
from sanjianguan.workflow_db.models import Clue, Deadline, SamplingDraw, SamplingMember, User, Verification
from tests.analytic_store.storekit import add
from tests.workflow_db.fixtures import Org, sample_clue, seed_org

BOOK = RuleBook.for_home(None)


@pytest.fixture
def org(session: Session) -> Org:
    return seed_org(session)


def _user(session: Session, org: Org, name: str) -> User:
    found = session.get(User, org.users[name].id)
    assert found is not None
    return found


def _china(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour - 8, tzinfo=UTC)


def test_top_ten_most_first_ties_by_key() -> None:
    counts = {f"R{i:02d}": 5 for i in range(12)} | {"Z99": 9, "A00": 1}
    ranked = top(counts)
    assert ranked[0] == ("Z99", 9)
    assert [key for key, _ in ranked[1:]] == [f"R{i:02d}" for i in range(9)]  # ties: by id, cut at 10
    assert len(ranked) == 10


def test_top_rules_and_institutions_with_ties(session: Session, org: Org) -> None:
    clues = []
    for n, (rule, inst, region) in enumerate(
        [("C01", "H1", "511502")] * 3 + [("C02", "H2", "511503")] * 3 + [("B01", "H3", "510104")] * 1
    ):
        clue = sample_clue(f"t{n}", inst, region, period="2026-04")
        clue.rule_id = rule
        clues.append(clue)
    session.add_all(clues)
    session.commit()
    province = _user(session, org, "province")
    counts = clue_counts(session, province, BOOK, "2026-04")
    assert [(row.key, row.count) for row in counts.by_rule] == [("C01", 3), ("C02", 3), ("B01", 1)]
    assert counts.by_rule[0].label_zh.startswith("C01 ")
    assert counts.by_institution == [
        Count("H1", "H1 医院", 3),
        Count("H2", "H2 医院", 3),
        Count("H3", "H3 医院", 1),
    ]
    county = clue_counts(session, _user(session, org, "county"), BOOK, "2026-04")
    assert county.by_institution == [Count("H1", "H1 医院", 3)]  # the county sees its own
    expert = clue_counts(session, _user(session, org, "expert"), BOOK, "2026-02")
    assert expert.total == 1
    assert expert.by_institution is None  # double-blind: no institution named to an expert
    assert expert.reporting is None
    assert expert.failing_indicators is None


def test_amounts_per_category_and_the_trend(session: Session, org: Org) -> None:
    charged = sample_clue("m1", "H1", "511502", period="2026-03")
    charged.rule_id = "C01"
    charged.amount_involved = Decimal("0.10")
    other = sample_clue("m2", "H1", "511502", period="2026-03")
    other.amount_involved = Decimal("0.20")
    session.add_all([charged, other])
    session.commit()
    counts = clue_counts(session, _user(session, org, "county"), BOOK, "2026-03")
    amounts = {row.key: row.amount for row in counts.amounts}
    assert amounts["charges"] == Decimal("0.10")
    assert counts.amount_total == Decimal("0.30")  # exact, not 0.30000000000000004
    assert sum(amounts.values()) == counts.amount_total
    assert counts.trend[0].period == "2025-04"
    assert len(counts.trend) == 12
    trend = {p.period: (p.count, p.amount) for p in counts.trend}
    assert trend["2026-03"] == (2, Decimal("0.30"))
    assert trend["2026-02"] == (1, Decimal("1234.56"))  # seed clue c1 of H1
    assert trend["2026-01"] == (0, Decimal("0.00"))


def test_on_time_self_check_rate_across_a_holiday(session: Session, org: Org, tmp_path: Path) -> None:
    """Pushed on 29 September 2026: the seven working days run past the National Day holiday."""
    session.add_all([sample_clue(c, "H1", "511502", period="2026-09") for c in ("a", "b", "c")])
    session.commit()
    county, hospital = _user(session, org, "county"), _user(session, org, "hospital1")
    store = EvidenceStore.for_home(tmp_path, 1024 * 1024)
    intake.push_period(session, county, "2026-09", "511502", now=_china(date(2026, 9, 29)))
    due = session.scalars(select(Deadline.due_on).where(Deadline.clue_id == "a")).one()
    assert due > date(2026, 10, 12)  # without the holiday it would have been 8 October

    def answer(clue_id: str, day: date) -> None:
        intake.self_check(
            session,
            hospital,
            clue_id,
            outcome=SelfCheckOutcome.CONFIRMED,
            explanation="属实",
            handling="已退费",
            store=store,
            now=_china(day),
        )

    answer("a", date(2026, 10, 12))  # on time only thanks to the holiday
    early = clue_counts(session, county, BOOK, "2026-09", today=date(2026, 10, 12))
    assert (early.self_check.due, early.self_check.on_time, early.self_check.rate) == (1, 1, 1.0)
    after = due.replace(day=due.day + 1)
    intake.remind(session, county, "b", now=_china(after))
    answer("b", after)  # within the reminder's second deadline: met, but not on time
    counts = clue_counts(session, county, BOOK, "2026-09", today=date(2026, 10, 30))
    assert (counts.self_check.due, counts.self_check.on_time) == (3, 1)  # c: past due, unanswered
    assert counts.self_check.rate == pytest.approx(0.3333)
    city = clue_counts(session, _user(session, org, "city"), BOOK, "2026-09", today=date(2026, 10, 30))
    assert city.self_check == counts.self_check
    other = clue_counts(session, _user(session, org, "hospital2"), BOOK, "2026-09", today=date(2026, 10, 30))
    assert other.self_check.due == 0
    assert other.self_check.rate is None
    assert counts.overdue == 1  # c's self-check
    assert other.overdue is None  # an institution may not read the overdue list


def test_sampling_progress(session: Session, org: Org) -> None:
    session.add_all([sample_clue(c, "H1", "511502", period="2026-05") for c in ("s1", "s2", "s3")])
    session.flush()
    now = datetime(2026, 6, 20, tzinfo=UTC)
    draw = SamplingDraw(
        period="2026-05",
        region_code="511502",
        rate="0.5",
        seed="x",
        population_count=3,
        population_sha256="0" * 64,
        drawn_count=2,
        drawn_at=now,
        audit_seq=1,
    )
    session.add(draw)
    session.flush()
    for clue_id, drawn in (("s1", True), ("s2", True), ("s3", False)):
        session.add(
            SamplingMember(clue_id=clue_id, draw_id=draw.id, stratum="x", drawn=drawn, reason="random")
        )
    session.add(Verification(clue_id="s1", conclusion="upheld", record="现场核实", verified_at=now))
    session.commit()
    progress = clue_counts(session, _user(session, org, "county"), BOOK, "2026-05").sampling
    assert (progress.sampled, progress.verified, progress.pending) == (2, 1, 1)
    assert clue_counts(session, _user(session, org, "hospital2"), BOOK, "2026-05").sampling.sampled == 0


def test_store_figures_count_the_users_institutions(con: duckdb.DuckDBPyConnection) -> None:
    period = "2025-03"  # due 2025-04-05
    for inst in ("H1", "H2", "H3"):
        add(con, "institutions", institution_id=inst, connected_on=date(2024, 1, 1))
    add(con, "institutions", institution_id="H4", connected_on=None)
    add(con, "batches", batch_id="B1", institution_id="H1", received_at=datetime(2025, 4, 3))
    add(con, "batches", batch_id="B2", institution_id="H2", received_at=datetime(2025, 4, 8))
    con.execute(INDICATOR_VALUES_DDL)
    for inst, indicator, failing in (
        ("H1", "I1", True),
        ("H1", "I2", True),
        ("H2", "I1", True),
        ("H3", "I1", False),
    ):
        con.execute(
            "INSERT INTO indicator_values (period, period_kind, level, institution_id, indicator, failing) "
            "VALUES (?, 'month', 'institution', ?, ?, ?)",
            [period, inst, indicator, failing],
        )
    everyone = figures(con, Settings(), period, ["H1", "H2", "H3", "H4", "H9"], date(2025, 4, 10))
    assert everyone == StoreFigures(
        failing_indicators=3,
        reporting=[
            Count("on_time", "按时上报", 1),
            Count("late", "迟报", 1),
            Count("missing", "未报", 1),
            Count("not_connected", "未接入", 2),  # H4, and H9 the store does not know
            Count("pending", "待上报", 0),
        ],
    )
    before_due = figures(con, Settings(), period, ["H1", "H3"], date(2025, 4, 4))
    assert before_due.failing_indicators == 2
    assert {row.key: row.count for row in before_due.reporting} == {
        "on_time": 1,  # H1 arrived on 3 April
        "late": 0,
        "missing": 0,
        "not_connected": 0,
        "pending": 1,  # H3: nothing yet, but the due date has not passed
    }


def test_clue_counts_reads_the_store_only_for_users_who_see_institutions(session: Session, org: Org) -> None:
    asked: list[tuple[str, list[str]]] = []

    def reader(period: str, institutions: object) -> StoreFigures:
        asked.append((period, sorted(institutions)))  # type: ignore[call-overload]
        return StoreFigures(7, [Count("on_time", "按时上报", 1)])

    counts = clue_counts(session, _user(session, org, "county"), BOOK, "2026-02", store=reader)
    assert counts.failing_indicators == 7
    assert asked == [("2026-02", ["H1"])]
    expert = clue_counts(session, _user(session, org, "expert"), BOOK, "2026-02", store=reader)
    assert expert.failing_indicators is None
    assert len(asked) == 1  # never asked for an expert
    assert session.get(Clue, "c1") is not None
