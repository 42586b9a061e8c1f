"""`sjg quarantine list|export --batch ID`: every quarantined row, not the first 10."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

import sanjianguan.cli
from sanjianguan.analytic_store.quarantine import EXPORT_COLUMNS
from sanjianguan.cli.app import app
from sanjianguan.context import Context
from sanjianguan.errors import StoreError
from tests.analytic_store.test_quarantine import BAD_LINES, bad_fee_lines
from tests.contract.batchkit import write_batch


@pytest.fixture
def run(ctx: Context) -> CliRunner:
    sanjianguan.cli._register()
    return CliRunner()


def ingest(run: CliRunner, ctx: Context, tmp_path: Path) -> str:
    """Ingest a batch with BAD_LINES quarantined lines; its batch ID."""
    folder = write_batch(tmp_path / "b", rows={"fee_items": bad_fee_lines()})
    result = run.invoke(app, ["--home", str(ctx.home), "ingest", str(folder)])
    assert result.exit_code == 0, result.output
    assert f"隔离行共 {BAD_LINES} 条" in result.output
    with ctx.store(read_only=True) as con:
        row = con.execute("SELECT batch_id FROM batches").fetchone()
    assert row is not None
    assert f"sjg quarantine list --batch {row[0][:12]}" in result.output
    return str(row[0])


def test_list_prints_every_row_and_the_total(run: CliRunner, ctx: Context, tmp_path: Path) -> None:
    batch = ingest(run, ctx, tmp_path)
    result = run.invoke(app, ["--home", str(ctx.home), "quarantine", "list", "--batch", batch[:12]])
    assert result.exit_code == 0, (result.output, result.exception)
    for i in range(BAD_LINES):
        assert f"│ {5 + i} " in result.output  # the row number of every bad line, the last ones too
        assert f"│ {90 + i} " in result.output  # and its value
    assert f"共 {BAD_LINES} 行隔离 / {BAD_LINES} quarantined row(s)" in result.output


def test_export_writes_every_row_as_csv_with_bom(run: CliRunner, ctx: Context, tmp_path: Path) -> None:
    batch = ingest(run, ctx, tmp_path)
    out = tmp_path / "q.csv"
    result = run.invoke(
        app, ["--home", str(ctx.home), "quarantine", "export", "--batch", batch, "--out", str(out)]
    )
    assert result.exit_code == 0, (result.output, result.exception)
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    with out.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert tuple(rows[0]) == EXPORT_COLUMNS
    assert [(r["batch_id"], r["file"], r["row_number"], r["field"], r["value"]) for r in rows] == [
        (batch, "fee_items.csv", str(5 + i), "amount", str(90 + i)) for i in range(BAD_LINES)
    ]
    assert all(r["reason"].startswith("金额与数量×单价相差") and r["raw"].startswith("{") for r in rows)


def test_unknown_batch_is_a_clear_error(run: CliRunner, ctx: Context, tmp_path: Path) -> None:
    ingest(run, ctx, tmp_path)
    result = run.invoke(app, ["--home", str(ctx.home), "quarantine", "list", "--batch", "nope"])
    assert isinstance(result.exception, StoreError)
    assert "没有这个批次 / no such batch: 'nope'" in str(result.exception)
