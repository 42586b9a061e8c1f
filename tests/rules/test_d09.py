"""D09 提前开药: a refill before refill_ratio × the previous supply has elapsed (later = hit)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from tests.rules.builder import StoreBuilder
from tests.rules.conftest import RunHits


def _visit(build: StoreBuilder, enc: str, patient: str, day: str, **kw: Any) -> None:
    kw.setdefault("encounter_type", "outpatient")
    build.encounter(enc, patient_id=patient, admit=f"{day} 09:00:00", discharge=None, **kw)


def test_refills_across_institutions_and_periods(build: StoreBuilder, run_hits: RunHits) -> None:
    build.institution("H2", level=1)
    for pid in ("P2", "P3", "P4", "P5"):
        build.patient(pid)
    # P1: 7 days supplied at H2 in February, refilled 5 days later at H1 (5 < 5.6).
    _visit(build, "E1", "P1", "2025-02-25", institution_id="H2", period="2025-02")
    build.order("E1", "O1", "AML", "2025-02-25 09:10:00", days_supply=7)
    _visit(build, "E2", "P1", "2025-03-02", department="心内科")
    build.order("E2", "O1", "AML", "2025-03-02 09:10:00", days_supply=7, doctor_id="D2")
    build.order("E2", "O2", "AML", "2025-03-02 09:20:00", days_supply=7)  # same encounter: not a refill
    build.fee("E2", "AML", "2025-03-02 09:15:00", 7, "0.5", item_type="drug_western")
    # P2: 6 days later is not early (6 ≥ 5.6).
    _visit(build, "E3", "P2", "2025-02-24", period="2025-02")
    build.order("E3", "O1", "AML", "2025-02-24 09:10:00", days_supply=7)
    _visit(build, "E4", "P2", "2025-03-02")
    build.order("E4", "O1", "AML", "2025-03-02 09:10:00", days_supply=7)
    # P3: the earlier order was inpatient; another drug never pairs.
    build.encounter("E5", patient_id="P3", admit="2025-02-27 09:00:00", discharge="2025-03-01 09:00:00")
    build.order("E5", "O1", "AML", "2025-02-27 09:10:00", days_supply=7)
    _visit(build, "E6", "P3", "2025-03-02")
    build.order("E6", "O1", "AML", "2025-03-02 09:10:00", days_supply=7)
    build.order("E6", "O2", "MET", "2025-03-02 09:10:00", days_supply=7)
    # P4: only the latest earlier order counts.
    _visit(build, "E7", "P4", "2025-02-28", period="2025-02")
    build.order("E7", "O1", "AML", "2025-02-28 09:10:00", days_supply=30)
    _visit(build, "E8", "P4", "2025-03-01")
    build.order("E8", "O1", "AML", "2025-03-01 09:10:00")
    _visit(build, "E9", "P4", "2025-03-02")
    build.order("E9", "O1", "AML", "2025-03-02 09:10:00", days_supply=7)
    # P5: chronic visit and emergency visit on the same day: the emergency one is the refill.
    _visit(build, "E10", "P5", "2025-03-03", encounter_type="chronic_outpatient")
    build.order("E10", "O1", "MET", "2025-03-03 09:10:00", days_supply=30)
    _visit(build, "E11", "P5", "2025-03-03", encounter_type="emergency")
    build.order("E11", "O1", "MET", "2025-03-03 20:10:00", days_supply=3)

    hits = run_hits("D09")

    assert sorted(h.hit_key for h in hits) == ["E11|MET", "E2|AML", "E8|AML"]
    hit = next(h for h in hits if h.encounter_id == "E2")
    assert (hit.related_encounter_id, hit.doctor_id, hit.department) == ("E1", "D2", "心内科")
    assert (str(hit.event_date), hit.amount_involved) == ("2025-03-02", Decimal("3.50"))
    assert json.loads(hit.evidence) == {
        "days_between": "5",
        "drug_code": "AML",
        "earlier_days_supply": "7",
        "earlier_institution_id": "H2",
        "earlier_order_id": "O1",
        "earlier_start_day": "2025-02-25",
        "order_id": "O1",
        "threshold_days": "5.6",
    }
    # E8 refills E7's 30 days after 1 day; E9's latest earlier order (E8's) has no supply,
    # so E9 is not checked against the older E7.
    e8 = next(h for h in hits if h.encounter_id == "E8")
    assert (e8.related_encounter_id, json.loads(e8.evidence)["threshold_days"]) == ("E7", "24")


def test_only_later_encounters_of_the_period(build: StoreBuilder, run_hits: RunHits) -> None:
    _visit(build, "E1", "P1", "2025-02-25", period="2025-02")
    build.order("E1", "O1", "AML", "2025-02-25 09:10:00", days_supply=7)
    _visit(build, "E2", "P1", "2025-03-02")
    build.order("E2", "O1", "AML", "2025-03-02 09:10:00", days_supply=7)

    assert run_hits("D09", period="2025-02") == []
    assert [h.hit_key for h in run_hits("D09")] == ["E2|AML"]
