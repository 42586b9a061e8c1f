"""T06 高频住院: a patient with ≥ 4 inpatient admissions (any institution) within 365 days."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from tests.rules.builder import StoreBuilder
from tests.rules.conftest import RunHits


def _stay(build: StoreBuilder, encounter_id: str, patient: str, admit: str, period: str, **kw: Any) -> None:
    build.encounter(
        encounter_id, patient_id=patient, admit=f"{admit} 09:00:00", discharge=None, period=period, **kw
    )


def test_window_boundary_and_evidence(build: StoreBuilder, run_hits: RunHits) -> None:
    build.institution("H2")
    # P1: 2024-03-10 … 2025-03-10 is exactly 365 days → 4 admissions.
    _stay(build, "A1", "P1", "2024-03-10", "2024-03")
    _stay(build, "A2", "P1", "2024-09-01", "2024-09", institution_id="H2")
    _stay(build, "A3", "P1", "2025-01-05", "2025-01")
    _stay(build, "A4", "P1", "2025-03-10", "2025-03", department="外科", attending_doctor_id="D4")
    # P2: 2024-03-09 is 366 days before 2025-03-10 → only 3 counted.
    _stay(build, "B1", "P2", "2024-03-09", "2024-03")
    _stay(build, "B2", "P2", "2024-09-01", "2024-09")
    _stay(build, "B3", "P2", "2025-01-05", "2025-01")
    _stay(build, "B4", "P2", "2025-03-10", "2025-03")
    # Outpatient visits are not admissions.
    for i in range(4):
        build.encounter(
            f"V{i}",
            patient_id="P2",
            encounter_type="outpatient",
            admit=f"2025-03-0{i + 1} 09:00:00",
            discharge=None,
        )

    [hit] = run_hits("T06")

    assert (hit.hit_key, hit.patient_id, hit.encounter_id) == ("P1|2025-03", "P1", "A4")
    assert (hit.institution_id, hit.department, hit.doctor_id) == ("H1", "外科", "D4")
    assert (hit.amount_involved, str(hit.event_date)) == (Decimal("0.00"), "2025-03-10")
    assert json.loads(hit.evidence) == {
        "admissions": "4",
        "encounters": ["A1", "A2", "A3", "A4"],
        "first_admit_day": "2024-03-10",
        "latest_admit_day": "2025-03-10",
        "min_admissions": "4",
        "stays": ["2024-03-10|A1|H1", "2024-09-01|A2|H2", "2025-01-05|A3|H1", "2025-03-10|A4|H1"],
        "window_days": "365",
    }


def test_belongs_to_the_period_of_the_latest_admission(build: StoreBuilder, run_hits: RunHits) -> None:
    # Admissions in January (2), February (1) and March (2): the latest is in March.
    _stay(build, "J1", "P1", "2025-01-02", "2025-01")
    _stay(build, "J2", "P1", "2025-01-20", "2025-01")
    _stay(build, "F1", "P1", "2025-02-10", "2025-02")
    _stay(build, "M1", "P1", "2025-03-01", "2025-03")
    _stay(build, "M2", "P1", "2025-03-15", "2025-03")
    # A stay admitted later but settled in April does not count for March (look-back only).
    _stay(build, "AP", "P1", "2025-03-28", "2025-04")

    # P2: the stay settled in March was admitted before the February ones: its latest
    # admission (02-10) is not in March, and February sees only 3 admissions.
    _stay(build, "Q1", "P2", "2025-02-01", "2025-02")
    _stay(build, "Q2", "P2", "2025-02-05", "2025-02")
    _stay(build, "Q3", "P2", "2025-02-10", "2025-02")
    _stay(build, "Q0", "P2", "2025-01-15", "2025-03")

    [march] = run_hits("T06")
    [april] = run_hits("T06", period="2025-04")

    assert (march.hit_key, march.encounter_id, json.loads(march.evidence)["admissions"]) == (
        "P1|2025-03",
        "M2",
        "5",
    )
    assert (april.hit_key, april.encounter_id, json.loads(april.evidence)["admissions"]) == (
        "P1|2025-04",
        "AP",
        "6",
    )
    assert run_hits("T06", period="2025-02") == []  # P1: 3 admissions so far; P2: 3
