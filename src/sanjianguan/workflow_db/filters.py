"""Optional filters (可选筛选条件): list pages narrow a query only by the criteria given.

Every listing of the workflow stages takes keyword filters that default to None and
means "no filter" by None; this is that rule once, so a listing names its columns and
values instead of repeating `if value is not None: query = query.where(...)`.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Select, SQLColumnExpression

S = TypeVar("S", bound=Select[Any])


def where_given(query: S, *criteria: tuple[SQLColumnExpression[Any], object]) -> S:
    """`query` with `column == value` added for each (column, value) whose value is not None."""
    for column, value in criteria:
        if value is not None:
            query = query.where(column == value)
    return query
