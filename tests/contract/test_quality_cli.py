"""`sjg quality`: refresh, record events and print the month's report."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

import sanjianguan.cli
from sanjianguan.cli.app import app
from sanjianguan.context import Context
from tests.store.storekit import add

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
    for heading in ("机构编码", "完整性", "对码率", "综合得分", "上报责任事件"):
        assert heading in text
    assert "50.0%" in text  # H1's mapping share
    assert "未接入" in text  # H2's event


def test_bad_period_is_refused(home_with_data: Path) -> None:
    result = runner.invoke(app, ["--home", str(home_with_data), "quality", "--period", "2025-3"])
    assert result.exit_code != 0
    assert "YYYY-MM" in str(result.exception)
