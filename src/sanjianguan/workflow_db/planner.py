"""Hints to SQLite's query planner (查询计划提示), which PostgreSQL does not need.

SQLite picks an index by the rows it expects a condition to keep. A city's clues lie in
the range of its region codes (`access.scope.within_region`: `>= '5115' AND < '5116'`),
which it takes for a narrow range; for a list sorted by amount it then reads the month's
rows by region and sorts them all, where the index in the list's order would stop after
one page. `likely(clause)` says the condition keeps nearly every row
(`likelihood(clause, 0.99)`, SQLite's own hint); on other backends it is the clause itself.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import visitors
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement

PROBABILITY = 0.99


class Likely(ColumnElement[bool]):
    """A condition the planner should expect to hold for nearly every row."""

    inherit_cache = True
    type = Boolean()
    _traverse_internals: visitors._TraverseInternalsType = [  # noqa: RUF012 (SQLAlchemy's own form)
        ("clause", visitors.InternalTraversal.dp_clauseelement)
    ]

    def __init__(self, clause: ColumnElement[bool]) -> None:
        self.clause = clause


def likely(clause: ColumnElement[bool]) -> Likely:
    return Likely(clause)


@compiles(Likely)
def _plain(element: Likely, compiler: SQLCompiler, **kw: Any) -> str:
    text: str = compiler.process(element.clause, **kw)
    return text


@compiles(Likely, "sqlite")
def _sqlite(element: Likely, compiler: SQLCompiler, **kw: Any) -> str:
    return f"likelihood({compiler.process(element.clause, **kw)}, {PROBABILITY})"
