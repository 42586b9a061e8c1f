"""The quarantine of a batch: every row (no limit), the field's value, batch IDs by prefix."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from sanjianguan.analytic_store.database import salt
from sanjianguan.analytic_store.loader import LoadReport, load_batch
from sanjianguan.analytic_store.quarantine import field_value, quarantine_rows, resolve_batch
from sanjianguan.config import Settings
from sanjianguan.errors import StoreError
from tests.contract.batchkit import Row, valid_rows, write_batch

BAD_LINES = 13  # more than the 10 `sjg ingest` shows


def bad_fee_lines() -> list[Row]:
    """The valid lines, then BAD_LINES whose amount is not quantity × unit price (header: an alias)."""
    template = valid_rows()["fee_items"][0]
    bad = [{**template, "line_id": f"L{100 + i}", "amount": f"{90 + i}"} for i in range(BAD_LINES)]
    return [
        {("det_item_fee_sumamt" if k == "amount" else k): v for k, v in row.items()}
        for row in valid_rows()["fee_items"] + bad
    ]


def load_with_bad_lines(con: duckdb.DuckDBPyConnection, home: Path, folder: Path) -> LoadReport:
    write_batch(folder, rows={"fee_items": bad_fee_lines()})
    return load_batch(con, folder, salt=salt(home), settings=Settings(), received_at=datetime(2025, 4, 3, 9))


def test_every_quarantined_row_with_its_value(
    con: duckdb.DuckDBPyConnection, home: Path, tmp_path: Path
) -> None:
    report = load_with_bad_lines(con, home, tmp_path / "b")
    assert report.rows_quarantined == BAD_LINES
    rows = quarantine_rows(con, report.batch_id)
    assert len(rows) == BAD_LINES
    assert [(r.file, r.row_number, r.field, r.value) for r in rows] == [
        ("fee_items.csv", 5 + i, "amount", f"{90 + i}") for i in range(BAD_LINES)
    ]
    assert all("amount differs" in r.reason and r.batch_id == report.batch_id for r in rows)
    assert quarantine_rows(con, report.batch_id[:8]) == rows  # a unique prefix names the batch


def test_unknown_or_ambiguous_batch_is_an_error(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("INSERT INTO batches (batch_id, status) VALUES ('abc1', 'accepted'), ('abc2', 'accepted')")
    assert resolve_batch(con, "abc1") == "abc1"
    with pytest.raises(StoreError, match="no such batch"):
        resolve_batch(con, "zzz")
    with pytest.raises(StoreError, match="no such batch"):
        resolve_batch(con, "  ")
    with pytest.raises(StoreError, match="several batches"):
        resolve_batch(con, "abc")


def test_field_value_of_a_key_and_of_an_alias() -> None:
    raw = '{"bkkp_sn": "L7", "det_item_fee_sumamt": "9", "encounter_id": null}'
    assert field_value("fee_items", "line_id", raw) == "L7"
    assert field_value("fee_items", "amount", raw) == "9"
    assert field_value("fee_items", "encounter_id", raw) is None
    assert field_value("diagnoses", "encounter_id,seq", '{"encounter_id": "E1", "seq": "2"}') == "E1,2"
