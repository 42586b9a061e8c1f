"""What the runner needs from an engine: create views, run a query, return plain rows.

The runners hand the engine their independent queries at once (`run_all`). Spark runs
several at a time, since each of its queries waits seconds on planning and scheduling, not
on data; DuckDB runs a small run's queries two or more at a time, since one query on a
county month keeps only part of the cores busy, and a large run's one after another
(docs/benchmarks.md).

A view comes with its declaration (`sanjianguan.queries.views.View`): the engine reads
from it whether to materialise the view and whether it may build it in slices. This
module only names the properties it reads (`ViewDeclaration`), so engines import no
rule or indicator code.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Protocol, TypeVar

from sanjianguan.errors import RuleError

# Naive store timestamps are China time; both engines use this zone for any conversion.
TIME_ZONE = "Asia/Shanghai"
_VIEW_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")

Rows = list[tuple[Any, ...]]
T = TypeVar("T")


class ViewDeclaration(Protocol):
    """The properties of a declared view that an engine reads."""

    @property
    def name(self) -> str: ...

    @property
    def materialised(self) -> bool:
        """Compute once per run (a table) instead of once per reading query."""
        ...

    @property
    def partitioned_by(self) -> tuple[str, str] | None:
        """(view read, grouping key) when the view may be built from hash slices of the key."""
        ...

    @property
    def read_once(self) -> bool:
        """One query of the run reads the view, once: it may stay a plain view."""
        ...


class Engine(ABC):
    """An SQL engine that runs compiled rules (DuckDB embedded, or Spark)."""

    name: str
    # sqlglot dialect the rules are compiled to.
    dialect: str

    def create_view(self, view: ViewDeclaration, sql: str) -> None:
        """Create or replace the temporary view `view` as the compiled `sql` (names are checked)."""
        if not _VIEW_NAME.match(view.name):
            raise RuleError(f"invalid view name {view.name!r}")
        self._create_view(view, sql)

    @abstractmethod
    def _create_view(self, view: ViewDeclaration, sql: str) -> None: ...

    @abstractmethod
    def fetch(self, sql: str) -> tuple[list[str], Rows]:
        """Column names and rows (Decimal, date, list values as Python objects)."""

    def fetch_batches(self, sql: str, size: int) -> tuple[list[str], Iterator[Rows]]:
        """Column names and the rows in batches of at most `size`, converted to Python objects
        one batch at a time, so a caller that lets each batch go never holds them all
        (default: one batch of every row)."""
        columns, rows = self.fetch(sql)
        return columns, iter([rows] if rows else [])

    def run_all(self, tasks: Sequence[Callable[[], T]]) -> Iterator[T]:
        """The results of `tasks` (each reads prepared views, creates none), in their order.

        Default: one after another, each run when its result is asked for, so a caller's
        per-result progress and timing are as if it had looped itself. An engine may run
        several at once (Spark); the results still come in the order of `tasks`, and the
        first failure is raised when its result is reached.
        """
        for task in tasks:
            yield task()

    def release_view(self, name: str) -> None:  # noqa: B027  (optional hook)
        """Free the built view `name`: no later query of the run reads it (default: kept
        until the engine closes)."""

    def close(self) -> None:  # noqa: B027  (optional hook: most engines own nothing to release)
        """Release what the engine opened itself (default: nothing)."""


def in_threads(
    tasks: Sequence[Callable[[], T]], workers: int, *, name: str, initializer: Callable[[], None]
) -> Iterator[T]:
    """The results of `tasks` in their order, up to `workers` of them running at once, each
    thread prepared by `initializer` before its first task.

    A result is let go once yielded (a city month's hits are not all held to the end). On a
    failure, or when the caller stops early, the tasks not started are dropped; the running
    ones finish (a query is not interrupted halfway)."""
    pool = ThreadPoolExecutor(
        max_workers=min(workers, len(tasks)), thread_name_prefix=name, initializer=initializer
    )
    futures: deque[Future[T]] = deque(pool.submit(task) for task in tasks)
    try:
        while futures:
            yield futures.popleft().result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
