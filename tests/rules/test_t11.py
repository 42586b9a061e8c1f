"""T11 死亡后就诊: an encounter whose admission day is after the patient's death date."""

from __future__ import annotations

import json
from decimal import Decimal

from tests.rules.builder import StoreBuilder
from tests.rules.conftest import RunHits


def test_fires_only_after_the_day_of_death(build: StoreBuilder, run_hits: RunHits) -> None:
    build.patient("P2", death_date="2025-03-10").patient("P3")
    build.encounter(
        "E1",
        patient_id="P2",
        encounter_type="outpatient",
        admit="2025-03-11 00:00:00",
        discharge=None,
        total_amount=Decimal("123.45"),
    )
    build.encounter(
        "E2", patient_id="P2", encounter_type="outpatient", admit="2025-03-10 23:59:59", discharge=None
    )
    build.encounter("E3", patient_id="P2", admit="2025-03-09 08:00:00", discharge="2025-03-12 08:00:00")
    build.encounter("E4", patient_id="P3", admit="2025-03-11 08:00:00")  # no death date
    build.encounter("E5", patient_id="P2", admit="2025-03-20 08:00:00", period="2025-04")

    [hit] = run_hits("T11")

    assert (hit.hit_key, hit.encounter_id, hit.patient_id) == ("E1", "E1", "P2")
    assert hit.amount_involved == Decimal("123.45")
    assert (hit.doctor_id, hit.department, str(hit.event_date)) == ("D1", "内科", "2025-03-11")
    assert json.loads(hit.evidence) == {
        "admit_time": "2025-03-11 00:00:00",
        "days_after_death": "1",
        "death_date": "2025-03-10",
        "encounter_type": "outpatient",
        "total_amount": "123.45",
    }
    assert [h.encounter_id for h in run_hits("T11", period="2025-04")] == ["E5"]
