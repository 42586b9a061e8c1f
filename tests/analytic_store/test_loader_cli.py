"""`sjg ingest`: summary and exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

import sanjianguan.cli
from sanjianguan.cli.app import app
from sanjianguan.context import Context
from tests.contract.batchkit import valid_rows, write_batch


@pytest.fixture
def run(ctx: Context) -> CliRunner:
    sanjianguan.cli._register()
    return CliRunner()


def test_accepted_with_quarantine_exits_0(run: CliRunner, ctx: Context, tmp_path: Path) -> None:
    rows = valid_rows()
    rows["fee_items"][0]["amount"] = "99"
    folder = write_batch(tmp_path / "b", rows=rows)
    result = run.invoke(
        app, ["--home", str(ctx.home), "ingest", str(folder), "--received-at", "2025-04-03T09:00"]
    )
    assert result.exit_code == 0, result.output
    assert "accepted" in result.output
    assert "quarantined" in result.output
    assert "fee_items.csv" in result.output
    assert "amount" in result.output
    again = run.invoke(app, ["--home", str(ctx.home), "ingest", str(folder)])
    assert again.exit_code == 0
    assert "already loaded" in again.output


def test_any_rejected_exits_1(run: CliRunner, ctx: Context, tmp_path: Path) -> None:
    good = write_batch(tmp_path / "good")
    bad = write_batch(tmp_path / "bad", manifest={"period": "March"})
    result = run.invoke(app, ["--home", str(ctx.home), "ingest", str(good), str(bad)])
    assert result.exit_code == 1
    assert "rejected" in result.output
    assert "period" in result.output


def test_bad_received_at_is_a_usage_error(run: CliRunner, ctx: Context, tmp_path: Path) -> None:
    folder = write_batch(tmp_path / "b")
    result = run.invoke(app, ["--home", str(ctx.home), "ingest", str(folder), "--received-at", "soon"])
    assert result.exit_code == 2


@pytest.mark.parametrize("name", ["README.md", "no-such-folder"])
def test_a_path_that_is_not_a_batch_is_a_usage_error_and_not_recorded(
    run: CliRunner, ctx: Context, tmp_path: Path, name: str
) -> None:
    (tmp_path / "README.md").write_text("# notes", encoding="utf-8")
    good = write_batch(tmp_path / "good")
    result = run.invoke(app, ["--home", str(ctx.home), "ingest", str(good), str(tmp_path / name)])
    assert result.exit_code == 2
    assert f"不是批次文件夹或 zip 文件：{tmp_path / name} / not a batch folder or zip" in result.output
    with ctx.store() as con:
        assert con.execute("SELECT count(*) FROM batches").fetchone() == (0,)
        assert con.execute("SELECT count(*) FROM encounters").fetchone() == (0,)
