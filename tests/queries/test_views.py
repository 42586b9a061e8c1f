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
from sanjianguan.queries.views import View, compile_views


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
