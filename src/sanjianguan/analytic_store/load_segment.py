"""The segment path (段): a clean fee-line Parquet file kept whole, no row copied into a table.

Fee lines (费用明细) are most of a batch's volume. A Parquet file already in the
contract's exact shape (names, every column, the store's types: `loader.py` chooses the
path) is validated in one pass that writes the good lines, with their institution, as
the batch's segment (`segments.py`); a look at what it wrote then proves every line good
and stored as read. Any doubt discards the file and returns None, and the row paths
(`load_rows.py`) decide instead: every path stores the same rows.
"""

from __future__ import annotations

import duckdb

from sanjianguan.analytic_store import segments
from sanjianguan.analytic_store.keys import key_hash_sql, stored_key_clash_sql
from sanjianguan.analytic_store.load_stage import StagedTable, TableResult, count_of
from sanjianguan.analytic_store.segments import SegmentChanges
from sanjianguan.contract.files import sql_literal
from sanjianguan.contract.schema import FEE_ITEMS
from sanjianguan.contract.validate import CheckParams, checked_select


def load_in_place(
    con: duckdb.DuckDBPyConnection,
    table: StagedTable,
    batch: str,
    params: CheckParams,
    changes: SegmentChanges,
) -> TableResult | None:
    """Keep a fee-line file as a segment when one pass proves every line good and stored as read.

    The pass writes only lines with no field or reference problem, no text that loading
    would change (trimmed, '' made NULL) and an encounter of the batch's month (a segment
    line takes its period from the path); every line written proves all were. The file
    then proves distinct key hashes, and no key already stored when the store holds
    lines of these institutions at all. Any doubt (a line left out, or a hash that may
    collide) returns None: the row-by-row paths decide.
    """
    relative, written = segments.write_segment(
        con, changes, _good_lines(table, params), batch_id=batch, period=params.period
    )
    kept = f"read_parquet({sql_literal((changes.home / relative).as_posix())})"
    if written == table.rows:
        row = con.execute(
            f"SELECT count(*) - count(DISTINCT {key_hash_sql(FEE_ITEMS)}), "
            f"list(DISTINCT institution_id ORDER BY institution_id) FROM {kept}"
        ).fetchone()
        duplicate, institutions = row if row else (1, [])
        if not duplicate and not _stored_keys_clash(con, kept, batch, institutions):
            segments.add_segment(
                con, relative, batch_id=batch, period=params.period, rows=written, institutions=institutions
            )
            return written, 0, {(str(i), params.period) for i in institutions}
    segments.discard_segment(changes, relative)
    return None


def _good_lines(table: StagedTable, params: CheckParams) -> str:
    """The file's lines as sent, with each one's institution, where nothing is wrong or changed.

    The checked select's `item_code` already holds the mapped code; a segment keeps the
    reported one (NULL when none was) so that the code map is applied when it is read."""
    select = checked_select(table.hmap, table.types, table.stage, params, verbatim=True)
    columns = [
        "CASE WHEN item_code_source = 'reported' THEN item_code END AS item_code"
        if c.name == "item_code"
        else c.name
        for c in FEE_ITEMS.columns
    ]
    return (
        f"SELECT {', '.join(columns)}, institution_id FROM ({select}) "
        f"WHERE _err IS NULL AND _verbatim AND period IS NOT DISTINCT FROM {sql_literal(params.period)}"
    )


def _stored_keys_clash(
    con: duckdb.DuckDBPyConnection, kept: str, batch: str, institutions: list[str]
) -> bool:
    """May a stored fee line of these institutions have a key of the batch? (hashes: may = maybe)"""
    hashes = f"SELECT {key_hash_sql(FEE_ITEMS)} AS _h FROM {kept}"
    clash = stored_key_clash_sql(FEE_ITEMS, hashes, "SELECT unnest($2::VARCHAR[])")
    return bool(count_of(con, f"SELECT {clash}", [batch, institutions]))
