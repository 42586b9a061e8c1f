"""View declarations and the shared views: how an engine may build each view is declared with it."""

from __future__ import annotations

import re

import pytest
import sqlglot
from sqlglot import exp

from sanjianguan.errors import RuleError
from sanjianguan.queries.shared_views import (
    MONTH_FILTER,
    RANGE_FILTER,
    shared_view_declarations,
    shared_views,
)
from sanjianguan.queries.views import (
    View,
    columns_named,
    compile_views,
    read_by,
    read_once,
    release_points,
    slimmed,
    tables_read,
)
from sanjianguan.rules.registry import load_catalogue, select


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
        "p_fee_uncharged",
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


def test_no_built_shared_view_is_written_with_a_cte() -> None:
    # Written with CTEs, p_fee_uncharged's Spark cache did not serve T07's readings (66 s
    # against 25 s without, on a tenth of the city month; probably a CTE's new id at each
    # resolution of the view, so the cached plan no longer matches).
    for view in shared_view_declarations():
        if view.materialised:
            tree = sqlglot.parse_one(re.sub(r":\w+", "'2025-03'", view.sql), read="duckdb")
            assert tree.find(exp.With) is None, view.name


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


def test_a_materialised_view_keeps_only_the_columns_its_readers_name() -> None:
    views = [
        View("a", "SELECT x, y AS why, z FROM t", materialised=True),
        View("b", "SELECT x, sum(z) AS total, count(*) AS n FROM a GROUP BY x", materialised=True),
        View("c", "SELECT x, y FROM t"),
    ]
    slim = {v.name: v.sql for v in slimmed(views, ["SELECT total FROM b", "SELECT y FROM c"])}
    # b keeps its grouping (rows unchanged) but returns only what the query names;
    # a keeps what b names (x, z), not y, which only the plain view c reads from t.
    assert slim["b"] == "SELECT sum(z) AS total FROM a GROUP BY x".replace("sum", "SUM")
    assert slim["a"] == "SELECT x, z FROM t"
    assert slim["c"] == "SELECT x, y FROM t"


def test_a_star_over_a_view_keeps_all_its_columns_and_a_count_star_does_not() -> None:
    views = [View("a", "SELECT x, y FROM t WHERE p = :period", materialised=True)]
    starred = ("SELECT * FROM a", "SELECT q.* FROM a AS q", "WITH w AS (SELECT a.* FROM a) SELECT x FROM w")
    for reader in starred:
        assert slimmed(views, [reader])[0].sql == views[0].sql, reader
    # A star over a CTE expands only the names the CTE spells.
    assert (
        slimmed(views, ["WITH w AS (SELECT y FROM a) SELECT w.*, count(*) FROM w GROUP BY y"])[0].sql
        == "SELECT y FROM t WHERE p = $period"
    )
    # Its placeholders survive: the slimmed SQL compiles like the declared one.
    assert compile_views(slimmed(views, ["SELECT y FROM a"]), {"period": "2025-03"}, "duckdb")[0][
        1
    ].split() == ["SELECT", "y", "FROM", "t", "WHERE", "p", "=", "'2025-03'"]


def test_distinct_or_starred_views_and_unread_columns_to_the_last_stay_whole() -> None:
    distinct = View("a", "SELECT DISTINCT x, y FROM t", materialised=True)
    starred = View("b", "SELECT *, 1 AS one FROM t", materialised=True)
    unread = View("c", "SELECT x, y FROM t", materialised=True)
    assert slimmed([distinct], ["SELECT x FROM a"])[0].sql == distinct.sql
    assert slimmed([starred], ["SELECT x FROM b"])[0].sql == starred.sql
    # A reader naming none of its columns (count(*)) still gets a valid view.
    assert slimmed([unread], ["SELECT count(*) FROM c"])[0].sql == "SELECT x FROM t"
    assert columns_named("SELECT count(*) AS n FROM c", "c") == set()
    assert columns_named("SELECT c.* FROM c", "c") is None


def test_the_columns_a_reader_names_are_those_unqualified_or_qualified_by_the_views_alias() -> None:
    reader = """
    WITH w AS (SELECT l.a, l.b AS bee, x.c FROM v AS l JOIN other AS x USING (k))
    SELECT w.a, w.bee, d FROM w JOIN (SELECT e FROM v) AS q ON q.e = w.a
    """
    # a, b (alias l), k (USING), e (unqualified where v is read); not c (of x), not bee, and
    # not d: the SELECT naming it reads w and q, whose columns are spelled out.
    assert columns_named(reader, "v") == {"a", "b", "k", "e"}
    assert columns_named("SELECT v.a FROM v", "v") == {"a"}


def test_an_unqualified_name_counts_for_the_views_its_select_or_an_enclosing_one_reads() -> None:
    # A subquery may name the outer SELECT's columns (correlated), in a set operation too.
    correlated = "SELECT a FROM v WHERE EXISTS (SELECT 1 FROM o WHERE o.k = kk)"
    assert columns_named(correlated, "v") == {"a", "kk"}
    in_union = "SELECT a FROM v WHERE a IN (SELECT b FROM o UNION ALL SELECT c FROM w WHERE d = 1)"
    assert columns_named(in_union, "v") == {"a", "b", "c", "d"}
    # A CTE or a derived table cannot: D09's bare doctor_id beside a read of p_fee_net built
    # the net's doctor column for every run.
    d09 = """
    WITH current AS (SELECT doctor_id, item_code FROM p_fee_lines)
    SELECT c.doctor_id, n.net_amount FROM current AS c JOIN p_fee_net AS n ON n.item_code = c.item_code
    """
    assert columns_named(d09, "p_fee_net") == {"net_amount", "item_code"}
    assert columns_named(d09, "p_fee_lines") == {"doctor_id", "item_code"}
    # In HAVING too (T04 sums the quantity of the lines it groups there).
    having = "SELECT k, count(*) FROM (SELECT k FROM v GROUP BY k HAVING sum(q) > 0) AS c GROUP BY k"
    assert columns_named(having, "v") == {"k", "q"}
    # The whole row as a value only where the alias is the view's (a subquery's too).
    assert columns_named("SELECT a FROM v AS l WHERE EXISTS (SELECT 1 FROM o WHERE o.r = l)", "v") is None
    assert columns_named("WITH c AS (SELECT l.a FROM v AS l) SELECT l FROM other AS l", "v") == {"a"}
    # The whole row as a value, COLUMNS(...) and a star in a function keep all.
    for reader in (
        "SELECT l FROM v AS l",
        "SELECT COLUMNS('a.*') FROM v",
        "SELECT struct_pack(l.*) FROM v AS l",
    ):
        assert columns_named(reader, "v") is None, reader


def test_the_five_rules_build_only_slim_fee_lines_and_the_stays() -> None:
    rules = select(load_catalogue(None), ["C01", "C05", "D08", "E01", "T01"])
    queries = [c.rule.query for c in rules]
    views = read_once(slimmed(read_by(shared_view_declarations(), queries), queries), queries)
    # They decide on sums of their own items' lines: neither shared aggregate is built.
    assert [v.name for v in views] == ["p_encounters", "p_fee_items", "p_fee_lines", "p_stays"]
    lines = next(v.sql for v in views if v.name == "p_fee_lines")
    for unread in ("item_name", "local_code", "insurance_class", "encounter_type"):
        assert unread not in lines
    # C05 reads the stays inside a CTE, and the fee lines are read twice: all stay tables.
    assert {v.name for v in views if v.read_once} == set()


def test_the_whole_catalogue_builds_the_fee_views_without_the_columns_no_rule_names() -> None:
    # One `SELECT *` over p_fee_lines in any rule would build every column for every run
    # (it did, in C05's semi-join: 27 → 35 s on a city month).
    queries = [c.rule.query for c in select(load_catalogue(None), None)]
    views = slimmed(read_by(shared_view_declarations(), queries), queries)
    lines = next(v.sql for v in views if v.name == "p_fee_lines")
    for unread in ("item_name", "local_code", "insurance_class", "encounter_type", "charged_at,"):
        assert unread not in lines
    # No rule asks the month's nets more than whether an item stays charged, which
    # p_fee_uncharged answers: a catalogue run never builds p_fee_net (a city's 33 M groups).
    assert "p_fee_net" not in {v.name for v in views}
    uncharged = next(v for v in views if v.name == "p_fee_uncharged")
    assert uncharged.materialised


def test_a_built_view_is_released_after_the_last_query_that_needs_it() -> None:
    views = [
        View("a", "SELECT 1 AS x"),
        View("b", "SELECT x FROM a", materialised=True),
        # Read once: an engine may leave it plain, so its readers still need b.
        View("c", "SELECT x FROM b", materialised=True, read_once=True),
        View("d", "SELECT x FROM a", materialised=True),
        # Built from d and read by no query: free once every view is built.
        View("e", "SELECT x FROM d", materialised=True),
        View("f", "SELECT x FROM e", materialised=True),
    ]
    queries = ["SELECT x FROM c", "SELECT x FROM d", "SELECT x FROM a", "SELECT x FROM f"]
    points = release_points(views, queries)
    assert {k: sorted(v) for k, v in points.items()} == {-1: ["e"], 0: ["b"], 1: ["d"], 3: ["f"]}
