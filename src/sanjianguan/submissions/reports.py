"""批次记录与校验报告: the batches of the institutions a user may send for, and one batch's report.

Read from the analytic store's own records, the ones `sjg status` and `sjg quarantine`
read: `batches` (one row per attempt, the latest shown), `quarantine` (file, row, field
and reason of every quarantined row), the rows each contract table now holds from the
batch, and the quality record (数据质控) of the batch's institution and month. Only
batches of the institutions given (the caller's scope, `service.submittable_institutions`)
are found: any other batch does not exist for the caller.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from sanjianguan.analytic_store.batch_status import BatchStatus
from sanjianguan.analytic_store.quarantine import QuarantineLine
from sanjianguan.contract.schema import TABLES
from sanjianguan.errors import NotFoundError
from sanjianguan.quality.measures import MEASURES
from sanjianguan.quality.record import REPORT_LABELS

_ORDER = "list_position([" + ", ".join(f"'{t}'" for t in TABLES) + "], table_name)"
_BATCH_COLUMNS = (
    "batch_id, institution_id, period, kind, received_at, status, message, source, "
    "rows_read, rows_accepted, rows_quarantined"
)


@dataclass(frozen=True)
class BatchRow:
    """One batch as its latest attempt left it (批次记录)."""

    batch_id: str
    institution_id: str | None
    period: str | None
    kind: str | None
    received_at: datetime | None
    status: str
    message: str
    rows_read: int
    rows_accepted: int
    rows_quarantined: int

    @property
    def status_zh(self) -> str:
        try:
            return BatchStatus(self.status).label_zh
        except ValueError:
            return self.status


@dataclass(frozen=True)
class FileCount:
    """One table of a batch: its file (known when a row was quarantined), rows quarantined, and
    the rows of the batch the store now holds (a later `full` batch of the month replaces them)."""

    table: str
    file: str
    quarantined: int
    stored: int


@dataclass
class BatchReport:
    """校验报告 of one batch."""

    batch: BatchRow
    files: list[FileCount] = field(default_factory=list)
    lines: list[QuarantineLine] = field(default_factory=list)  # one page of quarantined rows
    quality: list[tuple[str, float | None]] = field(default_factory=list)  # (measure 中文名, value)


def _row(values: tuple[Any, ...]) -> BatchRow:
    batch_id, inst, period, kind, received, status, message, source, read, accepted, quarantined = values
    return BatchRow(
        batch_id=str(batch_id),
        institution_id=inst,
        period=period,
        kind=kind,
        received_at=received,
        status=str(status),
        message=_without_folder(message or "", source),
        rows_read=int(read or 0),
        rows_accepted=int(accepted or 0),
        rows_quarantined=int(quarantined or 0),
    )


def _without_folder(message: str, source: str | None) -> str:
    """The message with the server's folder of the upload left out (the file name stays)."""
    if not source:
        return message
    return message.replace(str(Path(source).parent) + "/", "")


def batch_history(
    con: duckdb.DuckDBPyConnection, institutions: list[str], *, limit: int = 50
) -> list[BatchRow]:
    """The latest attempt of each batch of these institutions, newest first."""
    if not institutions:
        return []
    rows = con.execute(
        f"SELECT {_BATCH_COLUMNS} FROM batches WHERE list_contains(?, institution_id) "
        "QUALIFY row_number() OVER (PARTITION BY batch_id ORDER BY received_at DESC) = 1 "
        "ORDER BY received_at DESC, batch_id LIMIT ?",
        [institutions, limit],
    ).fetchall()
    return [_row(r) for r in rows]


def find_batch(con: duckdb.DuckDBPyConnection, institutions: list[str], batch_id: str) -> BatchRow:
    """The latest attempt of `batch_id` if it belongs to one of `institutions`; NotFoundError otherwise."""
    row = con.execute(
        f"SELECT {_BATCH_COLUMNS} FROM batches WHERE batch_id = ? AND list_contains(?, institution_id) "
        "ORDER BY received_at DESC LIMIT 1",
        [batch_id, institutions],
    ).fetchone()
    if row is None:
        raise NotFoundError.no_such("批次", "batch", batch_id[:12])
    return _row(row)


def batch_report(
    con: duckdb.DuckDBPyConnection,
    institutions: list[str],
    batch_id: str,
    *,
    offset: int = 0,
    limit: int = 100,
) -> BatchReport:
    """The report of one batch: counts per file, one page of quarantined rows, the quality record."""
    batch = find_batch(con, institutions, batch_id)
    report = BatchReport(batch)
    if batch.status == BatchStatus.REJECTED:
        return report
    report.files = _files(con, batch.batch_id)
    rows = con.execute(
        "SELECT table_name, file, row_number, field, reason FROM quarantine WHERE batch_id = ? "
        f"ORDER BY {_ORDER}, file, row_number, field LIMIT ? OFFSET ?",
        [batch.batch_id, limit, offset],
    ).fetchall()
    report.lines = [QuarantineLine(r[0], r[1], int(r[2]), r[3], r[4]) for r in rows]
    report.quality = _quality(con, batch)
    return report


def quarantine_count(con: duckdb.DuckDBPyConnection, batch_id: str) -> int:
    """Quarantine entries of a batch (the rows of the report's pages)."""
    row = con.execute("SELECT count(*) FROM quarantine WHERE batch_id = ?", [batch_id]).fetchone()
    return int(row[0]) if row else 0


def _files(con: duckdb.DuckDBPyConnection, batch_id: str) -> list[FileCount]:
    quarantined = {
        str(t): (str(f), int(n))
        for t, f, n in con.execute(
            "SELECT table_name, any_value(file), count(DISTINCT row_number) FROM quarantine "
            "WHERE batch_id = ? GROUP BY table_name",
            [batch_id],
        ).fetchall()
    }
    found = []
    for table in TABLES:
        # fee_items: the view over the native rows and the Parquet segments
        stored = _scalar(con, f"SELECT count(*) FROM {table} WHERE batch_id = ?", batch_id)
        file, bad = quarantined.get(table, ("", 0))
        if stored or bad:
            found.append(FileCount(table, file, bad, stored))
    return found


def _scalar(con: duckdb.DuckDBPyConnection, sql: str, batch_id: str) -> int:
    row = con.execute(sql, [batch_id]).fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def _quality(con: duckdb.DuckDBPyConnection, batch: BatchRow) -> list[tuple[str, float | None]]:
    if not batch.institution_id or not batch.period:
        return []
    values = dict(
        con.execute(
            "SELECT measure, value FROM quality WHERE institution_id = ? AND period = ?",
            [batch.institution_id, batch.period],
        ).fetchall()
    )
    return [(REPORT_LABELS.get(m, m), values.get(m)) for m in MEASURES if m in values]
