"""`sjg export parquet --to PATH --period P`: one month added or replaced in the layout, atomically."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from sanjianguan.analytic_store import parquet_period
from sanjianguan.analytic_store.database import ensure_schema
from sanjianguan.analytic_store.parquet import PARTITIONED_TABLES, PLAIN_TABLES
from sanjianguan.analytic_store.parquet_period import export_period
from sanjianguan.errors import NoDataError, StoreError
from tests.cli.sjg_main import run_sjg
from tests.rules.builder import StoreBuilder


def make_store(home: Path) -> None:
    home.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(home / "store.duckdb")) as con:
        ensure_schema(con)
        build = StoreBuilder(con).institution().patient()
        build.item("X").encounter("E1").encounter("E2", period="2025-04")
        build.fee("E1", "X", "2025-03-02 08:00:00", 2, 5)
        build.fee("E2", "X", "2025-04-02 08:00:00", 1, 1)


def fee_lines(layout: Path) -> list[tuple[object, ...]]:
    """What a reader of the layout sees: (period, line_id) of every fee line."""
    glob = str(layout / "fee_items" / "**" / "*.parquet")
    with duckdb.connect() as con:
        query = f"SELECT period, line_id FROM read_parquet('{glob}', hive_partitioning = true) ORDER BY ALL"
        return con.execute(query).fetchall()


@pytest.fixture
def store(home: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    make_store(home)
    with duckdb.connect(str(home / "store.duckdb")) as con:
        yield con


def test_months_are_added_and_replaced_one_at_a_time(
    store: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    layout = tmp_path / "layout"
    counts = export_period(store, layout, "2025-03")
    assert (counts["encounters"], counts["fee_items"]) == (1, 1)
    assert fee_lines(layout) == [("2025-03", "L0001")]
    assert all((layout / name).is_dir() for name in PARTITIONED_TABLES)
    assert all((layout / name / "data.parquet").is_file() for name in PLAIN_TABLES)

    export_period(store, layout, "2025-04")
    april = sorted((layout / "fee_items" / "period=2025-04").iterdir())
    assert fee_lines(layout) == [("2025-03", "L0001"), ("2025-04", "L0002")]

    store.execute("DELETE FROM fee_lines WHERE period = '2025-03'")
    export_period(store, layout, "2025-03")
    assert fee_lines(layout) == [("2025-04", "L0002")], "March replaced, April untouched"
    assert sorted((layout / "fee_items" / "period=2025-04").iterdir()) == april
    assert [p.name for p in layout.iterdir() if p.name.startswith(".")] == [], "no staging left"


def test_a_failed_export_leaves_the_month_as_it_was(
    store: duckdb.DuckDBPyConnection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    layout = tmp_path / "layout"
    export_period(store, layout, "2025-03")
    store.execute("DELETE FROM fee_lines WHERE period = '2025-03'")

    def fail(*args: object, **kwargs: object) -> dict[str, int]:
        raise OSError("disk full (injected)")

    monkeypatch.setattr(parquet_period, "export_parquet", fail)
    with pytest.raises(OSError, match="injected"):
        export_period(store, layout, "2025-03")
    assert fee_lines(layout) == [("2025-03", "L0001")]
    assert [p.name for p in layout.iterdir() if p.name.startswith(".")] == []


def test_a_month_without_data_or_a_bad_target_is_refused(
    store: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    with pytest.raises(NoDataError, match="2025-05 无已结算的就诊数据"):
        export_period(store, tmp_path / "layout", "2025-05")
    assert not (tmp_path / "layout").exists()
    with pytest.raises(StoreError, match="period must be YYYY-MM"):
        export_period(store, tmp_path / "layout", "2025-3")
    with pytest.raises(StoreError, match="不能是 URL: hdfs://nn/sjg"):
        export_period(store, "hdfs://nn/sjg", "2025-03")


def test_the_command(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    make_store(home)
    layout = tmp_path / "layout"
    args = ["--home", str(home), "export", "parquet", "--to", str(layout)]
    code, output = run_sjg(monkeypatch, capsys, *args, "--period", "2025-04")
    assert code == 0, output
    assert f"2025-04 → {layout}: 1 就诊 / encounters, 1 费用明细 / fee lines" in output
    assert fee_lines(layout) == [("2025-04", "L0002")]
    code, output = run_sjg(monkeypatch, capsys, *args, "--period", "2025-06")
    assert code == 2
    assert "2025-06 无已结算的就诊数据" in output
