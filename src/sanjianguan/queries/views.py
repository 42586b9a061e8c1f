"""The view declaration (视图声明): a named query other queries read, and how an engine may build it.

A view is declared once in DuckDB SQL, like a rule, and compiled for each engine. Its
declaration also says how it may be built: `materialised` views are computed once per
run (as a table) instead of once per reading query, and a `partitioned_by` view,
(source view, grouping key), may be built slice by slice of the key's hash because every
group of the view lies in one slice. Engines read these properties from the
declaration they are given; nothing else tells them which views are heavy.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sanjianguan.errors import RuleError, SjgError
from sanjianguan.queries.compile import BoundValue, compile_sql

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
