"""A month of a year the shipped calendar lacks: the working-day indicator waits for the year's calendar.

The shipped calendar ends with 2026. For 2027-02 `outpatient_visits_per_doctor_day`
(`:working_days`) is not computed and the run says so; every other indicator is. Once
the year is in the data folder (`write_year`, what `sjg calendar load` does), the
indicator is computed with that file's working days: February 2027 of `FEB_2027` has
20 weekdays, 5 of them in the 春节 holiday, and 2 make-up weekend days → 17.

Store (H1, doctor D1 the only staff doctor, 2027-02): inpatient S1 (LOS 4); outpatient
visits V1, V2.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from sanjianguan.calendar.analysis import analysis_calendar, write_year, year_file
from sanjianguan.calendar.days import format_entries
from sanjianguan.calendar.files import read_year_file
from sanjianguan.engines.duckdb import DuckDBEngine
from sanjianguan.indicators.compute import Skipped
from sanjianguan.indicators.registry import builtin_indicators
from sanjianguan.indicators.runner import analysis_scope, run_month
from sanjianguan.indicators.scope import CalendarMissingError, month
from tests.cli.sjg_main import run_sjg
from tests.indicators.conftest import EvaluateIndicators, add_staff, num_den_value
from tests.rules.builder import StoreBuilder

PERIOD = "2027-02"
VISITS = "outpatient_visits_per_doctor_day"
DAYS = "inpatient_days_per_doctor_day"
FEB_2027 = (
    "日期,类型,名称\n"
    + "".join(f"2027-02-{day:02d},法定节假日,春节\n" for day in range(6, 14))
    + "2027-02-14,调休上班,春节\n2027-02-20,调休上班,春节\n"
)


def _store(build: StoreBuilder) -> None:
    add_staff(build, "D1", "doctor", "内科")
    build.encounter("S1", period=PERIOD, admit="2027-02-01 08:00:00", discharge="2027-02-05 10:00:00")
    visit: dict[str, Any] = {"encounter_type": "outpatient", "discharge": None, "period": PERIOD}
    build.encounter("V1", admit="2027-02-02 09:00:00", **visit)
    build.encounter("V2", admit="2027-02-03 09:00:00", **visit)


def _load_2027(home: Path, tmp_path: Path) -> Path:
    """The year file checked and kept in the data folder, as `sjg calendar load` does."""
    source = tmp_path / "国务院2027放假安排.csv"
    source.write_text(FEB_2027, encoding="utf-8")
    return write_year(home, read_year_file(source))


def test_a_year_not_loaded_skips_only_the_working_day_indicator(
    build: StoreBuilder, evaluate_indicators: EvaluateIndicators
) -> None:
    _store(build)
    run = evaluate_indicators(period=PERIOD)  # the whole catalogue

    assert [(s.indicator, s.years) for s in run.skipped] == [(VISITS, (2027,))]
    warning = run.skipped[0].warning
    assert "2027-02 未计算指标 outpatient_visits_per_doctor_day（医师日均担负门急诊人次）" in warning
    assert "2027 年法定节假日日历尚未载入" in warning
    assert "sjg calendar load FILE" in warning
    assert VISITS not in {j.value.indicator for j in run.judged}
    # 4 patient-days over 1 doctor × 28 calendar days: computed as ever.
    assert num_den_value(run.judged, DAYS, "H1")[:2] == (4, 28)
    # Every other indicator is what a run without the skipped one gives.
    others = [i.id for i in builtin_indicators() if i.id != VISITS]
    alone = evaluate_indicators(*others, period=PERIOD)
    assert (alone.judged, alone.skipped) == (run.judged, [])


def test_a_year_in_the_data_folder_gives_its_working_days(
    build: StoreBuilder, evaluate_indicators: EvaluateIndicators, home: Path, tmp_path: Path
) -> None:
    _store(build)
    with pytest.raises(CalendarMissingError, match="does not cover 2027"):
        month(PERIOD).working_days()  # the shipped calendar alone: never a provisional count
    copy = _load_2027(home, tmp_path)

    assert copy == year_file(home, 2027) == home / "calendar" / "2027.csv"
    assert analysis_scope(home, month(PERIOD)).working_days() == 17
    assert analysis_scope(home, month("2026-02")).working_days() == month("2026-02").working_days()
    run = evaluate_indicators(VISITS, DAYS, period=PERIOD)
    assert run.skipped == []
    # 2 visits over 1 doctor × 17 working days.
    assert num_den_value(run.judged, VISITS, "H1") == (2, 17, Decimal("0.117647058823529412"))


def test_a_loaded_year_replaces_the_shipped_one(home: Path, tmp_path: Path) -> None:
    source = tmp_path / "2026.csv"
    source.write_text("date,kind,name\n2026-03-02,holiday,测试\n", encoding="utf-8")
    write_year(home, read_year_file(source))

    calendar = analysis_calendar(home)
    assert not calendar.is_working_day(date(2026, 3, 2))  # a Monday
    assert [e.name for e in calendar.entries(2026)] == ["测试"]  # the shipped 2026 entries are gone
    assert analysis_calendar(home).entries(2025) == analysis_calendar(None).entries(2025)


def test_the_stored_run_keeps_no_rows_for_a_skipped_indicator(
    build: StoreBuilder, home: Path, tmp_path: Path
) -> None:
    _store(build)
    con, engine = build.con, DuckDBEngine(build.con)

    def stored() -> set[str]:
        rows = con.execute("SELECT DISTINCT indicator FROM indicator_values WHERE period = ?", [PERIOD])
        return {str(r[0]) for r in rows.fetchall()}

    first = run_month(con, engine, home, PERIOD)
    assert [s.indicator for s in first.skipped] == [VISITS]
    assert DAYS in stored()
    assert VISITS not in stored()

    copy = _load_2027(home, tmp_path)
    assert run_month(con, engine, home, PERIOD).skipped == []
    assert VISITS in stored()

    copy.unlink()  # the year gone again: its values, counted on a calendar no longer there, go too
    skipped = run_month(con, engine, home, PERIOD).skipped
    assert skipped == [Skipped(PERIOD, VISITS, "医师日均担负门急诊人次", (2027,))]
    assert VISITS not in stored()


def test_cli_warns_then_computes_once_the_year_is_loaded(
    build: StoreBuilder,
    home: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _store(build)
    build.con.close()
    base = ("--home", str(home))
    code, output = run_sjg(monkeypatch, capsys, *base, "analyze", "--period", PERIOD, "--rules", "C01")
    assert code == 0, output
    assert "警告：2027-02 未计算指标 outpatient_visits_per_doctor_day" in output
    assert "sjg calendar load FILE" in output
    out = tmp_path / "values.csv"
    args = ("indicators", "--period", PERIOD, "--level", "institution", "--format", "csv", "--out", str(out))
    code, output = run_sjg(monkeypatch, capsys, *base, *args)
    assert code == 0, output
    assert "警告：2027-02 未计算指标 outpatient_visits_per_doctor_day" in output
    exported = out.read_text(encoding="utf-8-sig")
    assert (DAYS in exported, VISITS in exported) == (True, False)

    source = tmp_path / "2027.csv"
    source.write_text(FEB_2027, encoding="utf-8")
    load = ("calendar", "load", str(source), "--today", "2027-03-10")
    code, output = run_sjg(monkeypatch, capsys, *base, *load)
    assert code == 0, output
    assert year_file(home, 2027).read_text(encoding="utf-8") == format_entries(read_year_file(source).entries)
    code, output = run_sjg(monkeypatch, capsys, *base, *args)
    assert code == 0, output
    assert "警告" not in output
    assert VISITS in out.read_text(encoding="utf-8-sig")
