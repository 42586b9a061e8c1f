"""幂等 (idempotence): the same batch sent twice changes nothing, unless its data was replaced.

A batch is named by its content (`contract.batch.batch_id`). One accepted before and
still held by the store is reported `unchanged` and not loaded again. `batch_content`
records, per (institution, period), how many encounters a batch brought: when a later
`full` batch has removed them, the batch is no longer held and loads again, its earlier
quarantine, extra columns and content rows superseded.
"""

from __future__ import annotations

import duckdb

from sanjianguan.analytic_store import line_ranges
from sanjianguan.analytic_store.batch_status import BatchStatus
from sanjianguan.analytic_store.load_report import LoadReport
from sanjianguan.analytic_store.load_stage import count_of

RELOADED = "该批次曾入库，但其数据已被替换，现重新入库 / batch loaded before but replaced since: loaded again"


def already_accepted(con: duckdb.DuckDBPyConnection, report: LoadReport) -> bool:
    """Idempotence: the same content, accepted and still held by the store, changes nothing.

    Held: every (institution, period) the batch loaded still has all the encounters it
    brought (`batch_content`); a `full` batch accepted since removes them, and the batch
    then loads again. Batches loaded before `batch_content` existed count as held.
    """
    if not _still_held(con, report.batch_id):
        return False
    row = con.execute(
        "SELECT rows_read, rows_accepted, rows_quarantined FROM batches "
        "WHERE batch_id = ? AND status = ? LIMIT 1",
        [report.batch_id, BatchStatus.ACCEPTED],
    ).fetchone()
    if row is None:
        return False
    report.status = BatchStatus.UNCHANGED
    report.rows_read, report.rows_accepted, report.rows_quarantined = (int(v) for v in row)
    report.message = "该批次已入库，未作改动 / batch already loaded, nothing changed"
    return True


def was_accepted(con: duckdb.DuckDBPyConnection, batch: str) -> bool:
    """Was this batch accepted before (and, since it loads again, replaced since)?"""
    sql = "SELECT count(*) FROM batches WHERE batch_id = ? AND status = ?"
    return bool(count_of(con, sql, [batch, BatchStatus.ACCEPTED]))


def _still_held(con: duckdb.DuckDBPyConnection, batch: str) -> bool:
    missing = count_of(
        con,
        "SELECT count(*) FROM batch_content c WHERE c.batch_id = ? AND c.encounters <> "
        "(SELECT count(*) FROM encounters e WHERE e.batch_id = c.batch_id "
        "AND e.institution_id = c.institution_id AND e.period = c.period)",
        [batch],
    )
    return missing == 0


def forget_previous_load(con: duckdb.DuckDBPyConnection, batch: str) -> None:
    """A batch loaded again (replaced since): its earlier quarantine and extras are superseded."""
    for table in ("quarantine", "extra_columns", "batch_content", line_ranges.TABLE):
        con.execute(f"DELETE FROM {table} WHERE batch_id = ?", [batch])


def record_content(con: duckdb.DuckDBPyConnection, batch: str) -> None:
    """What the batch brought, per (institution, period): how `already_accepted` knows it is held."""
    con.execute(
        "INSERT INTO batch_content SELECT batch_id, institution_id, period, count(*) FROM encounters "
        "WHERE batch_id = ? GROUP BY ALL",
        [batch],
    )
