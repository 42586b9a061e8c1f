"""The collect stage: `sjg ingest` loads the batch and refreshes the quality record it touched."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from sanjianguan.cli import _register
from sanjianguan.cli.app import app
from sanjianguan.context import Context
from tests.contract.batchkit import INSTITUTION, PERIOD, write_batch


def test_ingest_refreshes_quality_of_the_touched_pair(tmp_path: Path, home: Path) -> None:
    _register()
    batch = write_batch(tmp_path / "batch")

    result = CliRunner().invoke(
        app, ["--home", str(home), "ingest", str(batch), "--received-at", "2025-04-03"]
    )

    assert result.exit_code == 0, result.output
    with Context.open(home).store(read_only=True) as con:
        measures = dict(
            con.execute(
                "SELECT measure, value FROM quality WHERE institution_id = ? AND period = ?",
                [INSTITUTION, PERIOD],
            ).fetchall()
        )
    # Arrived on 04-03, before the due day (the 5th of the next month): timely.
    assert measures["timeliness"] == 1
    assert {"completeness", "validity", "consistency", "mapping", "score"} <= set(measures)


def test_rejected_batch_refreshes_nothing(tmp_path: Path, home: Path) -> None:
    _register()
    batch = write_batch(tmp_path / "batch", manifest={"period": "2025-13"})

    result = CliRunner().invoke(app, ["--home", str(home), "ingest", str(batch)])

    assert result.exit_code == 1
    with Context.open(home).store(read_only=True) as con:
        assert con.execute("SELECT count(*) FROM quality").fetchone() == (0,)
