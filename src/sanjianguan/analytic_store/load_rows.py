"""The row paths: a table's good rows inserted into the store, its problem rows quarantined.

Two ways, same result. The fast path (`load_fast`) inserts the rows without a field or
reference problem straight from the staged file and then proves, by a hashed-key
aggregate, that no key is repeated in the batch or already stored; when the proof fails
the rows go out again and the exact path (`load_exact`) decides: it materialises the
checked rows, marks later duplicates of a key (the first is kept), upserts master
tables (主数据, latest wins), inserts and quarantines.
"""

from __future__ import annotations

import duckdb

from sanjianguan.analytic_store import line_ranges
from sanjianguan.analytic_store.ddl import native_table
from sanjianguan.analytic_store.keys import duplicates_select, in_store_checks, key_clash_sql, key_columns
from sanjianguan.analytic_store.load_quarantine import write_quarantine
from sanjianguan.analytic_store.load_stage import PERIOD_TABLES, StagedTable, TableResult, count_of
from sanjianguan.contract.schema import FEE_ITEMS, MASTER_TABLES, TABLES
from sanjianguan.contract.validate import CheckParams, checked_select


def load_fast(
    con: duckdb.DuckDBPyConnection, table: StagedTable, batch: str, params: CheckParams
) -> TableResult | None:
    """One pass from the staged file straight into the store, then a proof of the keys.

    Big tables (fee lines) are why: materialising the checked rows, marking duplicates
    in it and copying it again cost three passes and the whole batch in memory. Here the
    rows without a field or reference problem go straight in; a hashed-key aggregate
    over what went in then proves there is no duplicate in the batch and no key already
    in the store. If that proof fails (a real duplicate, or a hash collision) the rows
    go out again and the exact passes decide (None). Problem rows are re-read only when
    there are some: rows read minus rows inserted.
    """
    select = checked_select(table.hmap, table.types, table.stage, params)
    accepted = _insert_good(con, table.name, f"({select})", batch)
    stored = True
    if table.name == FEE_ITEMS.name:  # stored lines are read only where line-id ranges meet
        line_ranges.record_native(con, batch)
        stored = line_ranges.may_clash(con, batch)
    row = con.execute(key_clash_sql(TABLES[table.name], stored=stored), [batch]).fetchone()
    dup, in_store, touched = row if row else (0, 0, [])
    if dup or in_store:
        con.execute(f"DELETE FROM {native_table(table.name)} WHERE batch_id = ?", [batch])
        line_ranges.forget(con, batch)
        return None
    quarantined = table.rows - accepted
    if quarantined:
        problems = f"SELECT _row, _err FROM ({select}) WHERE _err IS NOT NULL"
        write_quarantine(con, table, problems, batch, params)
    return accepted, quarantined, {(str(i), str(p)) for i, p in touched or []}


def load_exact(
    con: duckdb.DuckDBPyConnection, table: StagedTable, batch: str, params: CheckParams
) -> TableResult:
    """Materialise the checked rows, mark duplicates (first kept), insert, quarantine."""
    work = f"_w_{table.name}"
    checks = in_store_checks(TABLES[table.name])
    select = checked_select(table.hmap, table.types, table.stage, params, extra_checks=checks)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {work} AS {select}")
    try:
        _mark_duplicates(con, table.name, work)
        if table.name in MASTER_TABLES:
            _delete_master_keys(con, table.name, work)
        accepted = _insert_good(con, table.name, work, batch)
        if table.name == FEE_ITEMS.name:
            line_ranges.record_native(con, batch)
        quarantined = count_of(con, f"SELECT count(*) FROM {work} WHERE _err IS NOT NULL")
        if quarantined:
            problems = f"SELECT _row, _err FROM {work} WHERE _err IS NOT NULL"
            write_quarantine(con, table, problems, batch, params)
        return accepted, quarantined, _touched(con, table.name, work)
    finally:
        con.execute(f"DROP TABLE IF EXISTS {work}")


def _insert_good(con: duckdb.DuckDBPyConnection, name: str, source: str, batch: str) -> int:
    """Insert the rows of `source` (checked rows) without a problem; return how many went in."""
    return count_of(
        con,
        f"INSERT INTO {native_table(name)} BY NAME SELECT * EXCLUDE (_row, _err), ? AS batch_id "
        f"FROM {source} WHERE _err IS NULL",
        [batch],
    )


def _mark_duplicates(con: duckdb.DuckDBPyConnection, name: str, work: str) -> None:
    """Later occurrences of a key in the batch get a `duplicate` problem (the first one is kept)."""
    con.execute(
        f"UPDATE {work} SET _err = d._err FROM ({duplicates_select(TABLES[name], work)}) d "
        f"WHERE {work}._row = d._row"
    )


def _delete_master_keys(con: duckdb.DuckDBPyConnection, name: str, work: str) -> None:
    """Upsert of a master table: stored rows whose key the batch brings go first (latest wins)."""
    keys = key_columns(TABLES[name])
    match = " AND ".join(f"t.{k} = k.{k}" for k in keys)
    con.execute(
        f"DELETE FROM {name} t USING (SELECT DISTINCT {', '.join(keys)} FROM {work} WHERE _err IS NULL) k "
        f"WHERE {match}"
    )


def _touched(con: duckdb.DuckDBPyConnection, name: str, work: str) -> set[tuple[str, str]]:
    if name not in PERIOD_TABLES:
        return set()
    rows = con.execute(f"SELECT DISTINCT institution_id, period FROM {work} WHERE _err IS NULL").fetchall()
    return {(str(r[0]), str(r[1])) for r in rows}
