"""T05 聚集性住院: ≥ 5 patients of one address admitted to one institution within 1 day."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from tests.rules.builder import StoreBuilder
from tests.rules.conftest import RunHits


def _admit(build: StoreBuilder, encounter_id: str, patient: str, day: str, **kw: Any) -> None:
    kw.setdefault("period", build.period)
    build.encounter(
        encounter_id, patient_id=patient, admit=f"{day} 10:00:00", discharge=f"{day[:8]}28 10:00:00", **kw
    )


def test_cluster_within_one_day(build: StoreBuilder, run_hits: RunHits) -> None:
    for i in range(1, 9):
        build.patient(f"V{i}", address_code="511502101001")
    build.patient("AWAY", address_code="511502101999").patient("NOADDR")
    # V1, V2 on 03-10; V3-V5 on 03-11 → five patients, days 1 apart: all hit.
    for i, day in enumerate(["2025-03-10", "2025-03-10", "2025-03-11", "2025-03-11", "2025-03-11"], 1):
        _admit(build, f"E{i}", f"V{i}", day, total_amount=Decimal(100 * i))
    # V6 on 03-12: the window 03-11…03-12 holds only V3-V6 (4 patients).
    _admit(build, "E6", "V6", "2025-03-12")
    # Not counted: another address, no address, another institution, an outpatient visit.
    _admit(build, "X1", "AWAY", "2025-03-12")
    _admit(build, "X2", "NOADDR", "2025-03-12")
    build.institution("H2")
    _admit(build, "X3", "V7", "2025-03-12", institution_id="H2")
    build.encounter(
        "X4", patient_id="V8", admit="2025-03-12 10:00:00", discharge=None, encounter_type="outpatient"
    )

    hits = {h.hit_key: h for h in run_hits("T05")}

    assert set(hits) == {"E1", "E2", "E3", "E4", "E5"}
    hit = hits["E3"]
    assert (hit.amount_involved, hit.patient_id, str(hit.event_date)) == (
        Decimal("300.00"),
        "V3",
        "2025-03-11",
    )
    assert json.loads(hit.evidence) == {
        "address_code": "511502101001",
        "encounters": ["E1", "E2", "E3", "E4", "E5"],
        "min_patients": "5",
        "patients": "5",
        "window_end": "2025-03-11",
        "window_start": "2025-03-10",
    }


def test_distinct_patients_and_two_day_span(build: StoreBuilder, run_hits: RunHits) -> None:
    for i in range(1, 6):
        build.patient(f"V{i}", address_code="A1")
    # Four patients, one of them twice: not a cluster.
    for i, (patient, day) in enumerate(
        [("V1", "03-05"), ("V1", "03-05"), ("V2", "03-05"), ("V3", "03-06"), ("V4", "03-06")]
    ):
        _admit(build, f"S{i}", patient, f"2025-{day}")
    # Five patients over 03-20…03-22: latest − earliest = 2 days.
    for i, day in enumerate(["03-20", "03-20", "03-21", "03-22", "03-22"], 1):
        _admit(build, f"T{i}", f"V{i}", f"2025-{day}")

    assert run_hits("T05") == []


def test_cluster_across_settlement_months(build: StoreBuilder, run_hits: RunHits) -> None:
    for i in range(1, 6):
        build.patient(f"V{i}", address_code="A1")
    for i in range(1, 4):  # admitted and settled in February
        build.encounter(
            f"F{i}",
            patient_id=f"V{i}",
            admit="2025-02-27 10:00:00",
            discharge="2025-02-28 10:00:00",
            period="2025-02",
        )
    for i in range(4, 6):  # admitted 02-28, settled in March
        build.encounter(
            f"M{i}", patient_id=f"V{i}", admit="2025-02-28 10:00:00", discharge="2025-03-03 10:00:00"
        )

    assert {h.hit_key for h in run_hits("T05")} == {"M4", "M5"}
    assert {h.hit_key for h in run_hits("T05", period="2025-02")} == {"F1", "F2", "F3"}
