"""线索统计 (cases/statistics.py): counts by status and category, scoped, every key listed."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from sanjianguan.cases.statistics import INDICATOR, clue_counts, latest_period
from sanjianguan.clues.rulebook import RuleBook
from tests.workflow_db.fixtures import Org, sample_clue, seed_org


@pytest.fixture
def org(session: Session) -> Org:
    return seed_org(session)


def test_counts_by_status_and_category_within_the_jurisdiction(session: Session, org: Org) -> None:
    charged = sample_clue("c9", "H1", "511502", period="2026-03")
    charged.rule_id = "C01"  # a 不合理收费 rule
    session.add_all([charged, sample_clue("c8", "H2", "511503", period="2026-03")])
    session.commit()
    book = RuleBook.for_home(None)
    city, county = org.users["city"], org.users["county"]
    assert latest_period(session, county) == "2026-03"
    counts = clue_counts(session, city, book, None)
    assert counts.period == "2026-03"
    assert counts.total == 2
    by_category = {row.key: row.count for row in counts.by_category}
    assert by_category["charges"] == 1
    assert sum(by_category.values()) == 2
    assert [row.key for row in counts.by_status][:2] == ["generated", "pushed"]  # loop order, zeros kept
    assert {row.label_zh for row in counts.by_category} >= {"不合理收费", "指标线索"}
    county_counts = clue_counts(session, county, book, "2026-03")
    assert county_counts.total == 1  # H2 lies in another county
    assert {row.key: row.count for row in county_counts.by_category}["charges"] == 1
    assert INDICATOR in by_category


def test_no_clue_no_period(session: Session, org: Org) -> None:
    far = org.users["hospital2"]
    assert clue_counts(session, far, RuleBook.for_home(None), "2030-01").total == 0
