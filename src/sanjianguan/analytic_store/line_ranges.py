"""Line-id ranges (流水号区间): which line numbers each batch stored, per institution and month.

A fee line's key is its institution and `line_id`, and a batch may hold no key already
stored. Hashing every stored line of the batch's institutions proves that, but the
stored lines are every month the region has sent: a city's load took 10–14 s longer for
each month stored (docs/benchmarks.md). The table `fee_line_ranges` keeps, for every
batch, institution and settlement month, the lowest and highest `line_id` stored. Lines
with equal keys lie in both batches' ranges, so a batch whose ranges meet no other
batch's range of the same institution cannot clash, and no stored line is read.
Hospitals number their lines in sequence (流水号), so a later month usually lies above
every earlier one; when ranges do meet, the loader runs the exact check.

The ranges cover every stored line: each load path records its batch's ranges, and the
first write open of a store made before the table fills it from every stored line (one
reading of them). They may cover more than is stored (a path that falls back forgets
its ranges; lines deleted otherwise leave their ranges), which only makes the exact
check run: a `full` batch that replaces an institution's month removes that month's
ranges with its lines, so a corrected month sent again does not meet its old ranges.
"""

from __future__ import annotations

import duckdb

from sanjianguan.analytic_store.ddl import has_table
from sanjianguan.analytic_store.load_stage import count_of
from sanjianguan.analytic_store.segments import NATIVE_TABLE, VIEW

TABLE = "fee_line_ranges"
_DDL = f"""CREATE TABLE {TABLE} (
  batch_id VARCHAR,
  institution_id VARCHAR,
  period VARCHAR,
  lowest VARCHAR,   -- lowest line_id of the batch's lines of this institution and month
  highest VARCHAR
)"""


def ensure(con: duckdb.DuckDBPyConnection) -> None:
    """Create the table, filled from every stored fee line, when the store has none yet."""
    if has_table(con, TABLE):
        return
    con.execute(_DDL)
    _record_grouped(con, VIEW)


def record(con: duckdb.DuckDBPyConnection, batch: str, lines: str, period: str) -> list[str]:
    """Record the ranges of `lines` (a relation with institution_id and line_id), all of `period`;
    return their institutions, in order."""
    rows = con.execute(
        f"INSERT INTO {TABLE} SELECT ?, institution_id, ?, min(line_id), max(line_id) FROM {lines} "
        "GROUP BY institution_id RETURNING institution_id",
        [batch, period],
    ).fetchall()
    return sorted(str(r[0]) for r in rows)


def record_native(con: duckdb.DuckDBPyConnection, batch: str) -> None:
    """Record the ranges of the batch's lines in the native table (the row paths)."""
    _record_grouped(con, NATIVE_TABLE, batch)


def _record_grouped(con: duckdb.DuckDBPyConnection, lines: str, batch: str | None = None) -> None:
    """Record the ranges of the stored `lines` (of `batch`, else of every batch), by their batch."""
    where = "WHERE batch_id = ? " if batch is not None else ""
    con.execute(
        f"INSERT INTO {TABLE} SELECT batch_id, institution_id, period, min(line_id), max(line_id) "
        f"FROM {lines} {where}GROUP BY batch_id, institution_id, period",
        [batch] if batch is not None else [],
    )


def forget(con: duckdb.DuckDBPyConnection, batch: str) -> None:
    """The batch's ranges go (its lines went another path, or it loads again)."""
    con.execute(f"DELETE FROM {TABLE} WHERE batch_id = ?", [batch])


def forget_period(con: duckdb.DuckDBPyConnection, institutions: list[str], period: str) -> None:
    """Ranges of the institutions' lines of `period` go with those lines (a `full` batch)."""
    con.execute(
        f"DELETE FROM {TABLE} WHERE period = ? AND institution_id IN (SELECT unnest(?::VARCHAR[]))",
        [period, institutions],
    )


def inside_batch_ranges(alias: str) -> str:
    """SQL condition on the stored fee line `alias`: it lies inside a range the batch `$1`
    recorded for the line's institution. A stored line with a key of the batch has the
    batch line's institution and `line_id`, so the hashed check reads only such lines: when
    ranges meet, the lines inside the batch's own ranges are few (a month of a hospital
    whose numbering restarted; the planted cases of the synthetic region, numbered by the
    month of their case), not every month stored. The bounds over all the batch's ranges
    come first: a plain comparison, which skips whole row groups outside them."""
    ranges = f"FROM {TABLE} r WHERE r.batch_id = $1"
    return (
        f"{alias}.line_id BETWEEN (SELECT min(r.lowest) {ranges}) AND (SELECT max(r.highest) {ranges}) "
        f"AND EXISTS (SELECT 1 {ranges} AND r.institution_id = {alias}.institution_id "
        f"AND {alias}.line_id BETWEEN r.lowest AND r.highest)"
    )


def may_clash(con: duckdb.DuckDBPyConnection, batch: str) -> bool:
    """Does a recorded range of the batch meet a range of another batch of the same institution?"""
    met = count_of(
        con,
        f"SELECT count(*) FROM {TABLE} b JOIN {TABLE} s USING (institution_id) "
        "WHERE b.batch_id = $1 AND s.batch_id <> $1 AND s.lowest <= b.highest AND b.lowest <= s.highest",
        [batch],
    )
    return bool(met)
