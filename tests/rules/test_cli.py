"""`sjg analyze` and `sjg hits` through the command line."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
from typer.testing import CliRunner

import sanjianguan.cli
from sanjianguan.cli.app import app
from sanjianguan.rules.export import EXPORT_COLUMNS
from tests.rules.builder import StoreBuilder


def _store(home: Path) -> None:
    home.mkdir(parents=True, exist_ok=True)
    from sanjianguan.analytic_store.database import ensure_schema

    with duckdb.connect(str(home / "store.duckdb")) as con:
        ensure_schema(con)
        build = StoreBuilder(con).institution().patient()
        build.item("X", max_per_day=1).encounter("E1")
        build.fee("E1", "X", "2025-03-02 08:00:00", 3, "12.5")


def test_analyze_then_export(home: Path, tmp_path: Path) -> None:
    sanjianguan.cli._register()
    _store(home)
    runner = CliRunner()

    result = runner.invoke(app, ["--home", str(home), "analyze", "--period", "2025-03", "--rules", "C01,C05"])
    assert result.exit_code == 0, result.output
    assert "C01" in result.output
    assert "25.00" in result.output

    out = tmp_path / "hits.csv"
    result = runner.invoke(app, ["--home", str(home), "hits", "--period", "2025-03", "--out", str(out)])
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["rule_id"] for r in rows] == ["C01"]
    assert set(EXPORT_COLUMNS) <= set(rows[0])
    assert (rows[0]["rule_name"], rows[0]["grade"], rows[0]["amount_involved"]) == (
        "重复收费",
        "violation",
        "25.00",
    )

    parquet = tmp_path / "hits.parquet"
    args = ["--home", str(home), "hits", "--period", "2025-03", "--format", "parquet", "--out", str(parquet)]
    assert runner.invoke(app, args).exit_code == 0
    table = pq.read_table(parquet)
    assert table.column("amount_involved").to_pylist() == [Decimal("25.00")]


def test_unknown_rule_is_reported(home: Path) -> None:
    sanjianguan.cli._register()
    _store(home)
    result = CliRunner().invoke(app, ["--home", str(home), "analyze", "--period", "2025-03", "--rules", "Q9"])
    assert result.exit_code != 0
    assert "Q9" in str(result.exception)


def test_analyze_summary_fits_80_columns(home: Path) -> None:
    from rich.cells import cell_len

    sanjianguan.cli._register()
    _store(home)
    args = ["--home", str(home), "analyze", "--period", "2025-03", "--rules", "C01,C05", "--no-indicators"]
    result = CliRunner().invoke(app, args, env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    assert max(cell_len(line) for line in result.output.splitlines()) <= 80
    lines = result.output.splitlines()
    header = next(n for n, line in enumerate(lines) if "规则" in line and "涉及金额(元)" in line)
    assert "rule" in lines[header + 1]
    assert "amount" in lines[header + 1]
    assert any("C01" in line and "25.00" in line for line in lines)
    assert any("用时(秒)" in line for line in lines)
    stages = next(n for n, line in enumerate(lines) if "共享视图" in line)
    assert "规则" in lines[stages]
    assert "保存" in lines[stages]
    assert "指标" not in lines[stages]  # --no-indicators
    assert "views" in lines[stages + 1]
