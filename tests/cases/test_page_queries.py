"""The pages' queries rewritten for a city's year (issue 12, "Scale"): the same answers as before.

`latest_period` walks month by month instead of taking the max over every visible clue;
`list_clues` reads the page's ids first and then their rows; `within_region` adds the
code range to the prefix match. Each is compared with the plain query it replaces, on
clues of many statuses, months, amounts and regions, for every kind of user.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sanjianguan.access.jurisdiction import visible_clues
from sanjianguan.access.scope import _next_prefix, within_region
from sanjianguan.cases.states import ClueStatus
from sanjianguan.cases.statistics import latest_period
from sanjianguan.clues.queries import SORTABLE, ClueFilter, ClueOrder, list_clues
from sanjianguan.workflow_db.models import Clue, Institution
from tests.workflow_db.fixtures import Org, sample_clue, seed_org

STATUSES = list(ClueStatus)
MONTHS = ["2025-12", "2026-01", "2026-02", "2026-03"]


@pytest.fixture
def org(session: Session) -> Org:
    found = seed_org(session)
    places = [("H1", "511502"), ("H2", "511503"), ("H3", "510104")]
    clues = []
    for n in range(90):
        inst, region = places[n % 3]
        clue = sample_clue(f"m{n:03d}", inst, region, period=MONTHS[n % 4] if inst != "H3" else "2026-01")
        clue.status = STATUSES[n % len(STATUSES)]
        clue.amount_involved = None if n % 11 == 0 else Decimal(n % 7 * 100) + Decimal("0.50")
        clue.rule_id = ["R-DUP-01", "C01", "S01"][n % 3]
        clues.append(clue)
    session.add_all(clues)
    session.commit()
    return found


def _old_latest(session: Session, user: object) -> str | None:
    visible = visible_clues(user).subquery()  # type: ignore[arg-type]
    found = session.execute(select(func.max(visible.c.period))).scalar_one_or_none()
    return str(found) if found is not None else None


def test_latest_period_is_the_max_over_the_visible_clues(session: Session, org: Org) -> None:
    answers = {name: latest_period(session, user) for name, user in org.users.items() if name != "auditor"}
    assert answers == {name: _old_latest(session, org.users[name]) for name in answers}
    assert answers["city"] == "2026-03"
    assert answers["other_city"] == "2026-02"  # H3's clues: 2026-01, and the fixture's c3 of 2026-02
    assert answers["expert"] == "2026-02"  # only c2 is assigned to the expert


def test_latest_period_of_a_user_who_sees_no_clue(session: Session, org: Org) -> None:
    session.add(Institution(id="H9", name="H9 医院", region_code="511503"))
    session.commit()
    nobody = org.users["hospital2"]
    nobody.institution_id = "H9"
    assert latest_period(session, nobody) is None


@pytest.mark.parametrize("column", ["id", *SORTABLE])
@pytest.mark.parametrize("descending", [False, True])
def test_list_pages_are_the_rows_of_the_plain_query(
    session: Session, org: Org, column: str, descending: bool
) -> None:
    order = ClueOrder(column, descending)
    for name in ("city", "county", "hospital1", "expert", "province"):
        user = org.users[name]
        for where in (ClueFilter(), ClueFilter(period="2026-03"), ClueFilter(status="pushed")):
            plain = list(session.scalars(_filtered(user, where).order_by(*order.clauses())))
            pages = [
                list_clues(session, user, where, limit=7, offset=o, order=order) for o in range(0, 100, 7)
            ]
            assert [c.id for p in pages for c in p.items] == [c.id for c in plain], (name, where)
            assert {p.total for p in pages[:1]} == {len(plain)}


def _filtered(user: object, where: ClueFilter) -> object:
    query = visible_clues(user)  # type: ignore[arg-type]
    if where.period:
        query = query.where(Clue.period == where.period)
    if where.status:
        query = query.where(Clue.status == where.status)
    return query


@pytest.mark.parametrize(
    ("prefix", "upper"), [("5115", "5116"), ("5119", "512"), ("5199", "52"), ("99", None)]
)
def test_the_range_of_a_prefix(prefix: str, upper: str | None) -> None:
    assert _next_prefix(prefix) == upper


@pytest.mark.parametrize("region", ["510000", "511500", "511502", "510100"])
def test_within_region_selects_what_the_prefix_selects(session: Session, org: Org, region: str) -> None:
    with_range = set(session.scalars(select(Clue.id).where(within_region(Clue.region_code, region))))
    prefix = region.rstrip("0") if region.endswith("00") else region
    prefix = prefix if len(prefix) % 2 == 0 else prefix + "0"
    plain = set(session.scalars(select(Clue.id).where(Clue.region_code.startswith(prefix))))
    assert with_range == plain
    assert with_range
