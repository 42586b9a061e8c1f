"""What the runner needs from an engine: create views, run a query, return plain rows."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from typing import Any

from sanjianguan.errors import RuleError

# Naive store timestamps are China time; both engines use this zone for any conversion.
TIME_ZONE = "Asia/Shanghai"
_VIEW_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")

Rows = list[tuple[Any, ...]]


class Engine(ABC):
    """An SQL engine that runs compiled rules (DuckDB embedded, or Spark)."""

    name: str
    # sqlglot dialect the rules are compiled to.
    dialect: str

    def create_view(self, name: str, sql: str) -> None:
        """Create or replace a temporary view (names are checked: they are not values)."""
        if not _VIEW_NAME.match(name):
            raise RuleError(f"invalid view name {name!r}")
        self._create_view(name, sql)

    @abstractmethod
    def _create_view(self, name: str, sql: str) -> None: ...

    @abstractmethod
    def fetch(self, sql: str) -> tuple[list[str], Rows]:
        """Column names and rows (Decimal, date, list values as Python objects)."""

    def close(self) -> None:  # noqa: B027  (optional hook: most engines own nothing to release)
        """Release what the engine opened itself (default: nothing)."""
