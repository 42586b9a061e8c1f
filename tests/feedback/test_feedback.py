"""规则反馈: hand-counted precision, agreement and amounts on a hand-made set of decided clues."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from sanjianguan.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from sanjianguan.feedback.service import RuleFeedback, rule_feedback
from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import Clue
from tests.cases.harness import Harness, make_harness
from tests.inspections.world import decided_clue
from tests.workflow_db.fixtures import Clock

H1, H2 = {"institution": "H1", "region": "511502"}, {"institution": "H2", "region": "511503"}


@pytest.fixture
def h(database: Database, clock: Clock, tmp_path: Path) -> Harness:
    harness = make_harness(database, clock, tmp_path / "home")
    with database.transaction() as s:
        p = "2026-01"
        decided_clue(s, "a1", **H1, period=p, rule="R-A", self_check="confirmed", amount="100.00")  # agrees
        decided_clue(
            s, "a2", **H1, period=p, rule="R-A", self_check="disputed", amount="250.50", basis="ruling"
        )
        decided_clue(
            s, "a3", **H1, period=p, rule="R-A", decision="reasonable", self_check="disputed", amount="80"
        )
        decided_clue(s, "a4", **H1, period=p, rule="R-A", self_check=None, amount=None, basis="article_31")
        decided_clue(s, "a6", **H2, period=p, rule="R-A", decision="reasonable", self_check="confirmed")
        decided_clue(s, "b1", **H1, period="2026-02", rule="R-B", amount="10.00")
    harness.add_clues(["a5"], institution="H1", region="511502", period=p)  # not decided yet
    with database.transaction() as s:
        clue = s.get(Clue, "a5")
        assert clue is not None
        clue.rule_id = "R-A"
    return harness


def _by_key(rows: list[RuleFeedback]) -> dict[tuple[str | None, str | None, str | None], RuleFeedback]:
    return {(r.rule_id, r.region_code, r.period): r for r in rows}


def test_per_rule_region_and_period(h: Harness) -> None:
    rows = _by_key(h.run("city", rule_feedback, period_from="2026-01", period_to="2026-02"))
    a = rows[("R-A", "511502", "2026-01")]
    # a1..a5: 5 clues, a5 undecided; unreasonable a1, a2, a4; reasonable a3
    assert (a.clues, a.decided, a.unreasonable, a.reasonable) == (5, 4, 3, 1)
    assert a.precision == Decimal("0.7500")  # 3 / 4
    # self-checked and decided: a1, a2, a3 (a4 defaulted, art. 31); agree: a1 (属实↔不合理), a3 (不属实↔合理)
    assert (a.self_checked, a.self_check_agreed, a.agreement) == (3, 2, Decimal("0.6667"))
    assert a.amount_confirmed == Decimal("350.50")  # 100.00 + 250.50 (+ a4 without amount)
    assert a.by_basis == {"self_check": 2, "ruling": 1, "article_31": 1}
    a_h2 = rows[("R-A", "511503", "2026-01")]
    assert (a_h2.decided, a_h2.unreasonable, a_h2.precision, a_h2.agreement) == (
        1,
        0,
        Decimal("0.0000"),
        Decimal("0.0000"),
    )
    b = rows[("R-B", "511502", "2026-02")]
    assert (b.precision, b.amount_confirmed) == (Decimal("1.0000"), Decimal("10.00"))
    seeded = rows[("R-DUP-01", "511502", "2026-02")]  # the harness's own clue c1, never decided
    assert (seeded.clues, seeded.decided, seeded.precision, seeded.agreement) == (1, 0, None, None)


def test_rolled_up_per_rule(h: Harness) -> None:
    rows = _by_key(h.run("city", rule_feedback, rule_id="R-A", group_by=["rule"]))
    a = rows[("R-A", None, None)]
    # adds a6 (H2, reasonable, self-check 属实: disagrees): 6 clues, 5 decided, 3 unreasonable
    assert (a.clues, a.decided, a.unreasonable, a.precision) == (6, 5, 3, Decimal("0.6000"))
    assert (a.self_checked, a.self_check_agreed, a.agreement) == (4, 2, Decimal("0.5000"))
    assert list(rows) == [("R-A", None, None)]


def test_jurisdiction_and_bad_input(h: Harness) -> None:
    county = _by_key(h.run("county", rule_feedback, rule_id="R-A", group_by=["rule"]))
    assert county[("R-A", None, None)].decided == 4  # a6 is in the neighbouring county
    with pytest.raises(NotFoundError):
        h.run("county", rule_feedback, region_code="511503")
    with pytest.raises(PermissionDeniedError):
        h.run("hospital1", rule_feedback)
    with pytest.raises(InvalidInputError):
        h.run("city", rule_feedback, period_from="2026-13")
    with pytest.raises(InvalidInputError):
        h.run("city", rule_feedback, group_by=["doctor"])
