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
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from sqlglot import exp

from sanjianguan.errors import RuleError, SjgError
from sanjianguan.queries.compile import BoundValue, compile_sql, parsed

VIEW_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


@dataclass(frozen=True)
class View:
    """One declared view: name, DuckDB SQL with placeholders, and how an engine may build it."""

    name: str
    sql: str
    materialised: bool = False
    # (view read, grouping key): the view may be built from hash slices of the key.
    partitioned_by: tuple[str, str] | None = None

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
    tree = parsed(sql, where=where, error=error)
    return {t.name for t in tree.find_all(exp.Table) if not t.args.get("db")}


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
