"""The segment path (段): a clean fee-line Parquet file kept as it is, no row copied.

Fee lines (费用明细) are most of a batch's volume. A Parquet file already in the
contract's exact shape (names, every column, the store's types: `loader.py` chooses the
path) is validated in one read-only pass; when that pass proves every line good and
stored as read, the file itself becomes a segment of `fee_items` (`segments.py`). Any
doubt returns None, and the row paths (`load_rows.py`) decide instead: every path
stores the same rows.
"""

from __future__ import annotations

import duckdb

from sanjianguan.analytic_store import segments
from sanjianguan.analytic_store.keys import key_hash_sql, stored_key_clash_sql
from sanjianguan.analytic_store.load_stage import StagedTable, TableResult, count_of
from sanjianguan.analytic_store.segments import SegmentChanges
from sanjianguan.contract.schema import FEE_ITEMS
from sanjianguan.contract.validate import CheckParams, checked_select


def load_in_place(
    con: duckdb.DuckDBPyConnection,
    table: StagedTable,
    batch: str,
    params: CheckParams,
    changes: SegmentChanges,
) -> TableResult | None:
    """Keep a fee-line file as a segment when one read proves every line good and stored as read.

    The pass proves: no field or reference problem, no text that loading would change
    (trimmed, '' made NULL), every encounter of the batch's month (a segment line takes
    its period from the path), distinct key hashes; a second look proves no key already
    stored, when the store holds lines of these institutions at all. Any doubt (a problem
    row, or a hash that may collide) returns None: the row-by-row paths decide.
    """
    select = checked_select(table.hmap, table.types, table.stage, params, verbatim=True)
    row = con.execute(
        "SELECT count(*) FILTER (WHERE _err IS NOT NULL OR NOT _verbatim OR period IS DISTINCT FROM ?), "
        f"count(*) - count(DISTINCT {key_hash_sql(FEE_ITEMS)}), "
        f"list(DISTINCT institution_id ORDER BY institution_id) FROM ({select})",
        [params.period],
    ).fetchone()
    unfit, duplicate, institutions = row if row else (1, 0, [])
    if unfit or duplicate or _stored_keys_clash(con, select, batch, institutions):
        return None
    segments.add_segment(
        con,
        changes,
        table.path,
        batch_id=batch,
        period=params.period,
        rows=table.rows,
        institutions=institutions,
    )
    return table.rows, 0, {(str(i), params.period) for i in institutions}


def _stored_keys_clash(
    con: duckdb.DuckDBPyConnection, select: str, batch: str, institutions: list[str]
) -> bool:
    """May a stored fee line of these institutions have a key of the batch? (hashes: may = maybe)"""
    hashes = f"SELECT {key_hash_sql(FEE_ITEMS)} AS _h FROM ({select})"
    clash = stored_key_clash_sql(FEE_ITEMS, hashes, "SELECT unnest($2::VARCHAR[])")
    return bool(count_of(con, f"SELECT {clash}", [batch, institutions]))
