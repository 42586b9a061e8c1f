"""T08 冒名/重叠就医: overlapping stays, or a visit at another institution during a stay."""

from __future__ import annotations

import json
from decimal import Decimal

from tests.rules.builder import StoreBuilder
from tests.rules.conftest import RunHits


def test_overlaps_in_the_period(build: StoreBuilder, run_hits: RunHits) -> None:
    build.institution("H2")
    # S1 at H1: 03-01 → 03-10.
    build.encounter("S1", admit="2025-03-01 08:00:00", discharge="2025-03-10 10:00:00")
    build.encounter(
        "S2",
        institution_id="H2",
        admit="2025-03-05 09:00:00",
        discharge="2025-03-08 10:00:00",
        total_amount=Decimal("3000.5"),
        department="骨科",
        attending_doctor_id="D2",
    )  # admitted elsewhere before S1's discharge: hit
    build.encounter("S3", institution_id="H2", admit="2025-03-10 11:00:00", discharge="2025-03-12 10:00:00")
    visit = {"encounter_type": "outpatient", "discharge": None, "institution_id": "H2"}
    build.encounter("V1", **{**visit, "admit": "2025-03-09 15:00:00"})  # strictly inside S1: hit
    build.encounter("V2", **{**visit, "admit": "2025-03-01 15:00:00"})  # S1's admission day
    build.encounter("V3", **{**visit, "admit": "2025-03-10 07:00:00"})  # S1's discharge day
    build.encounter(
        "V4", **{**visit, "admit": "2025-03-09 07:00:00", "institution_id": "H1"}
    )  # same inst: C09
    build.encounter("V5", **{**visit, "admit": "2025-03-04 07:00:00", "encounter_type": "chronic_outpatient"})
    build.encounter("V6", **{**visit, "admit": "2025-03-04 07:00:00", "encounter_type": "emergency"})

    hits = run_hits("T08")

    assert sorted(h.hit_key for h in hits) == ["S2|S1", "V1|S1", "V5|S1", "V6|S1"]
    s2 = next(h for h in hits if h.hit_key == "S2|S1")
    assert (s2.encounter_id, s2.related_encounter_id, s2.institution_id) == ("S2", "S1", "H2")
    assert (s2.amount_involved, s2.doctor_id, s2.department) == (Decimal("3000.50"), "D2", "骨科")
    assert str(s2.event_date) == "2025-03-05"
    assert json.loads(s2.evidence) == {
        "admit_time": "2025-03-05 09:00:00",
        "encounter_type": "inpatient",
        "kind": "stay_overlap",
        "stay_admit_time": "2025-03-01 08:00:00",
        "stay_discharge_time": "2025-03-10 10:00:00",
        "stay_institution_id": "H1",
        "total_amount": "3000.5",
    }
    assert json.loads(next(h for h in hits if h.hit_key == "V1|S1").evidence)["kind"] == "visit_during_stay"


def test_related_stays_of_other_periods(build: StoreBuilder, run_hits: RunHits) -> None:
    build.institution("H2").patient("P2").patient("P3")
    # P2: A (settled in February) is still open when B is admitted; B is settled in March.
    build.encounter(
        "A", patient_id="P2", admit="2025-02-10 08:00:00", discharge="2025-02-28 08:00:00", period="2025-02"
    )
    build.encounter("B", patient_id="P2", institution_id="H2", admit="2025-02-20 08:00:00")
    # P3: a March visit during a stay discharged and settled in April.
    build.encounter(
        "C", patient_id="P3", admit="2025-03-20 08:00:00", discharge="2025-04-05 08:00:00", period="2025-04"
    )
    build.encounter(
        "V", patient_id="P3", institution_id="H2", encounter_type="outpatient", admit="2025-03-25 08:00:00"
    )
    # Same admission time at two institutions: the later is the larger encounter id.
    build.encounter(
        "Y1", patient_id="P3", admit="2025-01-02 08:00:00", discharge="2025-01-05 08:00:00", period="2025-01"
    )
    build.encounter(
        "Y2",
        patient_id="P3",
        institution_id="H2",
        admit="2025-01-02 08:00:00",
        discharge="2025-01-04 08:00:00",
        period="2025-01",
    )

    assert sorted(h.hit_key for h in run_hits("T08")) == ["B|A", "V|C"]
    assert run_hits("T08", period="2025-02") == []
    assert [h.hit_key for h in run_hits("T08", period="2025-01")] == ["Y2|Y1"]
