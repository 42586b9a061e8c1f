"""Issue 10 item 2: a manifest's period must not wipe a month.

The probe: a 2025-01 batch relabelled `"period": "2025-02"` was accepted (its encounters
quarantined as already stored), and as a `full` batch it deleted the real 2025-02; the
correct 2025-02 batch sent again answered "unchanged" and did not restore it.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest
from typer.testing import CliRunner

import sanjianguan.cli
from sanjianguan.analytic_store.database import salt
from sanjianguan.analytic_store.loader import LoadReport, load_batch
from sanjianguan.cli.app import app
from sanjianguan.config import IngestSettings, Settings
from sanjianguan.context import Context
from tests.contract.batchkit import INSTITUTION, Row, write_batch

RECEIVED = datetime(2025, 3, 3, 9, 0)
CHILDREN = ["diagnoses", "procedures", "orders", "exam_reports", "consents"]


def month_rows(month: str, n: int, prefix: str) -> dict[str, list[Row]]:
    """`n` outpatient encounters settled in `month`, one fee line each."""
    encounters = [
        {
            "encounter_id": f"{prefix}{i:03d}",
            "institution_id": INSTITUTION,
            "patient_id": "PT001",
            "encounter_type": "outpatient",
            "department": "内科",
            "attending_doctor_id": "D001",
            "admit_time": f"{month}-{i % 27 + 1:02d} 09:00",
            "main_diagnosis": "J18.900",
            "total_amount": "20",
            "settled_at": f"{month}-{i % 27 + 1:02d} 09:30",
        }
        for i in range(n)
    ]
    fees = [
        {
            "line_id": f"L{e['encounter_id']}",
            "encounter_id": e["encounter_id"],
            "item_code": "250101001",
            "item_type": "lab",
            "charged_at": e["admit_time"],
            "quantity": "1",
            "unit_price": "20",
            "amount": "20",
        }
        for e in encounters
    ]
    return {"encounters": encounters, "fee_items": fees}


def batch(folder: Path, month: str, n: int, prefix: str, **manifest: Any) -> Path:
    rows = month_rows(month, n, prefix)
    return write_batch(folder, rows=rows, manifest={"period": month, **manifest}, drop=CHILDREN)


@pytest.fixture
def load(con: duckdb.DuckDBPyConnection, home: Path) -> Any:
    def _load(path: Path, settings: Settings | None = None, **kwargs: Any) -> LoadReport:
        return load_batch(
            con, path, salt=salt(home), settings=settings or Settings(), received_at=RECEIVED, **kwargs
        )

    return _load


def stored(con: duckdb.DuckDBPyConnection, table: str, period: str) -> int:
    row = con.execute(f"SELECT count(*) FROM {table} WHERE period = ?", [period]).fetchone()
    assert row is not None
    return int(row[0])


def test_the_probe_scenario(con: duckdb.DuckDBPyConnection, load: Any, tmp_path: Path) -> None:
    february = batch(tmp_path / "feb", "2025-02", 20, "F")
    january = batch(tmp_path / "jan", "2025-01", 20, "J")
    assert (
        load(
            january,
        ).status
        == "accepted"
    )
    assert load(february).status == "accepted"
    assert stored(con, "encounters", "2025-02") == 20

    # The January batch relabelled as February: rejected as a whole, February intact.
    relabelled = batch(tmp_path / "relabelled", "2025-01", 20, "J", period="2025-02")
    report = load(relabelled)
    assert report.status == "rejected"
    assert "2025-02" in report.message
    assert "20 of 20 encounters" in report.message
    assert "2025-01: 20" in report.message
    assert stored(con, "encounters", "2025-02") == 20
    assert stored(con, "fee_items", "2025-02") == 20
    recorded = con.execute(
        "SELECT status, message FROM batches WHERE batch_id = ?", [report.batch_id]
    ).fetchall()
    assert recorded == [("rejected", report.message)]

    # A legitimate but much smaller full replacement: refused unless confirmed.
    smaller = batch(tmp_path / "smaller", "2025-02", 5, "S")
    refused = load(smaller)
    assert refused.status == "rejected"
    assert "--confirm-replace" in refused.message
    assert "from 20 encounters to 5" in refused.message
    assert stored(con, "encounters", "2025-02") == 20
    confirmed = load(smaller, confirm_replace=True)
    assert confirmed.status == "accepted"
    assert stored(con, "encounters", "2025-02") == 5

    # The original February sent again: the store no longer holds it, so it loads again.
    again = load(february)
    assert again.status == "accepted"
    assert "replaced since" in again.message
    assert stored(con, "encounters", "2025-02") == 20
    assert stored(con, "fee_items", "2025-02") == 20
    # ... and now it is held: a third sending changes nothing.
    assert load(february).status == "unchanged"
    assert stored(con, "encounters", "2025-01") == 20


def test_a_few_encounters_of_another_month_are_allowed(
    con: duckdb.DuckDBPyConnection, load: Any, tmp_path: Path
) -> None:
    rows = month_rows("2025-02", 20, "F")
    rows["encounters"][0]["settled_at"] = "2025-03-01 08:00"  # 1 of 20 = 5 %: not more than 5 %
    folder = write_batch(tmp_path / "b", rows=rows, manifest={"period": "2025-02"}, drop=CHILDREN)
    assert load(folder).status == "accepted"
    rows["encounters"][1]["settled_at"] = "2025-03-01 08:00"  # 2 of 20 = 10 %
    folder = write_batch(tmp_path / "c", rows=rows, manifest={"period": "2025-02"}, drop=CHILDREN)
    report = load(folder)
    assert report.status == "rejected"
    assert "2 of 20 encounters (10.0%)" in report.message
    assert "encounters.csv" in report.message


def test_period_threshold_and_replace_guard_are_settings(
    con: duckdb.DuckDBPyConnection, load: Any, tmp_path: Path
) -> None:
    strict = Settings(ingest=IngestSettings(period_mismatch_max=0.0))
    rows = month_rows("2025-02", 20, "F")
    rows["encounters"][0]["settled_at"] = "2025-03-01 08:00"
    folder = write_batch(tmp_path / "b", rows=rows, manifest={"period": "2025-02"}, drop=CHILDREN)
    assert load(folder, strict).status == "rejected"
    assert load(folder).status == "accepted"
    # A guard of 0.9 lets a full batch remove 75 % of the month (15 of 20) unconfirmed.
    loose = Settings(ingest=IngestSettings(replace_guard=0.9))
    smaller = batch(tmp_path / "s", "2025-02", 5, "S")
    assert load(smaller).status == "rejected"
    assert load(smaller, loose).status == "accepted"


def test_a_full_batch_without_encounters_needs_confirmation(
    con: duckdb.DuckDBPyConnection, load: Any, tmp_path: Path
) -> None:
    assert load(batch(tmp_path / "feb", "2025-02", 4, "F")).status == "accepted"
    masters_only = write_batch(
        tmp_path / "m", manifest={"period": "2025-02"}, drop=[*CHILDREN, "encounters", "fee_items"]
    )
    report = load(masters_only)
    assert report.status == "rejected"
    assert "--confirm-replace" in report.message
    assert stored(con, "encounters", "2025-02") == 4
    # An append batch never removes anything: no confirmation needed.
    append = write_batch(
        tmp_path / "a",
        manifest={"period": "2025-02", "kind": "append"},
        drop=[*CHILDREN, "encounters", "fee_items"],
    )
    assert load(append).status == "accepted"


def test_cli_confirm_replace(ctx: Context, tmp_path: Path) -> None:
    sanjianguan.cli._register()
    runner = CliRunner()
    base = ["--home", str(ctx.home), "ingest", "--received-at", "2025-03-03T09:00"]
    assert runner.invoke(app, [*base, str(batch(tmp_path / "feb", "2025-02", 10, "F"))]).exit_code == 0
    smaller = str(batch(tmp_path / "smaller", "2025-02", 2, "S"))
    refused = runner.invoke(app, [*base, smaller])
    assert refused.exit_code == 1
    assert "--confirm-replace" in refused.output
    confirmed = runner.invoke(app, [*base, "--confirm-replace", smaller])
    assert confirmed.exit_code == 0, confirmed.output
    with ctx.store() as con:
        assert stored(con, "encounters", "2025-02") == 2
