"""`sjg hits` for spreadsheets: UTF-8 with a BOM, `--headers en|zh`, streamed in batches."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

import sanjianguan.cli
import sanjianguan.rules.export
from sanjianguan.cli.app import app
from sanjianguan.rules.export import EXPORT_COLUMNS, EXPORT_LABELS
from sanjianguan.tabular import BOM
from tests.rules.builder import StoreBuilder

runner = CliRunner()


@pytest.fixture
def analysed(home: Path) -> Path:
    """A store with three C01 hits (E1, E2, E3: an item charged 3 times a day, limit 1)."""
    home.mkdir(parents=True, exist_ok=True)
    from sanjianguan.analytic_store.database import ensure_schema

    with duckdb.connect(str(home / "store.duckdb")) as con:
        ensure_schema(con)
        build = StoreBuilder(con).institution().patient()
        build.item("X", max_per_day=1, name="静脉输液")
        for enc in ("E1", "E2", "E3"):
            build.encounter(enc).fee(enc, "X", "2025-03-02 08:00:00", 3, "12.5")
    sanjianguan.cli._register()
    result = runner.invoke(app, ["--home", str(home), "analyze", "--period", "2025-03", "--rules", "C01"])
    assert result.exit_code == 0, result.output
    return home


def _hits(home: Path, out: Path, *args: str) -> None:
    args = ("--home", str(home), "hits", "--period", "2025-03", "--out", str(out), *args)
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, (result.output, result.exception)


def _rows(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(BOM.encode("utf-8")), "Excel needs the UTF-8 BOM"
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def test_hits_csv_has_a_bom_and_stable_english_headers(analysed: Path, tmp_path: Path) -> None:
    out = tmp_path / "hits.csv"
    _hits(analysed, out)
    rows = _rows(out)
    assert tuple(rows[0]) == EXPORT_COLUMNS
    body = [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    assert sorted((r["encounter_id"], r["rule_name"], r["amount_involved"]) for r in body) == [
        ("E1", "重复收费", "25.00"),
        ("E2", "重复收费", "25.00"),
        ("E3", "重复收费", "25.00"),
    ]


def test_hits_csv_with_chinese_headers(analysed: Path, tmp_path: Path) -> None:
    english, chinese = tmp_path / "en.csv", tmp_path / "zh.csv"
    _hits(analysed, english)
    _hits(analysed, chinese, "--headers", "zh")
    zh = _rows(chinese)
    assert zh[0] == [EXPORT_LABELS[c] for c in EXPORT_COLUMNS]
    assert {"规则名称", "涉及金额(元)", "就诊ID"} <= set(zh[0])
    assert zh[1:] == _rows(english)[1:]
    # Parquet is a machine format: its columns stay the ids, and zh is refused.
    parquet = ["--format", "parquet", "--out", str(tmp_path / "h.parquet"), "--headers", "zh"]
    bad = runner.invoke(app, ["--home", str(analysed), "hits", "--period", "2025-03", *parquet])
    assert bad.exit_code == 2
    assert "--headers" in bad.output


def test_hits_export_streams_in_batches(
    analysed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sanjianguan.rules.export, "BATCH_ROWS", 1)  # one row per Arrow batch
    out = tmp_path / "hits.csv"
    _hits(analysed, out)
    rows = _rows(out)
    assert rows.count(list(EXPORT_COLUMNS)) == 1  # one header, however many batches
    assert len(rows) == 1 + 3
    parquet = tmp_path / "hits.parquet"
    _hits(analysed, parquet, "--format", "parquet")
    table = pq.read_table(parquet)
    assert (table.num_rows, tuple(table.column_names)) == (3, EXPORT_COLUMNS)
