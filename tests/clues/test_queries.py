"""list_clues: sorting by a whitelisted column, the `within` subquery, the institutions to filter by."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from sanjianguan.clues.queries import ClueFilter, ClueOrder, list_clues, visible_institutions
from sanjianguan.errors import InvalidInputError, PermissionDeniedError
from sanjianguan.workflow_db.models import Clue, User
from tests.workflow_db.fixtures import sample_clue, seed_org


@pytest.fixture
def users(session: Session) -> dict[str, User]:
    org = seed_org(session)
    amounts = {"c1": Decimal("50"), "c2": None, "c3": Decimal("7")}
    for clue_id, amount in amounts.items():
        clue = session.get(Clue, clue_id)
        assert clue is not None
        clue.amount_involved = amount
        clue.event_date = date(2026, 2, int(clue_id[1:]))
    extra = sample_clue("c4", "H1", "511502", period="2026-03")
    extra.amount_involved = Decimal("900")
    extra.status = "pushed"
    session.add(extra)
    session.commit()
    return org.users


def _ids(session: Session, user: User, order: ClueOrder, where: ClueFilter | None = None) -> list[str]:
    page = list_clues(session, user, where or ClueFilter(), limit=50, offset=0, order=order)
    return [clue.id for clue in page.items]


def test_the_default_order_is_by_id_as_before(session: Session, users: dict[str, User]) -> None:
    city = users["city"]
    assert _ids(session, city, ClueOrder()) == ["c1", "c2", "c4"]
    assert list_clues(session, city, ClueFilter(), limit=2, offset=0).total == 3


def test_sorting_by_amount_puts_empty_amounts_last(session: Session, users: dict[str, User]) -> None:
    province = users["province"]
    assert _ids(session, province, ClueOrder("amount_involved")) == ["c3", "c1", "c4", "c2"]
    assert _ids(session, province, ClueOrder("amount_involved", descending=True)) == ["c4", "c1", "c3", "c2"]


def test_status_sorts_in_the_loops_order_and_ties_by_id(session: Session, users: dict[str, User]) -> None:
    province = users["province"]
    assert _ids(session, province, ClueOrder("status", descending=True)) == ["c4", "c1", "c2", "c3"]
    assert _ids(session, province, ClueOrder("period", descending=True)) == ["c4", "c1", "c2", "c3"]
    assert _ids(session, province, ClueOrder("id", descending=True)) == ["c4", "c3", "c2", "c1"]


def test_paging_keeps_the_order_and_counts_all(session: Session, users: dict[str, User]) -> None:
    province = users["province"]
    order = ClueOrder("event_date", descending=True)
    first = list_clues(session, province, ClueFilter(), limit=2, offset=0, order=order)
    second = list_clues(session, province, ClueFilter(), limit=2, offset=2, order=order)
    assert [c.id for c in first.items] == ["c3", "c2"]
    assert [c.id for c in second.items] == ["c1", "c4"]  # c4 has no event date: last
    assert first.total == second.total == 4


def test_an_unknown_column_is_refused() -> None:
    with pytest.raises(InvalidInputError) as caught:
        ClueOrder("patient_id")
    assert caught.value.code == "invalid_sort"


def test_within_restricts_to_a_subquery_inside_the_scope(session: Session, users: dict[str, User]) -> None:
    wanted = select(Clue.id).where(Clue.id.in_(["c1", "c3"]))
    assert _ids(session, users["county"], ClueOrder(), ClueFilter(within=wanted)) == ["c1"]
    assert _ids(session, users["province"], ClueOrder(), ClueFilter(within=wanted)) == ["c1", "c3"]


def test_visible_institutions_follow_the_jurisdiction(session: Session, users: dict[str, User]) -> None:
    assert visible_institutions(session, users["city"]) == {"H1": "H1 医院", "H2": "H2 医院"}
    assert visible_institutions(session, users["county"]) == {"H1": "H1 医院"}
    assert visible_institutions(session, users["hospital2"]) == {"H2": "H2 医院"}
    assert visible_institutions(session, users["expert"]) == {}  # 双盲


def test_an_expert_still_may_not_filter_by_institution(session: Session, users: dict[str, User]) -> None:
    with pytest.raises(PermissionDeniedError):
        _ids(session, users["expert"], ClueOrder("amount_involved"), ClueFilter(institution_id="H2"))


def test_a_month_sorted_by_amount_reads_the_index_in_its_order(
    session: Session, users: dict[str, User]
) -> None:
    """SQLite: the region's range is marked likely (workflow_db/planner.py), so the largest-first
    list of a month reads ix_clues_list_amount (migration 0009) instead of sorting the month."""
    city = users["city"]
    where = ClueFilter(period="2026-03", status="pushed")
    order = ClueOrder("amount_involved", descending=True)
    assert _ids(session, city, order, where) == ["c4"]
    if session.get_bind().dialect.name != "sqlite":
        return  # PostgreSQL plans by its own statistics: the SQL is the same but for the hint
    statements: list[str] = []
    from sqlalchemy import event

    def remember(conn: object, cursor: object, statement: str, *args: object) -> None:
        if statement.lstrip().startswith("SELECT clues.id") and "ORDER BY" in statement:
            statements.append(statement)

    engine = session.get_bind().engine
    event.listen(engine, "before_cursor_execute", remember)
    try:
        list_clues(session, city, where, limit=50, offset=0, order=order)
    finally:
        event.remove(engine, "before_cursor_execute", remember)
    (statement,) = statements
    assert "likelihood(clues.region_code >= ?, 0.99)" in statement
    params = ("5115", "5116", "5115", "2026-03", "pushed", 50, 0)
    plan = session.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params).all()
    details = " ".join(str(row[-1]) for row in plan)
    assert "ix_clues_list_amount" in details
    assert "TEMP B-TREE" not in details


def test_count_clues_is_the_lists_total(session: Session, users: dict[str, User]) -> None:
    from sanjianguan.clues.queries import count_clues

    counts = {}
    for name in ("city", "county", "hospital1", "expert"):
        expected = list_clues(session, users[name], ClueFilter(), limit=1, offset=0).total
        counts[name] = count_clues(session, users[name], ClueFilter())
        assert counts[name] == expected
    assert counts["city"] > counts["hospital1"] >= 1
    page = list_clues(session, users["city"], ClueFilter(), limit=1, offset=0, total=99)
    assert page.total == 99  # a known total is not counted again
