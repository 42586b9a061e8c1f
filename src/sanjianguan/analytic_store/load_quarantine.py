"""隔离 (quarantining) while loading: the rows and cells a batch brings that its tables cannot hold.

A row with a problem is not stored: it goes to `quarantine` with its file, row number,
field, reason and the row as read (`raw`), so the institution can correct and re-send it.
Columns the contract does not know are kept aside in `extra_columns`, one row per
non-empty cell. Reading the quarantine back is `quarantine.py`.
"""

from __future__ import annotations

import duckdb

from sanjianguan.analytic_store.load_stage import StagedTable
from sanjianguan.contract.validate import CheckParams, extras_select, raw_json_sql, reason_sql


def write_quarantine(
    con: duckdb.DuckDBPyConnection, table: StagedTable, problems: str, batch: str, params: CheckParams
) -> None:
    """Record every problem row (`problems`: a SELECT of `_row, _err`): where, which field, why, the row."""
    con.execute(
        f"INSERT INTO quarantine (batch_id, table_name, file, row_number, field, reason, raw) "
        f"WITH q AS ({problems}), "
        f"r AS (SELECT * FROM {table.stage} WHERE _row IN (SELECT _row FROM q)) "
        f"SELECT ?, ?, ?, q._row, split_part(q._err, '|', 1), {reason_sql('q._err', params)}, "
        f"{raw_json_sql(table.hmap, params)} FROM q JOIN r USING (_row)",
        [batch, table.name, table.hmap.file],
    )


def keep_extras(con: duckdb.DuckDBPyConnection, table: StagedTable, batch: str, params: CheckParams) -> None:
    """Unknown columns are kept aside, one row per non-empty cell."""
    con.execute(
        "INSERT INTO extra_columns (batch_id, table_name, file, row_number, column_name, value) "
        f"SELECT ?, ?, ?, _row, column_name, value FROM ({extras_select(table.hmap, table.stage, params)})",
        [batch, table.name, table.hmap.file],
    )
