"""`sjg quality`: refresh, record events and print the month's report."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from pathlib import Path

import pytest
from rich.cells import cell_len
from typer.testing import CliRunner

import sanjianguan.cli
from sanjianguan.cli.app import app
from sanjianguan.cli.quality import ReportFormat, render_report
from sanjianguan.context import Context
from sanjianguan.quality.record import REPORT_COLUMNS, REPORT_LABELS, quality_report
from sanjianguan.tabular import BOM
from tests.analytic_store.storekit import add

runner = CliRunner()


@pytest.fixture
def home_with_data(ctx: Context) -> Path:
    with ctx.store() as con:
        add(con, "institutions", institution_id="H1", name="一院")
        add(con, "institutions", institution_id="H2", name="二院", connected_on=None)
        add(con, "patients")
        add(con, "encounters")
        add(con, "fee_items", line_id="L1")
        add(con, "fee_items", line_id="L2", item_code=None, item_code_source=None)
        add(con, "batches", received_at=datetime(2025, 4, 3))
    sanjianguan.cli._register()
    return ctx.home


def invoke(home: Path, *args: str) -> str:
    result = runner.invoke(app, ["--home", str(home), "quality", "--period", "2025-03", *args])
    assert result.exit_code == 0, (result.output, result.exception)
    return result.stdout


def test_json_report(home_with_data: Path) -> None:
    report = json.loads(invoke(home_with_data, "--format", "json", "--as-of", "2025-04-10"))
    h1 = next(r for r in report if r["institution_id"] == "H1")
    assert (h1["mapping"], h1["score"], h1["timeliness"], h1["events"]) == (
        0.5,
        0.875,
        1.0,
        ["quality_below_threshold"],
    )
    h2 = next(r for r in report if r["institution_id"] == "H2")
    assert h2["events"] == ["not_connected"]


def test_csv_report_to_file(home_with_data: Path, tmp_path: Path) -> None:
    out = tmp_path / "quality.csv"
    invoke(home_with_data, "--format", "csv", "--out", str(out), "--as-of", "2025-04-10")
    table = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert list(table[0]) == [
        "institution_id",
        "name",
        "region_code",
        "completeness",
        "validity",
        "consistency",
        "timeliness",
        "volume",
        "mapping",
        "score",
        "events",
    ]
    assert {r["institution_id"]: r["events"] for r in table} == {
        "H1": "quality_below_threshold",
        "H2": "not_connected",
    }


def test_table_report_in_chinese(home_with_data: Path) -> None:
    text = invoke(home_with_data, "--as-of", date(2025, 4, 10).isoformat())
    for heading in ("H1 一院", "完整性", "对码率", "综合得分", "上报责任事件"):
        assert heading in text
    assert "50.0%" in text  # H1's mapping share
    assert "未接入" in text  # H2's event


def test_bad_period_is_refused(home_with_data: Path) -> None:
    result = runner.invoke(app, ["--home", str(home_with_data), "quality", "--period", "2025-3"])
    assert result.exit_code != 0
    assert "YYYY-MM" in str(result.exception)


def test_csv_has_a_bom_and_chinese_headers_on_request(home_with_data: Path, tmp_path: Path) -> None:
    out = tmp_path / "quality.csv"
    invoke(home_with_data, "--format", "csv", "--out", str(out), "--as-of", "2025-04-10", "--headers", "zh")
    raw = out.read_bytes()
    assert raw.startswith(BOM.encode("utf-8"))
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert table[0] == [REPORT_LABELS[c] for c in REPORT_COLUMNS]
    assert table[0][:4] == ["机构编码", "机构名称", "区划", "完整性"]
    assert {r[0]: r[-1] for r in table[1:]} == {"H1": "quality_below_threshold", "H2": "not_connected"}


def _widest(text: str) -> int:
    return max(cell_len(line) for line in text.splitlines())


def test_table_is_readable_at_80_columns(home_with_data: Path) -> None:
    result = runner.invoke(
        app,
        ["--home", str(home_with_data), "quality", "--period", "2025-03", "--as-of", "2025-04-10"],
        env={"COLUMNS": "80"},
    )
    assert result.exit_code == 0, result.output
    narrow = result.stdout
    assert _widest(narrow) <= 80
    # One block per institution: every measure with its Chinese and English name, whole.
    for needed in (
        "H1 一院",
        "完整性 completeness",
        "对码率 mapping",
        "50.0%",
        "上报责任事件 events",
        "未接入",
    ):
        assert needed in narrow, (needed, narrow)
    # A wide terminal gets one row per institution, the headers Chinese over English.
    wide = render_report(quality_rows(home_with_data), ReportFormat.table, width=160)
    assert _widest(wide) <= 160
    lines = wide.splitlines()
    header = next(n for n, line in enumerate(lines) if "完整性" in line)
    assert "completeness" in lines[header + 1]
    assert any("H1 一院" in line and "50.0%" in line for line in lines)


def quality_rows(home: Path) -> list[dict[str, object]]:
    with Context.open(home).store(read_only=True) as con:
        return quality_report(con, "2025-03")


def test_json_and_csv_keep_full_precision(ctx: Context, tmp_path: Path) -> None:
    """Mapping 2 of 3 lines: the stored double, not 0.6667, in JSON and CSV; 66.7% on screen."""
    with ctx.store() as con:
        add(con, "institutions", institution_id="H1", name="一院")
        add(con, "patients")
        add(con, "encounters")
        add(con, "fee_items", line_id="L1")
        add(con, "fee_items", line_id="L2")
        add(con, "fee_items", line_id="L3", item_code=None, item_code_source=None)
    sanjianguan.cli._register()
    report = json.loads(invoke(ctx.home, "--format", "json", "--as-of", "2025-04-10"))
    with ctx.store(read_only=True) as con:
        row = con.execute("SELECT value FROM quality WHERE measure = 'mapping'").fetchone()
    assert row is not None
    assert report[0]["mapping"] == row[0] == 2 / 3
    out = tmp_path / "q.csv"
    invoke(ctx.home, "--format", "csv", "--out", str(out), "--as-of", "2025-04-10")
    with out.open(encoding="utf-8-sig", newline="") as handle:
        assert float(next(csv.DictReader(handle))["mapping"]) == 2 / 3
    assert "66.7%" in invoke(ctx.home, "--as-of", "2025-04-10")
