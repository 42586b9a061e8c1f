"""The store's keys and the SQL that checks a batch's keys against the store."""

from __future__ import annotations

import duckdb

from sanjianguan.analytic_store.keys import (
    duplicates_select,
    in_store_checks,
    key_clash_sql,
    key_columns,
)
from sanjianguan.contract.schema import TABLES


def test_fee_lines_are_unique_per_institution_the_rest_by_contract_key() -> None:
    assert key_columns(TABLES["fee_items"]) == ("institution_id", "line_id")
    assert key_columns(TABLES["encounters"]) == TABLES["encounters"].key
    assert key_columns(TABLES["institutions"]) == TABLES["institutions"].key


def test_only_encounters_and_their_children_are_checked_row_by_row() -> None:
    assert in_store_checks(TABLES["institutions"]) == []
    (check,) = in_store_checks(TABLES["fee_items"])
    assert "x.institution_id = e.institution_id" in check
    assert check.endswith("|in_store'")
    (check,) = in_store_checks(TABLES["encounters"])
    assert "FROM encounters x" in check


def test_duplicates_keep_the_first_row() -> None:
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE w AS SELECT * FROM (VALUES (1, 'E1', NULL), (2, 'E1', NULL), (3, 'E2', NULL)) "
        "t(_row, encounter_id, _err)"
    )
    found = con.execute(duplicates_select(TABLES["encounters"], "w")).fetchall()
    assert found == [(2, "encounter_id|duplicate|1")]


def test_key_clash_counts_duplicates_and_stored_keys() -> None:
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE encounters (encounter_id VARCHAR, institution_id VARCHAR, period VARCHAR, "
        "batch_id VARCHAR)"
    )
    con.execute(
        "INSERT INTO encounters VALUES ('E1', 'H1', '2025-03', 'old'), ('E1', 'H1', '2025-03', 'new'), "
        "('E2', 'H1', '2025-03', 'new'), ('E2', 'H1', '2025-03', 'new')"
    )
    dup, in_store, touched = con.execute(key_clash_sql(TABLES["encounters"]), ["new"]).fetchone() or ()
    assert (dup, in_store, touched) == (1, 1, [["H1", "2025-03"]])
