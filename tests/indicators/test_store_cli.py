"""Stored verdicts, the ladder's `failing()` reading, `sjg indicators` exports and `sjg analyze`.

Store (H1, 2025-03, the group-B antibiotic store of test_group_b in small): inpatients I1
(antibiotic ordered) and I2 (none), outpatients O1 (antibiotic charged) and O2 (none).
Inpatient rate 1/2 = 0.5 ≤ 0.6 passes; 门急诊 rate 1/2 = 0.5 > 0.2 fails (group 2B).
"""

from __future__ import annotations

import csv
import io
import json
import weakref
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

import sanjianguan.cli
from sanjianguan.cli.app import app
from sanjianguan.engines.duckdb import DuckDBEngine
from sanjianguan.indicators import results_table, runner
from sanjianguan.indicators.evaluate import Judged
from sanjianguan.indicators.export import EXPORT_COLUMNS
from sanjianguan.indicators.results_table import FailingIndicator, failing
from sanjianguan.indicators.runner import IndicatorTally, catalogue, evaluate, judging, run
from sanjianguan.indicators.scope import month, year
from tests.rules.builder import StoreBuilder, temp_tables

IDS = ("inpatient_antibiotic_rate", "outpatient_emergency_antibiotic_rate")


def _store(build: StoreBuilder) -> None:
    build.item("AB", kind="drug", antibiotic_grade="非限制使用级", ddd=Decimal(1))
    build.encounter("I1").encounter("I2")
    build.encounter("O1", encounter_type="outpatient", discharge=None, attending_doctor_id="D2")
    build.encounter("O2", encounter_type="outpatient", discharge=None)
    build.order("I1", "OR1", "AB", "2025-03-02 08:00:00")
    build.fee("O1", "AB", "2025-03-01 09:00:00", 1, 5, item_type="drug_western")
    build.con.execute("CHECKPOINT")


def _count(con: duckdb.DuckDBPyConnection, period: str) -> int:
    row = con.execute("SELECT count(*) FROM indicator_values WHERE period = ?", [period]).fetchone()
    return int(row[0]) if row else 0


def _march(con: duckdb.DuckDBPyConnection, home: Path) -> IndicatorTally:
    """Every indicator of March 2025 computed and stored on DuckDB."""
    indicators, settings = catalogue(home)
    return run(con, DuckDBEngine(con), indicators, month("2025-03"), settings)


def test_failing_for_the_ladder(build: StoreBuilder, home: Path) -> None:
    _store(build)
    con = build.con
    assert failing(con, "2025-03") == []  # nothing computed yet
    indicators, settings = catalogue(home, IDS)
    run(con, DuckDBEngine(con), indicators, month("2025-03"), settings)
    expected = FailingIndicator(
        "2025-03", "H1", "outpatient_emergency_antibiotic_rate", "门急诊抗菌药物处方率", "2B",
        Decimal("0.5"), Decimal("0.2"), "target",
    )  # fmt: skip
    assert failing(con, "2025-03") == [expected]
    assert failing(con, "2025-03", groups=("2A",)) == []
    stored = _count(con, "2025-03")
    # A re-run replaces the period's rows instead of adding duplicates.
    run(con, DuckDBEngine(con), indicators, month("2025-03"), settings)
    assert _count(con, "2025-03") == stored
    # The year is stored under "2025" and read the same way (articles 20, 21: yearly values).
    run(con, DuckDBEngine(con), indicators, year("2025"), settings)
    assert [(f.period, f.indicator, f.value) for f in failing(con, "2025")] == [
        ("2025", "outpatient_emergency_antibiotic_rate", Decimal("0.5"))
    ]


def test_indicators_cli_exports(build: StoreBuilder, home: Path) -> None:
    _store(build)
    sanjianguan.cli._register()
    runner = CliRunner()
    base = ["--home", str(home), "indicators", "--indicators", ",".join(IDS)]

    result = runner.invoke(app, [*base, "--period", "2025-03", "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert tuple(rows[0]) == EXPORT_COLUMNS
    by_id = {r["indicator"]: r for r in rows}
    assert set(by_id) == set(IDS)
    oe = by_id["outpatient_emergency_antibiotic_rate"]
    assert (oe["institution_id"], oe["numerator"], oe["denominator"], oe["value"]) == (
        "H1",
        "1",
        "2",
        "0.5",
    )
    assert (oe["target"], oe["failing"], oe["failing_reason"], oe["group"]) == (
        "0.2",
        "true",
        "target",
        "2B",
    )

    result = runner.invoke(app, [*base, "--year", "2025", "--level", "doctor", "--format", "json"])
    assert result.exit_code == 0, result.output
    doctors = json.loads(result.stdout)
    assert {(r["period"], r["doctor_id"], r["indicator"], r["value"]) for r in doctors} == {
        ("2025", "D1", "inpatient_antibiotic_rate", "0.5"),  # I1 of I1, I2
        ("2025", "D1", "outpatient_emergency_antibiotic_rate", "0"),  # O2
        ("2025", "D2", "outpatient_emergency_antibiotic_rate", "1"),  # O1
    }

    for bad in (["--period", "2025-03", "--year", "2025"], [], ["--period", "2025-3"]):
        result = runner.invoke(app, [*base, *bad])
        assert result.exit_code == 2, result.output
    result = runner.invoke(app, [*base, "--period", "2025-03", "--out", "x.csv"])
    assert result.exit_code == 2
    assert "--format csv" in result.output


def test_analyze_computes_the_indicators(build: StoreBuilder, home: Path) -> None:
    _store(build)
    sanjianguan.cli._register()
    result = CliRunner().invoke(
        app, ["--home", str(home), "analyze", "--period", "2025-03", "--rules", "C01"]
    )
    assert result.exit_code == 0, result.output
    assert "2 项机构不达标" in result.output
    # I1's order: 1 × 1/day × 4 days (03-02 to the discharge day 03-05) = 4 DDDs over 8
    # patient-days → 50 > 40 also fails (group 2A).
    assert [(f.group, f.indicator) for f in failing(build.con, "2025-03")] == [
        ("2A", "antibiotic_ddds_per_100_patient_days"),
        ("2B", "outpatient_emergency_antibiotic_rate"),
    ]
    result = CliRunner().invoke(
        app, ["--home", str(home), "analyze", "--period", "2025-03", "--rules", "C01", "--no-indicators"]
    )
    assert result.exit_code == 0, result.output
    assert "项机构不达标" not in result.output


def test_values_are_stored_whole_when_inserted_in_chunks(
    build: StoreBuilder, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _store(build)
    con = build.con
    result = _march(con, home)
    whole = con.execute("SELECT * EXCLUDE (computed_at) FROM indicator_values ORDER BY ALL").fetchall()
    monkeypatch.setattr(results_table, "INSERT_CHUNK", 3)
    _march(con, home)
    chunked = con.execute("SELECT * EXCLUDE (computed_at) FROM indicator_values ORDER BY ALL").fetchall()
    assert result.value_count > 3 * 2  # several chunks, one of them partial
    assert chunked == whole
    assert len(chunked) == result.value_count


def test_judging_lets_each_indicators_verdicts_go_before_the_next(build: StoreBuilder, home: Path) -> None:
    # A city month's 730 000 verdicts were held until the last indicator had run.
    _store(build)
    con = build.con
    indicators, settings = catalogue(home)
    _, each = judging(DuckDBEngine(con), indicators, month("2025-03"), settings)
    refs: list[weakref.ref[Judged]] = []
    held: list[int] = []
    for judged in each:
        # no gc.collect(): verdicts go by reference counting (a cycle keeping one would fail here)
        held.append(sum(ref() is not None for ref in refs))
        refs.extend(weakref.ref(j) for j in judged)
        del judged
    assert len(refs) > 1
    assert held == [0] * len(held)
    # One indicator at a time, the same verdicts in the same order as all at once.
    _, again = judging(DuckDBEngine(con), indicators, month("2025-03"), settings)
    whole = evaluate(DuckDBEngine(con), indicators, month("2025-03"), settings).judged
    assert [j for judged in again for j in judged] == whole


def test_a_stored_run_keeps_the_counts_and_stores_what_evaluate_finds(
    build: StoreBuilder, home: Path
) -> None:
    # `sjg indicators` no longer holds every verdict until it stores them: it keeps the
    # count and the failing ones, as `sjg analyze` does.
    _store(build)
    con = build.con
    indicators, settings = catalogue(home)
    found = evaluate(DuckDBEngine(con), indicators, month("2025-03"), settings)
    tally = _march(con, home)
    assert tally.value_count == found.value_count == _count(con, "2025-03")
    assert tally.failing == found.failing
    assert tally.failing
    assert not temp_tables(con, "staged_values_")


def test_an_indicator_run_failing_halfway_keeps_the_stored_values(
    build: StoreBuilder, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _store(build)
    con = build.con
    _march(con, home)
    before = con.execute("SELECT * FROM indicator_values ORDER BY ALL").fetchall()
    calls: list[str] = []

    def insert_then_fail(*args: object) -> None:
        calls.append(str(args[1]))
        if len(calls) == 2:
            raise RuntimeError("killed")
        results_table.insert_values(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(runner, "insert_values", insert_then_fail)
    with pytest.raises(RuntimeError, match="killed"):
        _march(con, home)
    assert calls[0].startswith("staged_values_")  # the rows waited in the staging table
    assert con.execute("SELECT * FROM indicator_values ORDER BY ALL").fetchall() == before
    assert not temp_tables(con, "staged_values_")
