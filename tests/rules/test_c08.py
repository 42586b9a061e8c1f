"""C08 离院/死亡后收费: a charge day after the discharge day or after the patient's death date."""

from __future__ import annotations

import json
from decimal import Decimal

from tests.rules.builder import StoreBuilder
from tests.rules.conftest import RunHits


def test_after_discharge_day(build: StoreBuilder, run_hits: RunHits) -> None:
    build.encounter("E1")  # 03-01 → 03-05 10:00
    build.fee("E1", "LAB", "2025-03-05 23:59:59")  # the discharge day itself
    late = build.fee("E1", "LAB", "2025-03-06 00:00:00", 2, "30.25", item_type="lab")
    build.fee("E1", "X", "2025-03-07 09:00:00")  # refunded in full: no charge
    build.fee("E1", "X", "2025-03-07 10:00:00", -1)

    [hit] = run_hits("C08")

    assert hit.hit_key == f"E1|{late}"
    assert hit.amount_involved == Decimal("60.50")
    assert str(hit.event_date) == "2025-03-06"
    assert json.loads(hit.evidence) == {
        "charge_day": "2025-03-06",
        "death_date": None,
        "discharge_day": "2025-03-05",
        "item_code": "LAB",
        "line_id": late,
        "quantity": "2",
    }


def test_after_death(build: StoreBuilder, run_hits: RunHits) -> None:
    build.patient("P2", death_date="2025-03-03")
    build.encounter(
        "V1", patient_id="P2", encounter_type="outpatient", discharge=None, admit="2025-03-03 08:00:00"
    )
    build.encounter(
        "V2", patient_id="P2", encounter_type="outpatient", discharge=None, admit="2025-03-04 08:00:00"
    )
    build.encounter("S1", patient_id="P2", admit="2025-03-01 08:00:00", discharge="2025-03-06 08:00:00")
    build.fee("V1", "X", "2025-03-03 23:00:00")  # on the day of death
    after = build.fee("V2", "X", "2025-03-04 08:30:00")
    in_stay = build.fee("S1", "X", "2025-03-05 08:30:00")  # within the stay but after death
    build.fee("S1", "X", "2025-03-02 08:30:00")  # before death

    hits = run_hits("C08")

    assert {h.hit_key for h in hits} == {f"V2|{after}", f"S1|{in_stay}"}
    assert {json.loads(h.evidence)["death_date"] for h in hits} == {"2025-03-03"}


def test_other_period_and_open_stay(build: StoreBuilder, run_hits: RunHits) -> None:
    build.encounter("E1", discharge=None)  # no discharge time: only death can fire
    build.encounter("E2", period="2025-02", admit="2025-02-01 08:00:00", discharge="2025-02-03 08:00:00")
    build.fee("E1", "X", "2025-03-20 09:00:00")
    line = build.fee("E2", "X", "2025-02-04 09:00:00")

    assert run_hits("C08") == []
    assert [h.hit_key for h in run_hits("C08", period="2025-02")] == [f"E2|{line}"]
