"""View declarations and the shared views: how an engine may build each view is declared with it."""

from __future__ import annotations

import pytest

from sanjianguan.errors import RuleError
from sanjianguan.queries.shared_views import (
    MONTH_FILTER,
    RANGE_FILTER,
    shared_view_declarations,
    shared_views,
)
from sanjianguan.queries.views import View, compile_views, read_by, tables_read


def test_a_declaration_checks_its_name_and_slicing() -> None:
    with pytest.raises(ValueError, match="invalid view name"):
        View("P-1", "SELECT 1")
    with pytest.raises(ValueError, match="only a materialised view"):
        View("v", "SELECT 1", partitioned_by=("t", "k"))
    assert View("v", "SELECT 1", materialised=True, partitioned_by=("t", "k")).partitioned_by == ("t", "k")


def test_the_fee_views_are_materialised_and_the_aggregates_sliced_by_encounter() -> None:
    views = {v.name: v for v in shared_view_declarations()}
    assert {n for n, v in views.items() if v.materialised} == {
        "p_fee_lines",
        "p_fee_daily",
        "p_fee_net",
        "p_stays",
    }
    assert {n: v.partitioned_by for n, v in views.items() if v.partitioned_by} == {
        "p_fee_daily": ("p_fee_lines", "encounter_id"),
        "p_fee_net": ("p_fee_lines", "encounter_id"),
    }
    # Each sliced view reads its source, declared before it.
    order = list(views)
    for name, view in views.items():
        if view.partitioned_by:
            assert order.index(view.partitioned_by[0]) < order.index(name)


def test_the_base_views_read_one_month_or_a_range() -> None:
    month = {v.name: v.sql for v in shared_view_declarations(MONTH_FILTER)}
    months = {v.name: v.sql for v in shared_view_declarations(RANGE_FILTER)}
    assert month["p_fee_items"] == "SELECT * FROM fee_items WHERE period = :period"
    assert months["p_fee_items"].endswith("period BETWEEN :first_period AND :last_period")
    assert month["p_fee_daily"] == months["p_fee_daily"]
    assert dict(shared_views()) == month


def test_views_compile_in_order_with_the_callers_error() -> None:
    views = [View("a", "SELECT x FROM t WHERE p = :period"), View("b", "SELECT list(x) AS l FROM a")]
    compiled = compile_views(views, {"period": "2025-03"}, "spark")
    assert [(v.name, sql.split()) for v, sql in compiled] == [
        ("a", ["SELECT", "x", "FROM", "t", "WHERE", "p", "=", "'2025-03'"]),
        ("b", ["SELECT", "COLLECT_LIST(x)", "AS", "l", "FROM", "a"]),
    ]
    with pytest.raises(RuleError, match="view a: 未定义的参数 / undefined parameters: period"):
        compile_views(views, {}, "spark")


def test_a_run_creates_only_the_views_its_queries_read_and_what_those_read() -> None:
    views = [
        View("a", "SELECT x FROM t"),
        View("b", "SELECT x FROM a"),
        View("c", "SELECT x FROM t", materialised=True),
        View("d", "WITH w AS (SELECT x FROM b) SELECT x FROM w"),
    ]
    assert tables_read("WITH w AS (SELECT x FROM d) SELECT * FROM w JOIN ref_items USING (x)") == {
        "w",
        "d",
        "ref_items",
    }
    assert [v.name for v in read_by(views, ["SELECT x FROM d"])] == ["a", "b", "d"]
    assert [v.name for v in read_by(views, ["SELECT x FROM c", "SELECT x FROM a"])] == ["a", "c"]
    assert read_by(views, ["SELECT x FROM encounters"]) == []


def test_the_shared_views_a_daily_rule_needs() -> None:
    daily = "SELECT d.encounter_id FROM p_fee_daily AS d JOIN ref_items AS r USING (item_code)"
    assert [v.name for v in read_by(shared_view_declarations(), [daily])] == [
        "p_encounters",
        "p_fee_items",
        "p_fee_lines",
        "p_fee_daily",
    ]
