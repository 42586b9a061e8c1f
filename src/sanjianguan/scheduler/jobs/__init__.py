"""The scheduler's jobs: plain functions `(env, now) -> JobResult`, callable without APScheduler.

Each job opens its own transactions on `env.database` (a push is one transaction per
region: never half a region), audits what it does as the system (`audit.log.SYSTEM`)
and is idempotent for its slot, so a retry after a failure or a crash is harmless.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sanjianguan.config import Settings
from sanjianguan.scheduler.hooks import Deliver, Notification, keep
from sanjianguan.workflow_db.connection import Database

if TYPE_CHECKING:
    import duckdb

StoreOpener = Callable[..., AbstractContextManager["duckdb.DuckDBPyConnection"]]


@dataclass
class JobEnv:
    """What the jobs work on: the workflow store, the data folder, its settings, the hook."""

    database: Database
    home: Path
    settings: Settings
    deliver: Deliver = keep
    # The analytic store (`Context.store`): the analysis and the reporting-duty events need it.
    store: StoreOpener | None = None


@dataclass
class JobResult:
    """What one run did (kept in `job_runs.result`) and whom it would tell."""

    summary: dict[str, Any]
    notifications: list[Notification] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {**self.summary, "notifications": len(self.notifications)}
