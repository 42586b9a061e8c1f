"""Compiling declared SQL (查询编译): bind `:name` parameters as literals, then transpile.

Rules, indicators and views are written once in DuckDB SQL. Values are never formatted
into the SQL text as strings: each is a literal node, generated as SQL by sqlglot. For
Spark, each placeholder node of the tree is replaced by its literal and sqlglot
generates Spark SQL from the tree. For DuckDB, the language the declarations are
written in, the declared text itself is kept and each `:name` placeholder token is
replaced by its literal's SQL: copying the tree and generating DuckDB SQL back from it,
for the same query, cost about a tenth of the county month's catalogue (docs/benchmarks.md,
eighth round). The text is
used only when its tokens show exactly the placeholders the parser found (a list slice
`x[1:n]` also reads as `:` `n`) and DuckDB's own parser accepts the result (sqlglot
accepts, and quotes when it generates, words DuckDB reserves, such as `similar`);
otherwise the tree is generated as for Spark. Errors are the caller's class (RuleError
by default), naming `where`.

A declaration's text is parsed and tokenized once per process (the catalogue's
validation already parses it); a Spark compilation copies the tree once, binds in that
copy and generates from it.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections import Counter
from collections.abc import Mapping
from decimal import Decimal
from functools import lru_cache
from itertools import pairwise

import duckdb
import sqlglot
from sqlglot import TokenType, exp
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


PLACEHOLDER_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# (start, end, name) of one `:name` placeholder in a declaration's text (end exclusive).
Spot = tuple[int, int, str]


@lru_cache(maxsize=1024)
def _placeholder_spots(sql: str) -> tuple[Spot, ...] | None:
    """Where the placeholders stand in `sql` (a text that parses), or None when its tokens
    do not show exactly the placeholders of its tree."""
    tokens = Dialect.get_or_raise(SOURCE_DIALECT).tokenize(sql)
    spots = [
        (colon.start, name.end + 1, name.text)
        for colon, name in pairwise(tokens)
        if colon.token_type is TokenType.COLON
        and name.start == colon.end + 1
        # A name may also read as a keyword (`:limit`), never as a string or quoted name.
        and name.token_type not in (TokenType.STRING, TokenType.IDENTIFIER)
        and PLACEHOLDER_NAME.fullmatch(name.text)
    ]
    tree = _parse_once(sql)
    named = Counter(str(node.this) for node in tree.find_all(exp.Placeholder) if node.this) if tree else None
    return tuple(spots) if Counter(name for _, _, name in spots) == named else None


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


def _require_values(
    names: set[str], values: Mapping[str, BoundValue], where: str, error: type[SjgError]
) -> None:
    missing = names - set(values)
    if missing:
        raise error(f"{where}: 未定义的参数 / undefined parameters: {', '.join(sorted(missing))}")


def bind(
    tree: exp.Expr,
    values: Mapping[str, BoundValue],
    *,
    where: str = "query",
    error: type[SjgError] = RuleError,
) -> exp.Expr:
    """A copy of `tree` with every placeholder replaced by its value's literal."""
    _require_values(placeholders(tree), values, where, error)

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
    declared = parsed(sql, where=where, error=error)
    spots = _placeholder_spots(sql) if dialect == SOURCE_DIALECT else None
    if spots is not None:
        _require_values({name for _, _, name in spots}, values, where, error)
        text = _spliced(sql, spots, values)
        if _duckdb_parses(text):
            return text
    tree = bind(declared, values, where=where, error=error)
    if dialect != SOURCE_DIALECT:
        # `AS MATERIALIZED` is DuckDB's hint to compute a CTE once before planning the
        # rest; Spark has no such keyword (and plans CTEs its own way).
        for cte in tree.find_all(exp.CTE):
            cte.set("materialized", None)
    try:
        # The bound tree is this call's own copy: the generator may change it in place.
        generator = Dialect.get_or_raise(dialect).generator(
            pretty=True, unsupported_level=sqlglot.ErrorLevel.RAISE
        )
        return generator.generate(tree, copy=False)
    except SqlglotError as exc:
        raise error(f"{where}: 无法转换为 {dialect} / cannot translate to {dialect}: {exc}") from exc


def _spliced(sql: str, spots: tuple[Spot, ...], values: Mapping[str, BoundValue]) -> str:
    """`sql` with each placeholder's text replaced by its value's DuckDB literal."""
    parts, done = [], 0
    for start, end, name in spots:
        parts += [sql[done:start], literal(values[name]).sql(dialect=SOURCE_DIALECT)]
        done = end
    return "".join([*parts, sql[done:]])


# One parser-only DuckDB connection for the process, used under a lock. Not one per thread
# (`threading.local`): a process forked while such a thread lives frees that thread's
# locals in the child, whose DuckDB connection then closes there without its threads and
# crashes the child (every `subprocess` with a `preexec_fn`, such as Spark's launcher).
_parser: duckdb.DuckDBPyConnection | None = None
_parser_lock = threading.Lock()


def _duckdb_parses(sql: str) -> bool:
    """Whether DuckDB's own parser reads `sql` (nothing is bound or run)."""
    global _parser
    with _parser_lock:
        if _parser is None:
            _parser = duckdb.connect()
        try:
            _parser.extract_statements(sql)
        except duckdb.Error:
            return False
    return True


def output_columns(tree: exp.Expr) -> list[str] | None:
    """Names the outermost SELECT returns, or None when it cannot be known statically (`*`)."""
    if not isinstance(tree, exp.Query):
        return None
    names = tree.named_selects
    if "*" in names or any(isinstance(e, exp.Star) for e in tree.selects):
        return None
    return list(names)
