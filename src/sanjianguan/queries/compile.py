"""Compiling declared SQL (查询编译): bind `:name` parameters as literals through the AST, then transpile.

Rules, indicators and views are written once in DuckDB SQL. Values are never formatted
into the SQL text: each placeholder node is replaced by a literal node, and sqlglot
generates the SQL of the target dialect (`duckdb` or `spark`) from the tree. Errors
are the caller's class (RuleError by default), naming `where`.

Compiling is part of every run (49 rules, the views, the indicators): a declaration's
text is parsed once per process (the catalogue's validation already parses it) and a
compilation copies the tree once, binds in that copy and generates from it. Parsing
again and copying three times took about a fifth of the county month's catalogue.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from functools import lru_cache

import sqlglot
from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import SqlglotError

from sanjianguan.errors import RuleError, SjgError

SOURCE_DIALECT = "duckdb"
# A bound value: a parameter value (int, Decimal, str, bool, list of str) or a date.
BoundValue = int | Decimal | str | bool | list[str] | dt.date


def parse(sql: str, *, where: str = "query", error: type[SjgError] = RuleError) -> exp.Query:
    """Parse DuckDB SQL into one expression (the caller's own copy), or raise `error` naming `where`."""
    return parsed(sql, where=where, error=error).copy()


def parsed(sql: str, *, where: str = "query", error: type[SjgError] = RuleError) -> exp.Query:
    """The parsed tree of `sql`, shared by every caller in the process: read it, never change it."""
    try:
        tree = _parse_once(sql)
    except SqlglotError as exc:
        raise error(f"{where}: SQL 无法解析 / cannot parse SQL: {exc}") from exc
    if tree is None:
        raise error(f"{where}: 须为一条 SELECT 语句 / must be exactly one SELECT statement")
    return tree


@lru_cache(maxsize=1024)
def _parse_once(sql: str) -> exp.Query | None:
    # Declarations are few and fixed per process (rules, views, indicators).
    statements = sqlglot.parse(sql, read=SOURCE_DIALECT)
    tree = statements[0] if len(statements) == 1 else None
    return tree if isinstance(tree, exp.Query) else None


def placeholders(tree: exp.Expr) -> set[str]:
    """Names of the `:name` placeholders of a parsed query."""
    return {str(node.this) for node in tree.find_all(exp.Placeholder) if node.this}


def literal(value: BoundValue) -> exp.Expr:
    """The SQL literal of a parameter value (typed so that both engines read it alike)."""
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, int):
        return exp.Literal.number(value)
    if isinstance(value, Decimal):
        # A plain decimal literal is DECIMAL(p,s) in DuckDB and in Spark alike.
        return exp.Literal.number(format(value, "f"))
    if isinstance(value, dt.date):
        return exp.cast(exp.Literal.string(value.isoformat()), exp.DataType.build("DATE"))
    if isinstance(value, str):
        return exp.Literal.string(value)
    return exp.Array(expressions=[exp.Literal.string(str(v)) for v in value])


def bind(
    tree: exp.Expr,
    values: Mapping[str, BoundValue],
    *,
    where: str = "query",
    error: type[SjgError] = RuleError,
) -> exp.Expr:
    """A copy of `tree` with every placeholder replaced by its value's literal."""
    missing = placeholders(tree) - set(values)
    if missing:
        raise error(f"{where}: 未定义的参数 / undefined parameters: {', '.join(sorted(missing))}")

    def replace(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.Placeholder) and node.this:
            return literal(values[str(node.this)])
        return node

    # One copy, then replaced in place (transform would copy the copy again).
    return tree.copy().transform(replace, copy=False)


def compile_sql(
    sql: str,
    values: Mapping[str, BoundValue],
    dialect: str,
    *,
    where: str = "query",
    error: type[SjgError] = RuleError,
) -> str:
    """Bind parameters and generate SQL for `dialect` (`duckdb` or `spark`)."""
    tree = bind(parsed(sql, where=where, error=error), values, where=where, error=error)
    try:
        # The bound tree is this call's own copy: the generator may change it in place.
        generator = Dialect.get_or_raise(dialect).generator(
            pretty=True, unsupported_level=sqlglot.ErrorLevel.RAISE
        )
        return generator.generate(tree, copy=False)
    except SqlglotError as exc:
        raise error(f"{where}: 无法转换为 {dialect} / cannot translate to {dialect}: {exc}") from exc


def output_columns(tree: exp.Expr) -> list[str] | None:
    """Names the outermost SELECT returns, or None when it cannot be known statically (`*`)."""
    if not isinstance(tree, exp.Query):
        return None
    names = tree.named_selects
    if "*" in names or any(isinstance(e, exp.Star) for e in tree.selects):
        return None
    return list(names)
