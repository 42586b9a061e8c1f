"""The keys of the analytic store (库内主键) and the SQL that checks a batch against them.

A stored row is identified by its contract key, except fee lines, which are unique per
institution (two hospitals may number their lines alike). The loader needs three checks
of a batch's keys: none already stored (row by row, `in_store_checks`, or proved at once
with hashes, `key_clash_sql`; fee lines first by their line-id ranges, `line_ranges`, and
when ranges meet by the hashes of the stored lines inside the batch's ranges only), and
no key twice in the batch (`duplicates_select`). They belong to the store, not to the
contract: the contract says what a valid row is, the store says what it already holds.
"""

from __future__ import annotations

from sanjianguan.analytic_store.line_ranges import inside_batch_ranges
from sanjianguan.contract.schema import Table


def key_columns(table: Table) -> tuple[str, ...]:
    """The key in the store: fee lines are unique per institution, the rest by contract key."""
    return ("institution_id", "line_id") if table.name == "fee_items" else table.key


def in_store_checks(table: Table) -> list[str]:
    """The row pass's "key already in the store" check (`contract.validate.checked_select`'s
    `extra_checks`): a join against the whole stored table, so only encounters and their
    child rows have it; the fast paths leave it out and prove it with `key_clash_sql`."""
    if not (table.name == "encounters" or table.encounter_child):
        return []
    match = " AND ".join(
        f"x.{k} = " + ("e.institution_id" if k == "institution_id" else f"v.v_{k}")
        for k in key_columns(table)
    )
    return [f"WHEN EXISTS (SELECT 1 FROM {table.name} x WHERE {match}) THEN '{','.join(table.key)}|in_store'"]


def duplicates_select(table: Table, work: str) -> str:
    """`_row, _err` of every later occurrence of a key among the rows without another problem."""
    keys = key_columns(table)
    on = " AND ".join(f"w.{k} = d.{k}" for k in keys)
    return (
        f"WITH d AS (SELECT {', '.join(keys)}, min(_row) AS _first FROM {work} WHERE _err IS NULL "
        f"GROUP BY ALL HAVING count(*) > 1) "
        f"SELECT w._row, '{','.join(table.key)}|duplicate|' || d._first AS _err "
        f"FROM {work} w JOIN d ON {on} WHERE w._err IS NULL AND w._row <> d._first"
    )


def key_clash_sql(table: Table, *, stored: bool = True) -> str:
    """Counts that prove a just-inserted batch (`batch_id = $1`) has no key problem.

    One row: `dup` (rows minus distinct key hashes among the batch's rows), `in_store`
    (stored rows of other batches whose key hash equals one of the batch's) and `touched`
    (distinct institution/period pairs). Both counts 0 proves the keys distinct in the
    batch and new to the store (distinct hashes imply distinct keys). A positive count
    may be a hash collision; the caller then runs the exact passes, never trusts it.
    Stored rows are looked at only when they share an institution with the batch and
    the key includes the institution (fee lines); with `stored` false (the caller proved
    it otherwise, `line_ranges`), none are and `in_store` is 0.
    """
    in_store = (
        stored_key_clash_sql(table, "SELECT _h FROM b", "SELECT DISTINCT institution_id FROM b")
        if stored
        else "0"
    )
    return (
        f"WITH b AS (SELECT {key_hash_sql(table)} AS _h, institution_id, period FROM {table.name} "
        f"WHERE batch_id = $1) SELECT count(*) - count(DISTINCT _h) AS dup, {in_store} AS in_store, "
        "list(DISTINCT [institution_id, period]) AS touched FROM b"
    )


def key_hash_sql(table: Table, alias: str = "") -> str:
    """The hash of a row's store key (columns of `alias.` when given)."""
    return f"hash({', '.join(alias + k for k in key_columns(table))})"


def stored_key_clash_sql(table: Table, hashes: str, institutions: str) -> str:
    """SQL count of stored rows of other batches (`batch_id <> $1`) whose key hash is one of
    `hashes` (a query of `_h`); 0 without a join when no such row is stored. When the key
    includes the institution, only rows of `institutions` (a query of institution_id) are
    looked at, which keeps the join batch-sized; fee lines, only those inside the line-id
    ranges the batch recorded (`line_ranges.inside_batch_ranges`), which keeps it from
    growing with every month stored."""
    keys = key_columns(table)
    scope = f" AND x.institution_id IN ({institutions})" if "institution_id" in keys else ""
    if "line_id" in keys:
        scope += f" AND {inside_batch_ranges('x')}"
    stored = f"FROM {table.name} x WHERE x.batch_id <> $1{scope}"
    return (
        f"CASE WHEN EXISTS (SELECT 1 {stored}) THEN (SELECT count(*) {stored} "
        f"AND {key_hash_sql(table, 'x.')} IN ({hashes})) ELSE 0 END"
    )
