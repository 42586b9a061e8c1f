"""The view declaration (视图声明): a named query other queries read, and how an engine may build it.

A view is declared once in DuckDB SQL, like a rule, and compiled for each engine. Its
declaration also says how it may be built: `materialised` views are computed once per
run (as a table) instead of once per reading query, and a `partitioned_by` view,
(source view, grouping key), may be built slice by slice of the key's hash because every
group of the view lies in one slice. Engines read these properties from the
declaration they are given; nothing else tells them which views are heavy.

A run creates only the views its queries read (`read_by`): what a query reads is
parsed from its SQL, so a declaration never lists its views by hand and cannot
forget one. Five rules that read the daily aggregate need neither the stays nor the
per-encounter aggregate, and building every view for any selection was half the cost
of a small selection.

A materialised view is also built with only the columns its readers name (`slimmed`):
the fee lines carry 22 columns (names, codes, departments as text) and building them
all cost three times building the dozen the aggregates read. What a reader reads is
over-approximated from its SQL (`columns_named`), so a slimmed view never lacks one.

A materialised view that only one query of the run reads, once, is marked `read_once`:
computing it as a table pays for every group although the reader may keep few (C01
reads the daily aggregate of the items with a daily maximum only). An engine may leave
it a plain view; the DuckDB engine does so unless it would build it in slices (a large
source, where slicing bounds the memory). Five rules: 1.03 -> 0.76 s CPU on the county.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.optimizer.scope import Scope, ScopeType, traverse_scope

from sanjianguan.errors import RuleError, SjgError
from sanjianguan.queries.compile import SOURCE_DIALECT, BoundValue, compile_sql, parse, parsed

VIEW_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


@dataclass(frozen=True)
class View:
    """One declared view: name, DuckDB SQL with placeholders, and how an engine may build it."""

    name: str
    sql: str
    materialised: bool = False
    # (view read, grouping key): the view may be built from hash slices of the key.
    partitioned_by: tuple[str, str] | None = None
    # Set per run (`read_once`): one query of the run reads the view, once. An engine may
    # then leave a materialised view plain, so that the reader's filters reach into it.
    read_once: bool = False

    def __post_init__(self) -> None:
        if not VIEW_NAME.match(self.name):
            raise ValueError(f"invalid view name {self.name!r}")
        if self.partitioned_by is not None and not self.materialised:
            raise ValueError(f"view {self.name}: only a materialised view can be built in slices")


def compile_views(
    views: Iterable[View],
    values: Mapping[str, BoundValue],
    dialect: str,
    *,
    error: type[SjgError] = RuleError,
) -> list[tuple[View, str]]:
    """Each view with its SQL compiled for `dialect`, in the declared (dependency) order."""
    return [(v, compile_sql(v.sql, values, dialect, where=f"view {v.name}", error=error)) for v in views]


def tables_read(sql: str, *, where: str = "query", error: type[SjgError] = RuleError) -> set[str]:
    """Names of the tables and views a query reads (its own CTE names included, harmlessly)."""
    parsed(sql, where=where, error=error)
    return set(_shape(sql).tables)


@dataclass(frozen=True)
class _Shape:
    """What planning a run needs of a query, read from its tree once per process."""

    tables: frozenset[str]
    # Table name -> the column names spelled without a qualifier (or in USING) in the SELECTs
    # reading it directly, and in the subqueries of those SELECTs (which may name the
    # table's columns, correlated).
    unqualified: tuple[tuple[str, frozenset[str]], ...]
    # (qualifier, column name) of every qualified column, lower case.
    qualified: frozenset[tuple[str, str]]
    # Table name -> the names it goes by in the query (its aliases, or its own name).
    aliases: tuple[tuple[str, str], ...]
    # Tables read whole: by a SELECT whose projections hold a star (`*`, `t.*`, not
    # count(*)), or whose row is one value (`SELECT l FROM v AS l`); "" when the query uses
    # COLUMNS(...), which may expand any source.
    starred: frozenset[str]
    # Each read of a table: (name, whether inside a CTE).
    references: tuple[tuple[str, bool], ...]

    def columns_named(self, view: str) -> set[str] | None:
        """The columns this query may read from `view`, or None for all of them."""
        if view in self.starred or "" in self.starred:
            return None
        names = {alias for table, alias in self.aliases if table == view}
        bare = {name for table, spelled in self.unqualified if table == view for name in spelled}
        return bare | {column for q, column in self.qualified if q in names}


@lru_cache(maxsize=4096)
def _shape(sql: str) -> _Shape:
    # Planning a run asks each query about each view: walking 49 trees once per question
    # cost a tenth of a second, once per query it costs nothing noticeable.
    tree = parsed(sql)
    reads = [t for t in tree.find_all(exp.Table) if not t.args.get("db")]
    qualified: set[tuple[str, str]] = set()
    for column in tree.find_all(exp.Column):
        if column.table and not column.args.get("db"):
            qualified.add((column.table.lower(), column.name.lower()))
    unqualified, starred = _by_scope(tree)
    if any(True for _ in tree.find_all(exp.Columns)):
        starred.add("")
    return _Shape(
        tables=frozenset(t.name for t in reads),
        unqualified=tuple((table, frozenset(names)) for table, names in unqualified.items()),
        qualified=frozenset(qualified),
        aliases=tuple((t.name, t.alias_or_name.lower()) for t in reads),
        starred=frozenset(starred),
        references=tuple((t.name, t.find_ancestor(exp.CTE) is not None) for t in reads),
    )


def _by_scope(tree: exp.Expr) -> tuple[dict[str, set[str]], set[str]]:
    """(table -> unqualified names that may be its columns, tables read whole), SELECT by SELECT.

    An unqualified name can only be a column of a source of its own SELECT, or, in a
    subquery, of a source of an enclosing one (correlated): a name in a CTE or a derived
    table that reads other sources is not the view's (D09 named `doctor_id` bare beside a
    read of `p_fee_net`, which then was built with a doctor column no rule reads).
    """
    try:
        scopes = traverse_scope(tree)
    except SqlglotError:  # a shape sqlglot cannot scope: every name counts for every table
        scopes = []
    names: dict[int, set[str]] = {id(scope.expression): set() for scope in scopes}
    names[id(None)] = set()  # outside any SELECT: a name that may belong to any table
    for column in tree.find_all(exp.Column):
        if not column.table or column.args.get("db"):
            # No qualifier, or a nested field (a.b.c): every part may be a column name.
            names[_scope_of(column, names)] |= {part.name.lower() for part in column.parts}
    for join in tree.find_all(exp.Join):
        using = {i.name.lower() for i in join.args.get("using") or [] if isinstance(i, exp.Expr)}
        names[_scope_of(join, names)] |= using
    unqualified: dict[str, set[str]] = {t.name: set(names[id(None)]) for t in tree.find_all(exp.Table)}
    starred: set[str] = set()
    for scope in scopes:
        spelled = names[id(scope.expression)]
        reach = _tables_in_reach(scope)
        for table in reach.values():
            unqualified.setdefault(table, set()).update(spelled)
        starred |= {reach[name] for name in spelled if name in reach}  # the whole row as one value
        own = {t.name for t in scope.sources.values() if isinstance(t, exp.Table)}
        select = scope.expression
        if isinstance(select, exp.Select) and any(
            not isinstance(star.parent, exp.Count)
            for projection in select.expressions
            for star in projection.find_all(exp.Star)
        ):
            starred |= own
    return unqualified, starred


def _scope_of(node: exp.Expr, scopes: Mapping[int, object]) -> int:
    """The id of the SELECT (or set operation) `node` belongs to: its nearest enclosing one
    (id(None) when none). sqlglot's `Scope.columns` would leave out names in HAVING, which
    may be output aliases: T04's `HAVING sum(quantity) > 0` reads the lines' quantity."""
    parent = node.parent
    while parent is not None and id(parent) not in scopes:
        parent = parent.parent
    return id(parent)


def _tables_in_reach(scope: Scope) -> dict[str, str]:
    """The tables an unqualified name in `scope` may belong to, by the names they go by: its
    own sources, and for a subquery (or a branch of a set operation in one) its enclosing
    SELECTs' too."""
    tables: dict[str, str] = {}
    current: Scope | None = scope
    while current is not None:
        for alias, source in current.sources.items():
            if isinstance(source, exp.Table):
                tables.setdefault(alias.lower(), source.name)
        if current.scope_type not in (ScopeType.SUBQUERY, ScopeType.SET_OPERATION, ScopeType.UDTF):
            break
        current = current.parent
    return tables


def read_by(
    views: Sequence[View], queries: Iterable[str], *, error: type[SjgError] = RuleError
) -> list[View]:
    """The views `queries` read, directly or through other views, in the declared order.

    `views` are in dependency order (a view reads only views declared before it), so one
    pass from the last to the first collects what the needed views read in turn.
    """
    needed: set[str] = set()
    for sql in queries:
        needed |= tables_read(sql, error=error)
    chosen = []
    for view in reversed(views):
        if view.name in needed:
            chosen.append(view)
            needed |= tables_read(view.sql, where=f"view {view.name}", error=error)
    return chosen[::-1]


def columns_named(
    sql: str, view: str, *, where: str = "query", error: type[SjgError] = RuleError
) -> set[str] | None:
    """The columns `sql` may read from `view` (lower case), or None for all of them.

    A superset, which is what slimming needs (a column kept for nothing costs a little;
    one missing breaks the reader): every column name spelled without a qualifier or in
    USING in a SELECT that reads the view, or in a subquery of one (correlated), and those
    qualified by a name the view goes by in the query (an alias reused for another table
    in another CTE only keeps more). A star in a SELECT reading the view directly (`*`,
    `l.*`; `count(*)` expands nothing), COLUMNS(...) or the view's whole row as one value
    keep all. A star over a CTE that reads the view expands only the names the CTE spells.
    """
    parsed(sql, where=where, error=error)
    return _shape(sql).columns_named(view)


def slimmed(
    views: Sequence[View], queries: Iterable[str], *, error: type[SjgError] = RuleError
) -> list[View]:
    """`views` (in dependency order, as `read_by` gives them) with each materialised view's
    SELECT list cut to the columns its readers name.

    The readers of a view are `queries` and the (already slimmed) views declared after it,
    so one pass from the last view to the first sees every reader's final SQL. Cutting
    projections of a plain SELECT never changes its rows (a DISTINCT, a set operation or
    a star in the view's own SELECT list is left whole). Plain views need no cutting: the
    engines inline them into the reading query, which reads only what it uses.
    """
    readers = list(queries)
    out: list[View] = []
    for view in reversed(views):
        if view.materialised:
            keep: set[str] | None = set()
            for sql in readers:
                if view.name not in tables_read(sql, error=error):
                    continue
                named = columns_named(sql, view.name, error=error)
                if named is None or keep is None:
                    keep = None
                    break
                keep |= named
            if keep is not None:
                view = replace(view, sql=_select_only(view, keep, error))
        out.append(view)
        readers.append(view.sql)
    return out[::-1]


def _select_only(view: View, keep: set[str], error: type[SjgError]) -> str:
    """The view's SQL returning only the output columns in `keep` (at least one column)."""
    tree = parse(view.sql, where=f"view {view.name}", error=error)
    if not isinstance(tree, exp.Select) or tree.args.get("distinct"):
        return view.sql
    projections = tree.expressions
    if any(p.is_star for p in projections):
        return view.sql
    kept = [p for p in projections if p.alias_or_name.lower() in keep] or projections[:1]
    if len(kept) == len(projections):
        return view.sql
    tree.set("expressions", kept)
    return tree.sql(dialect=SOURCE_DIALECT)


def read_once(views: Sequence[View], queries: Iterable[str]) -> list[View]:
    """`views` with `read_once` set on each materialised view that one of `queries` or of
    the other views reads exactly once, outside any CTE (a CTE may be read several times),
    and that no view builds in slices from (each slice would compute it again).

    `views` are the run's views in dependency order and final SQL (after `slimmed`).
    """
    readers = [*queries, *(v.sql for v in views)]
    sliced_from = {v.partitioned_by[0] for v in views if v.partitioned_by is not None}
    out = []
    for view in views:
        if view.materialised and view.name not in sliced_from:
            reads = [
                inside for sql in readers for name, inside in _shape(sql).references if name == view.name
            ]
            # One read, outside any CTE.
            if reads == [False]:
                view = replace(view, read_once=True)
        out.append(view)
    return out


def release_points(views: Sequence[View], queries: Sequence[str]) -> dict[int, list[str]]:
    """When each materialised view of a run may be freed: query index → the views no later
    query needs (index -1: needed by no query once every view is built).

    `views` are the run's views in dependency order and final SQL; the queries run in their
    order. A query needs a view it reads, and what a view it reads needs, unless that view
    is built as a table (materialised and not `read_once`, which an engine may leave
    plain): a table no longer reads its sources. A city month's fee lines held in memory
    through the later rules made them spill (T07 7.7 s alone, 24.7 s after the others).
    """
    by_name = {v.name: v for v in views}

    def needs(sql: str) -> set[str]:
        found: set[str] = set()
        pending = [n for n in tables_read(sql) if n in by_name]
        while pending:
            name = pending.pop()
            if name in found:
                continue
            found.add(name)
            view = by_name[name]
            if not view.materialised or view.read_once:
                pending.extend(n for n in tables_read(view.sql) if n in by_name)
        return found

    last = {v.name: -1 for v in views if v.materialised and not v.read_once}
    for index, sql in enumerate(queries):
        for name in needs(sql) & last.keys():
            last[name] = index
    points: dict[int, list[str]] = {}
    for name, index in last.items():
        points.setdefault(index, []).append(name)
    return points
