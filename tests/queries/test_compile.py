"""Compiling a declaration: parsed once per process, bound in the compilation's own copy
(Spark), or its own text with literals in place of the placeholders (DuckDB)."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import duckdb
import pytest

from sanjianguan.errors import RuleError, SjgError
from sanjianguan.indicators.compute import indicator_sql
from sanjianguan.indicators.compute import view_sql as indicator_view_sql
from sanjianguan.indicators.registry import builtin_indicators
from sanjianguan.indicators.scope import month
from sanjianguan.queries import compile as compile_module
from sanjianguan.queries.compile import BoundValue, compile_sql, parse, parsed, placeholders
from sanjianguan.rules.registry import load_catalogue
from sanjianguan.rules.runner import rule_sql
from sanjianguan.rules.runner import view_sql as rule_view_sql

SQL = "SELECT x FROM t WHERE p = :period AND d >= :start AND q > :limit AND c IN (SELECT unnest(:codes))"


class OtherError(SjgError):
    """Another caller's error class (indicators use their own)."""


VALUES: dict[str, BoundValue] = {
    "period": "2025-03",
    "start": dt.date(2025, 3, 1),
    "limit": Decimal("0.01"),
    "codes": ["A", "B"],
}


def test_compiling_twice_gives_the_same_sql_and_leaves_the_shared_tree_unbound() -> None:
    first = compile_sql(SQL, VALUES, "spark")
    assert "p = '2025-03'" in first
    assert "CAST('2025-03-01' AS DATE)" in first
    assert compile_sql(SQL, {**VALUES, "period": "2025-04"}, "spark") == first.replace("2025-03'", "2025-04'")
    assert compile_sql(SQL, VALUES, "spark") == first
    # The tree every compilation starts from still holds its placeholders.
    assert placeholders(parsed(SQL)) == {"period", "start", "limit", "codes"}
    assert parsed(SQL) is parsed(SQL)


def test_parse_gives_the_caller_its_own_tree() -> None:
    mine = parse(SQL)
    assert mine is not parsed(SQL)
    mine.set("where", None)
    assert "WHERE" in compile_sql(SQL, VALUES, "duckdb")


def test_errors_name_the_declaration_in_the_callers_class() -> None:
    with pytest.raises(OtherError, match=r"x\.toml: SQL 无法解析"):
        compile_sql("SELECT (", {}, "duckdb", where="x.toml", error=OtherError)
    with pytest.raises(RuleError, match="r1: 须为一条 SELECT 语句"):
        compile_sql("SELECT 1; SELECT 2", {}, "duckdb", where="r1")
    # A failed parse is not remembered as a success.
    with pytest.raises(RuleError, match="SQL 无法解析"):
        parsed("SELECT (")


DECLARED = """-- amounts of :period (a comment keeps its text)
SELECT ':limit' AS label, x * :limit AS scaled
FROM t
WHERE p = :period AND d >= :start AND c IN (SELECT unnest(:codes))"""


def test_duckdb_gets_the_declared_text_with_each_placeholder_replaced_by_its_literal() -> None:
    assert compile_sql(DECLARED, VALUES, "duckdb") == (
        "-- amounts of :period (a comment keeps its text)\n"
        "SELECT ':limit' AS label, x * 0.01 AS scaled\n"
        "FROM t\n"
        "WHERE p = '2025-03' AND d >= CAST('2025-03-01' AS DATE) AND c IN (SELECT unnest(['A', 'B']))"
    )
    # Spark still gets sqlglot's translation of the bound tree.
    assert "-- amounts" not in compile_sql(DECLARED, VALUES, "spark")


def _run(sql: str) -> list[tuple[object, ...]]:
    con = duckdb.connect()
    con.execute("CREATE TABLE t AS SELECT [10, 20, 30] AS l, 2 AS n, '2025-03' AS p")
    return con.execute(sql).fetchall()


def test_a_list_slice_that_reads_like_a_placeholder_is_compiled_from_the_tree() -> None:
    # `l[1:n]` tokenizes as `:` `n` without being a placeholder: the text cannot be trusted.
    sql = compile_sql("SELECT l[1:n] AS head FROM t WHERE p = :period", VALUES, "duckdb")
    assert _run(sql) == [([10, 20],)]


def test_a_word_duckdb_reserves_is_compiled_from_the_tree() -> None:
    # sqlglot reads `similar` as a name and quotes it when it generates; DuckDB's parser
    # rejects the declared text itself.
    declared = "WITH similar AS (SELECT n FROM t WHERE p = :period) SELECT n FROM similar"
    with pytest.raises(duckdb.ParserException):
        duckdb.connect().extract_statements(declared.replace(":period", "'2025-03'"))
    assert _run(compile_sql(declared, VALUES, "duckdb")) == [(2,)]


def test_a_materialized_cte_keeps_its_hint_on_duckdb_and_loses_it_for_spark() -> None:
    # DuckDB computes such a CTE first (a rule uses it to fix its join order); Spark's
    # parser rejects the keyword.
    declared = "WITH m AS MATERIALIZED (SELECT n FROM t WHERE p = :period) SELECT n FROM m"
    duckdb_sql = compile_sql(declared, VALUES, "duckdb")
    assert "AS MATERIALIZED" in duckdb_sql
    assert _run(duckdb_sql) == [(2,)]
    spark_sql = compile_sql(declared, VALUES, "spark")
    assert "MATERIALIZED" not in spark_sql.upper()
    assert "WITH m AS (" in spark_sql
    # The shared tree keeps the hint for the next compilation.
    assert "AS MATERIALIZED" in compile_sql(declared, VALUES, "duckdb")


def test_a_missing_value_is_an_error_on_duckdb_too() -> None:
    without_limit = {k: v for k, v in VALUES.items() if k != "limit"}
    with pytest.raises(OtherError, match=r"x\.toml: 未定义的参数 / undefined parameters: limit"):
        compile_sql(DECLARED, without_limit, "duckdb", where="x.toml", error=OtherError)


def test_every_builtin_declaration_reaches_duckdb_as_its_own_text(monkeypatch: pytest.MonkeyPatch) -> None:
    """The rules, views and indicators all take the text path (binding a tree would raise here)."""

    def no_tree(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"compiled from the tree: {kwargs.get('where')}")

    monkeypatch.setattr(compile_module, "bind", no_tree)
    scope = month("2025-03")
    compiled = [rule_sql(c, "2025-03", "duckdb") for c in load_catalogue(None)]
    compiled += [sql for _, sql in rule_view_sql("2025-03", "duckdb")]
    compiled += [sql for _, sql in indicator_view_sql(scope, "duckdb")]
    compiled += [indicator_sql(i, scope, i.defaults(), "duckdb") for i in builtin_indicators()]
    assert len(compiled) > 100
    assert not [sql for sql in compiled if ":period" in sql]


def test_compiling_in_threads_leaves_later_forked_processes_unharmed() -> None:
    # DuckDB's parser connection once lived in each thread's locals: a process forked while
    # such threads lived freed them in the child, which crashed before running anything
    # (Spark's launcher forks with a `preexec_fn`, as here).
    threads = 4
    together = threading.Barrier(threads, timeout=10)

    def compile_in_own_thread(n: int) -> str:
        together.wait()  # every thread compiles, not the first one alone
        return compile_sql(DECLARED, {**VALUES, "limit": n}, "duckdb")

    with ThreadPoolExecutor(threads) as pool:
        assert len(set(pool.map(compile_in_own_thread, range(threads)))) == threads
        children = [
            subprocess.run(
                [sys.executable, "-c", "print('ran')"],
                preexec_fn=lambda: None,
                capture_output=True,
                text=True,
                check=False,
            )
            for _ in range(3)
        ]
    assert [(c.returncode, c.stdout) for c in children] == [(0, "ran\n")] * 3
