"""`sjg indicators` and `sjg growth` for Chinese offices: BOM, `--headers`, full precision,
the headline count and 80-column tables.

Store (H1, 2025-03): inpatients I1 I2 I3, I1 with an antibiotic order → inpatient rate
1/3 (a value whose 6-decimal rounding would differ from the stored one); outpatients O1
(antibiotic charged, doctor D2) and O2 → 门急诊 rate 1/2 > 0.2 fails at the institution,
at 内科 and at doctor D2: the failing rows differ from one level to the next.
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import duckdb
from rich.cells import cell_len
from typer.testing import CliRunner

import sanjianguan.cli
from sanjianguan.cli.app import app
from sanjianguan.indicators.export import EXPORT_COLUMNS, EXPORT_LABELS
from sanjianguan.indicators.growth import GROWTH_COLUMNS, GROWTH_LABELS
from sanjianguan.tabular import BOM
from tests.indicators.test_growth import _store as growth_store
from tests.rules.builder import StoreBuilder

IDS = ("inpatient_antibiotic_rate", "outpatient_emergency_antibiotic_rate")
RATE = "inpatient_antibiotic_rate"


def _store(build: StoreBuilder) -> None:
    build.item("AB", kind="drug", antibiotic_grade="非限制使用级", ddd=Decimal(1))
    build.encounter("I1").encounter("I2").encounter("I3")
    build.encounter("O1", encounter_type="outpatient", discharge=None, attending_doctor_id="D2")
    build.encounter("O2", encounter_type="outpatient", discharge=None)
    build.order("I1", "OR1", "AB", "2025-03-02 08:00:00")
    build.fee("O1", "AB", "2025-03-01 09:00:00", 1, 5, item_type="drug_western")
    build.con.execute("CHECKPOINT")


def _invoke(home: Path, *args: str, command: str = "indicators", columns: int = 80) -> str:
    sanjianguan.cli._register()
    base = ["--home", str(home), command]
    if command == "indicators":
        base += ["--indicators", ",".join(IDS), "--period", "2025-03"]
    else:
        base += ["--period", "2025-03"]
    result = CliRunner().invoke(app, [*base, *args], env={"COLUMNS": str(columns)})
    assert result.exit_code == 0, (result.output, result.exception)
    return result.stdout


def _read(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(BOM.encode("utf-8")), "a CSV file starts with the UTF-8 BOM"
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def _stored_values(build: StoreBuilder, level: str) -> dict[tuple[str, str | None, str | None, str], Decimal]:
    con: duckdb.DuckDBPyConnection = build.con
    rows = con.execute(
        "SELECT institution_id, department, doctor_id, indicator, value FROM indicator_values "
        "WHERE period = '2025-03' AND level = ?",
        [level],
    ).fetchall()
    return {(r[0], r[1], r[2], r[3]): r[4] for r in rows}


def test_indicators_csv_has_a_bom_and_english_or_chinese_headers(
    build: StoreBuilder, home: Path, tmp_path: Path
) -> None:
    _store(build)
    out = tmp_path / "ind.csv"
    _invoke(home, "--format", "csv", "--out", str(out))
    english = _read(out)
    assert tuple(english[0]) == EXPORT_COLUMNS  # default: the stable ids, unchanged
    _invoke(home, "--format", "csv", "--out", str(out), "--headers", "zh")
    chinese = _read(out)
    assert chinese[0] == [EXPORT_LABELS[c] for c in EXPORT_COLUMNS]
    assert chinese[0][:3] == ["统计期", "层级", "机构编码"]
    assert chinese[1:] == english[1:]  # only the header changes
    # Standard output stays a plain stream (no BOM) for pipes and scripts.
    assert not _invoke(home, "--format", "csv").startswith(BOM)


def test_exports_carry_full_precision(build: StoreBuilder, home: Path, tmp_path: Path) -> None:
    _store(build)
    out = tmp_path / "ind.csv"
    _invoke(home, "--format", "csv", "--out", str(out))
    with out.open(encoding="utf-8-sig", newline="") as handle:
        exported = {r["indicator"]: r for r in csv.DictReader(handle)}
    stored = _stored_values(build, "institution")
    # 1/3 is stored to 18 decimals, beyond a double's digits, and the CSV reads back exactly.
    assert stored["H1", None, None, RATE] == Decimal("0.333333333333333333")
    assert Decimal(exported[RATE]["value"]) == stored["H1", None, None, RATE]
    assert exported[RATE]["value"] == "0.333333333333333333"
    assert exported["outpatient_emergency_antibiotic_rate"]["value"] == "0.5"
    # JSON too (decimals as strings).
    rows = json.loads(_invoke(home, "--format", "json"))
    assert {r["indicator"]: Decimal(r["value"]) for r in rows}[RATE] == stored["H1", None, None, RATE]
    # Only the terminal table rounds (4 decimals, for display).
    table = _invoke(home)
    assert "0.3333" in table
    assert "0.33333333" not in table


def test_headline_counts_failing_rows_at_the_level_shown(
    build: StoreBuilder, home: Path, tmp_path: Path
) -> None:
    _store(build)
    counts = {}
    for level in ("institution", "department", "doctor"):
        out = tmp_path / f"{level}.csv"
        _invoke(home, "--level", level, "--format", "csv", "--out", str(out))
        with out.open(encoding="utf-8-sig", newline="") as handle:
            failing = sum(r["failing"] == "true" for r in csv.DictReader(handle))
        title = _invoke(home, "--level", level)
        assert f"· {failing} 项不达标" in title, (level, title)
        counts[level] = failing
    # The levels differ (and their sum is what the old headline showed at every level).
    assert counts["institution"] == 1
    assert sum(counts.values()) > counts["institution"]


def test_indicators_table_fits_80_columns_with_chinese_names(build: StoreBuilder, home: Path) -> None:
    _store(build)
    for level in ("institution", "doctor"):
        text = _invoke(home, "--level", level, columns=80)
        assert max(cell_len(line) for line in text.splitlines()) <= 80
        for needed in ("住院患者抗菌药物使用率", "机构", "institution", "指标", "标值", "不达标"):
            assert needed in text, (needed, text)
        assert "H1" in text
        assert "outpatient_emergency_antibiotic_rate"[:12] in text  # the stable id, folded if need be
    assert "D2" in text  # the doctor level shows the doctor
    assert "医师" in text
    assert "门急诊抗菌药物处方率" in text  # the name on one line


def test_growth_csv_headers_and_table(build: StoreBuilder, home: Path, tmp_path: Path) -> None:
    growth_store(build)
    build.con.execute("CHECKPOINT")
    out = tmp_path / "growth.csv"
    _invoke(home, "--format", "csv", "--out", str(out), command="growth")
    english = _read(out)
    assert tuple(english[0]) == GROWTH_COLUMNS
    assert [(r[2], r[5], r[10]) for r in english[1:]] == [
        ("X1", "mom", "0.6"),
        ("X2", "yoy", "2"),
        ("X4", "mom", "0.666666666666666667"),  # full precision, not 0.666667
    ]
    _invoke(home, "--format", "csv", "--out", str(out), "--headers", "zh", command="growth")
    chinese = _read(out)
    assert chinese[0] == [GROWTH_LABELS[c] for c in GROWTH_COLUMNS]
    assert chinese[1:] == english[1:]

    text = _invoke(home, command="growth", columns=80)
    assert max(cell_len(line) for line in text.splitlines()) <= 80
    for needed in ("机构", "institution", "项目", "增长率", "growth", "阿莫西林", "环比", "66.7%"):
        assert needed in text, (needed, text)


def test_an_older_store_is_widened_to_full_precision(build: StoreBuilder) -> None:
    from sanjianguan.indicators.results_table import INDICATOR_VALUES_DDL, ensure_tables

    con = build.con
    old = INDICATOR_VALUES_DDL.replace("DECIMAL(38,18)", "DECIMAL(18,6)")
    con.execute(old)
    con.execute("INSERT INTO indicator_values (period, indicator, value) VALUES ('2025-02', 'x', 0.333333)")
    ensure_tables(con)
    types = dict(
        con.execute(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_name = 'indicator_values' AND data_type LIKE 'DECIMAL%'"
        ).fetchall()
    )
    assert types["value"] == types["target"] == types["peer_upper"] == "DECIMAL(38,18)"
    assert types["numerator"] == "DECIMAL(18,4)"  # sums keep their own scale
    assert con.execute("SELECT value FROM indicator_values").fetchall() == [(Decimal("0.333333"),)]


def test_the_seed_indicators_are_exported_with_their_chinese_names(
    build: StoreBuilder, home: Path, tmp_path: Path
) -> None:
    """重点监控药品收入占比 and 中医优势病种比例 appear in `sjg indicators` like the others."""
    from tests.indicators.test_seed_indicators import SHARE, TCM, key_monitored_store, tcm_store

    key_monitored_store(build)
    tcm_store(build)
    build.ref("ref_tcm_advantage_diseases", icd10_prefix="I63", name="中风")
    build.con.execute("CHECKPOINT")
    sanjianguan.cli._register()
    out = tmp_path / "seed.csv"
    base = ["--home", str(home), "indicators", "--indicators", f"{SHARE},{TCM}", "--period", "2025-03"]
    result = CliRunner().invoke(app, [*base, "--format", "csv", "--headers", "zh", "--out", str(out)])
    assert result.exit_code == 0, (result.output, result.exception)
    rows = _read(out)
    named = {(r[5], r[6]): r[11] for r in rows[1:]}  # (指标编码, 指标名称) → 指标值
    # E1 and E4 are inpatients too: S1 (I63) of S1-S4, E1, E4 → 1/6
    assert named == {
        (SHARE, "重点监控药品收入占比"): "0.326923076923076923",
        (TCM, "中医优势病种比例"): "0.166666666666666667",
    }
    table = CliRunner().invoke(app, base, env={"COLUMNS": "80"})
    assert table.exit_code == 0, table.output
    assert "重点监控药品收入占比" in table.stdout
    assert "中医优势病种比例" in table.stdout
