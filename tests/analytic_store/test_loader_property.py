"""Property: whatever a batch's corruption, loading ends cleanly and every row is accounted for."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sanjianguan.analytic_store.database import open_store
from sanjianguan.analytic_store.loader import load_batch
from sanjianguan.config import Settings
from sanjianguan.contract.schema import TABLES
from tests.contract.batchkit import INSTITUTION, Row, valid_rows, write_batch, write_typed_table

SALT = "test-salt"
TYPED = {t: [c.name for c in TABLES[t].columns if c.type.value != "text"] for t in TABLES}


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A store already holding another institution's batch (so a rejection has something to keep)."""
    root = tmp_path_factory.mktemp("baseline")
    text = json.dumps(valid_rows(), ensure_ascii=False)
    for old, new in [
        (INSTITUTION, "H2"),
        ('"E00', '"X00'),
        ('"L00', '"M00'),
        ('"D00', '"F00'),
        ('"PT0', '"QT0'),
    ]:
        text = text.replace(old, new)
    text = text.replace("511502198001011234", "Q2")
    folder = write_batch(root / "batch", rows=json.loads(text), manifest={"institution_id": "H2"})
    con = open_store(root / "home", Settings())
    assert load_batch(con, folder, salt=SALT, settings=Settings()).status == "accepted"
    con.close()
    return root / "home" / "store.duckdb"


@st.composite
def corrupted(draw: st.DrawFn) -> tuple[dict[str, list[Row]], list[tuple[str, int, bytes]], bool]:
    rows = valid_rows()
    for _ in range(draw(st.integers(0, 4))):
        table = draw(st.sampled_from(sorted(rows)))
        if not rows[table]:
            continue
        i = draw(st.integers(0, len(rows[table]) - 1))
        kind = draw(st.sampled_from(["blank", "garbage", "duplicate", "drop_encounter", "amount"]))
        row = rows[table][i]
        if kind == "blank":
            row[draw(st.sampled_from(sorted(row)))] = None
        elif kind == "garbage" and TYPED[table]:
            row[draw(st.sampled_from(TYPED[table]))] = draw(st.text(max_size=6))
        elif kind == "duplicate":
            rows[table].insert(draw(st.integers(0, len(rows[table]))), dict(row))
        elif kind == "drop_encounter" and rows["encounters"]:
            rows["encounters"].pop(draw(st.integers(0, len(rows["encounters"]) - 1)))
        elif kind == "amount" and rows["fee_items"]:
            rows["fee_items"][0]["amount"] = draw(st.sampled_from(["0", "25.02", "-25", "1e3", "25.009"]))
    typed_fee = draw(st.booleans())  # fee lines as a typed Parquet file: may be kept as a segment
    noise = draw(
        st.lists(
            st.tuples(
                st.sampled_from(sorted(TABLES)), st.integers(0, 400), st.binary(min_size=1, max_size=6)
            ),
            max_size=2,
        )
    )
    return rows, noise, typed_fee


def snapshot(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[object, ...]]]:
    names = [
        r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE NOT temporary").fetchall()
    ]
    return {
        n: sorted(con.execute(f"SELECT * FROM {n}").fetchall(), key=repr)
        for n in [*names, "fee_items"]
        if n != "batches"
    }


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=corrupted())
def test_corrupted_batches_load_cleanly_and_balance(
    baseline: Path, case: tuple[dict[str, list[Row]], list[tuple[str, int, bytes]], bool]
) -> None:
    rows, noise, typed_fee = case
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        folder = write_batch(root / "batch", rows=rows, drop=["fee_items"] if typed_fee else [])
        if typed_fee:
            write_typed_table(folder / "fee_items.parquet", "fee_items", rows["fee_items"])
        for table, at, junk in noise:
            path = folder / f"{table}.csv"
            if not path.exists():
                continue
            data = path.read_bytes()
            path.write_bytes(data[:at] + junk + data[at:])
        (root / "home").mkdir()
        shutil.copy(baseline, root / "home" / "store.duckdb")
        con = open_store(root / "home", Settings())
        try:
            before = snapshot(con)
            report = load_batch(con, folder, salt=SALT, settings=Settings())
            assert report.status in ("accepted", "rejected")
            if report.status == "rejected":
                assert report.message
                assert snapshot(con) == before
                return
            for table, read in report.read_by_table.items():
                accepted, quarantined = report.accepted_by_table[table], report.quarantined_by_table[table]
                assert accepted + quarantined == read, table
                stored = con.execute(
                    f"SELECT count(*) FROM {table} WHERE batch_id = ?", [report.batch_id]
                ).fetchone()
                assert stored == (accepted,), table
                lines = con.execute(
                    "SELECT count(*), count(DISTINCT row_number) FROM quarantine "
                    "WHERE batch_id = ? AND table_name = ?",
                    [report.batch_id, table],
                ).fetchone()
                assert lines == (quarantined, quarantined), table
        finally:
            con.close()
