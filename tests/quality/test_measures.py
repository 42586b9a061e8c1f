"""Each quality measure on a tiny store, against hand-computed numbers."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import duckdb
import pytest

from sanjianguan.config import Settings
from sanjianguan.errors import SjgError
from sanjianguan.quality.measures import due_date, parse_period, period_end
from sanjianguan.quality.record import refresh_quality, store_pairs
from tests.analytic_store.storekit import add, add_fee_lines, rows

TODAY = date(2025, 4, 20)


def measure(con: duckdb.DuckDBPyConnection, name: str, inst: str = "H1", period: str = "2025-03") -> Any:
    """(numerator, denominator, value, detail) of one stored measure."""
    found = rows(
        con,
        "SELECT numerator, denominator, value, detail FROM quality "
        "WHERE institution_id = ? AND period = ? AND measure = ?",
        [inst, period, name],
    )
    assert len(found) == 1, found
    num, den, value, detail = found[0]
    return (
        None if num is None else float(num),
        None if den is None else float(den),
        value,
        json.loads(detail),
    )


def refresh(con: duckdb.DuckDBPyConnection, today: date = TODAY) -> None:
    refresh_quality(con, Settings(), today=today)


def test_period_helpers() -> None:
    assert due_date("2025-03", 5) == date(2025, 4, 5)
    assert due_date("2025-12", 5) == date(2026, 1, 5)
    assert period_end("2024-02") == date(2024, 2, 29)
    with pytest.raises(SjgError, match="YYYY-MM"):
        parse_period("2025-3")


def test_completeness_counts_expected_values(con: duckdb.DuckDBPyConnection) -> None:
    add(con, "institutions")
    add(con, "patients")
    add(con, "encounters", encounter_id="E1")
    add(
        con,
        "encounters",
        encounter_id="E2",
        discharge_time=None,
        discharge_disposition=None,
        main_diagnosis="",
        admit_time=datetime(2025, 3, 10),
    )
    add(con, "encounters", encounter_id="E3", encounter_type="outpatient", main_diagnosis="J06.9")
    add(con, "fee_items", line_id="L1")
    add(con, "fee_items", line_id="L2", ordering_doctor_id=None)
    add(con, "fee_items", line_id="L3", encounter_id="E3", department="  ")
    add(con, "procedures", operator_id=None)
    refresh(con)
    # main_diagnosis 2/3, discharge_time 1/2, disposition 1/2 (inpatients only),
    # ordering doctor 2/3, department 2/3, operator 0/1, surgery level 1/1 → 9/15.
    num, den, value, detail = measure(con, "completeness")
    assert (num, den) == (9, 15)
    assert value == pytest.approx(0.6)
    assert detail["missing"] == {
        "encounters.discharge_disposition": 1,
        "encounters.discharge_time": 1,
        "encounters.main_diagnosis": 1,
        "fee_items.department": 1,
        "fee_items.ordering_doctor_id": 1,
        "procedures.operator_id": 1,
    }


def test_validity_checks_codes_and_enumerations(con: duckdb.DuckDBPyConnection) -> None:
    add(con, "institutions")
    add(con, "patients")
    add(con, "encounters", encounter_id="E1")
    add(con, "encounters", encounter_id="E2", main_diagnosis="i10", discharge_disposition="7")
    add(
        con,
        "encounters",
        encounter_id="E3",
        encounter_type="outpatient",
        main_diagnosis="",
        discharge_disposition=None,
    )
    add(con, "diagnoses", seq=1, icd10_code="I10.x00x002")
    add(con, "diagnoses", seq=2, icd10_code="XYZ", kind="other")
    add(con, "fee_items", line_id="L1")
    add(con, "fee_items", line_id="L2", item_type="药品")
    refresh(con)
    # main_diagnosis 1/2 (empty not checked), icd10_code 1/2, region 1/1, level 1/1,
    # category 1/1, encounter_type 3/3, disposition 1/2, kind 2/2, item_type 1/2 → 12/16.
    num, den, value, detail = measure(con, "validity")
    assert (num, den) == (12, 16)
    assert value == pytest.approx(0.75)
    assert detail["invalid"] == {
        "diagnoses.icd10_code": 1,
        "encounters.discharge_disposition": 1,
        "encounters.main_diagnosis": 1,
        "fee_items.item_type": 1,
    }


def test_validity_checks_region_code(con: duckdb.DuckDBPyConnection) -> None:
    add(con, "institutions", region_code="5101")
    add(con, "encounters")
    refresh(con)
    # region 0/1, level 1/1, category 1/1, main_diagnosis 1/1, type 1/1, disposition 1/1.
    num, den, _, detail = measure(con, "validity")
    assert (num, den) == (5, 6)
    assert detail["invalid"] == {"institutions.region_code": 1}


def test_consistency_flags_time_logic_and_unknown_patients(con: duckdb.DuckDBPyConnection) -> None:
    add(con, "patients")
    add(con, "encounters", encounter_id="E1")  # 3-01 09:00 .. 3-05 10:00
    add(con, "fee_items", line_id="L1", charged_at=datetime(2025, 2, 28))  # day before admission: fine
    add(con, "fee_items", line_id="L2", charged_at=datetime(2025, 3, 5, 23))  # discharge day: fine
    add(
        con,
        "encounters",
        encounter_id="E2",
        admit_time=datetime(2025, 3, 4),
        discharge_time=datetime(2025, 3, 3),
    )
    add(
        con,
        "encounters",
        encounter_id="E3",
        admit_time=datetime(2025, 3, 10),
        discharge_time=datetime(2025, 3, 12),
    )
    add(con, "fee_items", line_id="L3", encounter_id="E3", charged_at=datetime(2025, 3, 13))
    add(con, "fee_items", line_id="L4", encounter_id="E3", charged_at=datetime(2025, 3, 13, 8))
    add(
        con,
        "encounters",
        encounter_id="E4",
        admit_time=datetime(2025, 3, 20),
        discharge_time=datetime(2025, 3, 25),
    )
    add(con, "procedures", encounter_id="E4", performed_at=datetime(2025, 3, 19, 23))
    add(con, "encounters", encounter_id="E5", patient_id="P9")
    # An outpatient visit has no discharge time: only the lower bound applies.
    add(
        con,
        "encounters",
        encounter_id="E6",
        encounter_type="outpatient",
        admit_time=datetime(2025, 3, 1),
        discharge_time=None,
    )
    add(con, "fee_items", line_id="L6", encounter_id="E6", charged_at=datetime(2025, 3, 6))
    refresh(con)
    num, den, value, detail = measure(con, "consistency")
    assert (num, den) == (2, 6)  # E1 and E6 are clean
    assert value == pytest.approx(1 / 3)
    assert detail["problems"] == {
        "discharge_before_admission": 1,
        "fee_outside_stay": 1,
        "procedure_outside_stay": 1,
        "unknown_patient": 1,
    }


def test_timeliness_uses_first_accepted_batch(con: duckdb.DuckDBPyConnection) -> None:
    for inst in ("H1", "H2", "H3", "H4"):
        add(con, "encounters", encounter_id=f"E-{inst}", institution_id=inst, batch_id=f"B-{inst}")
    # H1: on the due day (late evening still counts).
    add(con, "batches", batch_id="B-H1", received_at=datetime(2025, 4, 5, 23, 30))
    # H2: a rejected attempt in time, accepted three days late.
    add(
        con,
        "batches",
        batch_id="R-H2",
        institution_id="H2",
        received_at=datetime(2025, 4, 1),
        status="rejected",
    )
    add(con, "batches", batch_id="B-H2", institution_id="H2", received_at=datetime(2025, 4, 8, 9))
    # H3: came in a multi-institution batch (no institution_id) on time.
    add(con, "batches", batch_id="B-H3", institution_id=None, received_at=datetime(2025, 4, 3))
    # H4: nothing arrived.
    refresh(con, today=date(2025, 4, 10))
    assert measure(con, "timeliness", "H1")[2:] == (
        1.0,
        {"arrived": "2025-04-05", "days_late": 0, "due": "2025-04-05"},
    )
    assert measure(con, "timeliness", "H2")[2:] == (
        0.0,
        {"arrived": "2025-04-08", "days_late": 3, "due": "2025-04-05"},
    )
    assert measure(con, "timeliness", "H3")[2] == 1.0
    assert measure(con, "timeliness", "H4")[2:] == (
        0.0,
        {"arrived": None, "days_late": 5, "due": "2025-04-05"},
    )


def test_timeliness_is_null_before_the_due_date(con: duckdb.DuckDBPyConnection) -> None:
    add(con, "encounters")
    refresh(con, today=date(2025, 4, 5))
    num, den, value, detail = measure(con, "timeliness")
    assert (num, den, value, detail["days_late"]) == (None, None, None, None)


def test_volume_against_previous_months_with_data(con: duckdb.DuckDBPyConnection) -> None:
    for period, n in (("2024-11", 1000), ("2024-12", 10), ("2025-01", 20), ("2025-02", 30), ("2025-03", 60)):
        add_fee_lines(con, n, period=period)
    add_fee_lines(con, 10, institution_id="H2", period="2025-01")  # H2 skipped February
    add_fee_lines(con, 12, institution_id="H2", period="2025-03")
    refresh(con)
    num, den, value, detail = measure(con, "volume")
    assert (num, den, value) == (60, 20, 3.0)  # 60 ÷ mean(10, 20, 30)
    assert detail == {"baseline_periods": ["2024-12", "2025-01", "2025-02"], "flagged": True}
    num, den, value, _ = measure(con, "volume", period="2025-02")
    assert den == pytest.approx((20 + 10 + 1000) / 3, abs=1e-4)
    assert value == pytest.approx(30 / ((20 + 10 + 1000) / 3))
    assert measure(con, "volume", "H2")[2:] == (1.2, {"baseline_periods": ["2025-01"], "flagged": False})
    assert measure(con, "volume", period="2024-11")[2:] == (None, {"baseline_periods": [], "flagged": False})


def test_mapping_and_score(con: duckdb.DuckDBPyConnection) -> None:
    add(con, "institutions")
    add(con, "patients")
    add(con, "encounters")
    for line in ("L1", "L2", "L3"):
        add(con, "fee_items", line_id=line)
    add(con, "fee_items", line_id="L4", item_code=None, item_code_source=None, local_code="LC1")
    refresh(con)
    assert measure(con, "mapping")[:3] == (3, 4, 0.75)
    assert measure(con, "completeness")[2] == 1.0
    assert measure(con, "validity")[2] == 1.0
    assert measure(con, "consistency")[2] == 1.0
    num, den, value, detail = measure(con, "score")
    # mean of completeness 1, validity 1, consistency 1, mapping 0.75 (timeliness excluded)
    assert (num, den, value) == (3.75, 4, 0.9375)
    assert detail["components"] == {"completeness": 1.0, "consistency": 1.0, "mapping": 0.75, "validity": 1.0}


def test_refresh_replaces_only_the_given_pairs(con: duckdb.DuckDBPyConnection) -> None:
    add(con, "encounters", encounter_id="E1")
    add(con, "encounters", encounter_id="E2", institution_id="H2")
    refresh(con)
    assert rows(con, "SELECT count(*) FROM quality") == [(14,)]  # 7 measures × 2 pairs
    add(con, "encounters", encounter_id="E3", main_diagnosis=None)
    before_h2 = rows(con, "SELECT computed_at FROM quality WHERE institution_id = 'H2'")
    refresh_quality(con, Settings(), [("H1", "2025-03")], today=TODAY)
    assert rows(con, "SELECT count(*) FROM quality") == [(14,)]
    assert measure(con, "completeness")[:2] == (5, 6)
    assert rows(con, "SELECT computed_at FROM quality WHERE institution_id = 'H2'") == before_h2


def test_store_pairs_include_own_batches_without_rows(con: duckdb.DuckDBPyConnection) -> None:
    add(con, "encounters", institution_id="H1")
    add(
        con, "batches", batch_id="B2", institution_id="H2", period="2025-02", received_at=datetime(2025, 3, 4)
    )
    add(con, "batches", batch_id="B3", institution_id="H3", status="rejected")
    assert store_pairs(con) == [("H1", "2025-03"), ("H2", "2025-02")]
    assert store_pairs(con, "2025-02") == [("H2", "2025-02")]
    refresh(con)
    # Nothing to measure for H2's empty month: shares are NULL, and so is the score.
    assert measure(con, "completeness", "H2", "2025-02")[2] is None
    assert measure(con, "score", "H2", "2025-02")[2] is None
    assert measure(con, "timeliness", "H2", "2025-02")[2] == 1.0
