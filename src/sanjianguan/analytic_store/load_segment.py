"""The segment path (段): a clean fee-line Parquet file kept whole, no row copied into a table.

Fee lines (费用明细) are most of a batch's volume. A Parquet file already in the
contract's exact shape (names, every column, the store's types: `loader.py` chooses the
path) is validated in one read-only pass; when that pass proves every line good and
stored as read, the file's lines are written once more, each with its institution, as
the batch's segment of `fee_items` (`segments.py`). Any doubt returns None, and the row
paths (`load_rows.py`) decide instead: every path stores the same rows.
"""

from __future__ import annotations

import duckdb

from sanjianguan.analytic_store import line_ranges, segments
from sanjianguan.analytic_store.keys import key_hash_sql, stored_key_clash_sql
from sanjianguan.analytic_store.load_stage import StagedTable, TableResult, count_of
from sanjianguan.analytic_store.segments import SegmentChanges
from sanjianguan.contract.files import sql_literal
from sanjianguan.contract.schema import FEE_ITEMS
from sanjianguan.contract.validate import CheckParams, checked_select, quote


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
    its period from the path), distinct key hashes. The lines are then written with their
    institution, and the written file proves no key already stored: its line-id ranges
    first (`line_ranges`), the stored lines' hashes only when a range meets a stored one.
    Any doubt (a problem row, or a hash that may collide) discards the file and returns
    None: the row-by-row paths decide.

    The key check reads the written file, not the batch: its ranges are one cheap grouping
    of two of its columns (a grouped distinct count in the first pass cost a city month 3–4 s
    more), and the hashes, when they are needed, come without validating every line again.
    A stored key is rare: writing first wastes one write then.
    """
    select = checked_select(
        table.hmap, table.types, table.stage, params, verbatim=True, own_month_encounters=True
    )
    row = con.execute(
        "SELECT count(*) FILTER (WHERE _err IS NOT NULL OR NOT _verbatim OR period IS DISTINCT FROM ?), "
        f"count(*) - count(DISTINCT {key_hash_sql(FEE_ITEMS)}) FROM ({select})",
        [params.period],
    ).fetchone()
    unfit, duplicate = row if row else (1, 0)
    if unfit or duplicate:
        return None
    relative, written = segments.write_segment(
        con, changes, _lines_with_institution(table, params.period), batch_id=batch, period=params.period
    )
    file = f"read_parquet({sql_literal((changes.home / relative).as_posix())}, hive_partitioning = false)"
    institutions = line_ranges.record(con, batch, file, params.period)
    # Every line was proved to have its encounter, so `written` is every line: never expected.
    if written != table.rows or (line_ranges.may_clash(con, batch) and _stored_keys_clash(con, file, batch)):
        line_ranges.forget(con, batch)
        segments.discard_segment(changes, relative)
        return None
    segments.add_segment(
        con, relative, batch_id=batch, period=params.period, rows=written, institutions=institutions
    )
    return written, 0, {(str(i), params.period) for i in institutions}


def _lines_with_institution(table: StagedTable, period: str) -> str:
    """The file's lines as sent, each with its encounter's institution (机构)."""
    columns = ", ".join(f"f.{quote(c.name)}" for c in FEE_ITEMS.columns)
    return (
        f"SELECT {columns}, e.institution_id FROM {table.stage} f JOIN encounters e "
        f"ON e.encounter_id = f.encounter_id AND e.period = {sql_literal(period)}"
    )


def _stored_keys_clash(con: duckdb.DuckDBPyConnection, file: str, batch: str) -> bool:
    """May a stored fee line of the file's institutions have a key of the file's lines?
    (hashes: may = maybe)"""
    hashes = f"SELECT {key_hash_sql(FEE_ITEMS)} AS _h FROM {file}"
    clash = stored_key_clash_sql(FEE_ITEMS, hashes, f"SELECT DISTINCT institution_id FROM {file}")
    return bool(count_of(con, f"SELECT {clash}", [batch]))
