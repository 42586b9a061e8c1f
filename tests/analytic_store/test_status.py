"""`store_status` and `sjg status`."""

from __future__ import annotations

import json
from datetime import datetime

import duckdb
from typer.testing import CliRunner

import sanjianguan.cli
from sanjianguan.analytic_store.status import store_status
from sanjianguan.cli.app import app
from sanjianguan.context import Context
from tests.analytic_store.storekit import add


def seed(con: duckdb.DuckDBPyConnection) -> None:
    add(con, "institutions")
    add(con, "encounters", encounter_id="E1")
    add(con, "encounters", encounter_id="E2", institution_id="H2", period="2025-02")
    for line in ("L1", "L2", "L3"):
        add(con, "fee_items", line_id=line)
    add(con, "batches", batch_id="B1")
    add(con, "batches", batch_id="B2", status="rejected")
    add(con, "batches", batch_id="B3", status="rejected")
    con.execute("INSERT INTO quarantine (batch_id, table_name, row_number) VALUES ('B1', 'fee_items', 7)")
    for version in (1, 2):
        con.execute(
            "INSERT INTO kb_versions (kb_version, loaded_at) VALUES (?, ?)", [version, datetime(2025, 1, 1)]
        )
    con.execute("INSERT INTO kb_ref_icd10 VALUES ('I63.900', '脑梗死', 1)")
    con.executemany(
        "INSERT INTO kb_ref_tcm_advantage_diseases VALUES (?, ?, 2)", [("I63", "中风"), ("M17", "膝痹")]
    )


def test_status_keys_and_counts(con: duckdb.DuckDBPyConnection) -> None:
    seed(con)
    status = store_status(con)
    assert list(status) == [
        "schema_version",
        "tables",
        "system",
        "by_period",
        "by_institution",
        "batches",
        "quarantined_rows",
        "kb_version",
        "reference",
    ]
    assert status["schema_version"] == "2"
    assert (status["tables"]["encounters"], status["tables"]["fee_items"], status["tables"]["staff"]) == (
        2,
        3,
        0,
    )
    assert status["system"]["batches"] == 3
    assert status["by_period"] == {
        "2025-02": {"encounters": 1, "fee_items": 0},
        "2025-03": {"encounters": 1, "fee_items": 3},
    }
    assert status["by_institution"] == {
        "H1": {"encounters": 1, "fee_items": 3},
        "H2": {"encounters": 1, "fee_items": 0},
    }
    assert status["batches"] == {"total": 3, "accepted": 1, "rejected": 2}
    assert (status["quarantined_rows"], status["kb_version"]) == (1, 2)
    # Version 2 holds two TCM-advantage diseases and no ICD-10 catalogue (version 1's row is old).
    assert list(status["reference"]) == [
        "ref_items",
        "ref_item_relations",
        "ref_drg",
        "ref_minor_diagnoses",
        "ref_tcm_advantage_diseases",
        "ref_icd10",
    ]
    assert (status["reference"]["ref_tcm_advantage_diseases"], status["reference"]["ref_icd10"]) == (2, 0)


def test_empty_store(con: duckdb.DuckDBPyConnection) -> None:
    status = store_status(con)
    assert status["batches"] == {"total": 0, "accepted": 0, "rejected": 0}
    assert (status["by_period"], status["kb_version"], status["quarantined_rows"]) == ({}, None, 0)
    assert set(status["reference"].values()) == {0}


def test_cli_status(ctx: Context) -> None:
    with ctx.store() as con:
        seed(con)
    sanjianguan.cli._register()
    runner = CliRunner()
    as_json = runner.invoke(app, ["--home", str(ctx.home), "status", "--json"])
    assert as_json.exit_code == 0, as_json.output
    assert json.loads(as_json.stdout)["tables"]["fee_items"] == 3
    text = runner.invoke(app, ["--home", str(ctx.home), "status"])
    assert text.exit_code == 0, text.output
    assert "fee_items" in text.stdout
    assert "接收 1，拒收 2" in text.stdout
    assert "知识库版本 / KB version: 2" in text.stdout
    lines = {line.split("│")[1].strip(): line for line in text.stdout.splitlines() if line.count("│") >= 3}
    assert "│ 2 " in lines["ref_tcm_advantage_diseases"]
    assert "未装载 / absent" in lines["ref_icd10"]
    assert "R01 只校验编码格式" in lines["ref_icd10"]
