"""Layout, determinism and contract conformance of generated data."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from sanjianguan.contract.schema import CONTRACT_VERSION, TABLES
from sanjianguan.errors import ConfigError
from sanjianguan.synth import SynthSummary, generate

RULE_IDS = (
    *(f"C{i:02d}" for i in range(1, 14)),
    *(f"D{i:02d}" for i in range(1, 11)),
    "M01",
    "M02",
    "E01",
    "E02",
    *(f"T{i:02d}" for i in range(1, 14)),
    *(f"R{i:02d}" for i in range(1, 6)),
    "S01",
    "S02",
    "S03",
    "S04",
)


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_same_seed_gives_identical_bytes(tmp_path: Path, tiny: tuple[Path, SynthSummary]) -> None:
    again = tmp_path / "again"
    generate(again, "tiny", 2, 11)
    assert _files(again) == _files(tiny[0])


def test_another_seed_differs(tmp_path: Path, tiny: tuple[Path, SynthSummary]) -> None:
    other = tmp_path / "other"
    generate(other, "tiny", 2, 12)
    assert (other / "batches/2025-01/fee_items.parquet").read_bytes() != (
        tiny[0] / "batches/2025-01/fee_items.parquet"
    ).read_bytes()


def test_layout_and_manifests(tiny: tuple[Path, SynthSummary]) -> None:
    out = tiny[0]
    assert sorted(p.name for p in (out / "batches").iterdir()) == ["2025-01", "2025-02"]
    assert {p.name for p in (out / "ref").iterdir()} >= {
        "ref_items.csv",
        "ref_drg.csv",
        "ref_item_relations.csv",
    }
    assert (out / "README.txt").read_text(encoding="utf-8").startswith("合成区域数据")
    for period in ("2025-01", "2025-02"):
        manifest = json.loads((out / "batches" / period / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["contract_version"] == CONTRACT_VERSION
        assert manifest["period"] == period
        assert manifest["kind"] == "full"
        assert "institution_id" not in manifest
        produced = dt.datetime.fromisoformat(manifest["produced_at"])
        assert produced.month == int(period[5:]) % 12 + 1
        assert 2 <= produced.day <= 4
        assert produced.utcoffset() == dt.timedelta(hours=8)


def test_every_table_has_the_required_columns(tiny: tuple[Path, SynthSummary]) -> None:
    for period in ("2025-01", "2025-02"):
        for name, table in TABLES.items():
            columns = set(pq.read_schema(tiny[0] / "batches" / period / f"{name}.parquet").names)
            assert set(table.required) <= columns, name
            assert columns <= set(table.column_names), name


def test_encounters_settle_in_their_batch(tiny: tuple[Path, SynthSummary]) -> None:
    for period in ("2025-01", "2025-02"):
        folder = tiny[0] / "batches" / period
        wrong = duckdb.sql(
            f"SELECT count(*) FROM '{folder}/encounters.parquet' WHERE "
            f"strftime(coalesce(settled_at, discharge_time, admit_time), '%Y-%m') <> '{period}'"
        ).fetchone()
        assert wrong == (0,)


def test_amount_is_quantity_times_price_exactly(tiny: tuple[Path, SynthSummary]) -> None:
    bad = duckdb.sql(
        f"SELECT count(*) FROM '{tiny[0]}/batches/*/fee_items.parquet' WHERE amount <> quantity * unit_price "
        "OR unit_price <> round(unit_price, 2) OR quantity <> round(quantity, 1)"
    ).fetchone()
    assert bad == (0,)


def test_totals_match_lines(tiny: tuple[Path, SynthSummary]) -> None:
    bad = duckdb.sql(
        f"SELECT count(*) FROM '{tiny[0]}/batches/*/encounters.parquet' e LEFT JOIN (SELECT encounter_id, "
        f"sum(amount) s FROM '{tiny[0]}/batches/*/fee_items.parquet' GROUP BY 1) f USING (encounter_id) "
        "WHERE e.total_amount <> coalesce(f.s, 0) OR e.insurance_paid + e.self_paid <> e.total_amount"
    ).fetchone()
    assert bad == (0,)


def _truth(out: Path) -> list[dict[str, str]]:
    with (out / "truth.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_every_rule_has_a_planted_positive(tiny: tuple[Path, SynthSummary]) -> None:
    rows = _truth(tiny[0])
    assert set(rows[0]) == {"rule_id", "key", "kind"}
    positives = {r["rule_id"] for r in rows if r["kind"] == "positive"}
    assert set(RULE_IDS) <= positives
    assert {r["kind"] for r in rows} == {"positive", "negative"}


def test_one_month_plants_all_but_the_benchmark_drug_clues(tiny_one_month: Path) -> None:
    positives = {r["rule_id"] for r in _truth(tiny_one_month) if r["kind"] == "positive"}
    assert set(RULE_IDS) - positives == {"S01", "S02"}


def test_truth_keys_exist_in_the_data(tiny: tuple[Path, SynthSummary]) -> None:
    out = tiny[0]
    con = duckdb.connect()
    encounters = {
        r[0] for r in con.sql(f"SELECT encounter_id FROM '{out}/batches/*/encounters.parquet'").fetchall()
    }
    patients = {
        r[0] for r in con.sql(f"SELECT patient_id FROM '{out}/batches/*/patients.parquet'").fetchall()
    }
    doctor_days = {
        f"{r[0]}|{r[1]}"
        for r in con.sql(
            "SELECT DISTINCT attending_doctor_id, CAST(admit_time AS DATE) "
            f"FROM '{out}/batches/*/encounters.parquet'"
        ).fetchall()
    }
    for row in _truth(out):
        rule, key = row["rule_id"], row["key"]
        pool = patients if rule in ("C12", "T06", "T13") else doctor_days if rule == "T09" else encounters
        assert key in pool, row


def test_unique_keys(tiny: tuple[Path, SynthSummary]) -> None:
    for name, table in TABLES.items():
        keys = ", ".join(table.key)
        # Masters travel in every batch: unique within one batch; the rest across all batches.
        scope = "batches/2025-02" if name in ("institutions", "staff", "patients") else "batches/*"
        dup = duckdb.sql(
            f"SELECT count(*) FROM (SELECT {keys} FROM '{tiny[0]}/{scope}/{name}.parquet' GROUP BY ALL "
            "HAVING count(*) > 1)"
        ).fetchone()
        assert dup == (0,), name


def test_csv_format(tmp_path: Path) -> None:
    out = tmp_path / "csv"
    generate(out, "tiny", 1, 3, fmt="csv")
    header = (out / "batches/2025-01/fee_items.csv").read_text(encoding="utf-8").splitlines()[0]
    assert "amount" in header
    assert "item_code" in header


def test_bad_arguments() -> None:
    with pytest.raises(ConfigError):
        generate(Path("/nonexistent"), "huge", 1, 1)
    with pytest.raises(ConfigError):
        generate(Path("/nonexistent"), "tiny", 1, 1, start="2025/01")


def test_cli(tmp_path: Path) -> None:
    from sanjianguan.cli import _register
    from sanjianguan.cli.app import app

    _register()
    result = CliRunner().invoke(
        app,
        [
            "synth",
            str(tmp_path / "cli"),
            "--scale",
            "tiny",
            "--months",
            "1",
            "--seed",
            "2",
            "--start",
            "2025-06",
        ],
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "cli/batches/2025-06/manifest.json").exists()
