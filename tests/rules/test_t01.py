"""T01 分解住院: readmission to the same institution ≤ 15 days after a discharge, same diagnosis."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from tests.rules.builder import StoreBuilder
from tests.rules.conftest import RunHits


def _stay(
    build: StoreBuilder, encounter_id: str, patient: str, admit: str, discharge: str, **kw: Any
) -> None:
    build.encounter(
        encounter_id, patient_id=patient, admit=f"{admit} 09:00:00", discharge=f"{discharge} 10:00:00", **kw
    )


def test_gap_boundaries(build: StoreBuilder, run_hits: RunHits) -> None:
    # P1: discharged 03-01, readmitted 03-16 (15 days) → hit.
    _stay(build, "A1", "P1", "2025-02-25", "2025-03-01", main_diagnosis="J18.000", discharge_disposition="1")
    _stay(
        build,
        "A2",
        "P1",
        "2025-03-16",
        "2025-03-20",
        main_diagnosis="J18.900",
        total_amount=Decimal("4321.5"),
    )
    # P2: 16 days → no hit.
    _stay(build, "B1", "P2", "2025-02-25", "2025-03-01")
    _stay(build, "B2", "P2", "2025-03-17", "2025-03-20")
    # P3: same-day readmission (gap 0) → hit.
    build.encounter("C1", patient_id="P3", admit="2025-03-02 08:00:00", discharge="2025-03-05 09:00:00")
    build.encounter("C2", patient_id="P3", admit="2025-03-05 15:00:00", discharge="2025-03-09 09:00:00")

    hits = {h.hit_key: h for h in run_hits("T01")}

    assert set(hits) == {"A2", "C2"}
    hit = hits["A2"]
    assert (hit.encounter_id, hit.related_encounter_id, hit.amount_involved) == (
        "A2",
        "A1",
        Decimal("4321.50"),
    )
    assert (hit.doctor_id, hit.department, str(hit.event_date)) == ("D1", "内科", "2025-03-16")
    assert json.loads(hit.evidence) == {
        "admit_day": "2025-03-16",
        "earlier_admit_day": "2025-02-25",
        "earlier_discharge_day": "2025-03-01",
        "earlier_disposition": "1",
        "earlier_main_diagnosis": "J18.000",
        "gap_days": "15",
        "main_diagnosis": "J18.900",
        "max_gap_days": "15",
    }
    assert json.loads(hits["C2"].evidence)["gap_days"] == "0"


def test_exclusions(build: StoreBuilder, run_hits: RunHits) -> None:
    build.institution("H2")
    cases: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
        "PLANNED": ({"readmission_planned": True}, {}),
        "PLANNED_LATER": ({}, {"readmission_planned": True}),
        "DIED": ({"discharge_disposition": "5"}, {}),
        "UP": ({"discharge_disposition": "2"}, {}),
        "DOWN": ({"discharge_disposition": "3"}, {}),
        "OTHER_DX": ({"main_diagnosis": "J20.900"}, {}),
        "OTHER_HOSP": ({"institution_id": "H2"}, {}),
        "LEFT": ({"discharge_disposition": "4"}, {}),  # 非医嘱离院: still a split admission
        "NO_DISP": ({"discharge_disposition": None}, {}),
    }
    for name, (earlier, later) in cases.items():
        _stay(build, f"{name}-1", name, "2025-03-01", "2025-03-05", **earlier)
        _stay(build, f"{name}-2", name, "2025-03-10", "2025-03-15", **later)

    assert {h.hit_key for h in run_hits("T01")} == {"LEFT-2", "NO_DISP-2"}


def test_look_back_and_latest_earlier_stay(build: StoreBuilder, run_hits: RunHits) -> None:
    build.period = "2025-02"
    _stay(build, "F1", "P1", "2025-02-01", "2025-02-10")
    _stay(build, "F2", "P1", "2025-02-15", "2025-02-20")  # 5 days after F1: February's hit
    build.period = "2025-03"
    _stay(build, "M1", "P1", "2025-03-01", "2025-03-04")  # 9 days after F2 (and 19 after F1)

    [march] = run_hits("T01")
    [february] = run_hits("T01", period="2025-02")

    assert (march.encounter_id, march.related_encounter_id) == ("M1", "F2")
    assert (february.encounter_id, february.related_encounter_id) == ("F2", "F1")
