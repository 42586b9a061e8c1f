"""Loading batches into the store (入库): one transaction per batch, idempotent.

This module holds the order of the steps; each step is a module of its own.
A batch is read and its headers checked first (`load_stage.py`; a file that breaks the
contract rejects the whole batch, which is recorded in `batches` with status `rejected`,
`load_report.py`). A batch already accepted and still held changes nothing
(`load_idempotence.py`); one whose encounters settled in other months is rejected
(`load_period.py`), and so is a `full` batch that would empty a stored month unconfirmed
(`load_replace.py`). Then, in one transaction: a `full` batch deletes its institutions'
encounters and child rows of its period; every table is validated set-based
(`contract.validate`), its good rows inserted (masters upserted by key) and its bad rows
quarantined with file, row, field and reason (`load_quarantine.py`); the batch is
recorded as `accepted`. Any failure rolls everything back.

Fee lines take one of three paths. A clean Parquet file already in the contract's exact
shape is validated in one read-only pass, then its lines are written once more, each with
its institution, as a Parquet segment (`load_segment.py`, `segments.py`): no row is copied
into a table. Otherwise the good rows go straight into the native table and a hashed-key
proof follows (`load_rows.load_fast`); when that proof fails, the exact passes decide
(`load_rows.load_exact`). Every path stores the same rows with the same values, and
records the batch's line-id ranges, which prove most keys new without reading stored lines
(`line_ranges.py`).

The choice of a table's path (`_load_table`, `_keeps_as_segment`) stays here, beside the
transaction that calls it: the segment tests and `bench/segments.py` patch them on this
module. Callers import `LoadReport`, `ProgressFn` and `quarantine_lines` from here, as before.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from sanjianguan.analytic_store import segments
from sanjianguan.analytic_store.batch_status import BatchStatus
from sanjianguan.analytic_store.load_idempotence import (
    RELOADED,
    already_accepted,
    forget_previous_load,
    record_content,
    was_accepted,
)
from sanjianguan.analytic_store.load_period import check_period
from sanjianguan.analytic_store.load_quarantine import keep_extras
from sanjianguan.analytic_store.load_replace import check_replace, replace_period
from sanjianguan.analytic_store.load_report import (
    LoadReport,
    ProgressFn,
    failure_message,
    record_batch,
    reset_counts,
)
from sanjianguan.analytic_store.load_rows import load_exact, load_fast
from sanjianguan.analytic_store.load_segment import load_in_place
from sanjianguan.analytic_store.load_stage import (
    StagedTable,
    check_params,
    drop_staged,
    file_limits,
    stage_all,
)
from sanjianguan.analytic_store.quarantine import QuarantineLine, quarantine_lines
from sanjianguan.analytic_store.segments import SegmentChanges
from sanjianguan.config import Settings
from sanjianguan.contract.batch import (
    GB,
    ZipLimits,
    batch_files,
    batch_id,
    check_batch_path,
    discover,
    open_batch,
)
from sanjianguan.contract.manifest import CHINA_TZ, Manifest, read_manifest
from sanjianguan.contract.schema import MASTER_TABLES
from sanjianguan.contract.validate import CheckParams
from sanjianguan.errors import ContractError

__all__ = [
    "LoadReport",
    "ProgressFn",
    "QuarantineLine",
    "StagedTable",
    "load_batch",
    "load_paths",
    "quarantine_lines",
]


def load_paths(
    con: duckdb.DuckDBPyConnection,
    paths: Iterable[Path],
    *,
    salt: str,
    settings: Settings,
    received_at: datetime | None = None,
    progress: ProgressFn | None = None,
    confirm_replace: bool = False,
) -> list[LoadReport]:
    """Load every batch under `paths` (a folder of batches loads in sorted order).

    Every path is looked at first: one that is not a batch (NotABatchError) loads nothing.
    """
    batches = [batch for path in paths for batch in discover(Path(path))]
    return [
        load_batch(
            con,
            batch,
            salt=salt,
            settings=settings,
            received_at=received_at,
            progress=progress,
            confirm_replace=confirm_replace,
        )
        for batch in batches
    ]


def load_batch(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    *,
    salt: str,
    settings: Settings,
    received_at: datetime | None = None,
    progress: ProgressFn | None = None,
    confirm_replace: bool = False,
) -> LoadReport:
    """Load one batch (folder or .zip); never half-applied, rejections recorded.

    A path that is not a batch at all raises NotABatchError and is not recorded.
    `confirm_replace` lets a `full` batch remove most of a stored month (`check_replace`).
    """
    check_batch_path(path)
    received = received_at or datetime.now(CHINA_TZ).replace(tzinfo=None)
    report = LoadReport(batch_id=hashlib.sha256(str(path).encode()).hexdigest(), source=str(path))
    limits = ZipLimits(settings.ingest.zip_max_ratio, int(settings.ingest.zip_max_gb * GB))
    options = _Options(salt, settings, received, progress, confirm_replace)
    try:
        with open_batch(path, limits) as folder:
            try:
                _load_folder(con, folder, report, options)
            except (ContractError, duckdb.Error, OSError) as exc:  # OSError: keeping a segment file
                report.message = failure_message(exc).replace(str(folder), str(path))
    except ContractError as exc:
        report.message = str(exc)
    if report.status == BatchStatus.REJECTED:
        reset_counts(report)
        record_batch(con, report, received)
    return report


# ------------------------------------------------------------------------- one batch


@dataclass(frozen=True)
class _Options:
    """How one batch is loaded."""

    salt: str
    settings: Settings
    received: datetime
    progress: ProgressFn | None
    confirm_replace: bool


def _load_folder(con: duckdb.DuckDBPyConnection, folder: Path, report: LoadReport, options: _Options) -> None:
    report.batch_id = batch_id(folder)
    manifest = read_manifest(folder)
    _describe(report, manifest)
    files = batch_files(folder)
    report.batch_id = batch_id(folder, files)
    if already_accepted(con, report):
        return
    notes = [RELOADED] if was_accepted(con, report.batch_id) else []
    if files.ignored:
        notes.append(f"已忽略无法识别的文件 / ignored unknown files: {', '.join(files.ignored)}")
    report.message = "；".join(notes)
    staged: list[StagedTable] = []
    settings = options.settings
    try:
        staged = stage_all(con, files, staged, report, file_limits(settings))
        check_period(con, manifest, staged, settings.ingest.period_mismatch_max)
        if not options.confirm_replace:
            check_replace(con, manifest, staged, settings.ingest.replace_guard)
        params = check_params(manifest, options.salt, settings)
        _apply(con, manifest, staged, params, report, options)
    finally:
        drop_staged(con, staged)


def _describe(report: LoadReport, manifest: Manifest) -> None:
    report.institution_id, report.period = manifest.institution_id, manifest.period
    report.kind, report.produced_at = manifest.kind, manifest.produced_at


def _apply(
    con: duckdb.DuckDBPyConnection,
    manifest: Manifest,
    staged: list[StagedTable],
    params: CheckParams,
    report: LoadReport,
    options: _Options,
) -> None:
    """The transaction: replace, validate and insert every table, record the batch.

    Segment files are settled after it: new ones deleted if it rolls back, replaced ones
    deleted once it has committed.
    """
    home = segments.home_of(con)
    changes = SegmentChanges(home) if home is not None else None
    con.execute("BEGIN TRANSACTION")
    try:
        forget_previous_load(con, report.batch_id)
        affected = replace_period(con, manifest, staged, changes)
        for done, table in enumerate(staged, start=1):
            affected |= _load_table(con, table, report, params, changes)
            if options.progress is not None:
                options.progress(table.name, done, len(staged))
        report.affected = sorted(affected)
        report.status = BatchStatus.ACCEPTED
        record_batch(con, report, options.received)
        record_content(con, report.batch_id)
        con.execute("COMMIT")
    except BaseException:
        report.status = BatchStatus.REJECTED
        con.execute("ROLLBACK")
        if changes is not None:
            changes.rolled_back()
        raise
    if changes is not None:
        changes.committed()


# ------------------------------------------------------------------------- one table


def _load_table(
    con: duckdb.DuckDBPyConnection,
    table: StagedTable,
    report: LoadReport,
    params: CheckParams,
    changes: SegmentChanges | None,
) -> set[tuple[str, str]]:
    """Validate, insert and quarantine one table; return the (institution, period) pairs it touched.

    The path: kept as a segment when it can be, else the fast row path (not for masters,
    which are upserted), else the exact one.
    """
    result = None
    if changes is not None and _keeps_as_segment(table):
        result = load_in_place(con, table, report.batch_id, params, changes)
    if result is None and table.name not in MASTER_TABLES:
        result = load_fast(con, table, report.batch_id, params)
    if result is None:
        result = load_exact(con, table, report.batch_id, params)
    accepted, quarantined, touched = result
    if table.hmap.extras:
        keep_extras(con, table, report.batch_id, params)
    report.accepted_by_table[table.name] = accepted
    report.quarantined_by_table[table.name] = quarantined
    report.rows_accepted += accepted
    report.rows_quarantined += quarantined
    return touched


def _keeps_as_segment(table: StagedTable) -> bool:
    """A fee-line Parquet file in the contract's exact shape: names, every column, store types."""
    if table.name != segments.VIEW or not table.is_view or table.hmap.extras or table.rows == 0:
        return False
    columns = table.hmap.table.columns
    return len(table.hmap.headers) == len(columns) and all(
        table.hmap.columns.get(c.name) == c.name and table.types.get(c.name) == c.type.sql for c in columns
    )
