"""The Parquet layout of the store, and Spark reading it with the store's types."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from sanjianguan.analytic_store.parquet import PARTITIONED_TABLES, export_parquet, layout_tables
from tests.rules.builder import StoreBuilder


@pytest.fixture
def two_months(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    build = StoreBuilder(con).institution().patient()
    build.item("X").encounter("E1").encounter("E2", period="2025-04")
    build.fee("E1", "X", "2025-03-02 23:30:00", "1.5", "12.3456")
    build.fee("E2", "X", "2025-04-02 08:00:00", 1, 1)
    return con


def test_layout(two_months: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    counts = export_parquet(two_months, tmp_path)
    assert counts["fee_items"] == 2
    assert counts["ref_items"] == 1
    assert counts["diagnoses"] == 0
    assert sorted(p.name for p in (tmp_path / "fee_items").iterdir()) == ["period=2025-03", "period=2025-04"]
    assert (tmp_path / "ref_items" / "data.parquet").exists()
    assert (tmp_path / "diagnoses").is_dir()  # empty tables still have their folder
    assert set(layout_tables()) >= {*PARTITIONED_TABLES, "patients", "ref_items", "kb_versions"}


def test_period_export_replaces_only_that_month(
    two_months: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    export_parquet(two_months, tmp_path)
    two_months.execute("DELETE FROM fee_lines WHERE period = '2025-03'")
    export_parquet(two_months, tmp_path, periods=["2025-03"])
    assert sorted(p.name for p in (tmp_path / "fee_items").iterdir()) == ["period=2025-04"]


@pytest.mark.spark
def test_spark_reads_store_types(
    two_months: duckdb.DuckDBPyConnection, tmp_path: Path, spark_session: object
) -> None:
    from sanjianguan.engines.spark import SparkEngine

    export_parquet(two_months, tmp_path)
    engine = SparkEngine(str(tmp_path), session=spark_session)  # type: ignore[arg-type]
    columns, rows = engine.fetch(
        "SELECT period, CAST(charged_at AS DATE) AS day, quantity, unit_price FROM fee_items ORDER BY line_id"
    )
    assert columns == ["period", "day", "quantity", "unit_price"]
    assert [str(r[1]) for r in rows] == ["2025-03-02", "2025-04-02"]  # no time-zone shift
    assert rows[0][2:] == (Decimal("1.5000"), Decimal("12.3456"))
    assert engine.fetch("SELECT count(*) FROM diagnoses")[1] == [(0,)]
