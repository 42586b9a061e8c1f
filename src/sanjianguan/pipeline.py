"""The pipeline's stages as services, shared by the CLI, the demo and the tests.

collect: batches → store, then the quality record of every (institution, period) the
batches touched, so that `sjg quality` and the reporting-duty events see fresh figures.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

import duckdb

from sanjianguan.analytic_store.batch_status import BatchStatus
from sanjianguan.analytic_store.database import salt
from sanjianguan.analytic_store.loader import LoadReport, ProgressFn, load_batch, load_paths
from sanjianguan.context import Context
from sanjianguan.quality.record import refresh_quality


def collect(
    ctx: Context,
    con: duckdb.DuckDBPyConnection,
    paths: Iterable[Path],
    *,
    received_at: datetime | None = None,
    progress: ProgressFn | None = None,
    confirm_replace: bool = False,
) -> list[LoadReport]:
    """Load batches (批次入库) and refresh the quality record (数据质控) of what they touched.

    `confirm_replace`: a `full` batch may remove most of a stored month (替换确认).
    """
    reports = load_paths(
        con,
        list(paths),
        salt=salt(ctx.home),
        settings=ctx.settings,
        received_at=received_at,
        progress=progress,
        confirm_replace=confirm_replace,
    )
    _refresh(ctx, con, reports)
    return reports


def collect_one(
    ctx: Context, con: duckdb.DuckDBPyConnection, path: Path, *, received_at: datetime | None = None
) -> LoadReport:
    """One batch, e.g. with its own time of receipt when back-loading an archive."""
    report = load_batch(con, path, salt=salt(ctx.home), settings=ctx.settings, received_at=received_at)
    _refresh(ctx, con, [report])
    return report


def _refresh(ctx: Context, con: duckdb.DuckDBPyConnection, reports: list[LoadReport]) -> None:
    pairs = sorted({pair for r in reports if r.status == BatchStatus.ACCEPTED for pair in r.affected})
    if pairs:
        refresh_quality(con, ctx.settings, pairs)
