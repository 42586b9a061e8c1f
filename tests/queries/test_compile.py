"""Compiling a declaration: parsed once per process, bound in the compilation's own copy."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from sanjianguan.errors import RuleError, SjgError
from sanjianguan.queries.compile import compile_sql, parse, parsed, placeholders

SQL = "SELECT x FROM t WHERE p = :period AND d >= :start AND q > :limit AND c IN (SELECT unnest(:codes))"


class OtherError(SjgError):
    """Another caller's error class (indicators use their own)."""


VALUES = {"period": "2025-03", "start": dt.date(2025, 3, 1), "limit": Decimal("0.01"), "codes": ["A", "B"]}


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
